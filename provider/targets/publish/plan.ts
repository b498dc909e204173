import { isRecord } from "../../util";
import { compareCodeUnits } from "../../util";

/**
 * What `vmimages publish` writes for one library, as pure data: the VMware Content Subscription
 * Protocol files (`lib.json`, `items.json`, each item's `item.json`) in the form VMware's
 * `make_vcsp` writes them (the form vCenter subscribers are known to accept: its key order and
 * constants), byte-stable: items sorted by id, files by name, and `created` and the versions
 * carried over from the previous output, so unchanged input writes the same bytes.
 *
 * Versions: a subscriber re-reads a library whose `version` grew, and an item whose `version`
 * grew. The library's version grows by one when any item was added, changed or removed; a changed
 * or new item takes the library's new version, so an item's version only ever grows, even for an
 * item removed and published again.
 */

/** A file of an item to publish, with the SHA-256 of its bytes. */
export interface FileToPublish {
  /** Its name in the item's folder (a path with `/` when the descriptor references one in a subfolder). */
  readonly name: string;
  readonly size: number;
  /** Hex SHA-256 of its bytes. */
  readonly sha256: string;
}

/** An item to publish. */
export interface ItemToPublish {
  /** Its id (a UUID, lower case): the folder's item id, so a subscriber's images are named as the folder's. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly type: "ovf" | "iso";
  /** An OVF whose content is a VirtualSystemCollection. */
  readonly vapp: boolean;
  readonly files: readonly FileToPublish[];
}

/** The library's `lib.json` and items as a previous run wrote them. */
export interface PublishedBefore {
  readonly lib: LibJson;
  readonly items: ReadonlyMap<string, ItemJson>;
}

export interface LibJson {
  readonly vcspVersion: "2";
  readonly version: string;
  readonly contentVersion: "1";
  readonly name: string;
  readonly id: string;
  readonly created: string;
  readonly capabilities: { readonly transferIn: readonly string[]; readonly transferOut: readonly string[] };
  readonly itemsHref: "items.json";
}

export interface FileJson {
  readonly name: string;
  readonly size: number;
  readonly etag: string;
  readonly hrefs: readonly string[];
}

export interface ItemJson {
  readonly created: string;
  readonly description: string;
  readonly version: string;
  readonly files: readonly FileJson[];
  readonly id: string;
  readonly name: string;
  readonly metadata?: readonly unknown[];
  readonly properties: Readonly<Record<string, never>>;
  readonly selfHref: string;
  readonly type: "vcsp.ovf" | "vcsp.iso";
}

/** One library's output: the texts to write (path inside the library's folder → text), and what changed. */
export interface LibraryPlan {
  readonly version: string;
  readonly lib: LibJson;
  readonly items: readonly ItemJson[];
  /** `lib.json`, `items.json` and `<item id>/item.json`, path → text. */
  readonly texts: ReadonlyMap<string, string>;
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
}

export const LIB_JSON = "lib.json";
export const ITEMS_JSON = "items.json";
export const ITEM_JSON = "item.json";

/**
 * A file's etag: the first 63 bits of its SHA-256 as a decimal number. Derived from the content,
 * so an unchanged file keeps it across runs and machines; decimal, because vCenter reads a
 * published file's etag as a Java long.
 */
export function etagOf(sha256: string): string {
  return (BigInt(`0x${sha256.slice(0, 16)}`) & 0x7fff_ffff_ffff_ffffn).toString(10);
}

/** An href inside the library's folder: the item's folder, then the file's name, each segment percent-encoded. */
export function hrefOf(itemId: string, name: string): string {
  return [itemId, ...name.split("/")].map(encodeURIComponent).join("/");
}

/**
 * The library's output given its items, its id (`urn:uuid:…` when new) and what a previous run
 * wrote (undefined: the first run). `now` is the time new `created` fields get.
 */
