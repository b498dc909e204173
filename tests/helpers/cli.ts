import { spawn } from "node:child_process";
import * as path from "node:path";
import { main } from "../../provider/cli/main";
import { PROJECT } from "./library";

/** What a `vmimages` run printed and how it ended. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** `vmimages ARGS…` in this process (the CLI's `main`, with stdout and stderr captured, no terminal). */
export async function vmimages(...args: string[]): Promise<CliRun> {
  let out = "";
  let err = "";
  const code = await main(["node", "vmimages", ...args], { out: (t) => (out += t), err: (t) => (err += t), tty: false });
  return { code, out, err };
}

/** A run of the executable, which may also end by a signal. */
export interface ProcessRun extends Omit<CliRun, "code"> {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** `vmimages ARGS…` as a user runs it: bin/vmimages.js (the bundled build) in a process of its own, with `env` added. */
export function vmimagesProcess(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PROJECT, "bin/vmimages.js"), ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, out, err }));
  });
}
