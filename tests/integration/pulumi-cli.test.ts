import { execFile } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { crdErrors } from "../helpers/crd";
import { PROJECT, snapshot, tempDir, writeTree } from "../helpers/library";
import { ovf } from "../helpers/ovf";
import { startCluster } from "../helpers/kube";
import { EXAMPLE_NAMES, imageNames } from "../helpers/names";
import { docBlock } from "../helpers/docs";
import { CliStack, changes, cliAgrees, cliStack, exampleWorkspace, imageChanges } from "../helpers/pulumi-cli";

jest.setTimeout(900_000);

const exec = promisify(execFile);
const GITOPS_EXAMPLE = path.join(PROJECT, "examples/gitops");
const VM_STACK_EXAMPLE = path.join(PROJECT, "examples/vm-stack");

describe.each([
  ["the root Pulumi.yaml", PROJECT],
  ["examples/gitops", GITOPS_EXAMPLE],
])("%s with the Pulumi CLI", (_what, project) => {
  test("preview, up, a preview with nothing to do, one update, create and delete, refresh without drift, destroy", async () => {
    const { library, gitops } = exampleWorkspace();
    const names = imageNames(library);
    const stack = await cliStack(project);
    await stack.ok("config", "set", "library", library);
    await stack.ok("config", "set", "gitopsDir", gitops);

    const first = await stack.previewJson();
    expect(imageChanges(first)).toEqual(Object.values(names).map((n) => `create ${n}`).sort());
    expect(snapshot(gitops)).toEqual({ "README.md": expect.anything() });

    await stack.ok("up", "--yes");
    expect(parse(readFileSync(path.join(gitops, "kustomization.yaml"), "utf8")).resources).toHaveLength(Object.keys(names).length);
    await cliAgrees(gitops, library);
    expect((await stack.outputs()).photon).toBe(names["base-images/linux/photon-5.ovf"]);

    const again = await stack.previewJson();
    expect(imageChanges(again)).toEqual([]);
    expect((await stack.pulumi("preview", "--expect-no-changes")).code).toBe(0);

    const photon = path.join(library, "base-images/linux/photon-5.ovf");
    writeFileSync(photon, readFileSync(photon, "utf8").replace("<FullVersion>5.0-dde71ec57</FullVersion>", "<FullVersion>5.0-2025.11</FullVersion>"));
    writeTree(library, { "team-a/rocky-9.ovf": ovf({ osType: "rockylinux_64Guest", systemType: "vmx-21" }) });
    rmSync(path.join(library, "team-a/centos-7-legacy.ovf"));
    const before = snapshot(gitops);
    const changed = await stack.previewJson();
    expect(imageChanges(changed)).toEqual(
      [`update ${names["base-images/linux/photon-5.ovf"]}`, `create ${imageNames(library)["team-a/rocky-9.ovf"]}`, `delete ${names["team-a/centos-7-legacy.ovf"]}`].sort(),
    );
    const update = changed.steps.find((s) => s.op === "update")!;
    expect(Object.keys(update.detailedDiff ?? {})).toContain("image.status.productInfo.fullVersion");
    const diff = await stack.ok("preview", "--diff");
    expect(diff.stdout).toMatch(/fullVersion\s*:\s*"5\.0-dde71ec57" => "5\.0-2025\.11"/);
    expect(snapshot(gitops)).toEqual(before);

    await stack.ok("up", "--yes");
    expect(parse(readFileSync(path.join(gitops, `cluster/${names["base-images/linux/photon-5.ovf"]}.yaml`), "utf8")).status.productInfo.fullVersion).toBe("5.0-2025.11");
    await cliAgrees(gitops, library);

    expect((await stack.pulumi("refresh", "--yes", "--expect-no-changes")).code).toBe(0);
    expect((await stack.pulumi("preview", "--expect-no-changes")).code).toBe(0);

    await stack.ok("destroy", "--yes");
    expect(Object.keys(snapshot(gitops))).toEqual(["README.md"]);
  });

});

