import { CatalogImage } from "../catalog/catalog";
import { renderYaml } from "../yaml";

/**
 * The machine-readable outputs (`-o json`, `-o yaml`, `-o name`), each in its own escapes so that a
 * terminal shows no raw control character (a name from a library may hold any) while the output
 * still parses back to the exact names.
 */

/** JSON with DEL, the C1 controls and the line and paragraph separators escaped as `\u…`, which JSON.stringify leaves raw. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`;
}

/** YAML as the project writes it: anything unsafe double-quoted with escapes. */
export function formatYaml(value: object): string {
  return renderYaml(value);
}

/** `clustervirtualmachineimage.vmoperator.vmware.com/vmi-…`, as `kubectl get -o name` prints an image. */
export function resourceName(image: Pick<CatalogImage, "kind" | "name">): string {
  return `${image.kind.toLowerCase()}.vmoperator.vmware.com/${image.name}`;
}
