/**
 * Byte-stable YAML for manifests: `apiVersion`, `kind`, `metadata`, `spec`, `status` first, every
 * other map's keys sorted, lists in their given order, block style, two-space indents, no folding.
 *
 * A small emitter of its own rather than a general YAML library: manifests are plain JSON data, and
 * rendering thousands of them is the hot path of every run. A string is written plain only when it
 * is unambiguous to YAML 1.1 readers (kubectl, Argo CD and Flux parse with go-yaml, where `yes`, `on`,
 * `2026-01-01` or `0755` are not strings) as well as YAML 1.2 ones; anything else is double-quoted
 * with JSON's escapes, which YAML's double-quoted style reads alike. A property test holds
 * `parse(render(x))` equal to `x` for both YAML versions.
 */

import { compareCodeUnits, isRecord } from "../../util";

const TOP_LEVEL_ORDER = ["apiVersion", "kind", "metadata", "spec", "status"];

export function renderYaml(doc: object, header?: string): string {
  const lines: string[] = [];
  if (header) for (const l of header.split("\n")) lines.push(`# ${l}`.trimEnd());
  emitMap(doc as Record<string, unknown>, "", lines, true);
  return `${lines.join("\n")}\n`;
}

/** Plain scalars may use only these characters, and must not start with a digit or sign (numbers, dates). */
const PLAIN = /^[A-Za-z_/(][A-Za-z0-9 ._/()+;~^=$-]*$/;
const SPECIAL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|[eE][-+]?[0-9].*)$/;

export function scalar(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`cannot render the number ${value} in a manifest`);
    return String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "bigint") return value.toString();
  const s = String(value);
  return PLAIN.test(s) && !SPECIAL.test(s) && !s.endsWith(" ") ? s : quote(s);
}

/**
 * A double-quoted scalar. JSON's escapes are YAML's, but JSON leaves DEL, the C1 controls (NEL among
 * them), the line and paragraph separators and the byte-order mark raw, which kubectl's reader
 * refuses ("control characters are not allowed") and others read as line breaks: those are escaped too.
 */
function quote(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Keys repeat in every manifest (`metadata`, `labels`, `firmware`, ...): each is checked against
 * the plain-scalar rules once. Bounded, since labels and OVF property keys come from the input.
 */
const renderedKeys = new Map<string, string>();
function key(k: string): string {
  let r = renderedKeys.get(k);
  if (r === undefined) {
    r = scalar(k);
    if (renderedKeys.size < 4096) renderedKeys.set(k, r);
  }
  return r;
}

function topRank(k: string): number {
  const i = TOP_LEVEL_ORDER.indexOf(k);
  return i < 0 ? TOP_LEVEL_ORDER.length : i;
}

function sortedKeys(map: Record<string, unknown>, top: boolean): string[] {
  const keys: string[] = [];
  for (const k of Object.keys(map)) if (map[k] !== undefined) keys.push(k);
  return top ? keys.sort((a, b) => topRank(a) - topRank(b) || compareCodeUnits(a, b)) : keys.sort(compareCodeUnits);
}

function emitMap(map: Record<string, unknown>, indent: string, lines: string[], top = false, firstPrefix?: string): void {
  const keys = sortedKeys(map, top);
  if (keys.length === 0) {
    lines.push(`${firstPrefix ?? indent}{}`);
    return;
  }
  emitKeys(map, keys, indent, lines, firstPrefix);
}

function emitKeys(map: Record<string, unknown>, keys: readonly string[], indent: string, lines: string[], firstPrefix?: string): void {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const prefix = i === 0 && firstPrefix !== undefined ? firstPrefix : indent;
    emitEntry(`${prefix}${key(k)}:`, map[k], indent, lines);
  }
}

function emitEntry(head: string, value: unknown, indent: string, lines: string[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) return void lines.push(`${head} []`);
    lines.push(head);
    emitSeq(value, `${indent}  `, lines);
  } else if (isRecord(value)) {
    const keys = sortedKeys(value, false);
    if (keys.length === 0) return void lines.push(`${head} {}`);
    lines.push(head);
    emitKeys(value, keys, `${indent}  `, lines);
  } else {
    lines.push(`${head} ${scalar(value)}`);
  }
}

function emitSeq(items: readonly unknown[], indent: string, lines: string[]): void {
  for (const item of items) {
    if (isRecord(item)) emitMap(item, `${indent}  `, lines, false, `${indent}- `);
    else if (Array.isArray(item)) {
      if (item.length === 0) lines.push(`${indent}- []`);
      else {
        lines.push(`${indent}-`);
        emitSeq(item, `${indent}  `, lines);
      }
    } else lines.push(`${indent}- ${scalar(item)}`);
  }
}
