import { execFile } from "node:child_process";
import { chmodSync, existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { CliRun, vmimages } from "../helpers/cli";
import { crdErrors } from "../helpers/crd";
import { corpusAvailable } from "../helpers/corpus";
import { copyExample, makeOva, PROJECT, snapshot, writeTree } from "../helpers/library";
import { ovf } from "../helpers/ovf";

type Run = CliRun;

const PHOTON = "vmi-0a0044d7c690bcbea";

describe("vmimages generate on the example library", () => {
  const ex = copyExample();
  let first: Run;
  beforeAll(async () => {
    first = await vmimages("generate", "--config", ex.config, "--out", ex.out);
  });

  test("writes one manifest per item and a kustomization listing them", () => {
    expect(first.code).toBe(0);
    const kustomization = parse(readFileSync(path.join(ex.out, "kustomization.yaml"), "utf8"));
    expect(kustomization.resources).toHaveLength(5);
    expect(kustomization.resources).toContain(`cluster/${PHOTON}.yaml`);
    expect(kustomization.resources.filter((r: string) => r.startsWith("namespaces/team-a/"))).toHaveLength(2);
    for (const rel of kustomization.resources) expect(existsSync(path.join(ex.out, rel))).toBe(true);
    expect(first.err).toContain("5 image(s)");
  });

  (corpusAvailable() ? test : test.skip)("every manifest written validates against VM Operator's CRD", () => {
    const kustomization = parse(readFileSync(path.join(ex.out, "kustomization.yaml"), "utf8"));
    for (const rel of kustomization.resources) {
      const manifest = parse(readFileSync(path.join(ex.out, rel), "utf8"));
      expect([rel, crdErrors(manifest)]).toEqual([rel, []]);
    }
  });

  test("re-running on unchanged input changes no byte and rewrites no file", async () => {
    const before = snapshot(ex.out);
    const again = await vmimages("generate", "--config", ex.config, "--out", ex.out);
    expect(again.code).toBe(0);
    expect(snapshot(ex.out)).toEqual(before);
    expect(again.err).toContain("0 added, 0 changed, 0 removed; 0 file(s) written, 0 removed, 6 unchanged");
  });

  test("diff, then generate, show and apply one change, one addition and one removal, touching nothing else", async () => {
    writeFileSync(path.join(ex.out, "README.md"), "my notes\n");
    const photonFile = path.join(ex.library, "base-images/linux/photon-5.ovf");
    writeFileSync(photonFile, readFileSync(photonFile, "utf8").replace("<Version>5.0</Version>", "<Version>5.1</Version>"));
    writeTree(ex.library, { "team-a/rocky-9.ovf": ovf({ osType: "rockylinux_64Guest", systemType: "vmx-21" }) });
    rmSync(path.join(ex.library, "team-a/centos-7-legacy.ovf"));
    const before = snapshot(ex.out);
    const photonBefore = parse(before[`cluster/${PHOTON}.yaml`]!.content);

    const diff = await vmimages("diff", "--config", ex.config, "--out", ex.out, "--exit-code");
    expect(diff.code).toBe(3);
    const lines = diff.out.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\+ VirtualMachineImage vmi-[0-9a-f]{17} "rocky-9" \(namespace team-a\)$/);
    expect(lines[1]).toBe(`~ ClusterVirtualMachineImage ${PHOTON} "Photon OS 5.0" (cluster): status.productInfo.version, status.providerContentVersion`);
    expect(lines[2]).toMatch(/^- VirtualMachineImage vmi-[0-9a-f]{17} "centos-7-legacy" \(namespace team-a\)$/);
    expect(snapshot(ex.out)).toEqual(before);

    const gen = await vmimages("generate", "--config", ex.config, "--out", ex.out);
    expect(gen.code).toBe(0);
    const after = snapshot(ex.out);
    expect(after["README.md"]).toEqual(before["README.md"]);
    const photonAfter = parse(after[`cluster/${PHOTON}.yaml`]!.content);
    expect(photonAfter.status.productInfo.version).toBe("5.1");
    expect(photonAfter.status.conditions[0].lastTransitionTime).toBe(photonBefore.status.conditions[0].lastTransitionTime);
    const removed = lines[2]!.split(" ")[2]!;
    expect(existsSync(path.join(ex.out, `namespaces/team-a/${removed}.yaml`))).toBe(false);
    expect(parse(after["kustomization.yaml"]!.content).resources).toHaveLength(5);
  });
});

