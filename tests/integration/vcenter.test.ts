import { execFile } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { diffCatalogs } from "../../provider/catalog/diff";
import { vmimages } from "../helpers/cli";
import { VmImagesError } from "../../provider/errors";
import { vmiName } from "../../provider/image/naming";
import { Generated, RunOptions, runPipeline } from "../../provider/pipeline/run";
import { DirectorySource } from "../../provider/source/directory";
import { ContentLibrarySource } from "../../provider/source/source";
import { VcenterClient } from "../../provider/source/vcenter/client";
import { VcenterSource } from "../../provider/source/vcenter/source";
import { LibrarySelection, VcenterConnection } from "../../provider/types";
import { rejection } from "../helpers/failure";
import { CORPUS } from "../helpers/corpus";
import { PROJECT, snapshot, tempDir, writeTree } from "../helpers/library";
import { ovf, property } from "../helpers/ovf";
import { startVcsim, Vcsim } from "../helpers/vcsim";

jest.setTimeout(120_000);

const NOW = "2026-11-24T00:00:00Z";
const SELECTIONS: LibrarySelection[] = [
  { name: "base", scope: { kind: "cluster" } },
  { name: "team", scope: { kind: "namespace", namespace: "team-a" } },
];

interface GovcItem {
  id: string;
  name: string;
  type: string;
  content_version: string;
  source_id?: string;
}

/** The files the tests put into vcsim and into an offline folder alike. */
function fixtureFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {
    "base/photon-5.ovf": ovf({
      osType: "vmwarePhoton64Guest",
      osVersion: "5.0",
      systemType: "vmx-19",
      firmware: "efi",
      product: { product: "Photon OS", vendor: "VMware", version: "5.0" },
      properties: property("capabilities.image.vmoperator.vmware.com", { value: "cloud-init" }) + property("hostname", { userConfigurable: true, value: "photon" }),
      disks: [{ id: "d1", capacity: "16", units: "byte * 2^30", name: "Hard disk 1" }],
    }),
    "base/netboot.iso": "not really an ISO",
    "team/centos-7.ovf": ovf({ osType: "centos7_64Guest", systemType: "vmx-10,vmx-11", product: { product: "CentOS", version: "7.9" } }),
  };
  writeTree(dir, files);
  copyFileSync(path.join(CORPUS, "ova/ttylinux-pc_i486-16.1.ova"), path.join(dir, "base/ttylinux.ova"));
  return { ...files, "base/ttylinux.ova": "" };
}

async function fill(vc: Vcsim, dir: string): Promise<void> {
  await vc.govc("library.create", "-ds", "LocalDS_0", "base");
  await vc.govc("library.create", "-ds", "LocalDS_0", "team");
  for (const rel of Object.keys(fixtureFiles(dir))) {
    const [lib, file] = rel.split("/");
    await vc.govc("library.import", "-n", path.parse(file!).name, lib!, path.join(dir, rel));
  }
}

async function items(vc: Vcsim, lib: string): Promise<GovcItem[]> {
  return vc.govcJson<GovcItem[]>("library.info", "-json", `${lib}/*`);
}

function connection(vc: Vcsim, extra: Partial<VcenterConnection> = {}): VcenterConnection {
  return { server: vc.origin, username: vc.username, password: vc.password, insecure: true, ...extra };
}

/** One pipeline run over a source (which the run closes) and the images it built. */
async function generate(source: ContentLibrarySource, libraries: readonly LibrarySelection[] = SELECTIONS, extra: Partial<RunOptions> = {}): Promise<Generated> {
  return runPipeline({ source, libraries, now: NOW, ...extra });
}

