import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { v5 as uuidv5 } from "uuid";
import { vmiName } from "../../provider/image/naming";
import { OFFLINE_ITEM_NAMESPACE } from "../../provider/source/directory";

/**
 * The image names a library folder makes, stated from its files by the documented rule: the VMI ID
 * of the sidecar's id, else of the UUIDv5 of `<library>/<path>` under the offline namespace.
 */
export function imageNames(library: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const lib of readdirSync(library)) {
    for (const rel of readdirSync(path.join(library, lib), { recursive: true, encoding: "utf8" })) {
      if (!/\.(ovf|ova|iso)$/.test(rel)) continue;
      const sidecar = path.join(library, lib, rel.replace(/\.[^.]+$/, ".item.json"));
      const id = existsSync(sidecar) ? (JSON.parse(readFileSync(sidecar, "utf8")) as { id?: string }).id : undefined;
      out[`${lib}/${rel}`] = vmiName(id ?? uuidv5(`${lib}/${rel}`, OFFLINE_ITEM_NAMESPACE));
    }
  }
  return out;
}

