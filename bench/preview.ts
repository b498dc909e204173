import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import type { ImageManifest } from "../provider/image/manifest";
import { Generated, runPipeline } from "../provider/pipeline/run";
import { imageResourceInputs, imagesOfRun } from "../provider/targets/pulumi";
import { tempDir, writeTree } from "../tests/helpers/library";
import { localBackend } from "../tests/helpers/pulumi";
import { median, timed } from "./stats";
import { syntheticOvf } from "./synthetic";

export interface PreviewResult {
  readonly n: number;
  readonly oursUpMs: number;
  readonly peerUpMs: number;
  readonly oursPreviewMs: number;
  readonly peerPreviewMs: number;
  /** `up` from empty with PULUMI_SKIP_CHECKPOINTS=true: the engine writes the state once, at the end. */
  readonly oursUpOneCheckpointMs: number;
  readonly peerUpOneCheckpointMs: number;
  /** Bytes of state per image after `up`. */
  readonly oursStateBytes: number;
  readonly peerStateBytes: number;
  /** The same component from a Python program, through the provider plugin (absent in results measured before it was). */
  readonly python?: { readonly upMs: number; readonly previewMs: number; readonly upOneCheckpointMs: number; readonly stateBytes: number };
  /**
   * What each side pays before its first resource (absent in results measured before it was):
   * the time from starting each provider until it serves (the engine waits for that), and the
   * preview of a Python program that declares nothing (the language host and interpreter alone).
   */
  readonly fixed?: { readonly dynamicProviderStartMs: number; readonly pluginStartMs: number; readonly kubernetesProviderStartMs: number; readonly pythonEmptyPreviewMs: number };
  /**
   * The same previews with no code of ours (absent in results measured before they were): the
   * TypeScript image resources' own inputs on dynamic resources whose provider does nothing, under
   * a component as ours are; and the peer's manifests declared from a Python program through
   * Pulumi's own Kubernetes provider. One `up`, then the median of the runs' previews.
   */
  readonly floors?: { readonly typescriptNoOpProviderPreviewMs: number; readonly pythonPeerPreviewMs: number };
}

/** The time from starting a provider until it prints the port it serves on, which the engine reads before its first call. */
async function providerStartMs(command: string, cwd: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  // A group of its own: the dynamic provider host is a shell script whose node process would outlive it.
  const child = spawn(command, ["127.0.0.1:1"], { cwd, stdio: ["ignore", "pipe", "ignore"], detached: true });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.once("data", () => resolve());
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`${command} exited (${code}) before it served`)));
    });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    process.kill(-child.pid!, "SIGKILL");
    await exited;
  }
}

/** For a stack whose `up` only prepares its previews: the state written once, at the end. */
const ONE_CHECKPOINT = { PULUMI_SKIP_CHECKPOINTS: "true" };

/** One `up` of a stack, then the median of `runs` previews with nothing to do. */
async function previewAfterUpMs(name: string, stack: Stack, runs: number): Promise<number> {
  await stack.up();
  const previews: number[] = [];
  for (let r = 0; r < runs; r++) {
    const p = await timed(() => stack.preview());
    if (Object.keys(p.value.changeSummary).some((k) => k !== "same")) throw new Error(`${name}: preview after up was not empty: ${JSON.stringify(p.value.changeSummary)}`);
    previews.push(p.ms);
  }
  return median(previews);
}

/** The median preview of a Python program that declares no resource, after one `up`. */
async function emptyPythonPreviewMs(runs: number): Promise<number> {
  const backend = localBackend();
  const dir = path.join(backend.dir, "empty-python");
  writeTree(dir, { "Pulumi.yaml": "name: empty-python\nruntime: python\n", "__main__.py": "import pulumi\n" });
  const stack = await LocalWorkspace.createOrSelectStack({ workDir: dir, stackName: "b" }, { envVars: backend.envVars });
  return previewAfterUpMs("empty Python program", stack, runs);
}

/** A provider that does nothing: what is left of a dynamic resource's cost without any code of ours. */
const NO_OP_PROVIDER: pulumi.dynamic.ResourceProvider = { create: async () => ({ id: "no-op" }) };
class NoOpResource extends pulumi.dynamic.Resource {}

/**
 * The median preview of ours with no code of ours: the image resources' own inputs (made for a
 * GitOps folder by the functions registerImages uses) on dynamic resources of the same type whose
 * provider does nothing, under a component of the same type.
 */