describe("reading content libraries from vcsim", () => {
  let vc: Vcsim;
  const dir = tempDir("vmimages-vc-");
  beforeAll(async () => {
    vc = await startVcsim();
    await fill(vc, dir);
  });
  afterAll(() => vc?.stop());

  test("names images after the item ids vcsim assigned, with the status the offline folder gives for the same files", async () => {
    const fromVc = await generate(new VcenterSource(connection(vc)));

    const listed = [...(await items(vc, "base")), ...(await items(vc, "team"))];
    expect(fromVc.manifests.map((m) => m.metadata.name).sort()).toEqual(listed.map((i) => vmiName(i.id)).sort());

    // The same files offline, with sidecars giving them vcsim's ids, names and content versions.
    const offline = tempDir("vmimages-offline-");
    for (const rel of Object.keys(fixtureFiles(offline))) {
      const name = path.parse(rel).name;
      const item = listed.find((i) => i.name === name)!;
      writeFileSync(path.join(offline, rel.replace(/\.[^.]+$/, ".item.json")), JSON.stringify({ id: item.id, name: item.name, contentVersion: item.content_version }));
    }
    const fromFolder = await generate(new DirectorySource(offline));
    expect(fromVc.manifests).toEqual(fromFolder.manifests);
    const photon = fromVc.manifests.find((m) => m.status.name === "photon-5")!;
    expect(photon.status).toMatchObject({ firmware: "EFI", hardwareVersion: 19, capabilities: ["cloud-init"], osInfo: { id: "vmwarePhoton64Guest", type: "Linux" } });
    expect(fromVc.manifests.find((m) => m.status.name === "netboot")!.status.type).toBe("ISO");
  });

  test("the CLI generates from a vcsim configured as source.vcenter, and a run into another folder takes every descriptor from the cache", async () => {
    const work = tempDir("vmimages-vccli-");
    process.env.VMI_TEST_VC_PASSWORD = vc.password;
    writeFileSync(
      path.join(work, "vmimages.yaml"),
      `source:\n  vcenter:\n    server: ${vc.origin}\n    username: ${vc.username}\n    passwordEnv: VMI_TEST_VC_PASSWORD\n    insecure: true\nlibraries:\n  - name: base\n    scope: cluster\n  - name: team\n    namespace: team-a\n`,
    );
    const run = (out: string) => vmimages("generate", "-c", path.join(work, "vmimages.yaml"), "-o", path.join(work, out), "-v", "--cache-dir", path.join(work, "cache"));
    const first = await run("out");
    expect(first.code).toBe(0);
    expect(first.err).toMatch(/4 image\(s\)/);
    expect(first.err).toMatch(/3 descriptor\(s\) downloaded/);
    const requests = Number(/(\d+) request\(s\)/.exec(first.err)![1]);
    expect(requests).toBeLessThanOrEqual(7 * 4 + 6);
    expect(first.err).not.toContain(vc.password);
    const second = await run("another-out");
    expect(second.code).toBe(0);
    expect(second.err).toMatch(/0 descriptor\(s\) downloaded/);
    expect(second.err).toMatch(/cache: 3 hit\(s\), 0 miss\(es\)/);
    expect(second.err).toContain("5 file(s) written");
    // A fresh folder has no earlier conditions to keep, so each run stamps its own time on them (the
    // two runs may fall in different seconds); everything else must be byte for byte the same.
    const stamped = (out: string) =>
      Object.fromEntries(
        Object.entries(snapshot(path.join(work, out))).map(([f, { content }]) => [f, content.replace(/lastTransitionTime: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\n/g, "lastTransitionTime: <run time>\n")]),
      );
    const [a, b] = [stamped("out"), stamped("another-out")];
    for (const [f, content] of Object.entries(b)) if (f !== "kustomization.yaml") expect([f, content]).toEqual([f, expect.stringContaining("lastTransitionTime: <run time>\n")]);
    expect(b).toEqual(a);
  });

  test("a session that expires mid-run is renewed once", async () => {
    const strict = await startVcsim({ username: "admin", password: "s3cret", sessionIdle: "1s" });
    try {
      await strict.govc("library.create", "-ds", "LocalDS_0", "only");
      const client = new VcenterClient({ server: strict.origin, username: "admin", password: "s3cret", insecure: true });
      expect((await client.libraries()).map((l) => l.name)).toEqual(["only"]);
      await new Promise((r) => setTimeout(r, 2500));
      expect((await client.libraries()).map((l) => l.name)).toEqual(["only"]);
      expect(client.stats.logins).toBe(2);
      await client.close();
    } finally {
      await strict.stop();
    }
  });
});

