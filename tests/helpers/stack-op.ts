/**
 * Runs one Automation API operation on an inline program in its own Node process, for operations
 * that are expected to fail: a failing inline program leaves Pulumi's stack promises rejected in
 * the process that ran it, as a `pulumi` CLI run would simply exit. Prints the outcome as JSON.
 *
 * Usage: node dist/tests/helpers/stack-op.js '<json Spec>'
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

export interface StackOpSpec {
  /** Absolute path of the compiled program module (its default export is the program). */
  readonly program: string;
  readonly projectName: string;
  readonly stackName: string;
  readonly workDir: string;
  readonly envVars: Record<string, string>;
  readonly config: Record<string, string>;
  readonly op: "preview" | "up";
}

export interface StackOpResult {
  readonly ok: boolean;
  readonly message: string;
}

/** The compiled form (dist/) of a project file, which `npm test` builds before Jest runs. */
export function compiled(projectFile: string): string {
  const root = path.resolve(__dirname, "../..");
  const rel = path.relative(root, projectFile).replace(/\.ts$/, ".js");
  const out = path.join(root, "dist", rel);
  if (!existsSync(out)) throw new Error(`${out} is missing: run the tests with \`npm test\`, which builds dist/ first`);
  return out;
}

export async function runStackOp(spec: StackOpSpec): Promise<StackOpResult> {
  const script = compiled(path.resolve(__dirname, "stack-op.ts"));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [script, JSON.stringify(spec)], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout) as StackOpResult;
  } catch (err) {
    const e = err as { stdout?: string; message: string };
    return e.stdout ? (JSON.parse(e.stdout) as StackOpResult) : { ok: false, message: e.message };
  }
}

async function cli(): Promise<void> {
  const spec = JSON.parse(process.argv[2]!) as StackOpSpec;
  const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(spec.program) as unknown;
  const program = (typeof mod === "function" ? mod : (mod as { default: unknown }).default) as () => Promise<Record<string, unknown>>;
  const stack = await LocalWorkspace.createOrSelectStack({ projectName: spec.projectName, stackName: spec.stackName, program }, { workDir: spec.workDir, envVars: spec.envVars });
  await stack.setAllConfig(Object.fromEntries(Object.entries(spec.config).map(([k, v]) => [k, { value: v }])));
  try {
    const result = spec.op === "up" ? await stack.up() : await stack.preview();
    process.stdout.write(JSON.stringify({ ok: true, message: JSON.stringify("summary" in result ? result.summary : result.changeSummary) }));
    process.exit(0);
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, message: (err as Error).message }));
    process.exit(1);
  }
}

if (require.main === module) void cli();
