import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ownerLabel } from "../../provider/targets/cluster/owner";
import { Cluster, startCluster } from "../helpers/kube";
import { EXAMPLE_LIBRARY, PROJECT, tempDir, writeTree } from "../helpers/library";
import { ovf } from "../helpers/ovf";
import { CliRun, CliStack, PreviewJson, cliStack, imageChanges } from "../helpers/pulumi-cli";
import { imageNames } from "../helpers/names";

jest.setTimeout(900_000);

const CLUSTER_EXAMPLE = path.join(PROJECT, "examples/cluster");

interface LiveImage {
  metadata: { name: string; namespace?: string; labels: Record<string, string>; resourceVersion: string };
  status?: { name?: string; productInfo?: { fullVersion?: string }; conditions?: Array<{ type: string; status: string }> };
}

/** The steps of a preview on images in the cluster. */
const clusterChanges = (preview: PreviewJson, type: "Image" | "ClusterImage" = "ClusterImage") => imageChanges(preview, type);

/**
 * The Pulumi component's `kubernetes` target with the real Pulumi CLI on a real kube-apiserver:
 * examples/cluster, with its kubeconfig as a stack secret.
 */
describe("examples/cluster with the Pulumi CLI on a real API server", () => {
  let cluster: Cluster;
  let stack: CliStack;
  let library: string;
  let names: Record<string, string>;
  let tokens: string[];
  let gitops: string;
  const runs: CliRun[] = [];
  const images = async (kind: "cvmi" | "vmi"): Promise<LiveImage[]> =>
    (JSON.parse(await cluster.kubectl(["get", kind, ...(kind === "vmi" ? ["-n", "team-a"] : []), "-o", "json"])) as { items: LiveImage[] }).items;
  const image = async (name: string): Promise<LiveImage | undefined> => [...(await images("cvmi")), ...(await images("vmi"))].find((i) => i.metadata.name === name);
  /** Every command's output is kept, to look for the kubeconfig's token in it. */
  const ok = async (...args: string[]) => {
    const run = await stack.ok(...args);
    runs.push(run);
    return run;
  };
  const preview = async () => JSON.parse((await ok("preview", "--json")).stdout) as PreviewJson;

  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.kubectl(["create", "namespace", "team-a"]);
    library = path.join(tempDir("vmimages-pk-"), "library");
    cpSync(EXAMPLE_LIBRARY, library, { recursive: true });
    names = imageNames(library);
    // One kubeconfig with two contexts, whose current one has no rights: the stack's `context` picks the admin's.
    const admin = readFileSync(cluster.adminKubeconfig, "utf8");
    const nobody = readFileSync(cluster.nobodyKubeconfig, "utf8");
    tokens = [admin, nobody].map((k) => /token: (\S+)/.exec(k)![1]!);
    const section = (text: string, name: string) => new RegExp(`^${name}:\n((?:- .*\n|  .*\n)*)`, "m").exec(text)![1]!;
    const kubeconfig =
      `apiVersion: v1\nkind: Config\nclusters:\n${section(admin, "clusters")}users:\n${section(admin, "users")}${section(nobody, "users")}` +
      `contexts:\n${section(admin, "contexts")}${section(nobody, "contexts")}current-context: nobody\n`;
    stack = await cliStack(CLUSTER_EXAMPLE);
    await stack.ok("config", "set", "library", library);
    await stack.ok("config", "set", "--secret", "kubeconfig", kubeconfig);
    await stack.ok("config", "set", "context", "admin");
  });
  afterAll(() => cluster?.stop());

  test("up creates every image with its status and the ownership labels; a preview then has nothing to do", async () => {
    expect(clusterChanges(await preview())).toEqual(Object.values(names).map((n) => `create ${n}`).sort());
    expect(await images("cvmi")).toEqual([]);

    await ok("up", "--yes");
    const live = [...(await images("cvmi")), ...(await images("vmi"))];
    expect(live.map((i) => i.metadata.name).sort()).toEqual(Object.values(names).sort());
    const ubuntu = live.find((i) => i.metadata.name === names["team-a/ubuntu-24.04-hardened.ovf"])!;
    expect(ubuntu.metadata.namespace).toBe("team-a");
    for (const i of live) {
      expect(i.status?.conditions).toEqual([expect.objectContaining({ type: "Ready", status: "True" })]);
      expect(i.metadata.labels["app.kubernetes.io/managed-by"]).toBe("vmimages");
      // The default owner: project, stack and component name.
      expect(i.metadata.labels["vmimages.pulumi-vmimages.dev/config"]).toBe(ownerLabel(`vmimages-cluster.${stack.stack}.example`));
    }
    const photon = live.find((i) => i.metadata.name === names["base-images/linux/photon-5.ovf"])!;
    expect(photon.status?.name).toBe("Photon OS 5.0");
    expect(photon.metadata.labels["os.image.vmoperator.vmware.com/type"]).toBe("Linux");
    const wide = await cluster.kubectl(["get", "cvmi", "-o", "wide"]);
    expect(wide).toMatch(new RegExp(`${photon.metadata.name}\\s+Photon OS 5\\.0\\s+OVF\\s+`));

    const versions = live.map((i) => i.metadata.resourceVersion);
    expect(clusterChanges(await preview())).toEqual([]);
    await ok("up", "--yes", "--expect-no-changes");
    expect([...(await images("cvmi")), ...(await images("vmi"))].map((i) => i.metadata.resourceVersion)).toEqual(versions);
  });

  test("a changed, a new and a vanished item are one update (naming the field), one create and one delete, in the cluster too", async () => {
    const photon = path.join(library, "base-images/linux/photon-5.ovf");
    writeFileSync(photon, readFileSync(photon, "utf8").replace("<FullVersion>5.0-dde71ec57</FullVersion>", "<FullVersion>5.0-2025.11</FullVersion>"));
    writeTree(library, { "team-a/rocky-9.ovf": ovf({ osType: "rockylinux_64Guest", systemType: "vmx-21" }) });
    rmSync(path.join(library, "team-a/centos-7-legacy.ovf"));
    const rocky = imageNames(library)["team-a/rocky-9.ovf"]!;
    const changed = await preview();
    expect(clusterChanges(changed)).toEqual([`update ${names["base-images/linux/photon-5.ovf"]}`, `create ${rocky}`, `delete ${names["team-a/centos-7-legacy.ovf"]}`].sort());
    expect(Object.keys(changed.steps.find((s) => s.op === "update")!.detailedDiff ?? {})).toContain("image.status.productInfo.fullVersion");
    expect((await ok("preview", "--diff")).stdout).toMatch(/fullVersion\s*:\s*"5\.0-dde71ec57" => "5\.0-2025\.11"/);

    await ok("up", "--yes");
    expect((await image(names["base-images/linux/photon-5.ovf"]!))?.status?.productInfo?.fullVersion).toBe("5.0-2025.11");
    expect((await image(rocky))?.status?.conditions).toEqual([expect.objectContaining({ type: "Ready", status: "True" })]);
    expect(await image(names["team-a/centos-7-legacy.ovf"]!)).toBeUndefined();
  });

  test("refresh reports a label and a status changed by hand as drift, and the next up restores them", async () => {
    const photon = names["base-images/linux/photon-5.ovf"]!;
    const ubuntu = names["team-a/ubuntu-24.04-hardened.ovf"]!;
    await cluster.kubectl(["label", "cvmi", photon, "os.image.vmoperator.vmware.com/type=Windows", "--overwrite"]);
    // Someone else's label is theirs: it is no drift.
    await cluster.kubectl(["label", "cvmi", photon, "team=platform"]);
    await cluster.kubectl(["patch", "vmi", "-n", "team-a", ubuntu, "--subresource", "status", "--type", "merge", "-p", '{"status":{"name":"Renamed by hand"}}']);

    // What a refresh finds, before it is taken into the state: every image read, two to put back.
    const refresh = JSON.parse((await ok("preview", "--refresh", "--json")).stdout) as PreviewJson;
    expect(clusterChanges({ ...refresh, steps: refresh.steps.filter((s) => s.op !== "refresh") })).toEqual([`update ${photon}`, `update ${ubuntu}`].sort());
    await ok("refresh", "--yes");
    const drift = await preview();
    expect(clusterChanges(drift)).toEqual([`update ${photon}`, `update ${ubuntu}`].sort());
    const diffs = Object.fromEntries(drift.steps.filter((s) => s.op === "update").map((s) => [s.urn.split("::").pop(), Object.keys(s.detailedDiff ?? {})]));
    expect(diffs[photon]).toEqual(['image.labels["os.image.vmoperator.vmware.com/type"]']);
    expect(diffs[ubuntu]?.sort()).toEqual(["image.displayName", "image.status.name"]);

    await ok("up", "--yes");
    const restored = (await image(photon))!;
    expect(restored.metadata.labels["os.image.vmoperator.vmware.com/type"]).toBe("Linux");
    expect(restored.metadata.labels.team).toBe("platform");
    // The display name the item's sidecar gives.
    const sidecar = JSON.parse(readFileSync(path.join(library, "team-a/ubuntu-24.04-hardened.item.json"), "utf8")) as { name: string };
    expect((await image(ubuntu))?.status?.name).toBe(sidecar.name);
    await ok("refresh", "--yes", "--expect-no-changes");
  });

  test("an image of a wanted name that vmimages does not manage is left as it is and fails its resource only", async () => {
    writeTree(library, { "team-a/alma-9.ovf": ovf({ osType: "almalinux_64Guest", systemType: "vmx-21" }) });
    const alma = imageNames(library)["team-a/alma-9.ovf"]!;
    const foreign = `apiVersion: vmoperator.vmware.com/v1alpha5\nkind: VirtualMachineImage\nmetadata:\n  name: ${alma}\n  namespace: team-a\n  labels:\n    made-by: vm-operator\nspec:\n  providerRef:\n    apiVersion: imageregistry.vmware.com/v1alpha1\n    kind: ContentLibraryItem\n    name: clitem-${alma.slice(4)}\n`;
    const file = path.join(tempDir("vmimages-foreign-"), "foreign.yaml");
    writeFileSync(file, foreign);
    await cluster.kubectl(["create", "-f", file]);
    const before = (await image(alma))!;

    const up = await stack.pulumi("up", "--yes");
    runs.push(up);
    expect(up.code).not.toBe(0);
    expect(`${up.stdout}${up.stderr}`).toMatch(new RegExp(`VirtualMachineImage team-a/${alma} exists and is not managed by vmimages: left as it is`));
    expect(await image(alma)).toEqual(before);

    await cluster.kubectl(["delete", "vmi", "-n", "team-a", alma]);
    await ok("up", "--yes");
    expect((await image(alma))?.metadata.labels["app.kubernetes.io/managed-by"]).toBe("vmimages");
  });

  test("a context without the rights fails up with the server's message naming the verb and resource, and changes nothing", async () => {
    const before = await cluster.kubectl(["get", "cvmi,vmi", "-A", "-o", "jsonpath={.items[*].metadata.resourceVersion}"]);
    await stack.ok("config", "set", "context", "nobody");
    const up = await stack.pulumi("up", "--yes");
    runs.push(up);
    expect(up.code).not.toBe(0);
    expect(`${up.stdout}${up.stderr}`).toMatch(/HTTP 403: [^\n]*User \\?"nobody\\?" cannot get resource \\?"(cluster)?virtualmachineimages\\?" in API group \\?"vmoperator\.vmware\.com\\?"/);
    expect(await cluster.kubectl(["get", "cvmi,vmi", "-A", "-o", "jsonpath={.items[*].metadata.resourceVersion}"])).toBe(before);
    await stack.ok("config", "set", "context", "admin");
    await ok("up", "--yes");
    expect(await cluster.kubectl(["get", "cvmi,vmi", "-A", "-o", "jsonpath={.items[*].metadata.resourceVersion}"])).toBe(before);
  });

  test("a library moved to another namespace moves its images: an update each, the old ones gone", async () => {
    await cluster.kubectl(["create", "namespace", "team-b"]);
    const teamA = (await images("vmi")).map((i) => i.metadata.name).sort();
    expect(teamA.length).toBeGreaterThan(0);
    await stack.ok("config", "set", "namespace", "team-b");
    expect(clusterChanges(await preview())).toEqual(teamA.map((n) => `update ${n}`));
    await ok("up", "--yes");
    expect(await images("vmi")).toEqual([]);
    const teamB = (JSON.parse(await cluster.kubectl(["get", "vmi", "-n", "team-b", "-o", "json"])) as { items: LiveImage[] }).items;
    expect(teamB.map((i) => i.metadata.name).sort()).toEqual(teamA);
    await stack.ok("config", "set", "namespace", "team-a");
    await ok("up", "--yes");
    expect((await images("vmi")).map((i) => i.metadata.name).sort()).toEqual(teamA);
    expect(await cluster.kubectl(["get", "vmi", "-n", "team-b", "-o", "name"])).toBe("");
  });

  test("a GitOps folder beside the cluster is one more resource per image, and leaves the cluster's as they are", async () => {
    gitops = path.join(tempDir("vmimages-pk-gitops-"), "gitops");
    const live = async () => Object.fromEntries([...(await images("cvmi")), ...(await images("vmi"))].map((i) => [i.metadata.name, i.metadata.resourceVersion]));
    const before = await live();
    await stack.ok("config", "set", "gitopsDir", gitops);
    const both = await preview();
    expect(clusterChanges(both)).toEqual([]);
    expect(clusterChanges(both, "Image")).toEqual(Object.values(imageNames(library)).map((n) => `create ${n}`).sort());
    await ok("up", "--yes");
    expect(readdirSync(gitops).sort()).toEqual(["cluster", "kustomization.yaml", "namespaces"]);
    expect(await live()).toEqual(before);
  });

  test("the kubeconfig's tokens are not in the checkpoint, where the kubeconfig is ciphertext", () => {
    const stacksDir = path.join(stack.backendDir, "state", ".pulumi", "stacks");
    const files = readdirSync(stacksDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json") || f.endsWith(".bak"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = readFileSync(path.join(stacksDir, f), "utf8");
      for (const token of tokens) expect(text).not.toContain(token);
      expect(text).not.toContain("current-context");
    }
    // It is there, as a secret: each image resource's inputs and outputs hold its ciphertext.
    const checkpoint = JSON.parse(readFileSync(path.join(stacksDir, files.find((f) => f.endsWith(".json"))!), "utf8")) as {
      checkpoint: { latest: { resources: Array<{ urn: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }> } };
    };
    const resources = checkpoint.checkpoint.latest.resources.filter((r) => r.urn.includes("vmimages:ClusterImage::"));
    expect(resources.length).toBe(Object.keys(imageNames(library)).length);
    for (const r of resources) {
      expect(r.inputs?.kubeconfig).toEqual(expect.objectContaining({ ciphertext: expect.any(String) }));
      expect(r.outputs?.kubeconfig).toEqual(expect.objectContaining({ ciphertext: expect.any(String) }));
    }
  });

  test("a second stack with its own owner over the same library is refused every image, and its destroy deletes none of the first's", async () => {
    const before = await cluster.kubectl(["get", "cvmi,vmi", "-A", "-o", "jsonpath={.items[*].metadata.resourceVersion}"]);
    const second = await cliStack(CLUSTER_EXAMPLE);
    await second.ok("config", "set", "library", library);
    await second.ok("config", "set", "--secret", "kubeconfig", readFileSync(cluster.adminKubeconfig, "utf8"));
    const up = await second.pulumi("up", "--yes");
    expect(up.code).not.toBe(0);
    const said = `${up.stdout}${up.stderr}`;
    expect(said.match(/was applied by the owner [^\n]*not this stack's/g)?.length).toBeGreaterThanOrEqual(Object.keys(names).length);
    expect(await cluster.kubectl(["get", "cvmi,vmi", "-A", "-o", "jsonpath={.items[*].metadata.resourceVersion}"])).toBe(before);
    await second.ok("destroy", "--yes");
    expect(await cluster.kubectl(["get", "cvmi,vmi", "-A", "-o", "jsonpath={.items[*].metadata.resourceVersion}"])).toBe(before);
    // The first stack still holds every image: a refresh finds nothing changed.
    const refresh = JSON.parse((await ok("preview", "--refresh", "--json")).stdout) as PreviewJson;
    expect(clusterChanges({ ...refresh, steps: refresh.steps.filter((s) => s.op !== "refresh") })).toEqual([]);
  });

  test("a create that fails after its image was applied (no right to write the status) leaves no image no stack knows of", async () => {
    const partial = path.join(tempDir("vmimages-partial-"), "library");
    // The program resolves "Photon OS 5.0" among the cluster's images: a photon of its own, which this user may write whole.
    writeTree(partial, {
      "base-images/photon.ovf": ovf({ osType: "vmwarePhoton64Guest" }),
      "base-images/photon.item.json": JSON.stringify({ name: "Photon OS 5.0" }),
      "team-a/partial-1.ovf": ovf({ osType: "ubuntu64Guest" }),
    });
    const name = imageNames(partial)["team-a/partial-1.ovf"]!;
    const rbac = path.join(tempDir("vmimages-rbac-"), "rbac.yaml");
    writeFileSync(
      rbac,
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: no-status, namespace: team-a}\nrules:\n- apiGroups: [vmoperator.vmware.com]\n  resources: [virtualmachineimages]\n  verbs: [get, list, create, patch, delete]\n---\n" +
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: no-status, namespace: team-a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: no-status}\nsubjects: [{kind: User, name: nobody}]\n---\n" +
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cluster-images}\nrules:\n- apiGroups: [vmoperator.vmware.com]\n  resources: [clustervirtualmachineimages, clustervirtualmachineimages/status]\n  verbs: [get, list, create, patch, delete]\n---\n" +
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: cluster-images}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-images}\nsubjects: [{kind: User, name: nobody}]\n",
    );
    await cluster.kubectl(["apply", "-f", rbac]);
    try {
      const third = await cliStack(CLUSTER_EXAMPLE);
      await third.ok("config", "set", "library", partial);
      await third.ok("config", "set", "--secret", "kubeconfig", readFileSync(cluster.nobodyKubeconfig, "utf8"));
      const up = await third.pulumi("up", "--yes");
      expect(up.code).not.toBe(0);
      expect(`${up.stdout}${up.stderr}`).toMatch(/cannot apply the status of VirtualMachineImage team-a\/vmi-[0-9a-f]{17}: HTTP 403/);
      expect(await image(name)).toBeUndefined();
      await third.ok("destroy", "--yes");
      expect(await image(name)).toBeUndefined();
    } finally {
      await cluster.kubectl(["delete", "-f", rbac]);
    }
  });

  test("a kubeconfig with a YAML error, and exec plugins that fail, are said without a byte of a credential; a plugin's standard error is kept", async () => {
    const secret = "tok-SECRET-9f8e7d6c5b4a";
    const dir = tempDir("vmimages-badkc-");
    const plugin = (name: string, body: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, `#!/bin/sh\n${body}\n`);
      chmodSync(file, 0o755);
      return file;
    };
    const withExec = (command: string) =>
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${cluster.server}\n    certificate-authority: ${cluster.caFile}\n` +
      `users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${command}\n      interactiveMode: Never\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n`;
    const cases: Array<[string, string, RegExp]> = [
      ["bad YAML", `apiVersion: v1\nusers:\n- name: u\n  user:\n    token: ${secret}\n      extra: 1\n`, /the kubeconfig given is not valid YAML at line \d+, column \d+/],
      ["a plugin that prints garbage", withExec(plugin("garbage.sh", `echo ${secret}`)), /the exec plugin [^\n]*wrote no ExecCredential to standard output/],
      ["a plugin that fails", withExec(plugin("fails.sh", `echo ${secret}\necho "please log in first" >&2\nexit 3`)), /please log in first/],
    ];
    for (const [what, kubeconfig, said] of cases) {
      const other = await cliStack(CLUSTER_EXAMPLE);
      await other.ok("config", "set", "library", library);
      await other.ok("config", "set", "--secret", "kubeconfig", kubeconfig);
      const up = await other.pulumi("up", "--yes");
      expect([what, up.code]).not.toEqual([what, 0]);
      expect(`${up.stdout}${up.stderr}`).toMatch(said);
      for (let i = 0; i + 6 <= secret.length; i++) expect(`${up.stdout}${up.stderr}`).not.toContain(secret.slice(i, i + 6));
    }
  });

  test("destroy deletes every image it made, and no other image", async () => {
    const file = path.join(tempDir("vmimages-foreign-"), "other.yaml");
    writeFileSync(file, "apiVersion: vmoperator.vmware.com/v1alpha5\nkind: ClusterVirtualMachineImage\nmetadata:\n  name: vmi-0123456789abcdef0\nspec:\n  providerRef:\n    apiVersion: imageregistry.vmware.com/v1alpha1\n    kind: ClusterContentLibraryItem\n    name: clitem-0123456789abcdef0\n");
    await cluster.kubectl(["create", "-f", file]);
    await ok("destroy", "--yes");
    expect((await images("cvmi")).map((i) => i.metadata.name)).toEqual(["vmi-0123456789abcdef0"]);
    // The folder's files went with their resources; the folder itself stays.
    expect(readdirSync(gitops)).toEqual([]);
    expect(await images("vmi")).toEqual([]);
  });

  test("nothing the engine printed, from the first preview to destroy (a failed up included), holds a token", () => {
    expect(runs.length).toBeGreaterThan(10);
    for (const r of runs) {
      for (const token of tokens) {
        expect(r.stdout).not.toContain(token);
        expect(r.stderr).not.toContain(token);
      }
    }
  });
});
