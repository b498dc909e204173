import { execFile } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse, parseAllDocuments } from "yaml";
import { vmimages, vmimagesProcess } from "../helpers/cli";
import { crdErrors } from "../helpers/crd";
import { Cluster, startCluster } from "../helpers/kube";
import { PROJECT, copyExample, snapshot, tempDir, writeTree } from "../helpers/library";
import { EXAMPLE_NAMES } from "../helpers/names";
import { requireTool } from "../helpers/pulumi";

jest.setTimeout(600_000);
const exec = promisify(execFile);

const P = "vmimages.pulumi-vmimages.dev/";
const UBUNTU_TEAM = EXAMPLE_NAMES["team-a/ubuntu-24.04-hardened.ovf"]!;
const UBUNTU_CLUSTER = EXAMPLE_NAMES["base-images/linux/ubuntu-24.04.ova"]!;
const PHOTON = EXAMPLE_NAMES["base-images/linux/photon-5.ovf"]!;

/** A GitOps repository as a team keeps one: a base of VMs in two files (one with other kinds and comments), and an overlay. */
function repository(): { dir: string; images: string; files: Record<string, string> } {
  const ex = copyExample();
  const dir = tempDir("vmimages-repo-");
  const files: Record<string, string> = {
    "base/kustomization.yaml": "resources:\n  - vms.yaml\n  - db.yaml\n",
    "base/vms.yaml": [
      "# The web tier: its VMs and their settings.",
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: web-settings",
      "data: {tier: web}",
      "---",
      "apiVersion: vmoperator.vmware.com/v1alpha5",
      "kind: VirtualMachine",
      "metadata:",
      "  name: web-1",
      "  namespace: team-a",
      "spec:",
      "  className: best-effort-small",
      "",
      "  imageName: \"Ubuntu 24.04 LTS\"   # team-a's hardened build",
      "  storageClass: wcp",
      "",
    ].join("\n"),
    "base/db.yaml": [
      "apiVersion: vmoperator.vmware.com/v1alpha6",
      "kind: VirtualMachine",
      "metadata:",
      "  name: db-1",
      "  namespace: team-b",
      "  annotations:",
      `    ${P}select-name: "Photon*"`,
      "spec:",
      "  className: best-effort-large",
      "",
    ].join("\n"),
    "overlays/prod/kustomization.yaml": "resources:\n  - ../../base\nnamePrefix: prod-\n",
  };
  writeTree(dir, files);
  return { dir, images: ex.out, files: { ...files, __config: ex.config } };
}

async function generated(config: string, out: string): Promise<void> {
  expect((await vmimages("generate", "--config", config, "--out", out)).code).toBe(0);
}

