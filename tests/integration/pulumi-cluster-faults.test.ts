import { chmodSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Cluster, startCluster } from "../helpers/kube";
import { PROJECT, tempDir, writeTree } from "../helpers/library";
import { imageNames } from "../helpers/names";
import { ovf } from "../helpers/ovf";
import { CliRun, CliStack, PreviewJson, cliStack, imageChanges } from "../helpers/pulumi-cli";

jest.setTimeout(1_200_000);

/**
 * The Pulumi component's cluster target under the faults a real cluster has: a user with rights in
 * one namespace only, whose token an exec plugin gives; an image deleted by hand; an owner and a
 * context changed in the program; an API server that dies in the middle of an `up` of hundreds of
 * images; a cluster that cannot be reached when the stack is destroyed.
 */

interface LiveImage {
  metadata: { name: string; uid: string; labels: Record<string, string> };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

/**
 * A JavaScript project outside the repository whose program is the component with its arguments
 * from the stack's config (`libraries` as JSON, `owner` and `context` optional), with the package
 * installed as a user's project has it: node_modules holds pulumi-vmimages (this checkout) beside
 * its dependencies.
 */
function project(): string {
  const dir = path.join(tempDir("vmimages-faults-"), "faults");
  writeTree(dir, {
    "Pulumi.yaml": "name: vmimages-faults\nruntime: nodejs\nmain: index.js\n",
    "index.js": [
      'const pulumi = require("@pulumi/pulumi");',
      'const { ContentLibraryImages } = require("pulumi-vmimages");',
      "module.exports = async () => {",
      "  const config = new pulumi.Config();",
      '  const [owner, context] = [config.get("owner"), config.get("context")];',
      '  const images = new ContentLibraryImages("images", {',
      '    source: { directory: config.require("library") },',
      '    libraries: JSON.parse(config.require("libraries")),',
      '    kubernetes: { kubeconfig: config.requireSecret("kubeconfig"), ...(owner ? { owner } : {}), ...(context ? { context } : {}) },',
      "  });",
      "  await images.ready;",
      "  return { catalog: images.catalog };",
      "};",
      "",
    ].join("\n"),
  });
  const modules = path.join(dir, "node_modules");
  mkdirSync(modules);
  for (const entry of readdirSync(path.join(PROJECT, "node_modules"))) {
    if (!entry.startsWith(".")) symlinkSync(path.join(PROJECT, "node_modules", entry), path.join(modules, entry));
  }
  symlinkSync(PROJECT, path.join(modules, "pulumi-vmimages"));
  return dir;
}

describe("the Pulumi cluster target under real faults", () => {
  let cluster: Cluster;
  let dir: string;
  const images = async (kind: "cvmi" | "vmi"): Promise<LiveImage[]> =>
    (JSON.parse(await cluster.kubectl(["get", kind, ...(kind === "vmi" ? ["-n", "team-a"] : []), "-o", "json"])) as { items: LiveImage[] }).items;
  const everyImage = async () => [...(await images("cvmi")), ...(await images("vmi"))];
  const uids = async () => (await everyImage()).map((i) => `${i.metadata.name}:${i.metadata.uid}`).sort();
  const preview = async (stack: CliStack) => JSON.parse((await stack.ok("preview", "--json")).stdout) as PreviewJson;
  const libraryOf = (files: Record<string, string>) => {
    const library = path.join(tempDir("vmimages-faultlib-"), "library");
    writeTree(library, files);
    return library;
  };
  const stackOn = async (library: string, libraries: unknown, kubeconfig: string): Promise<CliStack> => {
    const stack = await cliStack(dir);
    await stack.ok("config", "set", "library", library);
    await stack.ok("config", "set", "libraries", JSON.stringify(libraries));
    await stack.ok("config", "set", "--secret", "kubeconfig", kubeconfig);
    return stack;
  };
  const BOTH = [
    { name: "base-images", scope: "cluster" },
    { name: "team-a", namespace: "team-a" },
  ];

  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.kubectl(["create", "namespace", "team-a"]);
    dir = project();
  });
  afterAll(() => cluster?.stop());