describe("subscribed libraries", () => {
  let vc: Vcsim;
  beforeAll(async () => {
    vc = await startVcsim();
    const dir = tempDir("vmimages-pub-");
    fixtureFiles(dir);
    await vc.govc("library.create", "-ds", "LocalDS_0", "-pub", "base");
    await vc.govc("library.import", "base", path.join(dir, "base/ttylinux.ova"));
    const [pub] = await vc.govcJson<Array<{ publish_info: { publish_url: string } }>>("library.info", "-json", "base");
    await vc.govc("library.create", "-ds", "LocalDS_0", "-sub", pub!.publish_info.publish_url, "-sub-ondemand=true", "subscriber");
  });
  afterAll(() => vc?.stop());

  test("preferSourceId gives a subscriber's images the publisher's names; fromItemId does not", async () => {
    const [published] = await items(vc, "base");
    const [copy] = await items(vc, "subscriber");
    expect(copy!.source_id).toBe(published!.id);
    const sel: LibrarySelection[] = [{ name: "subscriber", scope: { kind: "cluster" } }];
    const preferred = await generate(new VcenterSource(connection(vc)), sel, { naming: "preferSourceId" });
    const plain = await generate(new VcenterSource(connection(vc)), sel);
    expect(preferred.manifests.map((m) => m.metadata.name)).toEqual([vmiName(published!.id)]);
    expect(plain.manifests.map((m) => m.metadata.name)).toEqual([vmiName(copy!.id)]);
  });
});

describe("changes between two runs", () => {
  test("an updated, an added and a deleted item are exactly what the catalog diff shows, and only their descriptors are downloaded", async () => {
    const vc = await startVcsim();
    try {
      const dir = tempDir("vmimages-chg-");
      await fill(vc, dir);
      const cacheDir = tempDir("vmimages-chgcache-");
      const before = await generate(new VcenterSource(connection(vc)), SELECTIONS, { cacheDir });
      writeTree(dir, { "team/centos-7.ovf": ovf({ osType: "centos7_64Guest", systemType: "vmx-13", product: { product: "CentOS", version: "7.9" } }) });
      await vc.govc("library.import", "team/centos-7", path.join(dir, "team/centos-7.ovf"));
      writeTree(dir, { "team/rocky-9.ovf": ovf({ osType: "rockylinux_64Guest" }) });
      await vc.govc("library.import", "team", path.join(dir, "team/rocky-9.ovf"));
      await vc.govc("library.rm", "base/netboot");
      const second = new VcenterSource(connection(vc));
      const after = await generate(second, SELECTIONS, { cacheDir });
      // Only the updated and the added item's descriptors are downloaded: the rest come from the cache.
      expect(second.stats.downloads).toBe(2);
      const diff = diffCatalogs(before.catalog, after.catalog);
      expect(diff.added.map((i) => i.displayName)).toEqual(["rocky-9"]);
      expect(diff.removed.map((i) => i.displayName)).toEqual(["netboot"]);
      expect(diff.changed.map((c) => [c.after.displayName, c.fields])).toEqual([["centos-7", ["status.hardwareVersion", "status.providerContentVersion"]]]);
    } finally {
      await vc.stop();
    }
  });
});