describe("vmimages mutate on a GitOps repository", () => {
  test("gives each VirtualMachine its image as the webhook would, changing only those fields: every other byte of every file stays", async () => {
    const repo = repository();
    await generated(repo.files.__config!, repo.images);
    const check = await vmimages("mutate", path.join(repo.dir, "base"), "--manifests", repo.images, "--check");
    expect(check.code).toBe(3);
    expect(snapshot(repo.dir)["base/vms.yaml"]!.content).toBe(repo.files["base/vms.yaml"]);

    const run = await vmimages("mutate", path.join(repo.dir, "base"), "--manifests", repo.images);
    expect(run.code).toBe(0);
    expect(readFileSync(path.join(repo.dir, "base/vms.yaml"), "utf8")).toBe(
      repo.files["base/vms.yaml"]!.replace("  namespace: team-a\n", `  namespace: team-a\n  annotations:\n    ${P}image-name: Ubuntu 24.04 LTS\n`).replace(
        '  imageName: "Ubuntu 24.04 LTS"   # team-a\'s hardened build\n',
        `  imageName: "${UBUNTU_TEAM}"   # team-a's hardened build\n  image:\n    kind: VirtualMachineImage\n    name: ${UBUNTU_TEAM}\n`,
      ),
    );
    expect(readFileSync(path.join(repo.dir, "base/db.yaml"), "utf8")).toBe(
      repo.files["base/db.yaml"]!.replace(`    ${P}select-name: "Photon*"\n`, `    ${P}select-name: "Photon*"\n    ${P}resolved-display-name: Photon OS 5.0\n    ${P}resolved-version: "5.0"\n`).replace(
        "  className: best-effort-large\n",
        `  className: best-effort-large\n  imageName: ${PHOTON}\n  image:\n    kind: ClusterVirtualMachineImage\n    name: ${PHOTON}\n`,
      ),
    );
    expect(readFileSync(path.join(repo.dir, "base/kustomization.yaml"), "utf8")).toBe(repo.files["base/kustomization.yaml"]);
    expect(run.out).toBe(
      `~ ${path.join(repo.dir, "base/db.yaml")}:1 VirtualMachine team-b/db-1: ClusterVirtualMachineImage ${PHOTON} "Photon OS 5.0"\n` +
        `~ ${path.join(repo.dir, "base/vms.yaml")}:8 VirtualMachine team-a/web-1: VirtualMachineImage ${UBUNTU_TEAM} "Ubuntu 24.04 LTS"\n`,
    );

    // A second run, and --check, find nothing to do and write nothing.
    const before = snapshot(repo.dir);
    expect((await vmimages("mutate", repo.dir, "--manifests", repo.images, "--check")).code).toBe(0);
    expect((await vmimages("mutate", repo.dir, "--manifests", repo.images)).code).toBe(0);
    expect(snapshot(repo.dir)).toEqual(before);
  });

  test("a newer build of the image a display name names updates the VM, with a warning that a VM that exists keeps its image", async () => {
    const repo = repository();
    await generated(repo.files.__config!, repo.images);
    expect((await vmimages("mutate", repo.dir, "--manifests", repo.images)).code).toBe(0);
    // team-a's hardened build goes away: the name now resolves to the cluster's image.
    const ex = path.dirname(repo.files.__config!);
    writeFileSync(path.join(ex, "library/team-a/ubuntu-24.04-hardened.item.json"), JSON.stringify({ name: "Ubuntu 24.04 LTS (old)" }));
    await generated(repo.files.__config!, repo.images);
    const run = await vmimages("mutate", repo.dir, "--manifests", repo.images);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`VirtualMachine team-a/web-1: ClusterVirtualMachineImage ${UBUNTU_CLUSTER} "Ubuntu 24.04 LTS"`);
    expect(run.err).toContain(`now gets ${UBUNTU_CLUSTER} instead of ${UBUNTU_TEAM}: VM Operator keeps the image of a VM that exists`);
    expect(readFileSync(path.join(repo.dir, "base/vms.yaml"), "utf8")).toContain(`  imageName: "${UBUNTU_CLUSTER}"   # team-a's hardened build\n  image:\n    kind: ClusterVirtualMachineImage\n    name: ${UBUNTU_CLUSTER}\n`);
  });

  test.each([
    ["an unknown display name", "spec:\n  imageName: Debian 12\n", [], /:1 VirtualMachine team-a\/bad: no image named "Debian 12"/],
    ["a display name in the namespace and the cluster, with --strict", "spec:\n  imageName: Ubuntu 24.04 LTS\n", ["--strict"], /:1 VirtualMachine team-a\/bad: .*Ubuntu 24\.04 LTS.*(both|cluster)/],
    ["a capability the image lacks", `  annotations: {${P}require-capabilities: nvidia-gpu}\nspec:\n  imageName: Photon OS 5.0\n`, [], /:1 VirtualMachine team-a\/bad: .*nvidia-gpu/],
    ["criteria that select several", `  annotations: {${P}select-name: "*"}\nspec: {}\n`, [], /:1 VirtualMachine team-a\/bad: 2 images in namespace "team-a" match the criteria/],
  ])("%s fails naming the file, line, VM and reason; nothing is written, not even the files that would change (1 wins over 3)", async (_what, tail, extra, message) => {
    const repo = repository();
    await generated(repo.files.__config!, repo.images);
    const bad = path.join(repo.dir, "base/bad.yaml");
    writeFileSync(bad, `apiVersion: vmoperator.vmware.com/v1alpha5\nkind: VirtualMachine\nmetadata:\n  name: bad\n  namespace: team-a\n${tail}`);
    const before = snapshot(repo.dir);
    for (const check of [[], ["--check"]]) {
      const run = await vmimages("mutate", repo.dir, "--manifests", repo.images, ...extra, ...check);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(message);
      expect(run.err).toContain(`${bad}:1 VirtualMachine team-a/bad`);
      expect(run.err).toContain("nothing was written");
    }
    expect(snapshot(repo.dir)).toEqual(before);
  });

  test("a VM without a namespace takes -n, and without one is a problem naming it", async () => {
    const repo = repository();
    await generated(repo.files.__config!, repo.images);
    writeTree(repo.dir, { "loose/vm.yaml": "apiVersion: vmoperator.vmware.com/v1alpha5\nkind: VirtualMachine\nmetadata:\n  name: loose\nspec:\n  imageName: Photon OS 5.0\n" });
    const without = await vmimages("mutate", path.join(repo.dir, "loose"), "--manifests", repo.images);
    expect(without.code).toBe(1);
    expect(without.err).toContain("VirtualMachine ?/loose: it names no metadata.namespace and no -n was given");
    const withNs = await vmimages("mutate", path.join(repo.dir, "loose"), "--manifests", repo.images, "-n", "team-a");
    expect(withNs.code).toBe(0);
    expect(readFileSync(path.join(repo.dir, "loose/vm.yaml"), "utf8")).toContain(`imageName: ${PHOTON}`);
  });

  test("every served VirtualMachine version is mutated into a VM its CRD accepts", async () => {
    const repo = repository();
    await generated(repo.files.__config!, repo.images);
    const versions = ["v1alpha1", "v1alpha2", "v1alpha3", "v1alpha4", "v1alpha5", "v1alpha6"];
    writeTree(repo.dir, Object.fromEntries(versions.map((v) => [`versions/${v}.yaml`, `apiVersion: vmoperator.vmware.com/${v}\nkind: VirtualMachine\nmetadata:\n  name: vm-${v}\n  namespace: team-a\nspec:\n  className: small\n  imageName: Photon OS 5.0\n`])));
    expect((await vmimages("mutate", path.join(repo.dir, "versions"), "--manifests", repo.images)).code).toBe(0);
    for (const v of versions) {
      const doc = parse(readFileSync(path.join(repo.dir, `versions/${v}.yaml`), "utf8")) as { apiVersion: string; kind: string; spec: { imageName: string; image?: unknown } };
      expect(doc.spec.imageName).toBe(PHOTON);
      expect(doc.spec.image).toEqual(v === "v1alpha1" || v === "v1alpha2" ? undefined : { kind: "ClusterVirtualMachineImage", name: PHOTON });
      expect(crdErrors(doc)).toEqual([]);
    }
  });

  test("resolves against the images a configuration generates", async () => {
    const repo = repository();
    const run = await vmimages("mutate", path.join(repo.dir, "base"), "--config", repo.files.__config!, "--check");
    expect(run.code).toBe(3);
    expect(run.out).toContain(`VirtualMachine team-a/web-1: VirtualMachineImage ${UBUNTU_TEAM}`);
  });
});

