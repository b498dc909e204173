import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { v5 as uuidv5 } from "uuid";

/** The namespace of offline items' UUIDv5 ids, as docs/sources.md states it. */
const OFFLINE_NAMESPACE = "5b1b5ef4-3c63-4f43-9a57-8f6b2f0d7c21";

/**
 * The VMI IDs of the bundled example library, worked out once outside the code under test
 * (`python3 -c "uuid.uuid5(…)"` for items without a sidecar id, then `sha1sum` of the id without
 * hyphens, its first 17 hex digits after `vmi-`).
 */
export const EXAMPLE_NAMES: Readonly<Record<string, string>> = {
  "base-images/isos/netboot.iso": "vmi-e5af9c9a7ce33bd18",
  "base-images/linux/photon-5.ovf": "vmi-0a0044d7c690bcbea",
  "base-images/linux/ubuntu-24.04.ova": "vmi-dabd676841e725de7",
  "team-a/centos-7-legacy.ovf": "vmi-d77423926a2e86b2a",
  "team-a/ubuntu-24.04-hardened.ovf": "vmi-efdcb079c193a98fd",
};

/**
 * The image names a library folder makes, stated from its files by the documented rule (and not by
 * the code under test): the VMI ID of the sidecar's id, else of the UUIDv5 of `<library>/<path>`
 * under the offline namespace; a VMI ID is `vmi-` and the first 17 hex digits of the SHA-1 of the
 * id without hyphens. A test of the helper holds it to EXAMPLE_NAMES.
 */
export function imageNames(library: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const lib of readdirSync(library)) {
    for (const rel of readdirSync(path.join(library, lib), { recursive: true, encoding: "utf8" })) {
      if (!/\.(ovf|ova|iso)$/.test(rel)) continue;
      const sidecar = path.join(library, lib, rel.replace(/\.[^.]+$/, ".item.json"));
      const id = existsSync(sidecar) ? (JSON.parse(readFileSync(sidecar, "utf8")) as { id?: string }).id : undefined;
      out[`${lib}/${rel}`] = `vmi-${createHash("sha1").update((id ?? uuidv5(`${lib}/${rel}`, OFFLINE_NAMESPACE)).replace(/-/g, "")).digest("hex").slice(0, 17)}`;
    }
  }
  return out;
}
