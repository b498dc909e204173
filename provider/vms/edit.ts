import { Document, LineCounter, Node, Pair, Scalar, YAMLMap, isMap, isScalar, parseAllDocuments, parseDocument, visit } from "yaml";

/**
 * Edits of YAML files someone else wrote, that change only what they change: a string set at a path
 * of one document replaces that scalar's text in the source (in its quoting style when it can) or
 * inserts a `key: value` line at the indentation and line ending of its neighbours; every other
 * byte of the file (comments, key order, quoting, blank lines, other documents) stays. A YAML
 * library's own rendering of a document changes spacing, escapes and folding, so it is never used.
 */

/** One document of a multi-document source, as the composer read it (node ranges are offsets into the whole source). */
export interface SourceDocument {
  readonly doc: Document.Parsed;
  /** The 1-based line where its content starts, for messages. */
  readonly line: number;
}

/** The documents of a source. @throws Error naming the first YAML error's line and column */
export function documentsOf(src: string): SourceDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(src, { lineCounter, prettyErrors: false });
  return docs.map((doc) => {
    const error = doc.errors[0];
    if (error) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      throw new Error(`it is not valid YAML at line ${line}, column ${col}: ${error.message.split("\n")[0]}`);
    }
    return { doc, line: lineCounter.linePos(doc.contents?.range[0] ?? doc.range[0]).line };
  });
}

/** A string to set at a path, the new key (if it must be made) going after the sibling `after`. */
export interface Edit {
  readonly path: readonly string[];
  readonly value: string;
  readonly after?: string;
}

/** The source with every edit made in document `index`, each one after the other. @throws Error when a path runs into something that is not a map */
export function applyEdits(src: string, index: number, edits: readonly Edit[]): string {
  let out = src;
  for (const edit of edits) out = setString(out, index, edit);
  return out;
}

/**
 * Whether `s` can be written plain and read back as this same string by YAML 1.2 and 1.1 readers
 * (Kubernetes' tools read `yes`, `on` or `1_000` as no string).
 */
export function plainSafe(s: string, inFlow: boolean): boolean {
  if (s === "" || s !== s.trim() || /[\n\r\t]/.test(s)) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(s) && !/^[-?:][^\s,[\]{}]/.test(s)) return false;
  if (/: |:$| #/.test(s) || /^(---|\.\.\.)/.test(s)) return false;
  if (inFlow && /[,[\]{}]/.test(s)) return false;
  for (const version of ["1.2", "1.1"] as const) {
    const d = parseDocument(s, { version });
    if (d.errors.length || !isScalar(d.contents) || d.contents.value !== s) return false;
  }
  return true;
}

/** A one-line scalar for `value`, in `style` when it can be; JSON's string syntax is YAML's double-quoted one. */
function renderScalar(value: string, style: Scalar.Type | undefined, inFlow: boolean): string {
  if (style === "QUOTE_SINGLE" && !/[\n\r]/.test(value)) return `'${value.replace(/'/g, "''")}'`;
  if (style === "QUOTE_DOUBLE" || !plainSafe(value, inFlow)) return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return value;
}

function column(src: string, pos: number): number {
  return pos - (src.lastIndexOf("\n", pos - 1) + 1);
}

/** The line ending the file uses at `pos` (that line's, else the first line's, else LF). */
function eolAt(src: string, pos: number): string {
  const nl = src.indexOf("\n", pos);
  const at = nl > 0 ? nl : src.indexOf("\n");
  return at > 0 && src[at - 1] === "\r" ? "\r\n" : "\n";
}

/** Where a new line goes after a node that ends at `end`: the start of the next line (and the line ending to add first, on a last line without one). */
function afterLine(src: string, end: number): { pos: number; prefix: string } {
  if (end > 0 && src[end - 1] === "\n") return { pos: end, prefix: "" };
  const nl = src.indexOf("\n", end);
  return nl < 0 ? { pos: src.length, prefix: eolAt(src, 0) } : { pos: nl + 1, prefix: "" };
}

/** How far the document indents a map under its key; 2 when it shows none. */
function indentStep(src: string, node: Node | null): number {
  let step: number | undefined;
  visit(node, {
    Pair(_key, pair) {
      const v = pair.value;
      if (isMap(v) && !v.flow && v.items.length > 0 && isScalar(pair.key) && pair.key.range && isScalar(v.items[0]!.key) && v.items[0]!.key.range) {
        const d = column(src, v.items[0]!.key.range[0]) - column(src, pair.key.range[0]);
        if (d > 0) {
          step = d;
          return visit.BREAK;
        }
      }
      return undefined;
    },
  });
  return step ?? 2;
}

