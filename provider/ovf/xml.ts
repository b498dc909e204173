import type * as FastXmlParser from "fast-xml-parser";
import { TextDecoder } from "node:util";

/**
 * Safe XML reading for OVF descriptors, as XML 1.0 says a document reads:
 * - bytes are decoded as the document says (a UTF-16 or UTF-8 byte-order mark, else the encoding
 *   its XML declaration names, else UTF-8), and bytes that are not valid in that encoding are an
 *   error naming the offset;
 * - real descriptors carry no DTD, so a document type (or any other markup) declaration, wherever the
 *   parser would see one, is refused before parsing: no entity is ever expanded and hostile input
 *   stays cheap. The same text inside a comment, a CDATA section or an attribute value is no
 *   declaration and is read as what it is;
 * - the five predefined entities and character references (`&#66;`, `&#x43;`) are decoded in text
 *   and attribute values; any other entity reference is an error.
 */

/** A parsed XML element: attributes as `@name` (namespace prefix removed), children by local name. */
export type XmlNode = { readonly [key: string]: XmlValue };
export type XmlValue = string | XmlNode | readonly XmlValue[];

export class XmlError extends Error {}

let loaded: { readonly parser: FastXmlParser.XMLParser; readonly validator: typeof FastXmlParser.XMLValidator } | undefined;

// Loaded at the first descriptor, not with the module: a warm `vmimages generate` reads none.
function xml(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const { XMLParser, XMLValidator } = require("fast-xml-parser") as typeof FastXmlParser;
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    // References are decoded by `decodeReferences`, as XML defines them (the parser's own decoding
    // knows no character references unless it also takes HTML's entities).
    processEntities: false,
    htmlEntities: false,
    // CDATA apart from text: its content is literal, never decoded.
    cdataPropName: CDATA,
  });
  return (loaded = { parser, validator: XMLValidator });
}

/** Parses a whole document (bytes, or text already decoded); throws XmlError naming the line or offset. */
export function parseXml(input: string | Uint8Array): XmlNode {
  const text = typeof input === "string" ? input : decodeXml(input);
  const declaration = markupDeclaration(text);
  if (declaration) {
    const line = text.slice(0, declaration.index).split("\n").length;
    throw new XmlError(`contains a ${declaration.kind} declaration (line ${line}); OVF descriptors carry no DTD and entity expansion is never performed`);
  }
  const { parser, validator } = xml();
  const valid = validator.validate(text);
  if (valid !== true) {
    throw new XmlError(`is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  return decodeTree(parser.parse(text) as XmlValue) as XmlNode;
}

/**
 * The first markup declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, … or any other `<!` that opens
 * neither a comment nor a CDATA section) outside comments, CDATA sections, processing instructions
 * and attribute values: where an XML parser would read a declaration. One pass over the text.
 */
export function markupDeclaration(text: string): { index: number; kind: string } | undefined {
  const end = (from: number, close: string) => {
    const at = text.indexOf(close, from);
    return at < 0 ? text.length : at + close.length;
  };
  let i = 0;
  while ((i = text.indexOf("<", i)) >= 0) {
    if (text.startsWith("<!--", i)) i = end(i + 4, "-->");
    else if (text.startsWith("<![CDATA[", i)) i = end(i + 9, "]]>");
    else if (text.startsWith("<?", i)) i = end(i + 2, "?>");
    else if (text.startsWith("<!", i)) {
      const word = /^<!([A-Za-z]*)/.exec(text.slice(i, i + 20))![1]!.toUpperCase();
      return { index: i, kind: ["DOCTYPE", "ENTITY", "ELEMENT", "ATTLIST", "NOTATION"].find((k) => word.startsWith(k)) ?? (word || "markup") };
    } else {
      // A tag: to its `>`, past quoted attribute values (which may hold `<` and `>`).
      let j = i + 1;
      let quote = "";
      for (; j < text.length; j++) {
        const c = text[j]!;
        if (quote) {
          if (c === quote) quote = "";
        } else if (c === '"' || c === "'") quote = c;
        else if (c === ">") break;
      }
      i = j + 1;
    }
  }
  return undefined;
}

const CDATA = "#cdata";

const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the predefined entities and character references of a text or attribute value. */
export function decodeReferences(value: string): string {
  if (!value.includes("&")) return value;
  return value.replace(/&([^;&\s]*);?/g, (ref, name: string) => {
    if (!ref.endsWith(";")) throw new XmlError(`has a "&" that starts no reference: ${JSON.stringify(ref)}`);
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(name);
    if (!m) throw new XmlError(`refers to the entity &${name}; which no DTD defines (OVF descriptors carry none)`);
    const code = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
    const isChar = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!isChar) throw new XmlError(`has the character reference ${ref}, which is no XML character`);
    return String.fromCodePoint(code);
  });
}

/** Decodes every text and attribute value of the parser's tree, in place (a copy would double a large descriptor's memory). */
function decodeTree(value: XmlValue): XmlValue {
  if (typeof value === "string") return decodeReferences(value);
  const node = value as Record<string, XmlValue> | XmlValue[];
  for (const k of Object.keys(node)) {
    if (k === CDATA) continue;
    const v = (node as Record<string, XmlValue>)[k]!;
    if (typeof v === "string") {
      if (v.includes("&")) (node as Record<string, XmlValue>)[k] = decodeReferences(v);
    } else decodeTree(v);
  }
  return value;
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
  const value = (node as XmlNode)[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  // An empty element parses as "" and an element with only text as a string: both are leaf nodes.
  return list.map((v: XmlValue) => (typeof v === "string" ? { "#text": v } : (v as XmlNode)));
}

export function child(node: XmlValue | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

/** The text of an element (or of its first child named `name`), trimmed; undefined when empty. */
export function text(node: XmlValue | undefined, name?: string): string | undefined {
  const target = name === undefined ? node : child(node, name);
  if (target === undefined) return undefined;
  let value: XmlValue | undefined = target;
  if (typeof value !== "string" && !Array.isArray(value)) {
    const node = value as XmlNode;
    const parts = [node["#text"], node[CDATA]].flat().filter((v): v is string => typeof v === "string");
    value = parts.length ? parts.join("") : undefined;
  }
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** An attribute's value (namespace prefix ignored), undefined when absent. */
export function attr(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@${name}`];
  return typeof value === "string" ? value : undefined;
}
