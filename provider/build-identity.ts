import { readdirSync, statSync } from "node:fs";
import * as path from "node:path";

/**
 * Which build of vmimages is running: the path, size and modification time of every module of
 * the engine. Anything one build records for a later run to trust (a folder's stamp) is then never
 * trusted by another build: an upgrade or a rebuild rewrites the modules.
 *
 * `code` is this module's own file. Compiled by tsc it lies in the engine's folder, and every
 * module there counts; bundled (dist/vmimages.cjs, which `vmimages` runs) the whole engine is that
 * one file.
 */
export function buildIdentity(code: string = __filename): string {
  if (!/^build-identity\.[jt]s$/.test(path.basename(code))) {
    const { size, mtimeMs } = statSync(code);
    return `${path.basename(code)} ${size} ${mtimeMs}`;
  }
  const dir = path.dirname(code);
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(js|ts)$/.test(f))
    .sort();
  return files
    .map((f) => {
      const { size, mtimeMs } = statSync(path.join(dir, f));
      return `${f} ${size} ${mtimeMs}`;
    })
    .join("\n");
}