function blockLines(rest: readonly string[], value: string, indent: number, step: number, eol: string): string {
  return rest
    .map((key, i) => `${" ".repeat(indent + i * step)}${renderScalar(key, "PLAIN", false)}:${i === rest.length - 1 ? ` ${renderScalar(value, "PLAIN", false)}` : ""}${eol}`)
    .join("");
}

function flowText(rest: readonly string[], value: string): string {
  let out = renderScalar(value, "PLAIN", true);
  for (let i = rest.length - 1; i >= 1; i--) out = `{${renderScalar(rest[i]!, "PLAIN", true)}: ${out}}`;
  return `${renderScalar(rest[0]!, "PLAIN", true)}: ${out}`;
}

function splice(src: string, start: number, end: number, text: string): string {
  return src.slice(0, start) + text + src.slice(end);
}

/** Lines for `rest` inserted into a block map after the line of `anchor`, at `indent`. */
function insertBlock(src: string, end: number, rest: readonly string[], value: string, indent: number, step: number): string {
  const { pos, prefix } = afterLine(src, end);
  const eol = eolAt(src, Math.max(0, pos - 1));
  const lines = blockLines(rest, value, indent, step, eol);
  return splice(src, pos, pos, prefix ? prefix + lines.slice(0, -eol.length) : lines);
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

/** The source with the string at `edit.path` of document `index` set, maps on the way made: the same string when it is already there. */
function setString(src: string, index: number, edit: Edit): string {
  const doc = parseAllDocuments(src)[index];
  if (!doc) throw new Error(`the file has no document ${index + 1}`);
  const docStep = indentStep(src, doc.contents);
  let step = docStep;
  let node: unknown = doc.contents;
  const { path, value } = edit;
  for (let i = 0; i < path.length; i++) {
    const where = path.slice(0, i).join(".") || "the document";
    if (!isMap(node)) throw new Error(`${where} is not a map`);
    const map: YAMLMap = node;
    const pair = map.items.find((p) => keyOf(p) === path[i]);
    if (pair === undefined) {
      // Not there: `key: …` (with the rest of the path) into this map.
      const rest = path.slice(i);
      const range = map.range!;
      if (map.flow) {
        if (map.items.length === 0) {
          const close = src.lastIndexOf("}", range[1] - 1);
          return splice(src, close, close, flowText(rest, value));
        }
        const last = map.items[map.items.length - 1]!;
        const end = ((last.value as Node | null) ?? (last.key as Node)).range![1];
        return splice(src, end, end, `, ${flowText(rest, value)}`);
      }
      const first = map.items[0]!.key as Node;
      const anchor = (edit.after !== undefined ? map.items.find((p) => keyOf(p) === edit.after) : undefined) ?? map.items[map.items.length - 1]!;
      const end = ((anchor.value as Node | null) ?? (anchor.key as Node)).range![1];
      return insertBlock(src, end, rest, value, column(src, first.range![0]), step);
    }
    const v = pair.value as Node | null;
    const last = i === path.length - 1;
    if (last) {
      if (v !== null && !isScalar(v)) throw new Error(`${path.join(".")} is not a string`);
      if (v !== null && v.value === value) return src;
      if (v === null || v.range![0] === v.range![1]) {
        const at = v ? v.range![0] : (pair.key as Node).range![1] + 1;
        return splice(src, at, at, `${src[at - 1] === ":" ? " " : ""}${renderScalar(value, "PLAIN", map.flow === true)}`);
      }
      const old = src.slice(v.range![0], v.range![1]);
      const block = v.type === "BLOCK_LITERAL" || v.type === "BLOCK_FOLDED";
      const text = block ? renderScalar(value, "PLAIN", map.flow === true) + (old.endsWith("\n") ? eolAt(src, v.range![0]) : "") : renderScalar(value, v.type, map.flow === true);
      return splice(src, v.range![0], v.range![1], text);
    }
    if (v === null || (isScalar(v) && (v.value === null || v.value === undefined))) {
      // `annotations:`, `annotations: ~` or `annotations: null`: it becomes a map.
      const keyNode = pair.key as Node;
      if (v && v.range![1] > v.range![0]) {
        let s = v.range![0];
        while (src[s - 1] === " " || src[s - 1] === "\t") s--;
        return setString(splice(src, s, v.range![1], ""), index, edit);
      }
      const rest = path.slice(i + 1);
      if (map.flow) {
        const colon = src.indexOf(":", keyNode.range![1]);
        return splice(src, colon + 1, colon + 1, ` {${flowText(rest, value)}}`);
      }
      return insertBlock(src, keyNode.range![1], rest, value, column(src, keyNode.range![0]) + step, step);
    }
    if (isMap(v) && !v.flow && v.items.length > 0) {
      const d = column(src, (v.items[0]!.key as Node).range![0]) - column(src, (pair.key as Node).range![0]);
      step = d > 0 ? d : docStep;
    }
    node = v;
  }
  throw new Error("an edit needs a path");
}
