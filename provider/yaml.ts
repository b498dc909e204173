/**
 * The project's one YAML writer, and the reader of what it wrote.
 *
 * Byte-stable YAML for manifests: `apiVersion`, `kind`, `metadata`, `spec`, `status` first, every
 * other map's keys sorted, lists in their given order, block style, two-space indents, no folding.
 *
 * A small emitter of its own rather than a general YAML library: manifests are plain JSON data, and
 * rendering thousands of them is the hot path of every run. A string is written plain only when it
 * is unambiguous to YAML 1.1 readers (kubectl, Argo CD and Flux parse with go-yaml, where `yes`, `on`,
 * a date or `0755` are not strings) as well as YAML 1.2 ones; anything else is double-quoted with
 * JSON's escapes, which YAML's double-quoted style reads alike. A property test holds
 * `parse(render(x))` equal to `x` for both YAML versions, and `readRendered(render(x))` too.
 *
 * `readRendered` reads back exactly that form, line by line: a previous run's files are read on every
 * run that writes a folder, and a general parser costs far more per file than everything else the
 * run does with it. Anything else (a file edited by hand) it declines, and `readOwnYaml` hands to
 * the general parser.
 */

import { parse as parseYaml } from "yaml";
import { compareCodeUnits, isRecord } from "./util";

const TOP_LEVEL_ORDER = ["apiVersion", "kind", "metadata", "spec", "status"];

/** A document (a map, or a list for outputs such as `list -o yaml`) with an optional comment header. */
export function renderYaml(doc: object, header?: string): string {
  const lines: string[] = [];
  if (header) for (const l of header.split("\n")) lines.push(`# ${l}`.trimEnd());
  if (Array.isArray(doc)) {
    if (doc.length === 0) lines.push("[]");
    else emitSeq(doc, "", lines);
  } else emitMap(doc as Record<string, unknown>, "", lines, true);
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

/** Why `readRendered` declines a text: it is not in the form `renderYaml` writes. */
class NotRendered extends Error {}

/**
 * The data of a text `renderYaml` wrote (its comment header skipped), or undefined when the text is
 * not in that form. The inverse of `renderYaml` for JSON data: `readRendered(renderYaml(x))` is `x`.
 */
export function readRendered(text: string): unknown {
  const lines = text.split("\n");
  if (lines.pop() !== "") return undefined;
  let start = 0;
  while (start < lines.length && lines[start]!.startsWith("#")) start++;
  if (start === lines.length) return undefined;
  const reader = new RenderedReader(lines, start);
  try {
    const value = reader.block("");
    return reader.done() ? value : undefined;
  } catch (err) {
    if (err instanceof NotRendered) return undefined;
    throw err;
  }
}

/**
 * A YAML file this project wrote, as data: read by `readRendered`, or (a file someone edited since)
 * by the general parser in YAML 1.1, as the cluster's tools read it. Undefined when neither can.
 */
export function readOwnYaml(text: string): unknown {
  const value = readRendered(text);
  if (value !== undefined) return value;
  try {
    return parseYaml(text, { version: "1.1" }) as unknown;
  } catch {
    return undefined;
  }
}

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?(e[-+]?\d+)?$/;

/** Reads the lines of a rendered document, one block at a time. */
class RenderedReader {
  private at: number;

  constructor(
    private readonly lines: string[],
    start: number,
  ) {
    this.at = start;
  }

  done(): boolean {
    return this.at === this.lines.length;
  }

  /** The map or list that starts at the current line, at `indent`. */
  block(indent: string): unknown {
    const line = this.lines[this.at];
    if (line === undefined || !line.startsWith(indent)) throw new NotRendered();
    const rest = line.slice(indent.length);
    if (rest === "[]" && indent === "") return (this.at++, []);
    if (rest === "{}" && indent === "") return (this.at++, {});
    return rest === "-" || rest.startsWith("- ") ? this.seq(indent) : this.map(indent);
  }

  private map(indent: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.at < this.lines.length) {
      const line = this.lines[this.at]!;
      if (!line.startsWith(indent) || line[indent.length] === " " || line.startsWith("- ", indent.length) || line.length === indent.length) break;
      const [k, rest] = splitKey(line.slice(indent.length));
      this.at++;
      let value: unknown;
      if (rest === "") value = this.nested(indent);
      else if (rest === " {}") value = {};
      else if (rest === " []") value = [];
      else if (rest.startsWith(" ")) value = readScalar(rest.slice(1));
      else throw new NotRendered();
      if (k === "__proto__") Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
      else out[k] = value;
    }
    return out;
  }

  /** The block under a `key:` line: a map two spaces in, or a list whose items start two spaces in. */
  private nested(indent: string): unknown {
    const next = this.lines[this.at];
    const inner = `${indent}  `;
    if (next === undefined || !next.startsWith(inner)) throw new NotRendered();
    return this.block(inner);
  }

  private seq(indent: string): unknown[] {
    const out: unknown[] = [];
    while (this.at < this.lines.length) {
      const line = this.lines[this.at]!;
      if (line === `${indent}-`) {
        this.at++;
        out.push(this.nested(indent));
        continue;
      }
      if (!line.startsWith(`${indent}- `)) break;
      const rest = line.slice(indent.length + 2);
      if (rest === "{}" || rest === "[]") {
        this.at++;
        out.push(rest === "{}" ? {} : []);
      } else if (startsMapEntry(rest)) {
        // A map item: its first key shares the dash's line, the others sit two spaces in.
        this.lines[this.at] = `${indent}  ${rest}`;
        out.push(this.map(`${indent}  `));
      } else {
        this.at++;
        out.push(readScalar(rest));
      }
    }
    return out;
  }
}

/** `key: rest` → [key, ": rest" without the colon]; the key plain or double-quoted. */
function splitKey(text: string): [string, string] {
  if (text.startsWith('"')) {
    const end = quotedEnd(text);
    if (text[end] !== ":") throw new NotRendered();
    return [JSON.parse(text.slice(0, end)) as string, text.slice(end + 1)];
  }
  const colon = text.indexOf(":");
  if (colon <= 0) throw new NotRendered();
  return [text.slice(0, colon), text.slice(colon + 1)];
}

function startsMapEntry(text: string): boolean {
  if (text.startsWith('"')) return text[quotedEnd(text)] === ":";
  return text.includes(":");
}

/** The index just after the double-quoted string that starts `text`. */
function quotedEnd(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  throw new NotRendered();
}

function readScalar(text: string): unknown {
  if (text.startsWith('"')) {
    if (quotedEnd(text) !== text.length) throw new NotRendered();
    return JSON.parse(text) as string;
  }
  if (text === "null") return null;
  if (text === "true") return true;
  if (text === "false") return false;
  if (NUMBER.test(text)) return Number(text);
  if (!PLAIN.test(text) || SPECIAL.test(text)) throw new NotRendered();
  return text;
}