  test("a user with rights in one namespace only, whose token an exec plugin gives, keeps that namespace's images; no output and no state holds the token", async () => {
    const rbac = path.join(tempDir("vmimages-rbac-"), "rbac.yaml");
    writeFileSync(
      rbac,
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: images, namespace: team-a}\nrules:\n- apiGroups: [vmoperator.vmware.com]\n  resources: [virtualmachineimages, virtualmachineimages/status]\n  verbs: [get, list, create, update, patch, delete]\n---\n" +
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: images, namespace: team-a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: images}\nsubjects: [{kind: User, name: nobody}]\n",
    );
    await cluster.kubectl(["apply", "-f", rbac]);
    const plugin = path.join(tempDir("vmimages-exec-"), "token.sh");
    writeFileSync(plugin, `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${cluster.nobodyToken}"}}'\n`);
    chmodSync(plugin, 0o755);
    const kubeconfig =
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${cluster.server}\n    certificate-authority: ${cluster.caFile}\n` +
      `users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${plugin}\n      interactiveMode: Never\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n`;
    // The user may do nothing at the cluster scope.
    await expect(cluster.kubectl(["get", "cvmi"], cluster.nobodyKubeconfig)).rejects.toThrow(/forbidden/);
    const library = libraryOf({ "team-a/web.ovf": ovf({ osType: "ubuntu64Guest" }), "team-a/db.ovf": ovf({ osType: "rhel9_64Guest" }) });
    const names = imageNames(library);
    const stack = await stackOn(library, [{ name: "team-a", namespace: "team-a" }], kubeconfig);
    try {
      const runs: CliRun[] = [await stack.ok("up", "--yes")];
      const live = await images("vmi");
      expect(live.map((i) => i.metadata.name).sort()).toEqual(Object.values(names).sort());
      for (const i of live) expect(i.status?.conditions).toEqual([expect.objectContaining({ type: "Ready", status: "True" })]);
      runs.push(await stack.ok("preview", "--expect-no-changes"), await stack.ok("refresh", "--yes", "--expect-no-changes"), await stack.ok("destroy", "--yes"));
      expect(await images("vmi")).toEqual([]);
      for (const run of runs) expect(`${run.stdout}${run.stderr}`).not.toContain(cluster.nobodyToken);
      const stacks = path.join(stack.backendDir, "state", ".pulumi");
      for (const f of readdirSync(stacks, { recursive: true, encoding: "utf8" }).filter((f) => /\.(json|bak)$/.test(f))) {
        expect(readFileSync(path.join(stacks, f), "utf8")).not.toContain(cluster.nobodyToken);
      }
    } finally {
      await cluster.kubectl(["delete", "-f", rbac]);
    }
  });

  test("an image deleted by hand: refresh drops it from the state, the next preview shows its create, and up makes it again", async () => {
    const library = libraryOf({ "base-images/photon.ovf": ovf({ osType: "vmwarePhoton64Guest" }), "team-a/web.ovf": ovf({ osType: "ubuntu64Guest" }) });
    const names = imageNames(library);
    const stack = await stackOn(library, BOTH, readFileSync(cluster.adminKubeconfig, "utf8"));
    await stack.ok("up", "--yes");
    const web = names["team-a/web.ovf"]!;
    await cluster.kubectl(["delete", "vmi", "-n", "team-a", web]);

    await stack.ok("refresh", "--yes");
    expect(imageChanges(await preview(stack), "ClusterImage")).toEqual([`create ${web}`]);
    await stack.ok("up", "--yes");
    const back = (await images("vmi")).find((i) => i.metadata.name === web);
    expect(back?.status?.conditions).toEqual([expect.objectContaining({ type: "Ready", status: "True" })]);
    await stack.ok("destroy", "--yes");
    expect(await everyImage()).toEqual([]);
  });

  test("an owner changed in the program takes the stack's own images over in place; a context changed to one of the same cluster moves nothing", async () => {
    const library = libraryOf({ "base-images/photon.ovf": ovf({ osType: "vmwarePhoton64Guest" }), "team-a/web.ovf": ovf({ osType: "ubuntu64Guest" }) });
    const names = Object.values(imageNames(library)).sort();
    const admin = readFileSync(cluster.adminKubeconfig, "utf8");
    // A second context of the same cluster and user.
    const kubeconfig = admin.replace(/\ncurrent-context: admin\n/, "\n- name: admin-again\n  context:\n    cluster: test\n    user: admin\ncurrent-context: admin\n");
    expect(kubeconfig).toContain("admin-again");
    const stack = await stackOn(library, BOTH, kubeconfig);
    await stack.ok("config", "set", "owner", "images-old");
    await stack.ok("up", "--yes");
    const made = await uids();
    expect(made).toHaveLength(names.length);

    await stack.ok("config", "set", "owner", "images-new");
    expect(imageChanges(await preview(stack), "ClusterImage")).toEqual(names.map((n) => `update ${n}`));
    await stack.ok("up", "--yes");
    expect(await uids()).toEqual(made);
    for (const i of await everyImage()) expect(i.metadata.labels["vmimages.pulumi-vmimages.dev/config"]).toBe("images-new");

    await stack.ok("config", "set", "context", "admin-again");
    expect(imageChanges(await preview(stack), "ClusterImage")).toEqual(names.map((n) => `update ${n}`));
    await stack.ok("up", "--yes");
    expect(await uids()).toEqual(made);
    await stack.ok("destroy", "--yes");
    expect(await everyImage()).toEqual([]);
  });

  test("an API server killed in the middle of an up of 300 images fails that up naming the server; once it is back, up completes and a preview has nothing to do", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`team-a/image-${String(i).padStart(3, "0")}.ovf`] = ovf({ osType: "ubuntu64Guest" });
    const library = libraryOf(files);
    const stack = await stackOn(library, [{ name: "team-a", namespace: "team-a" }], readFileSync(cluster.adminKubeconfig, "utf8"));
    const up = stack.pulumi("up", "--yes");
    // Wait until the up is well under way, then kill the server under it.
    for (;;) {
      const made = await images("vmi").catch(() => []);
      if (made.length >= 30) break;
      const early = await Promise.race([up, new Promise<undefined>((r) => setTimeout(r, 200, undefined))]);
      if (early !== undefined) throw new Error(`up ended before 30 images were made:\n${early.stdout}\n${early.stderr}`);
    }
    cluster.killApiserver();
    const failed = await up;
    expect(failed.code).not.toBe(0);
    expect(`${failed.stdout}${failed.stderr}`).toContain(cluster.server);

    await cluster.restartApiserver();
    await stack.ok("up", "--yes");
    const live = await images("vmi");
    expect(live).toHaveLength(300);
    for (const i of live) expect(i.status?.conditions).toEqual([expect.objectContaining({ type: "Ready", status: "True" })]);
    expect((await stack.pulumi("preview", "--expect-no-changes")).code).toBe(0);
    await stack.ok("destroy", "--yes");
    expect(await images("vmi")).toEqual([]);
  });

  test("destroy of a cluster that cannot be reached fails naming the server and keeps every resource in the state; once the cluster is back, destroy deletes them", async () => {
    const library = libraryOf({ "base-images/photon.ovf": ovf({ osType: "vmwarePhoton64Guest" }), "team-a/web.ovf": ovf({ osType: "ubuntu64Guest" }) });
    const stack = await stackOn(library, BOTH, readFileSync(cluster.adminKubeconfig, "utf8"));
    await stack.ok("up", "--yes");
    const made = await uids();
    const resources = async () => ((JSON.parse((await stack.ok("stack", "export")).stdout) as { deployment: { resources?: Array<{ type: string }> } }).deployment.resources ?? []).filter((r) => /vmimages:ClusterImage$/.test(r.type)).length;
    expect(await resources()).toBe(made.length);

    cluster.killApiserver();
    try {
      const destroy = await stack.pulumi("destroy", "--yes");
      expect(destroy.code).not.toBe(0);
      expect(`${destroy.stdout}${destroy.stderr}`).toContain(cluster.server);
      expect(await resources()).toBe(made.length);
    } finally {
      await cluster.restartApiserver();
    }
    expect(await uids()).toEqual(made);
    await stack.ok("destroy", "--yes");
    expect(await everyImage()).toEqual([]);
  });
});
