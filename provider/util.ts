/**
 * Small helpers every stage uses, kept in one place so each rule is written once.
 */

/**
 * Orders strings by UTF-16 code units, as `Array.prototype.sort` does by default and Go's
 * `sort.Strings` does for ASCII: unlike `localeCompare`, the same on every machine and locale, which
 * byte-stable output needs.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