async function noOpProviderPreviewMs(generated: Generated, runs: number): Promise<number> {
  const backend = localBackend();
  const out = path.join(backend.dir, "out");
  const program = async () => {
    const parent = new pulumi.ComponentResource("vmimages:index:ContentLibraryImages", "bench", {});
    for (const { manifest, image } of imagesOfRun(generated)) {
      new NoOpResource(NO_OP_PROVIDER, manifest.metadata.name, { ...imageResourceInputs(manifest, image, out) }, { parent }, "vmimages", "Image");
    }
    return {};
  };
  const workDir = path.join(backend.dir, "ws");
  mkdirSync(workDir);
  const stack = await LocalWorkspace.createOrSelectStack({ projectName: "bench-no-op", stackName: "b", program }, { workDir, envVars: { ...backend.envVars, ...ONE_CHECKPOINT } });
  return previewAfterUpMs("no-op dynamic resources", stack, runs);
}

/**
 * A virtual environment for the Python peer (made once, under .tools/): PyPI's Pulumi SDK of the
 * CLI's version and pulumi_kubernetes of the Kubernetes provider's (the version of
 * @pulumi/kubernetes, which the provider built by scripts/tools.sh matches).
 */
function pythonPeerVenv(): string {
  const venv = path.join(PROJECT, ".tools", "bench-python");
  const want = [
    `pulumi==${execFileSync("pulumi", ["version"], { encoding: "utf8" }).trim().replace(/^v/, "")}`,
    `pulumi-kubernetes==${(JSON.parse(readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8")) as { version: string }).version}`,
  ];
  const python = path.join(venv, "bin", "python3");
  let installed: string[] = [];
  try {
    installed = execFileSync(python, ["-m", "pip", "freeze"], { encoding: "utf8" }).split("\n");
  } catch {
    // No environment yet: made below.
  }
  if (!want.every((w) => installed.includes(w))) {
    rmSync(venv, { recursive: true, force: true });
    execFileSync("python3", ["-m", "venv", venv], { stdio: ["ignore", "ignore", "inherit"] });
    execFileSync(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...want], { stdio: ["ignore", "ignore", "inherit"] });
  }
  return venv;
}

/**
 * The median preview of the peer's manifests declared from a Python program, through Pulumi's own
 * Kubernetes provider rendering to a folder: what a Python program pays for the peer's job.
 */
async function pythonPeerPreviewMs(manifests: readonly ImageManifest[], runs: number): Promise<number> {
  const backend = localBackend();
  const dir = path.join(backend.dir, "bench-python-peer");
  writeTree(dir, {
    "Pulumi.yaml": `name: bench-python-peer\nruntime:\n  name: python\n  options:\n    virtualenv: ${JSON.stringify(pythonPeerVenv())}\n`,
    "manifests.json": JSON.stringify(manifests),
    "__main__.py": [
      "import json",
      "import pulumi",
      "import pulumi_kubernetes as k8s",
      "",
      'provider = k8s.Provider("render", render_yaml_to_directory=pulumi.Config().require("out"))',
      'for m in json.load(open("manifests.json")):',
      "    # apiextensions.CustomResource's own registration, which in Python takes no status: the same type, provider and properties as the peer's.",
      '    pulumi.CustomResource(f"kubernetes:{m[\'apiVersion\']}:{m[\'kind\']}", f"{m[\'metadata\'].get(\'namespace\', \'cluster\')}-{m[\'metadata\'][\'name\']}", m, pulumi.ResourceOptions(provider=provider))',
      "",
    ].join("\n"),
  });
  const stack = await LocalWorkspace.createOrSelectStack({ workDir: dir, stackName: "b" }, { envVars: { ...backend.envVars, ...ONE_CHECKPOINT } });
  await stack.setConfig("out", { value: path.join(backend.dir, "out") });
  return previewAfterUpMs("Python peer", stack, runs);
}

const PROJECT = path.resolve(__dirname, "..", "..");

/**
 * A Python project of the component (GitOps target, libraries and folders from its config) with
 * the SDK `pulumi package add` generates from the provider plugin, which is found on PATH as a
 * user's global install puts it there.
 */