describe("a run over a folder that already holds what it would write", () => {
  let vc: Vcsim;
  const dir = tempDir("vmimages-uptodate-");
  const NOTHING_TO_BUILD = "nothing to build";
  beforeAll(async () => {
    vc = await startVcsim();
    await fill(vc, dir);
  });
  afterAll(() => vc?.stop());

  /**
   * A work folder of its own (configuration, output folder, cache) that one run of `generate` has
   * just written, so each test starts from a folder that is up to date.
   */
  async function upToDate() {
    const work = tempDir("vmimages-uptodate-work-");
    const out = path.join(work, "out");
    const config = (apiVersion = "vmoperator.vmware.com/v1alpha5") =>
      writeFileSync(
        path.join(work, "vmimages.yaml"),
        `apiVersion: ${apiVersion}\nsource:\n  vcenter:\n    server: ${vc.origin}\n    username: ${vc.username}\n    passwordEnv: VMI_TEST_VC_PASSWORD\n    insecure: true\n` +
          `libraries:\n  - name: base\n    scope: cluster\n  - name: team\n    namespace: team-a\n`,
      );
    const run = async (command: "generate" | "diff") => {
      process.env.VMI_TEST_VC_PASSWORD = vc.password;
      const result = await vmimages(command, "-c", path.join(work, "vmimages.yaml"), "-o", out, "--cache-dir", path.join(work, "cache"), ...(command === "generate" ? ["-v"] : []));
      expect(result.code).toBe(0);
      return result;
    };
    config();
    const first = await run("generate");
    expect(first.err).not.toContain(NOTHING_TO_BUILD);
    return { work, out, config, vmimages: run };
  }

  test("stops after reading the source, and writes nothing", async () => {
    const { out, vmimages } = await upToDate();
    const before = snapshot(out);
    const again = await vmimages("generate");
    expect(again.err).toContain(NOTHING_TO_BUILD);
    expect(again.err).toContain("4 image(s) in");
    expect(again.err).toContain("0 added, 0 changed, 0 removed; 0 file(s) written, 0 removed, 5 unchanged");
    expect(snapshot(out)).toEqual(before);
    expect((await vmimages("diff")).out).toBe("no changes\n");
  });

  test("a generated file edited by hand is written again", async () => {
    const { out, vmimages } = await upToDate();
    const before = snapshot(out);
    // An OVF image's file: an ISO image has no hardwareVersion to edit (vcsim's random ids decide the order).
    const file = Object.keys(before).find((f) => f.startsWith("cluster/") && before[f]!.content.includes("hardwareVersion:"))!;
    const edited = before[file]!.content.replace("hardwareVersion:", "hardwareVersion: 99\n  x:");
    expect(edited).not.toBe(before[file]!.content);
    writeFileSync(path.join(out, file), edited);
    expect((await vmimages("diff")).out).not.toBe("no changes\n");
    const run = await vmimages("generate");
    expect(run.err).not.toContain(NOTHING_TO_BUILD);
    expect(run.err).toContain("1 file(s) written");
    expect(snapshot(out)[file]!.content).toBe(before[file]!.content);
    expect((await vmimages("generate")).err).toContain(NOTHING_TO_BUILD);
  });

  test("a changed configuration rebuilds every image", async () => {
    const { out, config, vmimages } = await upToDate();
    config("vmoperator.vmware.com/v1alpha3");
    const run = await vmimages("generate");
    expect(run.err).not.toContain(NOTHING_TO_BUILD);
    expect(run.err).toContain("4 file(s) written, 0 removed, 1 unchanged");
    expect(snapshot(out)[`cluster/${vmiName((await items(vc, "base")).find((i) => i.name === "photon-5")!.id)}.yaml`]!.content).toContain(
      "apiVersion: vmoperator.vmware.com/v1alpha3",
    );
  });

  test("an item updated in vCenter is read again and its file rewritten", async () => {
    const { vmimages } = await upToDate();
    expect((await vmimages("generate")).err).toContain(NOTHING_TO_BUILD);
    writeTree(dir, { "team/centos-7.ovf": ovf({ osType: "centos7_64Guest", systemType: "vmx-13", product: { product: "CentOS", version: "7.9" } }) });
    await vc.govc("library.import", "team/centos-7", path.join(dir, "team/centos-7.ovf"));
    const run = await vmimages("generate");
    expect(run.err).not.toContain(NOTHING_TO_BUILD);
    expect(run.err).toContain("1 descriptor(s) downloaded");
    expect(run.err).toContain("0 added, 1 changed, 0 removed; 1 file(s) written");
    expect((await vmimages("generate")).err).toContain(NOTHING_TO_BUILD);
  });

  test("the vmimages executable (the bundled build) trusts only the stamps it wrote itself", async () => {
    const { work, out, vmimages } = await upToDate();
    const bin = async () =>
      (
        await promisify(execFile)(
          process.execPath,
          [path.join(PROJECT, "bin/vmimages.js"), "generate", "-c", path.join(work, "vmimages.yaml"), "-o", out, "--cache-dir", path.join(work, "cache"), "-v"],
          { env: { ...process.env, VMI_TEST_VC_PASSWORD: vc.password } },
        )
      ).stderr;
    expect((await vmimages("generate")).err).toContain(NOTHING_TO_BUILD);
    const before = snapshot(out);
    // The stamp was written by these sources run in-process, another build than dist/vmimages.cjs.
    const first = await bin();
    expect(first).not.toContain(NOTHING_TO_BUILD);
    expect(first).toContain("0 added, 0 changed, 0 removed; 0 file(s) written");
    const second = await bin();
    expect(second).toContain(NOTHING_TO_BUILD);
    expect(second).toContain("0 descriptor(s) downloaded");
    expect(snapshot(out)).toEqual(before);
  });
});

