import { CatalogImage } from "../catalog/catalog";
import { PRINTER_COLUMNS } from "../catalog/columns";
import { ImageKind } from "../types";
import { printable } from "../util";

/**
 * Images of one kind as `kubectl get` prints them: NAME, then the kind's CRD printer columns
 * (upper-cased, as kubectl writes headers), with NAMESPACE first when listing every namespace.
 */
export function imageTable(kind: ImageKind, images: readonly CatalogImage[], withNamespace: boolean): string {
  const columns = PRINTER_COLUMNS[kind];
  const header = [...(withNamespace ? ["NAMESPACE"] : []), "NAME", ...columns.map((c) => c.name.toUpperCase())];
  const rows = images.map((i) => [...(withNamespace ? [printable(i.namespace ?? "")] : []), printable(i.name), ...columns.map((c) => cell(jsonPath({ status: i.status }, c.jsonPath)))]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  return [header, ...rows].map((r) => r.map((value, c) => (c === r.length - 1 ? value : value.padEnd(widths[c]! + 3))).join("").trimEnd()).join("\n");
}

/** The value at a simple JSONPath (`.a.b.c`), as the CRD columns use. */
function jsonPath(object: unknown, path: string): unknown {
  let value = object;
  for (const key of path.split(".").slice(1)) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** A cell as kubectl prints it: nothing for a missing value, a list as JSON; control characters escaped. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value) || typeof value === "object") return printable(JSON.stringify(value));
  return printable(String(value));
}