export function planLibrary(name: string, newId: string, items: readonly ItemToPublish[], before: PublishedBefore | undefined, now: string): LibraryPlan {
  const sorted = [...items].sort((a, b) => compareCodeUnits(a.id, b.id));
  const libId = before?.lib.id ?? newId;
  const drafts = sorted.map((item) => draftItem(item));
  const added: string[] = [];
  const changed: string[] = [];
  for (const draft of drafts) {
    const old = before?.items.get(draft.id);
    if (old === undefined) added.push(draft.id);
    else if (comparable(old) !== comparable(draft)) changed.push(draft.id);
  }
  const ids = new Set(drafts.map((d) => d.id));
  const removed = [...(before?.items.keys() ?? [])].filter((id) => !ids.has(id)).sort(compareCodeUnits);
  const previousVersion = before === undefined ? 0 : Number(before.lib.version);
  const moved = before === undefined || added.length > 0 || changed.length > 0 || removed.length > 0 || before.lib.name !== name;
  const version = String(moved ? previousVersion + 1 : previousVersion);

  const itemsJson: ItemJson[] = sorted.map((item, i) => {
    const draft = drafts[i]!;
    const old = before?.items.get(draft.id);
    const same = old !== undefined && comparable(old) === comparable(draft);
    const itemVersion = same ? old.version : version;
    return {
      created: old?.created ?? now,
      description: draft.description,
      version: itemVersion,
      files: draft.files,
      id: draft.id,
      name: draft.name,
      ...(item.type === "ovf" ? { metadata: [typeMetadata(draft.id, itemVersion, libId, item.vapp)] } : {}),
      properties: {},
      selfHref: draft.selfHref,
      type: draft.type,
    };
  });
  const lib: LibJson = {
    vcspVersion: "2",
    version,
    contentVersion: "1",
    name,
    id: libId,
    created: before?.lib.created ?? now,
    capabilities: { transferIn: ["httpGet"], transferOut: ["httpGet"] },
    itemsHref: "items.json",
  };
  const texts = new Map<string, string>();
  for (const item of itemsJson) texts.set(`${item.id.replace(/^urn:uuid:/, "")}/${ITEM_JSON}`, render(item));
  texts.set(ITEMS_JSON, render({ items: itemsJson }));
  texts.set(LIB_JSON, render(lib));
  return { version, lib, items: itemsJson, texts, added, changed, removed };
}

/** The JSON of an item without what the plan decides (version, created, metadata). */
function draftItem(item: ItemToPublish): Omit<ItemJson, "version" | "created" | "metadata"> {
  const files = [...item.files]
    .sort((a, b) => compareCodeUnits(a.name, b.name))
    .map((f) => ({ name: f.name, size: f.size, etag: etagOf(f.sha256), hrefs: [hrefOf(item.id, f.name)] }));
  return {
    description: item.description,
    files,
    id: `urn:uuid:${item.id}`,
    name: item.name,
    properties: {},
    selfHref: `${encodeURIComponent(item.id)}/${ITEM_JSON}`,
    type: item.type === "ovf" ? "vcsp.ovf" : "vcsp.iso",
  };
}

/** What makes two versions of an item the same item: everything but its version, creation time and metadata. */
function comparable(item: Omit<ItemJson, "version" | "created" | "metadata">): string {
  return JSON.stringify([item.description, item.files, item.id, item.name, item.selfHref, item.type]);
}

/**
 * The `type-metadata` make_vcsp gives an OVF item so that a subscribing vCenter shows it as an OVF
 * template (a VM or a vApp); its value is JSON in a string, as there.
 */
function typeMetadata(id: string, version: string, libraryId: string, vapp: boolean): Record<string, string> {
  const value = { id, version, libraryIdParent: libraryId, isVappTemplate: String(vapp), vmTemplate: null, vappTemplate: null, networks: [], storagePolicyGroups: null };
  return { key: "type-metadata", value: JSON.stringify(value), type: "String", domain: "SYSTEM", visibility: "READONLY" };
}

function render(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Why a previous output cannot be read (it is then not started over: its versions would go back). */
export class PreviousOutputError extends Error {}

/**
 * Reads what a previous run wrote for a library: its `lib.json` and `items.json`.
 * @throws PreviousOutputError saying what is wrong.
 */
export function parsePublished(libText: string, itemsText: string): PublishedBefore {
  let lib: unknown;
  let items: unknown;
  try {
    lib = JSON.parse(libText);
    items = JSON.parse(itemsText);
  } catch (err) {
    throw new PreviousOutputError(`is not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(lib) || typeof lib.version !== "string" || !/^\d{1,15}$/.test(lib.version) || typeof lib.id !== "string" || typeof lib.created !== "string" || typeof lib.name !== "string") {
    throw new PreviousOutputError(`${LIB_JSON} is not one vmimages publish writes (a whole-number version, an id, a name and created are needed)`);
  }
  if (!isRecord(items) || !Array.isArray(items.items)) throw new PreviousOutputError(`${ITEMS_JSON} has no "items" list`);
  const byId = new Map<string, ItemJson>();
  for (const item of items.items as unknown[]) {
    if (!isRecord(item) || typeof item.id !== "string" || typeof item.version !== "string" || typeof item.created !== "string" || !Array.isArray(item.files)) {
      throw new PreviousOutputError(`${ITEMS_JSON} has an item that is not one vmimages publish writes`);
    }
    byId.set(item.id, item as unknown as ItemJson);
  }
  return { lib: lib as unknown as LibJson, items: byId };
}
