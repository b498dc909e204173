import { execFile } from "node:child_process";
import { cpSync, readFileSync, readdirSync, statSync, symlinkSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { docBlock } from "../helpers/docs";
import { Cluster, startCluster } from "../helpers/kube";
import { EXAMPLE_LIBRARY, PROJECT, tempDir, writeTree } from "../helpers/library";
import { imageNames } from "../helpers/names";
import { CliStack, PreviewJson, cliStack } from "../helpers/pulumi-cli";

jest.setTimeout(1_200_000);

const exec = promisify(execFile);

/**
 * The last release whose image resources were dynamic resources with their whole provider in
 * state (provider/targets/pulumi/file-provider.ts and cluster-provider.ts): a stack it made must
 * move to this release in place.
 */
const PREVIOUS_RELEASE = "97f2a72";

const npm = (cwd: string, ...args: string[]) => exec("npm", [...args, "--no-audit", "--no-fund"], { cwd, maxBuffer: 64 * 1024 * 1024 });

/** The package at a commit, packed from the repository's history as `npm pack` builds it. */
async function packAt(commit: string): Promise<string> {
  const dir = path.join(tempDir("vmimages-release-"), "repo");
  await exec("git", ["clone", "--quiet", PROJECT, dir]);
  await exec("git", ["-C", dir, "checkout", "--quiet", commit]);
  // The releases share the dependencies; `npm pack` builds each one's dist/ (prepack).
  symlinkSync(path.join(PROJECT, "node_modules"), path.join(dir, "node_modules"));
  const out = tempDir("vmimages-pack-");
  const packed = JSON.parse((await npm(dir, "pack", "--json", "--pack-destination", out)).stdout) as Array<{ filename: string }>;
  return path.join(out, packed[0]!.filename);
}

interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

function stateResources(stack: CliStack, project: string): StateResource[] {
  const file = path.join(stack.backendDir, "state", ".pulumi", "stacks", project, `${stack.stack}.json`);
  return (JSON.parse(readFileSync(file, "utf8")) as { checkpoint: { latest: { resources: StateResource[] } } }).checkpoint.latest.resources;
}

/** Every file of a folder with what tells a rewrite: its inode and modification time. */
function stamps(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((rel) => statSync(path.join(dir, rel)).isFile())
      .sort()
      .map((rel) => {
        const s = statSync(path.join(dir, rel));
        return [rel, `${s.ino}:${s.mtimeMs}`];
      }),
  );
}

