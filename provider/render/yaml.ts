import { stringify } from "yaml";

const TOP_LEVEL_ORDER = ["apiVersion", "kind", "metadata", "spec", "status"];

/**
 * Byte-stable YAML, quoted for YAML 1.1 readers (kubectl, Argo CD and Flux parse with go-yaml, where
 * an unquoted `2026-01-01T00:00:00Z`, `yes` or `on` is not a string): `apiVersion`, `kind`, `metadata`, `spec`, `status` first, every other map's
 * keys sorted, lists in their given order, no line folding.
 */
export function renderYaml(doc: object, header?: string): string {
  const body = stringify(sortKeys(doc, true), { version: "1.1", lineWidth: 0, minContentWidth: 0, indentSeq: true });
  return header ? `${header.split("\n").map((l) => `# ${l}`.trimEnd()).join("\n")}\n${body}` : body;
}

function sortKeys(value: unknown, top = false): unknown {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v));
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
  const rank = (k: string) => (top && TOP_LEVEL_ORDER.includes(k) ? TOP_LEVEL_ORDER.indexOf(k) : TOP_LEVEL_ORDER.length);
  keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = sortKeys((value as Record<string, unknown>)[k]);
  return out;
}
