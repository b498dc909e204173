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

/**
 * A string as it may be printed to a terminal or a log: control characters (C0 but tab, DEL, C1,
 * line and paragraph separators) escaped, so a name from a library can neither move the cursor nor
 * start a line that looks like one of ours.
 */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return c === "\n" ? "\\n" : c === "\r" ? "\\r" : code > 0xff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\x${code.toString(16).padStart(2, "0")}`;
  });
}

/** Now as an RFC 3339 time to the second: the time the images' conditions are stamped with. */
export function nowToTheSecond(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}
