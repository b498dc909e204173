import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** The project's root folder, found from here whether this runs from source or from dist/. */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "pulumi-vmimages") return dir;
    if (path.dirname(dir) === dir) throw new Error(`no pulumi-vmimages package.json above ${from}`);
  }
}
