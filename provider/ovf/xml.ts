import type * as FastXmlParser from "fast-xml-parser";

/**
 * Safe XML reading for OVF descriptors. Real descriptors carry no DTD, so any DOCTYPE or entity
 * declaration is refused before parsing: no entity is ever expanded and hostile input stays cheap.
 */

/** A parsed XML element: attributes as `@name` (namespace prefix removed), children by local name. */
export type XmlNode = { readonly [key: string]: XmlValue };
export type XmlValue = string | XmlNode | readonly XmlValue[];

export class XmlError extends Error {}

const DTD_PATTERN = /<!(DOCTYPE|ENTITY)\b/i;

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
    // Only the five predefined XML entities and character references remain: DTDs are refused above.
    processEntities: true,
    htmlEntities: false,
  });
  return (loaded = { parser, validator: XMLValidator });
}

/** Parses a whole document; throws XmlError naming the line for DTDs and malformed XML. */
export function parseXml(text: string): XmlNode {
  const dtd = DTD_PATTERN.exec(text);
  if (dtd) {
    const line = text.slice(0, dtd.index).split("\n").length;
    throw new XmlError(
      `contains a ${dtd[1]!.toUpperCase()} declaration (line ${line}); OVF descriptors carry no DTD and entity expansion is never performed`,
    );
  }
  const { parser, validator } = xml();
  const valid = validator.validate(text);
  if (valid !== true) {
    throw new XmlError(`is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  return parser.parse(text) as XmlNode;
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
  if (typeof value !== "string" && !Array.isArray(value)) value = (value as XmlNode)["#text"];
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** An attribute's value (namespace prefix ignored), undefined when absent. */
export function attr(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@${name}`];
  return typeof value === "string" ? value : undefined;
}
