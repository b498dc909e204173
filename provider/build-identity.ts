import { readdirSync, statSync } from "node:fs";
import * as path from "node:path";

/**
 * Which build of vmimages is running: the path, size and modification time of every module of
 * the engine (this folder, unless `dir` names another). Anything one build records for a later run to trust (a folder's
 * stamp) is then never trusted by another build: an upgrade or a rebuild rewrites the modules.
 */
export function buildIdentity(dir: string = __dirname): string {
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