describe("vmimages generate refuses bad input and writes nothing", () => {
  const cases: Array<[string, (lib: string) => Promise<void> | void, RegExp[]]> = [
    ["a truncated OVF", (lib) => writeTree(lib, { "team-a/broken.ovf": ovf().slice(0, 400) }), [/library "team-a" at .*broken\.ovf: the OVF descriptor is not well-formed XML/]],
    ["a document that is not an OVF", (lib) => writeTree(lib, { "team-a/pom.ovf": `<?xml version="1.0"?><project/>` }), [/pom\.ovf: the file is not an OVF descriptor: its root element is <project>/]],
    [
      "an entity-expansion bomb",
      (lib) => writeTree(lib, { "team-a/bomb.ovf": `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><Envelope>&b;</Envelope>` }),
      [/bomb\.ovf: the OVF descriptor contains a DOCTYPE declaration/],
    ],
    ["an unreadable file", (lib) => symlinkSync(path.join(lib, "gone.ovf"), path.join(lib, "team-a/dangling.ovf")), [/library "team-a" at .*dangling\.ovf: .*ENOENT/]],
    ["a sidecar with an invalid id", (lib) => writeTree(lib, { "team-a/centos-7-legacy.item.json": `{"id": "123"}` }), [/library "team-a": sidecar .*centos-7-legacy\.item\.json has an invalid "id": "123" is not a UUID/]],
    [
      "two items with the same id",
      (lib) => writeTree(lib, { "team-a/copy.ovf": ovf(), "team-a/copy.item.json": `{"id": "e1968c25-dd84-4506-8dc7-9beacb6b688e"}` }),
      [/two items have the id e1968c25-dd84-4506-8dc7-9beacb6b688e: item "Photon OS 5\.0" in library "base-images" at .*photon-5\.ovf and item "copy" in library "team-a" at .*copy\.ovf/],
    ],
    [
      "an OVA cut short",
      async (lib) => writeTree(lib, { "team-a/cut.ova": (await makeOva([["cut.ovf", ovf()], ["disk.vmdk", Buffer.alloc(4096)]])).subarray(0, 300) }),
      [/library "team-a" at .*cut\.ova/],
    ],
  ];

  test.each(cases)("%s", async (_what, breakIt, messages) => {
    const ex = copyExample();
    expect((await vmimages("generate", "--config", ex.config, "--out", ex.out)).code).toBe(0);
    const before = snapshot(ex.out);
    await breakIt(ex.library);
    const run = await vmimages("generate", "--config", ex.config, "--out", ex.out);
    expect(run.code).toBe(1);
    for (const m of messages) expect(run.err).toMatch(m);
    expect(run.err).toContain("nothing was written");
    expect(snapshot(ex.out)).toEqual(before);
  });

  test("every problem of a run is reported together", async () => {
    const ex = copyExample();
    writeTree(ex.library, { "team-a/one.ovf": "<Envelope>", "base-images/two.ovf": "<nope/>" });
    const run = await vmimages("generate", "--config", ex.config, "--out", ex.out);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/2 problem\(s\) reading folder/);
    expect(run.err).toMatch(/one\.ovf/);
    expect(run.err).toMatch(/two\.ovf/);
    expect(existsSync(ex.out)).toBe(false);
  });

  test("a library named in the config that does not exist is named, with the libraries there", async () => {
    const ex = copyExample();
    writeFileSync(ex.config, "source:\n  directory: ./library\nlibraries:\n  - name: golden\n    scope: cluster\n");
    const run = await vmimages("generate", "--config", ex.config, "--out", ex.out);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`library "golden" does not exist in folder ${ex.library} (libraries there: "base-images", "team-a")`);
    expect(existsSync(ex.out)).toBe(false);
  });

  test("a kustomization.yaml that vmimages did not write is never overwritten", async () => {
    const ex = copyExample();
    writeTree(ex.out, { "kustomization.yaml": "resources: [app.yaml]\n" });
    const run = await vmimages("generate", "--config", ex.config, "--out", ex.out);
    expect(run.code).toBe(1);
    expect(run.err).toContain("kustomization.yaml was not written by vmimages");
    expect(readFileSync(path.join(ex.out, "kustomization.yaml"), "utf8")).toBe("resources: [app.yaml]\n");
  });

  test("with itemErrors: notReady, a bad item among good ones is written Ready=False with why, the others as usual, and the run succeeds", async () => {
    const ex = copyExample();
    writeFileSync(ex.config, `itemErrors: notReady\n${readFileSync(ex.config, "utf8")}`);
    expect((await vmimages("generate", "--config", ex.config, "--out", ex.out)).code).toBe(0);
    const before = snapshot(ex.out);
    // Photon was fine in the first run; now its descriptor is cut in half.
    const photon = path.join(ex.library, "base-images/linux/photon-5.ovf");
    writeFileSync(photon, readFileSync(photon, "utf8").slice(0, 400));
    const run = await vmimages("generate", "--config", ex.config, "--out", ex.out);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/warning: item "Photon OS 5\.0" \(e1968c25-dd84-4506-8dc7-9beacb6b688e\) in library "base-images" at .*photon-5\.ovf: the OVF descriptor is not well-formed XML.*; its image is written with Ready=False/);
    expect(run.err).toContain("5 image(s)");
    expect(run.err).toContain("0 added, 1 changed, 0 removed");
    const image = parse(readFileSync(path.join(ex.out, `cluster/${PHOTON}.yaml`), "utf8"));
    expect(image.metadata.name).toBe(PHOTON);
    expect(image.status).toEqual({
      name: "Photon OS 5.0",
      type: "OVF",
      providerItemID: "e1968c25-dd84-4506-8dc7-9beacb6b688e",
      providerContentVersion: expect.any(String),
      conditions: [{ type: "Ready", status: "False", reason: "VirtualMachineImageNotSynced", message: expect.stringMatching(/photon-5\.ovf: the OVF descriptor is not well-formed XML/), lastTransitionTime: expect.any(String) }],
    });
    expect(crdErrors(image)).toEqual([]);
    // Every other file is as it was.
    const after = snapshot(ex.out);
    for (const f of Object.keys(before)) if (!f.includes(PHOTON) && f !== "kustomization.yaml") expect([f, after[f]!.content]).toEqual([f, before[f]!.content]);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
  });

  test("without itemErrors, the same bad item fails the run and writes nothing", async () => {
    const ex = copyExample();
    const photon = path.join(ex.library, "base-images/linux/photon-5.ovf");
    writeFileSync(photon, readFileSync(photon, "utf8").slice(0, 400));
    const run = await vmimages("generate", "--config", ex.config, "--out", ex.out);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/photon-5\.ovf: the OVF descriptor is not well-formed XML/);
    expect(existsSync(ex.out)).toBe(false);
  });

  test("names from a library cannot drive the terminal or fake a line of a report", async () => {
    const ex = copyExample();
    // A library folder whose name holds a newline and an escape, with a bad item in it.
    const evil = "evil\n  - FAKE: all is well\u001b[2J";
    writeTree(ex.library, { [`${evil}/x.ovf`]: "<Envelope>" });
    writeFileSync(ex.config, `${readFileSync(ex.config, "utf8")}  - name: ${JSON.stringify(evil)}\n    scope: cluster\n`);
    const run = await vmimages("generate", "--config", ex.config, "--out", ex.out);
    expect(run.code).toBe(1);
    expect(run.err).toContain(String.raw`library "evil\n  - FAKE: all is well\x1b[2J"`);
    expect(run.err.split("\n").some((l) => l.startsWith("  - FAKE"))).toBe(false);
    expect(run.err).not.toContain("\u001b");
  });

  test("an item name with control characters is escaped in --verbose and list output, and written to YAML readably", async () => {
    const ex = copyExample();
    writeTree(ex.library, { "base-images/ctl.ovf": ovf({ osType: "ubuntu64Guest" }), "base-images/ctl.item.json": JSON.stringify({ name: "red\u001b[31m\r\u007fend" }) });
    const run = await vmimages("generate", "--config", ex.config, "--out", ex.out, "--verbose");
    expect(run.code).toBe(0);
    expect(run.err).toContain(String.raw`"red\x1b[31m\r\x7fend"`);
    expect(run.err).not.toMatch(/[\u001b\r\u007f]/);
    const list = await vmimages("list", "--manifests", ex.out);
    expect(list.out).toContain(String.raw`red\x1b[31m\r\x7fend`);
    expect(list.out).not.toMatch(/[\u001b\r\u007f]/);
    const resolved = await vmimages("resolve", "red\u001b[31m\r\u007fend", "--manifests", ex.out);
    expect(resolved.code).toBe(0);
  });

  test("-o json and -o yaml escape what a terminal would act on (CSI, the line separator), each in its own form, and parse back to the exact name", async () => {
    const ex = copyExample();
    const name = "csi\u009b2Jls\u2028end";
    writeTree(ex.library, { "base-images/ctl.iso": "", "base-images/ctl.item.json": JSON.stringify({ name }) });
    expect((await vmimages("generate", "--config", ex.config, "--out", ex.out)).code).toBe(0);
    for (const [args, read] of [
      [["list", "--manifests", ex.out, "-o", "json"], (t: string) => JSON.parse(t) as Array<{ displayName: string }>],
      [["list", "--manifests", ex.out, "-o", "yaml"], (t: string) => parse(t) as Array<{ displayName: string }>],
      [["select", "--manifests", ex.out, "--name", "csi*", "-o", "json"], (t: string) => [JSON.parse(t) as { displayName: string }]],
      [["select", "--manifests", ex.out, "--name", "csi*", "-o", "yaml"], (t: string) => [parse(t) as { displayName: string }]],
    ] as const) {
      const run = await vmimages(...args);
      expect(run.code).toBe(0);
      expect(run.out).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
      expect(read(run.out).map((i) => i.displayName)).toContain(name);
    }
    expect((await vmimages("list", "--manifests", ex.out, "-o", "json")).out).toContain("csi\\u009b2Jls\\u2028end");
  });

  test("a truncated OVA is a problem naming it, reported with the run's other problems, never a crash", async () => {
    const ex = copyExample();
    const ova = await makeOva([["cut.ovf", ovf({ osType: "ubuntu64Guest" })], ["disk.vmdk", Buffer.alloc(64 * 1024, 7)]]);
    writeTree(ex.library, {
      "base-images/cut-in-descriptor.ova": ova.subarray(0, 700),
      "base-images/cut-in-disk.ova": ova.subarray(0, 40 * 1024),
      "team-a/bad.ovf": ovf(),
      "team-a/bad.item.json": `{"id": "nope"}`,
    });
    const run = await vmimages("generate", "--config", ex.config, "--out", ex.out);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/2 problem\(s\) reading folder/);
    expect(run.err).toMatch(/cut-in-descriptor\.ova: cannot read its OVF descriptor: it is not a readable OVA \(tar\) archive: Unexpected end of data/);
    expect(run.err).toContain('bad.item.json has an invalid "id"');
    expect(existsSync(ex.out)).toBe(false);
  });

  test("one item id in upper and in lower case is one id: two items with it are refused as duplicates", async () => {
    const ex = copyExample();
    writeTree(ex.library, {
      "team-a/upper.ovf": ovf(),
      "team-a/upper.item.json": `{"id": "E1968C25-DD84-4506-8DC7-9BEACB6B688E"}`,
    });
    const run = await vmimages("generate", "--config", ex.config, "--out", ex.out);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/two items have the id e1968c25-dd84-4506-8dc7-9beacb6b688e: item "Photon OS 5\.0" .* and item "upper"/);
  });

  test("a missing config file is named", async () => {
    const run = await vmimages("generate", "--config", "/nonexistent/vmimages.yaml", "--out", "/tmp/x");
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/cannot read the configuration \/nonexistent\/vmimages\.yaml/);
  });
});