describe("examples/gitops with a library that cannot be read", () => {
  const project = GITOPS_EXAMPLE;
  test("a malformed OVF fails preview and up naming the item, and leaves files and state as they were", async () => {
    const { library, gitops } = exampleWorkspace();
    const stack = await cliStack(project);
    await stack.ok("config", "set", "library", library);
    await stack.ok("config", "set", "gitopsDir", gitops);
    await stack.ok("up", "--yes");
    writeTree(library, { "team-a/broken.ovf": "<Envelope><VirtualSystem>" });
    const files = snapshot(gitops);
    const state = (await stack.ok("stack", "export")).stdout;
    for (const op of [["preview"], ["up", "--yes"]]) {
      const run = await stack.pulumi(...op);
      expect(run.code).not.toBe(0);
      expect(run.stdout + run.stderr).toMatch(/item "broken" \([0-9a-f-]{36}\) in library "team-a" at .*broken\.ovf: the OVF descriptor is not well-formed XML/);
    }
    expect(snapshot(gitops)).toEqual(files);
    expect((await stack.ok("stack", "export")).stdout).toBe(state);
    rmSync(path.join(library, "team-a/broken.ovf"));
    await stack.ok("destroy", "--yes");
  });
});

describe("the vm-stack example with the Pulumi CLI", () => {
  test("resolves through a StackReference to the gitops stack (namespace first), has nothing to do when nothing changed, follows a newer build, and fails with the CLI's messages", async () => {
    const { library, gitops } = exampleWorkspace();
    writeTree(library, {
      "team-a/dup1.ovf": ovf({ osType: "ubuntu64Guest" }),
      "team-a/dup1.item.json": `{"name": "Duplicate"}`,
      "team-a/dup2.ovf": ovf({ osType: "ubuntu64Guest" }),
      "team-a/dup2.item.json": `{"name": "Duplicate"}`,
    });
    const names = imageNames(library);
    const images = await cliStack(GITOPS_EXAMPLE);
    await images.ok("config", "set", "library", library);
    await images.ok("config", "set", "gitopsDir", gitops);
    await images.ok("up", "--yes");

    const rendered = tempDir("vmimages-rendered-");
    const vms = await cliStack(VM_STACK_EXAMPLE, { on: images });
    await vms.ok("config", "set", "imagesStack", `organization/vmimages-gitops/${images.stack}`);
    await vms.ok("config", "set", "renderDir", rendered);
    await vms.ok("up", "--yes");
    // Nothing changed: a preview has nothing to do. (A refresh would read the VirtualMachines from a
    // cluster: pulumi-kubernetes cannot refresh what it only rendered to YAML.)
    expect((await vms.pulumi("preview", "--expect-no-changes")).code).toBe(0);
    const outputs = await vms.outputs();
    // "Ubuntu 24.04 LTS" is both team-a's hardened item and a cluster image: inside team-a, team-a's wins.
    expect(outputs.image).toBe(names["team-a/ubuntu-24.04-hardened.ovf"]);
    expect(outputs.imageKind).toBe("VirtualMachineImage");
    expect(outputs.clusterPhoton).toBe(names["base-images/linux/photon-5.ovf"]);
    const vms1 = readdirSync(path.join(rendered, "1-manifest")).map((f) => parse(readFileSync(path.join(rendered, "1-manifest", f), "utf8")));
    const vm = vms1.find((m) => m.metadata.name === "web-1");
    expect(vm.spec.image).toEqual({ kind: "VirtualMachineImage", name: names["team-a/ubuntu-24.04-hardened.ovf"] });
    for (const m of vms1) expect(crdErrors(m)).toEqual([]);
    // selectImage({ name: "Ubuntu 24.04*", mostRecent: true }) in the cluster: the one build there.
    expect(outputs.newestUbuntu).toEqual({
      kind: "ClusterVirtualMachineImage",
      name: names["base-images/linux/ubuntu-24.04.ova"],
      displayName: "Ubuntu 24.04 LTS",
      version: "24.04",
      fullVersion: "24.04.3 LTS (20251105)",
    });

    // A newer build lands in the cluster library: the images stack publishes it, and the VM stack's
    // preview shows web-2 moving to it, and nothing else.
    writeTree(library, {
      "base-images/linux/ubuntu-24.04.4.ovf": ovf({ osType: "ubuntu64Guest", systemType: "vmx-21", product: { product: "Ubuntu Server", version: "24.04.4", fullVersion: "24.04.4 LTS (20260301)" } }),
      "base-images/linux/ubuntu-24.04.4.item.json": `{"name": "Ubuntu 24.04.4 LTS"}`,
    });
    await images.ok("up", "--yes");
    const newer = imageNames(library)["base-images/linux/ubuntu-24.04.4.ovf"]!;
    const moved = await vms.previewJson();
    // (The StackReference itself is read on every run.)
    expect(changes(moved).filter((c) => !c.startsWith("read "))).toEqual(["update web-2"]);
    expect(Object.keys(moved.steps.find((st) => st.op === "update")!.detailedDiff ?? {})).toEqual(expect.arrayContaining(["spec.image.name"]));
    await vms.ok("up", "--yes");
    expect(((await vms.outputs()).newestUbuntu as { name: string }).name).toBe(newer);

    for (const [image, message] of [
      ["Duplicate", new RegExp(`the display name "Duplicate" is ambiguous in namespace "team-a": 2 images have it: (${names["team-a/dup1.ovf"]}|${names["team-a/dup2.ovf"]}) \\(namespace team-a\\)`)],
      ["Windows Server 2022", /no image named "Windows Server 2022" in namespace "team-a" or the cluster/],
    ] as const) {
      await vms.ok("config", "set", "image", image);
      const run = await vms.pulumi("preview");
      expect(run.code).not.toBe(0);
      expect(run.stdout + run.stderr).toMatch(message);
    }
    await vms.ok("destroy", "--yes");
    await images.ok("destroy", "--yes");
  });
});