describe("failures against vcsim: a clear error and nothing written", () => {
  let vc: Vcsim;
  const dir = tempDir("vmimages-fail-");
  beforeAll(async () => {
    vc = await startVcsim({ username: "admin", password: "right-password" });
    await fill(vc, dir);
  });
  afterAll(() => vc?.stop());
  const conn = (extra: Partial<VcenterConnection> = {}) => connection(vc, { username: "admin", password: "right-password", ...extra });

  async function cliFails(configExtra: string, password: string, pattern: RegExp): Promise<void> {
    const work = tempDir("vmimages-vcfail-");
    const out = path.join(work, "out");
    writeTree(out, { "keep.txt": "untouched\n" });
    process.env.VMI_TEST_VC_PASSWORD = password;
    writeFileSync(
      path.join(work, "vmimages.yaml"),
      `source:\n  vcenter:\n    server: ${vc.origin}\n    username: admin\n    passwordEnv: VMI_TEST_VC_PASSWORD\n${configExtra}libraries:\n  - name: base\n    scope: cluster\n`,
    );
    const { code, err } = await vmimages("generate", "-c", path.join(work, "vmimages.yaml"), "-o", out, "--no-cache");
    expect(code).toBe(1);
    expect(err).toMatch(pattern);
    expect(err).not.toContain(password);
    expect(Object.keys(snapshot(out))).toEqual(["keep.txt"]);
  }

  test("a wrong password", async () => {
    await cliFails("    insecure: true\n", "wrong-password", /vCenter https:\/\/127\.0\.0\.1:\d+: vCenter rejected the login of user "admin" \(HTTP 401\): check the username and password/);
  });

  test("TLS without insecure against the self-signed certificate", async () => {
    await cliFails("", "right-password", /its TLS certificate is not trusted .*give caFile \(its CA bundle\), pin its SHA-256 thumbprint, or set insecure/);
  });

  test("a pinned thumbprint that does not match", async () => {
    await cliFails(`    thumbprint: "${"AB:".repeat(31)}AB"\n`, "right-password", /certificate has SHA-256 thumbprint [0-9A-F]{64}, not the pinned (AB){32}/);
  });

  test("TLS succeeds with the right thumbprint or with the certificate as CA", async () => {
    const pinned = new VcenterSource(conn({ insecure: false, thumbprint: await vc.thumbprint() }));
    expect((await pinned.listLibraries()).map((l) => l.name).sort()).toEqual(["base", "team"]);
    await pinned.close();
    const withCa = new VcenterSource(conn({ insecure: false, ca: await vc.certificatePem() }));
    expect((await withCa.listLibraries()).length).toBe(2);
    await withCa.close();
  });

  test("a server that does not answer", async () => {
    const err = await rejection(runPipeline({ source: { kind: "vcenter", connection: { server: "https://127.0.0.1:9", username: "u", password: "p", insecure: true, retries: 1 } }, libraries: SELECTIONS }));
    expect(err.message).toMatch(/vCenter https:\/\/127\.0\.0\.1:9: cannot reach it \(ECONNREFUSED.*after 2 attempt\(s\)/);
  });

  test("a library name that does not exist", async () => {
    const err = await rejection(runPipeline({ source: { kind: "vcenter", connection: conn() }, libraries: [{ name: "golden", scope: { kind: "cluster" } }] }));
    expect(err.message).toContain(`library "golden" does not exist in vCenter ${vc.origin} (libraries there: "base", "team")`);
  });

  test("an item whose descriptor is malformed is named", async () => {
    const vcHome = (await vc.govcJson<{ datastores: Array<{ info: { url: string } }> }>("datastore.info", "-json", "LocalDS_0")).datastores[0]!.info.url;
    const [centos] = await items(vc, "team");
    const itemDir = readdirSync(vcHome).map((d) => path.join(vcHome, d, centos!.id)).find((d) => existsSync(d))!;
    writeFileSync(path.join(itemDir, "centos-7.ovf"), "<Envelope><VirtualSystem>");
    const err = await rejection(runPipeline({ source: { kind: "vcenter", connection: conn() }, libraries: SELECTIONS }));
    expect(err.message).toMatch(/item "centos-7" \([0-9a-f-]{36}\) in library "team": the OVF descriptor is not well-formed XML/);
  });

  test("vcsim killed in the middle of a run fails the run and writes nothing", async () => {
    const doomed = await startVcsim();
    const work = tempDir("vmimages-kill-");
    await fill(doomed, work);
    const err = await rejection(
      runPipeline({
        source: { kind: "vcenter", connection: { server: doomed.origin, username: "u", password: "p", insecure: true, concurrency: 1, retries: 1 } },
        libraries: SELECTIONS,
        concurrency: 1,
        onProgress: (done) => {
          if (done === 1) doomed.kill();
        },
      }),
    );
    expect(err).toBeInstanceOf(VmImagesError);
    expect(err.message).toMatch(/problem\(s\) reading vCenter .*cannot (reach it|download its OVF descriptor)/s);
    await doomed.stop();
  });
});