describe("vmimages resolve and list", () => {
  const ex = copyExample();
  beforeAll(async () => {
    writeTree(ex.library, {
      "team-a/dup1.ovf": ovf(),
      "team-a/dup1.item.json": `{"name": "Duplicate"}`,
      "team-a/dup2.ovf": ovf(),
      "team-a/dup2.item.json": `{"name": "Duplicate"}`,
    });
    expect((await vmimages("generate", "--config", ex.config, "--out", ex.out)).code).toBe(0);
  });

  test("prints the VMI ID of a display name, namespace first", async () => {
    const inCluster = await vmimages("resolve", "Ubuntu 24.04 LTS", "--manifests", ex.out);
    const inTeamA = await vmimages("resolve", "Ubuntu 24.04 LTS", "--manifests", ex.out, "--namespace", "team-a");
    expect(inCluster).toEqual({ code: 0, out: expect.stringMatching(/^vmi-[0-9a-f]{17}\n$/), err: "" });
    expect(inTeamA.code).toBe(0);
    expect(inTeamA.out).not.toBe(inCluster.out);
    expect((await vmimages("resolve", PHOTON, "--manifests", ex.out, "-n", "team-a")).out).toBe(`${PHOTON}\n`);
  });

  test("fails with the reason on stderr for unknown, ambiguous and strict-ambiguous names", async () => {
    const missing = await vmimages("resolve", "Windows", "--manifests", ex.out, "-n", "team-a");
    expect(missing).toEqual({ code: 1, out: "", err: expect.stringContaining(`no image named "Windows" in namespace "team-a" or the cluster`) });
    const dup = await vmimages("resolve", "Duplicate", "--manifests", ex.out, "-n", "team-a");
    expect(dup.code).toBe(1);
    expect(dup.err.match(/vmi-[0-9a-f]{17} \(namespace team-a\)/g)).toHaveLength(2);
    const strict = await vmimages("resolve", "Ubuntu 24.04 LTS", "--manifests", ex.out, "-n", "team-a", "--strict");
    expect(strict.code).toBe(1);
    expect(strict.err).toContain("ambiguous in namespace \"team-a\" and the cluster (strict)");
  });

  test("--require-capability fails naming the missing capability", async () => {
    const ok = await vmimages("resolve", "Photon OS 5.0", "--manifests", ex.out, "--require-capability", "cloud-init");
    expect(ok.code).toBe(0);
    const bad = await vmimages("resolve", "Photon OS 5.0", "--manifests", ex.out, "--require-capability", "cloud-init", "--require-capability", "nvidia-vgpu");
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`lacks the required capability nvidia-vgpu (it has: cloud-init, guest-customization)`);
  });

  test("select prints the VMI ID of the one image that fits, namespace first, and the newest with --most-recent", async () => {
    const ubuntuCluster = (await vmimages("resolve", "Ubuntu 24.04 LTS", "--manifests", ex.out)).out;
    const ubuntuTeamA = (await vmimages("resolve", "Ubuntu 24.04 LTS", "--manifests", ex.out, "-n", "team-a")).out;
    expect(await vmimages("select", "--name", "Ubuntu*", "--manifests", ex.out)).toEqual({ code: 0, out: ubuntuCluster, err: "" });
    expect((await vmimages("select", "--name", "/^ubuntu 24/i", "--manifests", ex.out, "-n", "team-a")).out).toBe(ubuntuTeamA);
    // Photon OS 5.0 and Ubuntu 24.04 LTS are the cluster's Linux images: two matches, unless the newest is asked for.
    const linux = ["-l", "os.image.vmoperator.vmware.com/type=Linux", "--manifests", ex.out];
    const several = await vmimages("select", ...linux);
    expect(several.code).toBe(1);
    expect(several.err).toMatch(/2 images in the cluster match the criteria \(selector "os\.image\.vmoperator\.vmware\.com\/type=Linux"\): .*"Photon OS 5\.0" 5\.0 \(cluster\).*"Ubuntu 24\.04 LTS" 24\.04 \(cluster\)|.*"Ubuntu 24\.04 LTS" 24\.04 \(cluster\).*"Photon OS 5\.0" 5\.0/);
    expect((await vmimages("select", ...linux, "--most-recent")).out).toBe(ubuntuCluster);
    const json = JSON.parse((await vmimages("select", ...linux, "--most-recent", "-o", "json")).out) as Record<string, string>;
    expect(json).toEqual({ kind: "ClusterVirtualMachineImage", name: ubuntuCluster.trim(), displayName: "Ubuntu 24.04 LTS", version: "24.04", fullVersion: "24.04.3 LTS (20251105)" });
  });

  test("select --expect fails when the pinned image is no longer the one the criteria select, saying what they select now", async () => {
    const ubuntuCluster = (await vmimages("resolve", "Ubuntu 24.04 LTS", "--manifests", ex.out)).out.trim();
    const args = ["select", "-l", "os.image.vmoperator.vmware.com/type=Linux", "--most-recent", "--manifests", ex.out];
    expect((await vmimages(...args, "--expect", ubuntuCluster)).code).toBe(0);
    const moved = await vmimages(...args, "--expect", PHOTON);
    expect(moved.code).toBe(1);
    expect(moved.err).toContain(`the criteria now select ${ubuntuCluster} ("Ubuntu 24.04 LTS", version 24.04), not the pinned ${PHOTON}`);
  });

  test("select with no match says which criterion removed the last candidates", async () => {
    const none = await vmimages("select", "--name", "Ubuntu*", "--require-capability", "nvidia-vgpu", "--manifests", ex.out);
    expect(none.code).toBe(1);
    expect(none.err).toContain("the capability nvidia-vgpu removed the last 1 candidate(s)");
  });

  test("lists cluster images as kubectl get -o wide prints them", async () => {
    const run = await vmimages("list", "--manifests", ex.out);
    const lines = run.out.trimEnd().split("\n");
    // kubectl get cvmi: the ClusterVirtualMachineImage CRD has no Capabilities column.
    expect(lines[0]).toMatch(/^NAME\s+DISPLAY NAME\s+TYPE\s+IMAGE VERSION\s+OS NAME\s+OS VERSION\s+HARDWARE VERSION$/);
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.startsWith(PHOTON))).toMatch(/Photon OS 5\.0\s+OVF\s+5\.0\s+Linux\s+5\.0\s+19$/);
    const teamA = (await vmimages("list", "--manifests", ex.out, "-n", "team-a")).out.split("\n");
    expect(teamA[0]).toMatch(/\s+HARDWARE VERSION\s+CAPABILITIES$/);
  });

  test("filters by namespace and label selector, and prints JSON", async () => {
    const all = await vmimages("list", "--manifests", ex.out, "-A");
    expect(all.out.split("\n")[0]).toMatch(/^NAMESPACE\s+NAME/);
    const linuxCloudInit = await vmimages("list", "--manifests", ex.out, "-l", "os.image.vmoperator.vmware.com/type=Linux,capability.image.vmoperator.vmware.com/cloud-init", "-o", "json");
    const names = JSON.parse(linuxCloudInit.out).map((i: { displayName: string }) => i.displayName);
    expect(names).toEqual(["Photon OS 5.0", "Ubuntu 24.04 LTS"]);
    const teamA = JSON.parse((await vmimages("list", "--manifests", ex.out, "-n", "team-a", "-o", "json")).out);
    expect(teamA.every((i: { namespace: string }) => i.namespace === "team-a")).toBe(true);
    expect(teamA).toHaveLength(4);
  });

  test("a bad selector is a usage error naming it", async () => {
    const run = await vmimages("list", "--manifests", ex.out, "-l", "a b");
    expect(run.code).toBe(1);
    expect(run.err).toContain(`invalid label selector "a b"`);
  });
});

