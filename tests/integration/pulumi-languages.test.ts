import { execFile } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT, snapshot, tempDir, writeTree } from "../helpers/library";
import { imageNames } from "../helpers/names";
import { ovf } from "../helpers/ovf";
import { CliRun, CliStack, cliAgrees, cliStack, exampleWorkspace, imageChanges } from "../helpers/pulumi-cli";
import { localBackend, requireTool } from "../helpers/pulumi";
import { Cluster, startCluster } from "../helpers/kube";

jest.setTimeout(900_000);

/**
 * The package from Python, Go and YAML programs, as a user of each language installs it: the
 * provider plugin `pulumi-resource-vmimages` on PATH (what `npm install -g pulumi-vmimages
 * @pulumi/pulumi` gives), and for Python and Go the SDK `pulumi package add` generates from it. Each
 * example folder is copied, as a user copies it, and run with the real CLI and language host.
 */

const PLUGIN_BIN = path.join(PROJECT, "bin");
const PLUGIN = path.join(PLUGIN_BIN, "pulumi-resource-vmimages");
/** The plugin on PATH, as a global npm install puts it there. */
const ENV = { PATH: `${PLUGIN_BIN}${path.delimiter}${process.env.PATH ?? ""}` };

function run(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A copy of an example project with the package added as its README says: `pulumi package add` of the plugin (not for YAML, which names the plugin's types). */
async function userProject(language: "python" | "go" | "yaml"): Promise<string> {
  const project = path.join(tempDir(`vmimages-${language}-`), language);
  cpSync(path.join(PROJECT, "examples", language), project, { recursive: true, filter: (f) => !/[/\\](sdks|venv|__pycache__)$/.test(f) });
  if (language !== "yaml") {
    const added = await run(requireTool("pulumi"), ["package", "add", PLUGIN], project, { ...localBackend().envVars, ...ENV });
    if (added.code !== 0) throw new Error(`pulumi package add ${PLUGIN} in ${project} failed:\n${added.stdout}\n${added.stderr}`);
  }
  return project;
}

describe.each(["python", "go", "yaml"] as const)("examples/%s with the Pulumi CLI and the provider plugin", (language) => {
  let stack: CliStack;

  test("up writes the files vmimages generate writes and resolves a display name; previews show each changed, added and vanished item; an unknown name fails with the CLI's message; destroy removes only what it wrote", async () => {
    requireTool(`pulumi-language-${language}`);
    const project = await userProject(language);
    const { library, gitops } = exampleWorkspace();
    const names = imageNames(library);
    stack = await cliStack(project, { env: ENV });
    await stack.ok("config", "set", "library", library);
    await stack.ok("config", "set", "gitopsDir", gitops);

    expect(imageChanges(await stack.previewJson())).toEqual(Object.values(names).map((n) => `create ${n}`).sort());
    expect(Object.keys(snapshot(gitops))).toEqual(["README.md"]);

    await stack.ok("up", "--yes");
    expect(parse(readFileSync(path.join(gitops, "kustomization.yaml"), "utf8")).resources).toHaveLength(Object.keys(names).length);
    await cliAgrees(gitops, library);
    // "Photon OS 5.0" is a cluster image: team-a has none of that name.
    expect((await stack.outputs()).photon).toBe(names["base-images/linux/photon-5.ovf"]);
    expect((await stack.pulumi("preview", "--expect-no-changes")).code).toBe(0);

    const photon = path.join(library, "base-images/linux/photon-5.ovf");
    writeFileSync(photon, readFileSync(photon, "utf8").replace("<FullVersion>5.0-dde71ec57</FullVersion>", "<FullVersion>5.0-2025.11</FullVersion>"));
    writeTree(library, { "team-a/rocky-9.ovf": ovf({ osType: "rockylinux_64Guest", systemType: "vmx-21" }) });
    rmSync(path.join(library, "team-a/centos-7-legacy.ovf"));
    const changed = await stack.previewJson();
    expect(imageChanges(changed)).toEqual(
      [`update ${names["base-images/linux/photon-5.ovf"]}`, `create ${imageNames(library)["team-a/rocky-9.ovf"]}`, `delete ${names["team-a/centos-7-legacy.ovf"]}`].sort(),
    );
    expect(Object.keys(changed.steps.find((s) => s.op === "update")!.detailedDiff ?? {})).toContain("image.status.productInfo.fullVersion");
    await stack.ok("up", "--yes");
    await cliAgrees(gitops, library);

    await stack.ok("config", "set", "image", "No Such Image");
    const unknown = await stack.pulumi("up", "--yes");
    expect(unknown.code).not.toBe(0);
    expect(`${unknown.stdout}${unknown.stderr}`).toMatch(/no image named \\?"No Such Image\\?" in namespace \\?"team-a\\?" or the cluster/);
    await stack.ok("config", "rm", "image");

    await stack.ok("destroy", "--yes");
    expect(Object.keys(snapshot(gitops))).toEqual(["README.md"]);
  });
});

/**
 * examples/python with the cluster target on a real API server, and a display name resolved
 * through a StackReference to the TypeScript examples/gitops stack on the same backend.
 */
describe("examples/python on a real API server, resolving through a StackReference to a TypeScript stack", () => {
  let cluster: Cluster;
  afterAll(() => cluster?.stop());

  test("up puts every image there Ready with the columns of kubectl get -o wide, keeps the kubeconfig a secret, resolves against the other stack's catalog; destroy deletes them", async () => {
    requireTool("pulumi-language-python");
    cluster = await startCluster();
    await cluster.kubectl(["create", "namespace", "team-a"]);
    const { library, gitops } = exampleWorkspace();
    const names = imageNames(library);
    const images = await cliStack(path.join(PROJECT, "examples", "gitops"));
    await images.ok("config", "set", "library", library);
    await images.ok("config", "set", "gitopsDir", gitops);
    await images.ok("up", "--yes");

    const project = await userProject("python");
    const stack = await cliStack(project, { on: images, env: ENV });
    const kubeconfig = readFileSync(cluster.adminKubeconfig, "utf8");
    const token = /token: (\S+)/.exec(kubeconfig)![1]!;
    await stack.ok("config", "set", "library", library);
    await stack.ok("config", "set", "--secret", "kubeconfig", kubeconfig);
    await stack.ok("config", "set", "imagesStack", `organization/vmimages-gitops/${images.stack}`);
    const runs = [await stack.ok("up", "--yes")];

    const live = [
      ...(JSON.parse(await cluster.kubectl(["get", "cvmi", "-o", "json"])) as { items: LiveImage[] }).items,
      ...(JSON.parse(await cluster.kubectl(["get", "vmi", "-n", "team-a", "-o", "json"])) as { items: LiveImage[] }).items,
    ];
    expect(live.map((i) => i.metadata.name).sort()).toEqual(Object.values(names).sort());
    for (const i of live) expect(i.status.conditions).toEqual([expect.objectContaining({ type: "Ready", status: "True" })]);
    // Each column of `kubectl get -o wide` shows the status field the CRD names for it.
    const shown = (i: LiveImage) => [i.metadata.name, i.status.name, i.status.type, i.status.productInfo?.version, i.status.osInfo?.type, i.status.osInfo?.version, i.status.hardwareVersion].map((v) => (v === undefined ? "" : String(v)));
    const wide = (await cluster.kubectl(["get", "vmi", "-n", "team-a", "-o", "wide"])).trim().split("\n");
    expect(wide[0]!.split(/\s{2,}/)).toEqual(["NAME", "DISPLAY NAME", "TYPE", "IMAGE VERSION", "OS NAME", "OS VERSION", "HARDWARE VERSION", "CAPABILITIES"]);
    const rows = new Map(wide.slice(1).map((row) => row.split(/\s{2,}/)).map((cells) => [cells[0], cells]));
    const namespaced = live.filter((i) => i.metadata.namespace === "team-a");
    expect([...rows.keys()].sort()).toEqual(namespaced.map((i) => i.metadata.name).sort());
    for (const i of namespaced) {
      const cells = rows.get(i.metadata.name)!;
      // kubectl shows an absent field as <none> or as nothing, by its type.
      expect(cells.slice(0, 7).map((c) => (c === "<none>" ? "" : c))).toEqual(shown(i));
      const capabilities = i.status.capabilities ?? [];
      if (capabilities.length === 0) expect(["<none>", "", undefined]).toContain(cells[7]);
      for (const c of capabilities) expect(cells[7]).toContain(c);
    }
    const ubuntu = live.find((i) => i.metadata.name === names["team-a/ubuntu-24.04-hardened.ovf"])!;
    expect([ubuntu.status.type, ubuntu.status.osInfo?.type]).toEqual(["OVF", "Linux"]);

    // "Ubuntu 24.04 LTS" is in both scopes: team-a's own comes first.
    const outputs = await stack.outputs();
    expect(outputs.ubuntu).toBe(names["team-a/ubuntu-24.04-hardened.ovf"]);
    expect(outputs.photon).toBe(names["base-images/linux/photon-5.ovf"]);

    const checkpoint = readFileSync(path.join(stack.backendDir, "state", ".pulumi", "stacks", "vmimages-python", `${stack.stack}.json`), "utf8");
    expect(checkpoint).not.toContain(token);
    const resources = (JSON.parse(checkpoint) as { checkpoint: { latest: { resources: Array<{ type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }> } } }).checkpoint.latest.resources.filter((r) => r.type === "vmimages:index:ClusterImage");
    expect(resources).toHaveLength(Object.keys(names).length);
    for (const r of resources) {
      expect(r.inputs?.kubeconfig).toEqual(expect.objectContaining({ ciphertext: expect.any(String) }));
      expect(r.outputs?.kubeconfig).toEqual(expect.objectContaining({ ciphertext: expect.any(String) }));
    }
    // No provider code in state: the plugin's resources hold their inputs and outputs only.
    expect(checkpoint).not.toContain("__provider");

    runs.push(await stack.ok("preview", "--expect-no-changes"), await stack.ok("destroy", "--yes"));
    for (const run of runs) expect(`${run.stdout}${run.stderr}`).not.toContain(token);
    expect(JSON.parse(await cluster.kubectl(["get", "cvmi", "-o", "json"])).items).toEqual([]);
    expect(JSON.parse(await cluster.kubectl(["get", "vmi", "-n", "team-a", "-o", "json"])).items).toEqual([]);
    await images.ok("destroy", "--yes");
  });
});

interface LiveImage {
  metadata: { name: string; namespace?: string };
  status: { name?: string; type?: string; productInfo?: { version?: string }; osInfo?: { type?: string; version?: string }; hardwareVersion?: number; capabilities?: string[]; conditions?: Array<{ type: string; status: string }> };
}