describe("vmimages mutate against a live cluster", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.kubectl(["create", "namespace", "team-a"]);
    await cluster.kubectl(["create", "namespace", "team-b"]);
  });
  afterAll(() => cluster?.stop());

  test("resolves against the images vmimages applied and one VM Operator made (its status.name and display-name annotation)", async () => {
    const ex = copyExample();
    expect((await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig])).code).toBe(0);
    const made = path.join(tempDir("vmimages-made-"), "vmi.yaml");
    const madeName = "vmi-1111111111111111a";
    writeFileSync(
      made,
      `apiVersion: vmoperator.vmware.com/v1alpha5\nkind: VirtualMachineImage\nmetadata:\n  name: ${madeName}\n  namespace: team-b\n  annotations:\n    vmware.com/display-name: Rocky 9\nspec:\n  providerRef:\n    apiVersion: imageregistry.vmware.com/v1alpha1\n    kind: ContentLibraryItem\n    name: clitem-1111111111111111a\n`,
    );
    await cluster.kubectl(["create", "-f", made]);
    await cluster.kubectl(["patch", "vmi", madeName, "-n", "team-b", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { name: "Rocky 9", type: "OVF" } })]);
    const repo = repository();
    writeTree(repo.dir, { "base/rocky.yaml": "apiVersion: vmoperator.vmware.com/v1alpha5\nkind: VirtualMachine\nmetadata:\n  name: rocky\n  namespace: team-b\nspec:\n  imageName: Rocky 9\n" });
    const run = await vmimagesProcess(["mutate", path.join(repo.dir, "base"), "--kubeconfig", cluster.adminKubeconfig]);
    expect(run.err).toContain("3 VirtualMachine(s) changed");
    expect(run.code).toBe(0);
    expect(readFileSync(path.join(repo.dir, "base/rocky.yaml"), "utf8")).toBe(
      `apiVersion: vmoperator.vmware.com/v1alpha5\nkind: VirtualMachine\nmetadata:\n  name: rocky\n  namespace: team-b\n  annotations:\n    ${P}image-name: Rocky 9\nspec:\n  imageName: ${madeName}\n  image:\n    kind: VirtualMachineImage\n    name: ${madeName}\n`,
    );
  });
});

