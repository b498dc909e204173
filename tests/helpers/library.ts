import { mkdtempSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pack } from "tar-stream";
import { projectRoot } from "./root";

export const PROJECT = projectRoot();
export const EXAMPLE_LIBRARY = path.join(PROJECT, "examples/library");

export function tempDir(prefix = "vmimages-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes files (path → content) below `root`, creating folders. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
}

/** A copy of the bundled example library and its config in a fresh folder. */
export function copyExample(): { dir: string; config: string; library: string; out: string } {
  const dir = tempDir();
  cpSync(EXAMPLE_LIBRARY, path.join(dir, "library"), { recursive: true });
  writeFileSync(
    path.join(dir, "vmimages.yaml"),
    "source:\n  directory: ./library\nlibraries:\n  - name: base-images\n    scope: cluster\n  - name: team-a\n    namespace: team-a\n",
  );
  return { dir, config: path.join(dir, "vmimages.yaml"), library: path.join(dir, "library"), out: path.join(dir, "out") };
}

/** Every file below `dir` with its bytes and modification time, to prove nothing was touched. */
export function snapshot(dir: string): Record<string, { content: string; mtimeMs: number }> {
  const out: Record<string, { content: string; mtimeMs: number }> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = { content: readFileSync(full, "utf8"), mtimeMs: statSync(full).mtimeMs };
    }
  };
  try {
    walk(dir);
  } catch {
    return {};
  }
  return out;
}

/** An OVA (ustar) holding the given entries in order. */
export async function makeOva(entries: Array<[string, string | Buffer]>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => p.on("end", () => resolve()));
  for (const [name, content] of entries) p.entry({ name }, content);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}