function pythonProject(env: Record<string, string>): string {
  const dir = path.join(tempDir("vmimages-benchpy-"), "bench-python");
  writeTree(dir, {
    "Pulumi.yaml": "name: bench-python\nruntime: python\n",
    "requirements.txt": "pulumi>=3.259.0,<4.0.0\n",
    "__main__.py": [
      "import pulumi",
      "import pulumi_vmimages as vmimages",
      "",
      "config = pulumi.Config()",
      'vmimages.ContentLibraryImages("bench",',
      '    source=vmimages.SourceArgs(directory=config.require("library")),',
      '    libraries=[vmimages.LibraryArgs(name="lib-0", scope="cluster"), vmimages.LibraryArgs(name="lib-1", namespace="team-a")],',
      '    gitops=vmimages.GitopsTargetArgs(directory=config.require("out")))',
      "",
    ].join("\n"),
  });
  execFileSync("pulumi", ["package", "add", path.join(PROJECT, "bin", "pulumi-resource-vmimages")], { cwd: dir, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  return dir;
}

/**
 * The package as `npm install pulumi-vmimages` puts it in a project: a copy of its published files
 * in `node_modules/pulumi-vmimages` below a folder of this checkout (so that its dependencies are
 * the checkout's). Installed there, its image resources keep in state a `require` of the package's
 * dynamic provider module, as a user's do; loaded from the checkout, they would keep a stub. The
 * TypeScript stacks run in folders next to it, where the engine starts the dynamic provider.
 */
function installedPackage(): { sdk: typeof import("../sdk"); workDir(): string; remove(): void } {
  const root = path.join(PROJECT, ".bench");
  const installed = path.join(root, "node_modules", "pulumi-vmimages");
  rmSync(root, { recursive: true, force: true });
  const manifest = JSON.parse(readFileSync(path.join(PROJECT, "package.json"), "utf8")) as { files: string[] };
  for (const f of ["package.json", ...manifest.files]) cpSync(path.join(PROJECT, f), path.join(installed, f), { recursive: true });
  return {
    sdk: require(path.join(installed, "dist", "sdk")) as typeof import("../sdk"),
    workDir: () => mkdtempSync(path.join(root, "ws-")),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** An offline library folder with `n` items in two libraries. */
function library(n: number): string {
  const dir = tempDir("vmimages-benchlib-");
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) files[`lib-${i % 2}/item-${i}.ovf`] = syntheticOvf(i);
  writeTree(dir, files);
  return dir;
}

/**
 * `up` from empty and `preview` with nothing to do, for `n` images through ContentLibraryImages
 * (GitOps target) as installed from npm, against the peer: `n` plain @pulumi/kubernetes CustomResources of the same
 * manifests rendered with renderYamlToDirectory. Medians of `runs` fresh stacks. Once more `up`
 * with PULUMI_SKIP_CHECKPOINTS, which separates the program's and providers' own cost from the
 * file backend's, which rewrites the whole state after every step (quadratic in N for everyone).
 * The same component from Python, through the provider plugin, is measured the same way.
 */
export async function benchPreview(n: number, runs: number, log: (m: string) => void): Promise<PreviewResult> {
  const lib = library(n);
  const libraries = [
    { name: "lib-0", scope: "cluster" as const },
    { name: "lib-1", namespace: "team-a" },
  ];
  const generated = await runPipeline({
      source: { kind: "directory", directory: lib },
      libraries: [
        { name: "lib-0", scope: { kind: "cluster" } },
        { name: "lib-1", scope: { kind: "namespace", namespace: "team-a" } },
      ],
    });
  const { manifests } = generated;

  /** A stack of an inline TypeScript program, or of the Python project. */
  type Program = ((out: string) => () => Promise<Record<string, unknown>>) | { readonly python: string };
  const pluginPath = { PATH: `${path.join(PROJECT, "bin")}${path.delimiter}${process.env.PATH ?? ""}` };
  const cwd = process.cwd();
  const measure = async (name: string, program: Program) => {
    const ups: number[] = [];
    const previews: number[] = [];
    const fresh = async (env: Record<string, string> = {}) => {
      const backend = localBackend();
      const out = path.join(backend.dir, "out");
      let stack: Stack;
      if (typeof program === "function") {
        const workDir = name === "ours" ? installed.workDir() : path.join(backend.dir, "ws");
        mkdirSync(workDir, { recursive: true });
        // An inline program's engine starts the dynamic provider in the folder this process is
        // in: the installed package is found from there, as from a user's project folder.
        if (name === "ours") process.chdir(workDir);
        stack = await LocalWorkspace.createOrSelectStack({ projectName: `bench-${name}`, stackName: "b", program: program(out) }, { workDir, envVars: { ...backend.envVars, ...env } });
      } else {
        stack = await LocalWorkspace.createOrSelectStack({ workDir: program.python, stackName: "b" }, { envVars: { ...backend.envVars, ...pluginPath, ...env } });
        await stack.setAllConfig({ library: { value: lib }, out: { value: out } });
      }
      const project = typeof program === "function" ? `bench-${name}` : path.basename(program.python);
      return { stack, state: path.join(backend.dir, "state", ".pulumi", "stacks", project, "b.json") };
    };
    let stateBytes = 0;
    for (let r = 0; r < runs; r++) {
      const { stack, state } = await fresh();
      log(`preview N=${n}: ${name} run ${r + 1}: up`);
      ups.push((await timed(() => stack.up())).ms);
      stateBytes = statSync(state).size;
      log(`preview N=${n}: ${name} run ${r + 1}: preview`);
      const p = await timed(() => stack.preview());
      if (Object.keys(p.value.changeSummary).some((k) => k !== "same")) throw new Error(`${name}: preview after up was not empty: ${JSON.stringify(p.value.changeSummary)}`);
      previews.push(p.ms);
    }
    const upsOneCheckpoint: number[] = [];
    for (let r = 0; r < runs; r++) {
      const { stack } = await fresh({ PULUMI_SKIP_CHECKPOINTS: "true" });
      log(`preview N=${n}: ${name} run ${r + 1}: up, one checkpoint`);
      upsOneCheckpoint.push((await timed(() => stack.up())).ms);
    }
    process.chdir(cwd);
    return { up: median(ups), preview: median(previews), upOneCheckpoint: median(upsOneCheckpoint), stateBytesPerImage: stateBytes / n };
  };

  const installed = installedPackage();
  const ours = await measure("ours", (out) => async () => {
    const images = new installed.sdk.ContentLibraryImages("bench", { source: { directory: lib }, libraries, gitops: { directory: out } });
    await images.ready;
    return {};
  });
  const peer = await measure("peer", (out) => async () => {
    const provider = new k8s.Provider("render", { renderYamlToDirectory: out });
    for (const m of manifests) {
      new k8s.apiextensions.CustomResource(`${m.metadata.namespace ?? "cluster"}-${m.metadata.name}`, { ...m } as unknown as k8s.apiextensions.CustomResourceArgs, { provider });
    }
    return {};
  });
  installed.remove();
  const python = await measure("python", { python: pythonProject({ ...localBackend().envVars, ...pluginPath }) });
  log(`preview N=${n}: what each side pays before its first resource`);
  const starts = { dynamic: [] as number[], plugin: [] as number[], kubernetes: [] as number[] };
  for (let r = 0; r < runs; r++) {
    // The engine starts the dynamic provider host in the project's folder, where it finds @pulumi/pulumi.
    starts.dynamic.push(await providerStartMs("pulumi-resource-pulumi-nodejs", PROJECT));
    starts.plugin.push(await providerStartMs(path.join(PROJECT, "bin", "pulumi-resource-vmimages"), PROJECT));
    starts.kubernetes.push(await providerStartMs("pulumi-resource-kubernetes", PROJECT));
  }
  const fixed = {
    dynamicProviderStartMs: median(starts.dynamic),
    pluginStartMs: median(starts.plugin),
    kubernetesProviderStartMs: median(starts.kubernetes),
    pythonEmptyPreviewMs: await emptyPythonPreviewMs(runs),
  };
  log(`preview N=${n}: the same previews with no code of ours`);
  const floors = { typescriptNoOpProviderPreviewMs: await noOpProviderPreviewMs(generated, runs), pythonPeerPreviewMs: await pythonPeerPreviewMs(manifests, runs) };
  return {
    n,
    python: { upMs: python.up, previewMs: python.preview, upOneCheckpointMs: python.upOneCheckpoint, stateBytes: python.stateBytesPerImage },
    oursUpMs: ours.up,
    peerUpMs: peer.up,
    oursPreviewMs: ours.preview,
    peerPreviewMs: peer.preview,
    oursUpOneCheckpointMs: ours.upOneCheckpoint,
    peerUpOneCheckpointMs: peer.upOneCheckpoint,
    oursStateBytes: ours.stateBytesPerImage,
    peerStateBytes: peer.stateBytesPerImage,
    fixed,
    floors,
  };
}