describe("vmimages mutate as a kustomize exec function", () => {
  /** An overlay whose transformer is `vmimages mutate --krm`, resolving against `images`. */
  function overlay(repo: { dir: string }, images: string): string {
    const fn = path.join(repo.dir, "vmimages-fn");
    // The installed command, as docs/cli.md's configuration names it: vmimages, run with [mutate, --krm].
    writeFileSync(fn, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(PROJECT, "bin/vmimages.js"))} "$@"\n`);
    chmodSync(fn, 0o755);
    writeTree(repo.dir, {
      "overlays/images/kustomization.yaml": "resources:\n  - ../../base\nnamePrefix: prod-\ntransformers:\n  - mutate.yaml\n",
      "overlays/images/mutate.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: vmimages-mutate\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ${fn}\n        args: [mutate, --krm]\ndata:\n  manifests: ${path.relative(path.join(repo.dir, "overlays/images"), images)}\n`,
    });
    return path.join(repo.dir, "overlays/images");
  }

  test("kustomize build gives the overlay's VMs their images; an unknown name fails the build with the function's message", async () => {
    const kustomize = requireTool("kustomize");
    const repo = repository();
    await generated(repo.files.__config!, repo.images);
    const dir = overlay(repo, repo.images);
    const { stdout } = await exec(kustomize, ["build", "--enable-alpha-plugins", "--enable-exec", dir]);
    const vms = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: { imageName?: string; image?: { kind: string; name: string } } }).filter((d) => d.kind === "VirtualMachine");
    expect(vms.map((v) => [v.metadata.name, v.spec.imageName, v.spec.image?.kind])).toEqual([
      ["prod-web-1", UBUNTU_TEAM, "VirtualMachineImage"],
      ["prod-db-1", PHOTON, "ClusterVirtualMachineImage"],
    ].sort((a, b) => (vms.findIndex((v) => v.metadata.name === a[0]) - vms.findIndex((v) => v.metadata.name === b[0]))));
    for (const v of vms) expect(crdErrors(v as unknown as { kind: string; apiVersion: string })).toEqual([]);

    writeTree(repo.dir, { "base/vms.yaml": repo.files["base/vms.yaml"]!.replace('"Ubuntu 24.04 LTS"', '"Debian 12"') });
    const failed = await exec(kustomize, ["build", "--enable-alpha-plugins", "--enable-exec", dir]).then(
      () => undefined,
      (err: { stderr: string }) => err,
    );
    expect(failed).toBeDefined();
    expect(failed!.stderr).toContain('VirtualMachine team-a/prod-web-1: no image named "Debian 12"');
  });
});
