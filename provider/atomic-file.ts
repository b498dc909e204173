import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Writes `file`, whose folder exists, through a temporary file beside it and a rename, so a reader sees the old content
 * or the new, never half of it; a failed write leaves no temporary file behind. Synchronous: awaiting
 * each call of thousands of small files one after another leaves the process idle (see targets/gitops/write.ts).
 * (The Pulumi file provider keeps its own copy: its code is serialized into state and imports nothing.)
 */
export function writeFileAtomically(file: string, content: string): void {
  const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** A file's text, or undefined when it cannot be read (not there, say): for callers to whom both mean "none". */
export function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