describe("the vmimages executable", () => {
  test("--version prints the version of package.json", async () => {
    const { version } = JSON.parse(readFileSync(path.join(PROJECT, "package.json"), "utf8")) as { version: string };
    const run = await vmimages("--version");
    expect(run.code).toBe(0);
    expect(run.out).toBe(`${version}\n`);
  });

  test("runs from bin/ after the build and exits non-zero on bad usage", async () => {
    const bin = path.join(PROJECT, "bin/vmimages.js");
    chmodSync(bin, 0o755);
    const ex = copyExample();
    const exec = promisify(execFile);
    const ok = await exec(process.execPath, [bin, "generate", "--config", ex.config, "--out", ex.out, "--no-progress"]);
    expect(ok.stderr).toContain("5 image(s)");
    await expect(exec(process.execPath, [bin, "resolve"])).rejects.toMatchObject({ code: 2 });
    expect((await exec(process.execPath, [bin, "--version"])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  test("under a Node.js older than 22.19 it says which version it needs, and runs nothing; 22.19 runs", async () => {
    const exec = promisify(execFile);
    // The executable as another Node.js would run it: the same file, the version it reports replaced.
    const as = (version: string) => `Object.defineProperty(process, "versions", { value: { ...process.versions, node: "${version}" } }); process.argv = [process.argv[0], ${JSON.stringify(path.join(PROJECT, "bin/vmimages.js"))}, "--version"]; require(process.argv[1]);`;
    for (const older of ["20.11.1", "22.18.0"]) {
      await expect(exec(process.execPath, ["-e", as(older)])).rejects.toMatchObject({ code: 1, stdout: "", stderr: `error: vmimages needs Node.js 22.19 or later; this is Node.js ${older}\n` });
    }
    expect((await exec(process.execPath, ["-e", as("22.19.0")])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
