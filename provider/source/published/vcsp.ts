import { messageOf } from "../../errors";
import { ItemId, ItemType, LibraryItem } from "../../types";
import { isRecord } from "../../util";
import { HrefError, resolveHref, shown } from "./urls";

/**
 * The JSON of the VMware Content Subscription Protocol (VCSP), read as subscribers read it, and as
 * tolerantly: what vCenter, vCloud Director, VMware's `make_vcsp` scripts and the Tanzu library
 * write. `lib.json` names the library and where its items are listed (`itemsHref`); `items.json`
 * (`{"items": [ … ]}`) holds whole item objects, each with its files and their hrefs.
 */

/** The fields of a `lib.json` a reader needs; the rest (`created`, `capabilities`, …) is ignored. */
export interface VcspLibrary {
  readonly vcspVersion: "1" | "2";
  /** The library's version, which a publisher raises on every change; for messages. */
  readonly version: string;
  readonly name: string;
  /** The library's id, without `urn:uuid:`, in lower case when it is a UUID. */
  readonly id: string;
  readonly itemsHref: string;
}

/** A file of an item as `items.json` lists it. */
export interface VcspFile {
  readonly name: string;
  readonly size?: number;
  readonly etag?: string;
  readonly hrefs: readonly string[];
}

/** Where an OVF item's descriptor is: an `.ovf` file, or the OVA holding it (read up to its descriptor only). */
export interface DescriptorRef {
  readonly url: URL;
  readonly file: string;
  /** The size `items.json` gives: a body of another length is truncated (a CDN may answer 200 with less). */
  readonly size?: number;
  readonly archive: boolean;
}

/** An item of a published library, as the pipeline lists it, and where its descriptor is (OVF items). */
export interface PublishedEntry {
  readonly item: LibraryItem;
  readonly descriptor?: DescriptorRef;
}

