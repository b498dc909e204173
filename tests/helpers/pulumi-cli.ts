import { execFile } from "node:child_process";
import { cpSync, existsSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { vmimages } from "./cli";
import { EXAMPLE_LIBRARY, tempDir, writeTree } from "./library";
import { localBackend, requireTool } from "./pulumi";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A stack of a real Pulumi project folder, run with the `pulumi` CLI on a file backend of its own. */
export interface CliStack {
  readonly project: string;
  readonly stack: string;
  /** The backend's folder (state, Pulumi home). */
  readonly backendDir: string;
  readonly env: Record<string, string>;
  /** Runs `pulumi ARGS` in the project folder on this stack; never throws for a non-zero exit. */
  pulumi(...args: string[]): Promise<CliRun>;
  /** Like `pulumi`, but fails the test with the output unless the command exits 0. */
  ok(...args: string[]): Promise<CliRun>;
  /** `pulumi preview --json`, parsed. */
  previewJson(): Promise<PreviewJson>;
  /** The stack's outputs (`pulumi stack output --json`). */
  outputs(): Promise<Record<string, unknown>>;
}

export interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly detailedDiff?: Record<string, unknown>;
}

export interface PreviewJson {
  readonly steps: readonly PreviewStep[];
  readonly changeSummary: Record<string, number>;
}

let counter = 0;

/**
 * Creates a stack of the project in `project` on a fresh file backend (or `on`, another stack's, so
 * a StackReference can read it). The stack's config file, which `pulumi stack init` writes into the
 * project folder, is moved to the backend's folder and named with `--config-file` from then on, so a
 * repository folder is left as it was.
 */
export async function cliStack(project: string, options: { on?: CliStack; stack?: string; env?: Record<string, string> } = {}): Promise<CliStack> {
  const bin = requireTool("pulumi");
  requireTool("pulumi-language-nodejs");
  const backend = options.on ? { dir: options.on.backendDir, envVars: options.on.env } : localBackend();
  const stack = options.stack ?? `t${process.pid}x${++counter}`;
  const configFile = path.join(backend.dir, `Pulumi.${path.basename(project)}.${stack}.yaml`);
  const env = { ...process.env, ...backend.envVars, ...(options.env ?? {}) } as Record<string, string>;
  // The commands that read the stack's configuration take its file; `stack init` takes no stack.
  const withConfig = new Set(["up", "preview", "refresh", "destroy", "config"]);
  const run = (args: string[], init = false) =>
    new Promise<CliRun>((resolve) => {
      execFile(
        bin,
        [...args, "--non-interactive", ...(init ? [] : ["--stack", stack]), ...(withConfig.has(args[0]!) ? ["--config-file", configFile] : [])],
        { cwd: project, env, maxBuffer: 256 * 1024 * 1024, timeout: 600_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const created = await run(["stack", "init", stack], true);
  if (created.code !== 0) throw new Error(`pulumi stack init ${stack} in ${project} failed:\n${created.stdout}${created.stderr}`);
  const written = path.join(project, `Pulumi.${stack}.yaml`);
  if (existsSync(written)) renameSync(written, configFile);
  const self: CliStack = {
    project,
    stack,
    backendDir: backend.dir,
    env,
    pulumi: (...args) => run(args),
    ok: async (...args) => {
      const result = await self.pulumi(...args);
      if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
      return result;
    },
    previewJson: async () => JSON.parse((await self.ok("preview", "--json")).stdout) as PreviewJson,
    outputs: async () => JSON.parse((await self.ok("stack", "output", "--json", "--show-secrets")).stdout) as Record<string, unknown>,
  };
  return self;
}

/** The steps of a preview that change something, as `op name` (the resource's name, the last part of its URN). */
export function changes(preview: PreviewJson): string[] {
  return preview.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").pop()}`).sort();
}

/**
 * The steps of a preview on the image resources of one type (`Image`, the GitOps files;
 * `ClusterImage`, a cluster's), as `op vmi-…`: the dynamic resources of a TypeScript program, or the
 * provider plugin's resources of the same name.
 */
export function imageChanges(preview: PreviewJson, type: "Image" | "ClusterImage" = "Image"): string[] {
  return changes({ ...preview, steps: preview.steps.filter((s) => s.urn.includes(`pulumi-nodejs:dynamic/vmimages:${type}::`) || s.urn.includes(`vmimages:index:${type}::`)) });
}


/** A copy of the example library, and a GitOps folder holding a file a person wrote. */
export function exampleWorkspace(): { library: string; gitops: string } {
  const dir = tempDir("vmimages-cli-");
  const library = path.join(dir, "library");
  cpSync(EXAMPLE_LIBRARY, library, { recursive: true });
  const gitops = path.join(dir, "gitops");
  writeTree(gitops, { "README.md": "written by a person\n" });
  return { library, gitops };
}

/** `vmimages generate` on a copy of what Pulumi wrote finds nothing to change: the same files, byte for byte. */
export async function cliAgrees(gitops: string, library: string): Promise<void> {
  const copy = tempDir("vmimages-cmp-");
  cpSync(gitops, copy, { recursive: true });
  const config = path.join(tempDir("vmimages-cfg-"), "vmimages.yaml");
  writeFileSync(config, `source:\n  directory: ${library}\nlibraries:\n  - name: base-images\n    scope: cluster\n  - name: team-a\n    namespace: team-a\n`);
  const generated = await vmimages("generate", "-c", config, "-o", copy);
  expect(generated.code).toBe(0);
  expect(generated.err).toMatch(/ 0 file\(s\) written, 0 removed/);
}
