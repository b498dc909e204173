import type * as Saxes from "saxes";
import { TextDecoder } from "node:util";

/**
 * Safe XML reading for OVF descriptors, as XML 1.0 says a document reads:
 * - bytes are decoded as the document says (a UTF-16 or UTF-8 byte-order mark, else the encoding
 *   its XML declaration names, else UTF-8), and bytes that are not valid in that encoding are an
 *   error naming the offset;
 * - the document must be well-formed, checked in the same single pass that builds the tree
 *   (saxes, a conforming XML 1.0 parser, which like Go's refuses a `<` in an attribute value);
 * - real descriptors carry no DTD, so a document type (or any other markup) declaration, wherever the
 *   parser would see one, is refused before parsing: no entity is ever expanded and hostile input
 *   stays cheap. The same text inside a comment or a CDATA section is no declaration and is read
 *   as what it is;
 * - the five predefined entities and character references (`&#66;`, `&#x43;`) are decoded in text
 *   and attribute values; any other entity reference is an error;
 * - whitespace written as such in an attribute value is kept as VM Operator's reader (Go's
 *   encoding/xml) keeps it, a line end as a line feed, where XML would turn it into spaces: an OVF
 *   property's default reads as VM Operator shows it.
 */

/** A parsed XML element: attributes as `@name` and its text as `#text` (namespace prefixes removed), children by local name. */
export type XmlNode = { readonly [key: string]: XmlValue };
export type XmlValue = string | XmlNode | readonly XmlValue[];

export class XmlError extends Error {}

let Parser: typeof Saxes.SaxesParser | undefined;

const MAX_DEPTH = 1000;

/** Parses a whole document (bytes, or text already decoded); throws XmlError naming the line or offset. */
export function parseXml(input: string | Uint8Array): XmlNode {
  const text = typeof input === "string" ? input : decodeXml(input);
  const declaration = markupDeclaration(text);
  if (declaration) {
    throw new XmlError(`contains a ${declaration.kind} declaration (line ${lineOf(text, declaration.index)}); OVF descriptors carry no DTD and entity expansion is never performed`);
  }
  // Loaded at the first descriptor, not with the module: a warm `vmimages generate` reads none.
  Parser ??= (require("saxes") as typeof Saxes).SaxesParser;
  const parser = new Parser({ xmlns: false });
  const root: Record<string, XmlValue> = {};
  // The open elements and, beside them, each one's text so far (text and CDATA in document order, as Go reads chardata).
  const open: Array<Record<string, XmlValue>> = [root];
  const texts: string[] = [""];
  parser.on("opentag", (tag) => {
    const node: Record<string, XmlValue> = {};
    const attributes = tag.attributes as Record<string, string>;
    const names = Object.keys(attributes);
    let spaced = false;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const key = attributeKey(name);
      const value = attributes[name]!;
      if (key !== undefined) put(node, key, value);
      spaced ||= value.includes(" ");
    }
    // A space may be whitespace the parser normalized: the tag as written says (a tag holds no "<").
    if (spaced) keepWrittenWhitespace(node, text.slice(text.lastIndexOf("<", parser.position - 1), parser.position));
    const parent = open[open.length - 1]!;
    const name = localName(tag.name);
    const siblings = Object.hasOwn(parent, name) ? parent[name] : undefined;
    if (siblings === undefined) put(parent, name, node);
    else if (Array.isArray(siblings)) (siblings as XmlValue[]).push(node);
    else parent[name] = [siblings, node];
    // Real descriptors nest a few levels; a deep one is only a way to make the tree large.
    if (open.length > MAX_DEPTH) throw new XmlError(`nests elements more than ${MAX_DEPTH} levels deep (line ${lineOf(text, parser.position)}); no OVF descriptor does`);
    open.push(node);
    texts.push("");
  });
  const addText = (t: string) => {
    texts[texts.length - 1] += t;
  };
  parser.on("text", addText);
  parser.on("cdata", addText);
  parser.on("closetag", () => {
    const node = open.pop()!;
    const written = texts.pop()!;
    if (written !== "" && written.trim() !== "") node["#text"] = written;
  });
  parser.on("error", (err) => {
    throw notWellFormed(text, parser.position, err.message.replace(/^\d+:\d+: /, ""));
  });
  parser.write(text).close();
  return root;
}

// A descriptor repeats a few names thousands of times: each is cut once, and its key is then one string.
const localNames = new Map<string, string>();
const attributeKeys = new Map<string, string | undefined>();