/**
 * The package as a platform team meets it: packed from a clean clone (which builds it), installed
 * from the tarball into projects outside the repository made from the docs' own files (README.md
 * and docs/pulumi.md, the blocks marked <!-- consumer: NAME -->).
 */
describe("pulumi-vmimages installed from its npm pack tarball", () => {
  let tarball: string;
  let entries: string[];
  const npm = (cwd: string, ...args: string[]) => exec("npm", [...args, "--no-audit", "--no-fund"], { cwd, maxBuffer: 64 * 1024 * 1024 });

  beforeAll(async () => {
    const clone = path.join(tempDir("vmimages-clone-"), "repo");
    await exec("git", ["clone", "--quiet", PROJECT, clone]);
    // The clone shares the dependencies; `npm pack` there builds its own dist/ (prepack).
    symlinkSync(path.join(PROJECT, "node_modules"), path.join(clone, "node_modules"));
    const out = tempDir("vmimages-pack-");
    const packed = JSON.parse((await npm(clone, "pack", "--json", "--pack-destination", out)).stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = path.join(out, packed[0]!.filename);
    entries = packed[0]!.files.map((f) => f.path).sort();
  });

  test("ships only what runs: the compiled provider and SDK with their types, the bundled CLI and its Kubernetes client, README and license", () => {
    expect(entries).toEqual(expect.arrayContaining(["LICENSE", "README.md", "bin/vmimages.js", "bin/pulumi-resource-vmimages", "dist/sdk/plugin/main.js", "dist/sdk/plugin/schema.json", "dist/vmimages.cjs", "dist/kube-client.cjs", "dist/sdk/index.js", "dist/sdk/index.d.ts", "package.json"]));
    expect(entries.filter((f) => !/^(bin\/|dist\/(provider|sdk)\/|dist\/(vmimages|kube-client)\.cjs$|README\.md$|LICENSE$|package\.json$)/.test(f))).toEqual([]);
    expect(entries.some((f) => f.includes("test") || f.includes("bench") || f.includes("examples"))).toBe(false);
  });

  test("installs as the vmimages command alone, without any Pulumi package, and generates; its SDK then says what to install", async () => {
    const prefix = tempDir("vmimages-global-");
    await npm(prefix, "install", "--global", "--prefix", prefix, tarball);
    const installed = path.join(prefix, "lib", "node_modules", "pulumi-vmimages");
    expect(existsSync(path.join(installed, "package.json"))).toBe(true);
    // npm puts dependencies beside the package or in its own node_modules: neither holds @pulumi.
    expect(existsSync(path.join(prefix, "lib", "node_modules", "@pulumi"))).toBe(false);
    expect(existsSync(path.join(installed, "node_modules", "@pulumi"))).toBe(false);
    const { library, gitops } = exampleWorkspace();
    const config = path.join(tempDir("vmimages-cfg-"), "vmimages.yaml");
    writeFileSync(config, `source:\n  directory: ${library}\nlibraries:\n  - name: base-images\n    scope: cluster\n  - name: team-a\n    namespace: team-a\n`);
    const run = await exec(path.join(prefix, "bin", "vmimages"), ["generate", "--config", config, "--out", gitops]);
    expect(run.stderr).toContain("5 image(s)");
    expect(Object.keys(snapshot(gitops)).filter((f) => f.startsWith("cluster/") || f.startsWith("namespaces/")).sort()).toEqual(
      Object.entries(EXAMPLE_NAMES).map(([rel, name]) => (rel.startsWith("team-a/") ? `namespaces/team-a/${name}.yaml` : `cluster/${name}.yaml`)).sort(),
    );
    const sdk = await exec(process.execPath, ["-e", `try { require(${JSON.stringify(installed)}); } catch (e) { process.stdout.write(e.message); }`]).catch((e: { stdout: string }) => e);
    expect(sdk.stdout).toBe(
      "pulumi-vmimages' Pulumi SDK needs @pulumi/pulumi (>=3.259.0 <4.0.0) and @pulumi/kubernetes (>=4.25.0 <5.0.0) in your project: npm install @pulumi/pulumi @pulumi/kubernetes (the vmimages command line needs neither)",
    );
  });

  test("installs with @pulumi/pulumi as the provider plugin of every language, as docs/pulumi.md says: it serves its schema, and examples/yaml runs with it from PATH", async () => {
    const prefix = tempDir("vmimages-plugin-");
    // Without @pulumi/pulumi the plugin says what to install.
    await npm(prefix, "install", "--global", "--prefix", prefix, tarball);
    const bare = await exec(path.join(prefix, "bin", "pulumi-resource-vmimages"), []).then(() => undefined, (e: { stderr: string }) => e.stderr);
    expect(bare).toContain("needs @pulumi/pulumi beside pulumi-vmimages: npm install -g pulumi-vmimages @pulumi/pulumi");

    await npm(prefix, "install", "--global", "--prefix", prefix, tarball, "@pulumi/pulumi");
    const plugin = path.join(prefix, "bin", "pulumi-resource-vmimages");
    const schema = JSON.parse((await exec("pulumi", ["package", "get-schema", plugin], { maxBuffer: 16 * 1024 * 1024 })).stdout) as { name: string; version: string; resources: object; functions: object };
    expect(schema.name).toBe("vmimages");
    expect(schema.version).toBe((JSON.parse(readFileSync(path.join(PROJECT, "package.json"), "utf8")) as { version: string }).version);
    expect(Object.keys(schema.resources)).toContain("vmimages:index:ContentLibraryImages");
    expect(Object.keys(schema.functions).sort()).toEqual(["vmimages:index:resolveImage", "vmimages:index:selectImage"]);

    const project = path.join(tempDir("vmimages-yaml-"), "yaml");
    cpSync(path.join(PROJECT, "examples", "yaml"), project, { recursive: true });
    const { library, gitops } = exampleWorkspace();
    // The plugin is the only Node.js process of a YAML program's run.
    const compileCache = tempDir("vmimages-compile-cache-");
    const stack = await cliStack(project, { env: { PATH: `${path.join(prefix, "bin")}${path.delimiter}${process.env.PATH ?? ""}`, NODE_COMPILE_CACHE: compileCache } });
    await stack.ok("config", "set", "library", library);
    await stack.ok("config", "set", "gitopsDir", gitops);
    await stack.ok("up", "--yes");
    await cliAgrees(gitops, library);
    // The engine ends the plugin with a signal; the plugin wrote its compiled code before that, for the next start.
    expect(readdirSync(compileCache, { recursive: true }).length).toBeGreaterThan(0);
    expect((await stack.outputs()).photon).toBe(imageNames(library)["base-images/linux/photon-5.ovf"]);
    await stack.ok("destroy", "--yes");
    expect(Object.keys(snapshot(gitops))).toEqual(["README.md"]);
  });

  /** A consumer project from the docs' files, with `pulumi-vmimages` from the tarball and `@pulumi/*` at `versions`. */
  async function consumer(versions: { pulumi: string; kubernetes: string }, javascript = false): Promise<{ dir: string; library: string; gitops: string }> {
    const dir = path.join(tempDir("vmimages-consumer-"), "infra");
    const pkg = JSON.parse(docBlock("package.json")) as { dependencies: Record<string, string>; devDependencies?: Record<string, string>; main?: string };
    pkg.dependencies = { ...pkg.dependencies, "@pulumi/pulumi": versions.pulumi, "@pulumi/kubernetes": versions.kubernetes, "pulumi-vmimages": `file:${tarball}` };
    if (javascript) {
      delete pkg.devDependencies;
      pkg.main = "index.js";
    }
    writeTree(dir, {
      "package.json": JSON.stringify(pkg, null, 2),
      "Pulumi.yaml": javascript ? docBlock("Pulumi.yaml").replace(/\n  options:\n    typescript: true\n/, "\n") : docBlock("Pulumi.yaml"),
      ...(javascript
        ? { "index.js": docBlock("index.ts").replace('import * as pulumi from "@pulumi/pulumi";', 'const pulumi = require("@pulumi/pulumi");').replace('import { ContentLibraryImages } from "pulumi-vmimages";', 'const { ContentLibraryImages } = require("pulumi-vmimages");').replace("export = async", "module.exports = async") }
        : { "tsconfig.json": docBlock("tsconfig.json"), "index.ts": docBlock("index.ts") }),
    });
    await npm(dir, "install");
    const { library, gitops } = exampleWorkspace();
    return { dir, library, gitops };
  }

  /** Every installed copy of @pulumi/pulumi in a project, as `version` per folder. */
  async function pulumiCopies(dir: string): Promise<string[]> {
    const found: string[] = [];
    const walk = (nm: string) => {
      if (!existsSync(nm)) return;
      for (const name of readdirSync(nm)) {
        if (name.startsWith(".")) continue;
        const pkgDir = path.join(nm, name);
        if (name.startsWith("@")) {
          for (const sub of readdirSync(pkgDir)) {
            const d = path.join(pkgDir, sub);
            if (`${name}/${sub}` === "@pulumi/pulumi") found.push(`${path.relative(dir, d)}@${(JSON.parse(readFileSync(path.join(d, "package.json"), "utf8")) as { version: string }).version}`);
            walk(path.join(d, "node_modules"));
          }
        } else walk(path.join(pkgDir, "node_modules"));
      }
    };
    walk(path.join(dir, "node_modules"));
    return found;
  }

  async function newestInRange(pkg: string, range: string): Promise<string> {
    const versions = JSON.parse((await exec("npm", ["view", `${pkg}@${range}`, "version", "--json"])).stdout) as string | string[];
    return Array.isArray(versions) ? versions[versions.length - 1]! : versions;
  }

  async function upWritesTheFolder(dir: string, library: string, gitops: string): Promise<CliStack> {
    const stack = await cliStack(dir);
    await stack.ok("config", "set", "library", library);
    await stack.ok("config", "set", "gitopsDir", gitops);
    await stack.ok("up", "--yes");
    expect(parse(readFileSync(path.join(gitops, "kustomization.yaml"), "utf8")).resources).toHaveLength(Object.keys(imageNames(library)).length);
    await cliAgrees(gitops, library);
    return stack;
  }

  test("in a TypeScript project at the newest @pulumi/pulumi in range: one SDK, pulumi up writes the folder, and a VM stack resolves through a StackReference", async () => {
    const newest = { pulumi: await newestInRange("@pulumi/pulumi", ">=3.259.0 <4.0.0"), kubernetes: await newestInRange("@pulumi/kubernetes", ">=4.25.0 <5.0.0") };
    const { dir, library, gitops } = await consumer(newest);
    expect(await pulumiCopies(dir)).toEqual([`node_modules/@pulumi/pulumi@${newest.pulumi}`]);
    const images = await upWritesTheFolder(dir, library, gitops);
    expect((await images.outputs()).photon).toBe(imageNames(library)["base-images/linux/photon-5.ovf"]);

    const vmsDir = path.join(dir, "vms");
    writeTree(vmsDir, { "Pulumi.yaml": docBlock("vms/Pulumi.yaml"), "index.ts": docBlock("vms/index.ts"), "tsconfig.json": docBlock("tsconfig.json") });
    const vms = await cliStack(vmsDir, { on: images });
    await vms.ok("config", "set", "imagesStack", `organization/infra-images/${images.stack}`);
    await vms.ok("up", "--yes");
    expect(await vms.outputs()).toEqual({ image: imageNames(library)["team-a/ubuntu-24.04-hardened.ovf"], kind: "VirtualMachineImage" });
    await vms.ok("config", "set", "image", "No Such Image");
    const unknown = await vms.pulumi("up", "--yes");
    expect(unknown.code).not.toBe(0);
    expect(unknown.stdout + unknown.stderr).toMatch(/no image named "No Such Image" in namespace "team-a" or the cluster/);
    await vms.ok("destroy", "--yes");
    await images.ok("destroy", "--yes");
    expect(Object.keys(snapshot(gitops))).toEqual(["README.md"]);
  });

  test("in a TypeScript project at the oldest @pulumi/pulumi in range", async () => {
    const { dir, library, gitops } = await consumer({ pulumi: "3.259.0", kubernetes: "4.25.0" });
    expect(await pulumiCopies(dir)).toEqual(["node_modules/@pulumi/pulumi@3.259.0"]);
    await (await upWritesTheFolder(dir, library, gitops)).ok("destroy", "--yes");
  });

  test("in a TypeScript project whose program puts the images into a cluster: the provider finds the Kubernetes client in the project's node_modules", async () => {
    const { dir, library } = await consumer({ pulumi: "3.259.0", kubernetes: "4.25.0" });
    const program = readFileSync(path.join(dir, "index.ts"), "utf8");
    // The README's program, with its optional cluster target on and its folder off.
    writeFileSync(path.join(dir, "index.ts"), program.replace(/^( *)\/\/ (kubernetes: )/m, "$1$2").replace(/^ *gitops: .*\n/m, ""));
    expect(readFileSync(path.join(dir, "index.ts"), "utf8")).toMatch(/^ *kubernetes: \{ kubeconfig: config\.requireSecret\("kubeconfig"\) \}/m);
    const cluster = await startCluster();
    try {
      await cluster.kubectl(["create", "namespace", "team-a"]);
      const stack = await cliStack(dir);
      await stack.ok("config", "set", "library", library);
      await stack.ok("config", "set", "--secret", "kubeconfig", readFileSync(cluster.adminKubeconfig, "utf8"));
      await stack.ok("up", "--yes");
      const held = JSON.parse(await cluster.kubectl(["get", "cvmi,vmi", "-A", "-o", "json"])) as { items: Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }> };
      expect(held.items.map((i) => i.metadata.name).sort()).toEqual(Object.values(imageNames(library)).sort());
      expect(held.items.every((i) => i.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))).toBe(true);
      await stack.ok("destroy", "--yes");
      expect(await cluster.kubectl(["get", "cvmi,vmi", "-A", "-o", "name"])).toBe("");

      // The installed `vmimages` command applies them too, with the client bundle the package ships.
      const config = path.join(dir, "vmimages.yaml");
      writeFileSync(config, readFileSync(path.join(PROJECT, "examples/vmimages.yaml"), "utf8").replace("directory: ./library", `directory: ${library}`));
      const applied = await exec(path.join(dir, "node_modules/.bin/vmimages"), ["apply", "-c", config, "--kubeconfig", cluster.adminKubeconfig], { cwd: dir });
      expect(applied.stderr).toContain(`${Object.keys(imageNames(library)).length} created, 0 changed`);
      const again = JSON.parse(await cluster.kubectl(["get", "cvmi,vmi", "-A", "-o", "json"])) as typeof held;
      expect(again.items.map((i) => i.metadata.name).sort()).toEqual(Object.values(imageNames(library)).sort());
      expect(again.items.every((i) => i.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))).toBe(true);
    } finally {
      await cluster.stop();
    }
  });

  test("in a plain JavaScript project", async () => {
    const { dir, library, gitops } = await consumer({ pulumi: "^3.259.0", kubernetes: "^4.25.0" }, true);
    expect(readFileSync(path.join(dir, "index.js"), "utf8")).toContain('require("pulumi-vmimages")');
    await (await upWritesTheFolder(dir, library, gitops)).ok("destroy", "--yes");
  });
});