/** An item that cannot be listed, and why. */
export interface EntryProblem {
  readonly message: string;
  readonly item?: string;
  readonly itemId?: string;
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const URN_UUID = /^urn:uuid:/i;

/** Why a body is not the JSON document expected. */
export class VcspFormatError extends Error {}

/**
 * Parses a body as JSON, saying what it is when it is not: an HTML page (a login page, a folder
 * listing, a proxy's error) or JSON cut short.
 */
export function parseJsonBody(body: Uint8Array, contentType: string | undefined, what: string): unknown {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8").replace(/^\uFEFF/, "");
  if (/^\s*</.test(text) || /\btext\/html\b/i.test(contentType ?? "")) {
    throw new VcspFormatError(`is not ${what}: it is an HTML page (a login page, a folder listing or a proxy's error?), not JSON`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new VcspFormatError(`is not ${what}: it is not valid JSON (${messageOf(err)}${text.trim() === "" ? "; the body is empty" : ""})`);
  }
}

/** Reads a `lib.json`. @throws VcspFormatError saying what is wrong with it. */
export function parseLibJson(body: Uint8Array, contentType?: string): VcspLibrary {
  const doc = parseJsonBody(body, contentType, "a lib.json");
  if (!isRecord(doc)) throw new VcspFormatError("is not a lib.json: it is not a JSON object");
  const version = doc.vcspVersion;
  if (version === undefined) throw new VcspFormatError("is not a lib.json: it has no vcspVersion");
  const vcspVersion = String(version);
  if (vcspVersion !== "1" && vcspVersion !== "2") {
    throw new VcspFormatError(`has vcspVersion ${JSON.stringify(version)}; vmimages reads VCSP versions 1 and 2 (those of vCenter, vCloud Director and make_vcsp)`);
  }
  const missing = (["name", "id", "itemsHref"] as const).filter((k) => typeof doc[k] !== "string" || (doc[k] as string).trim() === "");
  if (missing.length) throw new VcspFormatError(`is not a lib.json: ${missing.map((k) => `"${k}"`).join(", ")} must be non-empty strings`);
  return {
    vcspVersion,
    version: typeof doc.version === "string" || typeof doc.version === "number" ? String(doc.version) : "",
    name: (doc.name as string).trim(),
    id: plainId(doc.id as string),
    itemsHref: doc.itemsHref as string,
  };
}

/** `urn:uuid:E1968C25-…` → `e1968c25-…`; an id that is no UUID is kept as it is. */
export function plainId(id: string): string {
  const bare = id.trim().replace(URN_UUID, "");
  return CANONICAL_UUID.test(bare) ? bare.toLowerCase() : id.trim();
}

/**
 * Reads an `items.json` of a library whose folder is `folder`: one entry per item, in the listing's
 * order; an item that cannot be read is a problem naming it, never a silent gap.
 * `vcsp.other` and unknown types are listed as `other` (the pipeline names what it skips).
 * @throws VcspFormatError when the document itself is not an items listing.
 */
export function parseItemsJson(body: Uint8Array, folder: URL, contentType?: string): { entries: PublishedEntry[]; problems: EntryProblem[] } {
  const doc = parseJsonBody(body, contentType, "an items listing");
  if (!isRecord(doc) || !Array.isArray(doc.items)) throw new VcspFormatError('is not an items listing: it has no "items" list');
  const entries: PublishedEntry[] = [];
  const problems: EntryProblem[] = [];
  doc.items.forEach((raw: unknown, i: number) => {
    const read = readItem(raw, i, folder);
    if ("message" in read) problems.push(read);
    else entries.push(read);
  });
  return { entries, problems };
}

function readItem(raw: unknown, index: number, folder: URL): PublishedEntry | EntryProblem {
  if (!isRecord(raw)) return { message: `items[${index}] is not a JSON object` };
  const name = typeof raw.name === "string" && raw.name.trim() !== "" ? raw.name : undefined;
  const rawId = typeof raw.id === "string" ? raw.id : undefined;
  const label = `item ${name !== undefined ? JSON.stringify(name) : `items[${index}]`}${rawId !== undefined ? ` (${rawId})` : ""}`;
  const problem = (what: string): EntryProblem => ({ message: `${label} ${what}`, ...(name !== undefined ? { item: name } : {}), ...(rawId !== undefined ? { itemId: rawId } : {}) });
  if (rawId === undefined) return problem('has no "id"');
  const id = rawId.trim().replace(URN_UUID, "");
  if (!CANONICAL_UUID.test(id)) return problem(`has an id that is not a UUID (urn:uuid: and 8-4-4-4-12 hex digits): ${JSON.stringify(rawId)}`);
  if (name === undefined) return problem('has no "name"');
  const type = itemType(raw.type);
  const version = typeof raw.version === "string" ? raw.version.trim() : Number.isInteger(raw.version) ? String(raw.version) : "";
  if (type !== "other" && version === "") return problem(`has no "version" (the number a publisher raises when the item changes)`);
  const description = typeof raw.description === "string" && raw.description !== "" ? raw.description : undefined;
  const base = { id: id.toLowerCase() as ItemId, name, type, contentVersion: version, ...(description !== undefined ? { description } : {}) };
  if (type !== "ovf") return { item: base };

  let files: VcspFile[];
  try {
    files = readFiles(raw.files);
  } catch (err) {
    return problem(messageOf(err));
  }
  const ovf = files.filter((f) => /\.ovf$/i.test(f.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0];
  const ovas = files.filter((f) => /\.ova$/i.test(f.name));
  const file = ovf ?? (ovas.length === 1 ? ovas[0] : undefined);
  if (file === undefined) return problem(`has no .ovf file, nor a single .ova (files: ${files.map((f) => f.name).join(", ") || "none"})`);
  let url: URL;
  try {
    url = resolveHref(folder, file.hrefs[0]);
  } catch (err) {
    if (err instanceof HrefError) return problem(`file ${JSON.stringify(file.name)} has the href ${err.message}; vmimages fetches nothing outside the library's folder`);
    throw err;
  }
  const cacheVersion = JSON.stringify([version, file.etag ?? "", file.size ?? null]);
  return {
    item: { ...base, location: shown(url), cacheVersion },
    descriptor: { url, file: file.name, ...(file.size !== undefined ? { size: file.size } : {}), archive: ovf === undefined },
  };
}

/** `vcsp.ovf` → ovf, `vcsp.iso` → iso, anything else (`vcsp.other`, an unknown type) → other. */
function itemType(type: unknown): ItemType {
  const t = typeof type === "string" ? type.trim().toLowerCase() : "";
  return t === "vcsp.ovf" ? "ovf" : t === "vcsp.iso" ? "iso" : "other";
}

function readFiles(raw: unknown): VcspFile[] {
  if (!Array.isArray(raw)) throw new Error('has no "files" list');
  return raw.map((f: unknown, i: number) => {
    if (!isRecord(f) || typeof f.name !== "string" || f.name === "") throw new Error(`has a files[${i}] without a "name"`);
    const hrefs = Array.isArray(f.hrefs) ? f.hrefs : typeof f.href === "string" ? [f.href] : [];
    if (hrefs.length === 0) throw new Error(`file ${JSON.stringify(f.name)} has no "hrefs"`);
    const size = typeof f.size === "number" && Number.isSafeInteger(f.size) && f.size >= 0 ? f.size : typeof f.size === "string" && /^\d{1,15}$/.test(f.size) ? Number(f.size) : undefined;
    // make_vcsp writes "" when asked for no etags, and one etag repeated on every file of an item.
    const etag = typeof f.etag === "string" && f.etag !== "" ? f.etag : undefined;
    return { name: f.name, hrefs: hrefs as string[], ...(size !== undefined ? { size } : {}), ...(etag !== undefined ? { etag } : {}) };
  });
}