function localName(name: string): string {
  let local = localNames.get(name);
  if (local === undefined) {
    local = name.slice(name.lastIndexOf(":") + 1);
    if (localNames.size < 10_000) localNames.set(name, local);
  }
  return local;
}

/** `@` and the attribute's local name; none for a namespace declaration. */
function attributeKey(name: string): string | undefined {
  if (attributeKeys.has(name)) return attributeKeys.get(name);
  const key = name === "xmlns" || name.startsWith("xmlns:") ? undefined : `@${localName(name)}`;
  if (attributeKeys.size < 10_000) attributeKeys.set(name, key);
  return key;
}

/** Sets an own property, `__proto__` included (an element may be called so), never the prototype. */
function put(node: Record<string, XmlValue>, key: string, value: XmlValue): void {
  if (key === "__proto__") Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  else node[key] = value;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf("\n"); at >= 0 && at < index; at = text.indexOf("\n", at + 1)) line++;
  return line;
}

/** The error for a document that is not well-formed at `offset`: a bad reference said as such, else the parser's reason. */
function notWellFormed(text: string, offset: number, reason: string): XmlError {
  const bad = badReference(text);
  if (bad && bad.index <= offset) return new XmlError(`${bad.message} (line ${lineOf(text, bad.index)})`);
  const line = lineOf(text, offset);
  const column = offset - (text.lastIndexOf("\n", offset - 1) + 1) + 1;
  return new XmlError(`is not well-formed XML: ${reason.replace(/\.$/, "")} (line ${line}, column ${column})`);
}

/**
 * The first markup declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, … or any other `<!` that opens
 * neither a comment nor a CDATA section) outside comments, CDATA sections and processing
 * instructions: where an XML parser would read a declaration. A well-formed document has no `<` in
 * text or attribute values, so only the `<!` and `<?` in it need a look (and one in a value is
 * refused either way).
 */
export function markupDeclaration(text: string): { index: number; kind: string } | undefined {
  const end = (from: number, close: string) => {
    const at = text.indexOf(close, from);
    return at < 0 ? text.length : at + close.length;
  };
  let bang = text.indexOf("<!");
  let pi = text.indexOf("<?");
  for (let at = 0; ; ) {
    if (bang >= 0 && bang < at) bang = text.indexOf("<!", at);
    if (pi >= 0 && pi < at) pi = text.indexOf("<?", at);
    if (bang < 0) return undefined;
    // A processing instruction, a comment or a CDATA section may hold the same characters: they are its text.
    if (pi >= 0 && pi < bang) at = end(pi + 2, "?>");
    else if (text.startsWith("<!--", bang)) at = end(bang + 4, "-->");
    else if (text.startsWith("<![CDATA[", bang)) at = end(bang + 9, "]]>");
    else {
      const word = /^<!([A-Za-z]*)/.exec(text.slice(bang, bang + 20))![1]!.toUpperCase();
      return { index: bang, kind: ["DOCTYPE", "ENTITY", "ELEMENT", "ATTLIST", "NOTATION"].find((k) => word.startsWith(k)) ?? (word || "markup") };
    }
  }
}

/**
 * Sets each attribute of `node` whose value `tag` (its text as written) writes with a tab or a line
 * end to that value as Go reads it: references decoded, a CR LF or a lone CR as a LF, and no
 * whitespace turned into spaces. Called only for the rare tag whose parsed values hold a space.
 */
