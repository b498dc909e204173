import { readFileSync } from "node:fs";
import * as path from "node:path";

/** The version in package.json: one folder up from the bundle (dist/vmimages.cjs), two from the sources, three from dist/provider/cli. */
export function packageVersion(): string {
  for (const up of ["..", "../..", "../../.."]) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(__dirname, up, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pulumi-vmimages" && pkg.version) return pkg.version;
    } catch {
      // Not at this level: try the next.
    }
  }
  return "unknown";
}
