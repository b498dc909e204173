import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { runPipeline } from "../provider/pipeline/run";
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

/** The median preview of a Python program that declares no resource, after one `up`. */
async function emptyPythonPreviewMs(runs: number): Promise<number> {
  const backend = localBackend();
  const dir = path.join(backend.dir, "empty-python");
  writeTree(dir, { "Pulumi.yaml": "name: empty-python\nruntime: python\n", "__main__.py": "import pulumi\n" });
  const stack = await LocalWorkspace.createOrSelectStack({ workDir: dir, stackName: "b" }, { envVars: backend.envVars });
  await stack.up();
  const previews: number[] = [];
  for (let r = 0; r < runs; r++) previews.push((await timed(() => stack.preview())).ms);
  return median(previews);
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
  const { manifests } = await runPipeline({
      source: { kind: "directory", directory: lib },
      libraries: [
        { name: "lib-0", scope: { kind: "cluster" } },
        { name: "lib-1", scope: { kind: "namespace", namespace: "team-a" } },
      ],
    });

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
  };
}