function keepWrittenWhitespace(node: Record<string, XmlValue>, tag: string): void {
  for (const [, name, double, single] of tag.matchAll(/([^\s=<>"'/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const written = (double ?? single)!;
    const key = attributeKey(name!);
    if (key === undefined || !/[\t\n\r]/.test(written)) continue;
    put(node, key, written.replace(/\r\n?/g, "\n").replace(/&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));/g, (_ref, hex?: string, decimal?: string, named?: string) =>
      named !== undefined ? NAMED[named]! : String.fromCodePoint(hex !== undefined ? parseInt(hex, 16) : Number(decimal)),
    ));
  }
}

const NAMED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

const PREDEFINED = new Set(Object.keys(NAMED));

/** The first `&` outside comments, CDATA sections and processing instructions that is no reference XML allows here. */
function badReference(text: string): { index: number; message: string } | undefined {
  const next = /<!--|<!\[CDATA\[|<\?|&/g;
  const reference = /&(?:([A-Za-z_:][-\w.:]*)|#x([0-9a-fA-F]+)|#([0-9]+))?(;?)/y;
  for (let m = next.exec(text); m; m = next.exec(text)) {
    const close = m[0] === "<!--" ? "-->" : m[0] === "<?" ? "?>" : m[0] === "&" ? "" : "]]>";
    if (close) {
      const at = text.indexOf(close, next.lastIndex);
      if (at < 0) return undefined;
      next.lastIndex = at + close.length;
      continue;
    }
    reference.lastIndex = m.index;
    const [ref, name, hex, decimal, semicolon] = reference.exec(text)!;
    if (!semicolon || (name === undefined && hex === undefined && decimal === undefined)) {
      return { index: m.index, message: `has a "&" that starts no reference: ${JSON.stringify(text.slice(m.index, m.index + 12).split(/[\s<]/)[0])}` };
    }
    if (name !== undefined) {
      if (!PREDEFINED.has(name)) return { index: m.index, message: `refers to the entity &${name}; which no DTD defines (OVF descriptors carry none)` };
      continue;
    }
    const code = hex !== undefined ? parseInt(hex, 16) : Number(decimal);
    const isChar = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!isChar) return { index: m.index, message: `has the character reference ${ref}, which is no XML character` };
  }
  return undefined;
}

/**
 * The text of an XML document's bytes (XML 1.0, Appendix F): a byte-order mark decides (UTF-8,
 * UTF-16 LE or BE); without one, the encoding of the XML declaration (which is ASCII in every
 * encoding a descriptor may use), else UTF-8. @throws XmlError naming the encoding, or the byte
 * offset of the first byte that is not valid in it.
 */
export function decodeXml(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decode(bytes.subarray(3), "utf-8", 3);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decode(bytes.subarray(2), "utf-16le", 2);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decode(bytes.subarray(2), "utf-16be", 2);
  const head = Buffer.from(bytes.subarray(0, 200)).toString("latin1");
  const declared = /^<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(head)?.[1];
  return decode(bytes, declared?.toLowerCase() ?? "utf-8", 0);
}

function decode(bytes: Uint8Array, encoding: string, offset: number): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding === "utf-16" ? "utf-16le" : encoding, { fatal: true });
  } catch {
    throw new XmlError(`declares the encoding "${encoding}", which cannot be decoded here (use UTF-8 or UTF-16)`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    const at = decoder.encoding === "utf-8" ? invalidUtf8At(bytes) : undefined;
    throw new XmlError(`is not valid ${decoder.encoding.toUpperCase()}${at !== undefined ? ` at byte offset ${at + offset}` : ""}`);
  }
}

/** The offset of the first byte that does not begin or continue a valid UTF-8 sequence. */
function invalidUtf8At(bytes: Uint8Array): number | undefined {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0) return i;
    const cp = n === 1 ? b : n === 2 ? b & 0x1f : n === 3 ? b & 0x0f : b & 0x07;
    let code = cp;
    for (let k = 1; k < n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    if ((n === 3 && (code < 0x800 || (code >= 0xd800 && code <= 0xdfff))) || (n === 4 && (code < 0x10000 || code > 0x10ffff))) return i;
    i += n;
  }
  return undefined;
}

/** The children of `node` named `name`, always as a list, in document order. */
export function children(node: XmlValue | undefined, name: string): XmlNode[] {
  if (node === undefined || typeof node === "string" || Array.isArray(node)) return [];
  // Own properties only: `constructor` or `__proto__` would otherwise find the object's prototype.
  const value = Object.hasOwn(node, name) ? (node as XmlNode)[name] : undefined;
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v: XmlValue): v is XmlNode => typeof v === "object" && !Array.isArray(v));
}

export function child(node: XmlValue | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

/** The text of an element (or of its first child named `name`), trimmed; undefined when empty. */
export function text(node: XmlValue | undefined, name?: string): string | undefined {
  const target = name === undefined ? node : child(node, name);
  if (target === undefined) return undefined;
  const value = typeof target === "string" ? target : Array.isArray(target) ? undefined : (target as XmlNode)["#text"];
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** An attribute's value (namespace prefix ignored), undefined when absent. */
export function attr(node: XmlNode | undefined, name: string): string | undefined {
  // No prototype has a property whose name starts with "@": a plain lookup finds only the node's own.
  const value = node?.[`@${name}`];
  return typeof value === "string" ? value : undefined;
}