describe("a stack made by the previous release", () => {
  let cluster: Cluster;
  afterAll(() => cluster?.stop());

  test("moves to this release in place: updates only, no file rewritten, no cluster image recreated, and no provider code or rendered file left in state", async () => {
    cluster = await startCluster();
    await cluster.kubectl(["create", "namespace", "team-a"]);
    const [previous, current] = await Promise.all([packAt(PREVIOUS_RELEASE), packAt("HEAD")]);

    // The README's program, with both targets, in the project docs/pulumi.md describes.
    const dir = path.join(tempDir("vmimages-migrate-"), "infra");
    const versions = (JSON.parse(readFileSync(path.join(PROJECT, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies;
    const pkg = JSON.parse(docBlock("package.json")) as { dependencies: Record<string, string> };
    pkg.dependencies = { ...pkg.dependencies, "@pulumi/pulumi": versions["@pulumi/pulumi"]!, "@pulumi/kubernetes": versions["@pulumi/kubernetes"]!, "pulumi-vmimages": `file:${previous}` };
    const program = docBlock("index.ts").replace("// kubernetes: ", "kubernetes: ");
    expect(program).toContain('kubernetes: { kubeconfig: config.requireSecret("kubeconfig") }');
    writeTree(dir, { "package.json": JSON.stringify(pkg, null, 2), "Pulumi.yaml": docBlock("Pulumi.yaml"), "tsconfig.json": docBlock("tsconfig.json"), "index.ts": program });
    await npm(dir, "install");

    const library = path.join(tempDir("vmimages-lib-"), "library");
    cpSync(EXAMPLE_LIBRARY, library, { recursive: true });
    const gitops = path.join(tempDir("vmimages-gitops-"), "gitops");
    writeTree(gitops, { "README.md": "written by a person\n" });
    const count = Object.keys(imageNames(library)).length;
    const stack = await cliStack(dir);
    await stack.ok("config", "set", "library", library);
    await stack.ok("config", "set", "gitopsDir", gitops);
    await stack.ok("config", "set", "--secret", "kubeconfig", readFileSync(cluster.adminKubeconfig, "utf8"));
    await stack.ok("up", "--yes");

    const images = async () =>
      [
        ...(JSON.parse(await cluster.kubectl(["get", "cvmi", "-o", "json"])) as { items: Array<{ metadata: { name: string; uid: string } }> }).items,
        ...(JSON.parse(await cluster.kubectl(["get", "vmi", "-n", "team-a", "-o", "json"])) as { items: Array<{ metadata: { name: string; uid: string } }> }).items,
      ]
        .map((i) => `${i.metadata.name}:${i.metadata.uid}`)
        .sort();
    const imageResources = (resources: StateResource[]) => resources.filter((r) => /^pulumi-nodejs:dynamic\/vmimages:(Cluster)?Image$/.test(r.type));
    const before = { files: stamps(gitops), images: await images() };
    expect(before.images).toHaveLength(count);
    const old = imageResources(stateResources(stack, "infra-images"));
    expect(old).toHaveLength(2 * count);
    // The previous release kept its whole provider in state: the writers themselves.
    const oldSize = new Map(old.map((r) => [r.urn, String(r.inputs?.__provider).length]));
    for (const size of oldSize.values()) expect(size).toBeGreaterThan(4000);

    await npm(dir, "install", `pulumi-vmimages@file:${current}`);
    const preview = JSON.parse((await stack.ok("preview", "--json")).stdout) as PreviewJson;
    const ops = preview.steps.filter((s) => /vmimages:(Cluster)?Image::/.test(s.urn)).map((s) => s.op);
    expect(ops).toHaveLength(2 * count);
    expect(new Set(ops)).toEqual(new Set(["update"]));
    expect(preview.steps.filter((s) => !["same", "update"].includes(s.op)).map((s) => `${s.op} ${s.urn}`)).toEqual([]);

    await stack.ok("up", "--yes");
    expect(stamps(gitops)).toEqual(before.files);
    expect(await images()).toEqual(before.images);
    const moved = imageResources(stateResources(stack, "infra-images"));
    expect(moved).toHaveLength(2 * count);
    for (const r of moved) {
      const file = r.type.endsWith(":ClusterImage") ? "cluster-image.js" : "image.js";
      for (const props of [r.inputs, r.outputs]) {
        // The provider is a require of the installed package's module in the engine's wrapper: no code of ours.
        const kept = String(props?.__provider);
        const loaded = `require("pulumi-vmimages/dist/provider/targets/pulumi/dynamic/${file}")`;
        expect(kept).toContain(loaded);
        expect(kept.match(/require\(/g)).toHaveLength(1);
        expect(kept.replace(loaded, "")).not.toMatch(/\b(vmimages|operations|fs|path)\b/);
        expect(kept.length).toBeLessThan(oldSize.get(r.urn)! / 10);
      }
      // The GitOps file is rendered from the inputs when it is written: no copy of it in state.
      expect(JSON.stringify(r.inputs)).not.toContain("Generated by vmimages");
    }
    expect((await stack.pulumi("preview", "--expect-no-changes")).code).toBe(0);

    await stack.ok("destroy", "--yes");
    expect(Object.keys(stamps(gitops))).toEqual(["README.md"]);
    expect(await images()).toEqual([]);
  });
});
