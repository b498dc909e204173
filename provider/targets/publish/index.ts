import { existsSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { readIfPresent } from "../../atomic-file";
import { OutputError, ProblemsError, VmImagesError, describeLocation, messageOf } from "../../errors";
import { listSelected } from "../../pipeline/read";
import { DirectorySource, OFFLINE_ITEM_NAMESPACE } from "../../source/directory";
import { LibraryInfo, LibrarySelection } from "../../types";
import { compareCodeUnits, nowToTheSecond } from "../../util";
import { FolderLayout, Staging, lockFolder, recoverFolder } from "../gitops/write";
import { ItemFile, copyFile, extractEntries, itemFiles, referencedName } from "./files";
import { ITEMS_JSON, ITEM_JSON, LIB_JSON, PreviousOutputError, PublishedBefore, parsePublished, planLibrary } from "./plan";

/**
 * `vmimages publish`: the libraries of an offline folder written as published content libraries
 * (the VMware Content Subscription Protocol), which any static web server serves for vCenters to
 * subscribe to, and which the `published` source reads:
 *
 *     DIR/.vmimages-publish.json         which libraries of DIR vmimages writes
 *     DIR/<library>/lib.json             the subscription URL's target
 *     DIR/<library>/items.json
 *     DIR/<library>/<item id>/item.json
 *     DIR/<library>/<item id>/<files>    the OVF descriptor, the files it references, its manifest; or the ISO image
 *
 * The folder is written as `generate` writes its output (targets/gitops/write.ts): one run at a
 * time under its lock, every new file under a temporary name first, then a journal and renames
 * (each library's files, then its item.json files, then items.json, then lib.json: a subscriber
 * that reads the new lib.json finds everything it lists). A failed run leaves nothing of itself.
 */

/** Names the libraries of DIR that vmimages writes: no other folder of DIR is ever touched. */
export const MARKER = ".vmimages-publish.json";
/** Where a dead run's temporary files may be: in a library's folder or an item's. */
const LAYOUT: FolderLayout = { depth: 2 };
/** vCenter refuses longer item names. */
const MAX_NAME_LENGTH = 80;
const MAX_DESCRIPTION_LENGTH = 1024;

export interface PublishOptions {
  /** The offline folder of libraries. */
  readonly directory: string;
  /** The libraries to publish (by folder name). */
  readonly libraries: readonly LibrarySelection[];
  /** The output folder. */
  readonly out: string;
  /** For what is published anyway: a missing referenced file, a name vCenter refuses. */
  readonly onWarning?: (message: string) => void;
  /** The time new `created` fields get (RFC 3339). @default now */
  readonly now?: string;
}

/** What a run published, per library. */
export interface PublishedLibrary {
  readonly name: string;
  /** `DIR/<library>/lib.json`, absolute. */
  readonly libJson: string;
  readonly version: string;
  readonly items: number;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
}

export interface PublishResult {
  readonly libraries: readonly PublishedLibrary[];
  /** Files written (renamed into place) and removed. */
  readonly written: number;
  readonly removed: number;
}

/**
 * Publishes the chosen libraries of an offline folder into `out`.
 * @throws ProblemsError for items that cannot be listed or read (nothing is written);
 *   OutputError when `out` cannot be written, holds a library folder vmimages did not write, or
 *   a previous output it cannot read (its versions would otherwise go back).
 */
export async function publishLibraries(options: PublishOptions): Promise<PublishResult> {
  const out = path.resolve(options.out);
  const warn = options.onWarning ?? (() => undefined);
  const now = options.now ?? nowToTheSecond();
  const source = new DirectorySource(path.resolve(options.directory));
  const listing = await listSelected(source, options.libraries, { onWarning: warn });
  const problems: VmImagesError[] = [...listing.problems];
  // Every chosen library is published, an empty one too (listSelected names those that do not exist).
  const libraries = await source.listLibraries();
  const toPublish = new Map<string, { library: LibraryInfo; items: Array<{ id: string; name: string; description: string; type: "ovf" | "iso"; vapp: boolean; files: ItemFile[] }> }>();
  for (const sel of options.libraries) {
    const library = libraries.find((l) => l.name === sel.name) ?? libraries.find((l) => l.id === sel.name);
    if (library !== undefined) toPublish.set(library.name, { library, items: [] });
  }
  for (const { library, item } of listing.items) {
    const where = describeLocation({ item: item.name, itemId: item.id, library: library.name });
    if (item.name.length > MAX_NAME_LENGTH) warn(`${where}: its name is ${item.name.length} characters; vCenter refuses item names longer than ${MAX_NAME_LENGTH}, so a subscribing vCenter may not sync it`);
    if ((item.description ?? "").length > MAX_DESCRIPTION_LENGTH) warn(`${where}: its description is longer than the ${MAX_DESCRIPTION_LENGTH} characters vCenter takes`);
    try {
      const { files, vapp } = await itemFiles(library, item, warn);
      toPublish.get(library.name)!.items.push({ id: item.id, name: item.name, description: item.description ?? "", type: item.type === "iso" ? "iso" : "ovf", vapp, files: [...files] });
    } catch (err) {
      problems.push(err instanceof VmImagesError ? err : new OutputError(`${where}: ${messageOf(err)}`, { library: library.name, item: item.name, itemId: item.id }, { cause: err }));
    }
  }
  if (problems.length) throw new ProblemsError(`${problems.length} problem(s) reading ${source.description}; nothing was published`, problems);

  const lock = lockFolder(out);
  try {
    recoverFolder(out, LAYOUT);
    const owned = readMarker(out);
    const published: PublishedLibrary[] = [];
    const staging = new Staging(out, () => undefined);
    const removes: string[] = [];
    try {
      const textWrites: Array<[string, string]> = [];
      for (const [name, { items }] of [...toPublish].sort(([a], [b]) => compareCodeUnits(a, b))) {
        checkLibraryName(out, name);
        const folder = path.join(out, name);
        if (existsSync(folder) && !owned.has(name)) {
          throw new OutputError(`${folder} was not written by vmimages publish (${path.join(out, MARKER)} does not name it); choose another --out, or move it away`, { file: folder });
        }
        const before = owned.has(name) ? readPrevious(folder) : undefined;
        const newId = `urn:uuid:${uuidv5(`library:${name}`)}`;
        const plan = planLibrary(name, newId, items, before, now);
        const filesById = new Map(items.map((i) => [`urn:uuid:${i.id}`, new Map(i.files.map((f) => [f.name, f]))]));
        // The item files first, each OVA read once for all its entries.
        const fromOva = new Map<string, Map<string, string>>();
        for (const item of plan.items) {
          const itemId = item.id.replace(/^urn:uuid:/, "");
          const previous = before?.items.get(item.id);
          for (const file of item.files) {
            const rel = `${name}/${itemId}/${file.name}`;
            const was = previous?.files.find((f) => f.name === file.name);
            if (was !== undefined && was.etag === file.etag && was.size === file.size && sizeOf(path.join(out, rel)) === file.size) continue;
            const origin = filesById.get(item.id)!.get(file.name)!;
            const tmp = staging.next(rel);
            if ("file" in origin.origin) {
              await copyFile(origin.origin.file, tmp);
              if (sizeOf(tmp) !== file.size) throw new Error(`${origin.origin.file} changed while it was published; run again`);
              staging.written();
            } else {
              const entries = fromOva.get(origin.origin.ova) ?? new Map<string, string>();
              entries.set(origin.origin.entry, tmp);
              fromOva.set(origin.origin.ova, entries);
            }
          }
          // Files a previous run published for the item that it no longer has.
          for (const old of previous?.files ?? []) if (!item.files.some((f) => f.name === old.name)) removes.push(ownedPath(name, itemId, old.name));
        }
        for (const [ova, entries] of fromOva) {
          await extractEntries(ova, entries);
          staging.written();
        }
        for (const id of plan.removed) {
          const itemId = id.replace(/^urn:uuid:/, "");
          for (const old of before!.items.get(id)!.files) removes.push(ownedPath(name, itemId, old.name));
          removes.push(ownedPath(name, itemId, ITEM_JSON));
        }
        // Then the item.json files, items.json and lib.json, each only when its text changed.
        const order = (rel: string) => (rel === LIB_JSON ? 2 : rel === ITEMS_JSON ? 1 : 0);
        for (const [rel, text] of [...plan.texts].sort(([a], [b]) => order(a) - order(b) || compareCodeUnits(a, b))) {
          if (readIfPresent(path.join(folder, rel)) !== text) textWrites.push([`${name}/${rel}`, text]);
        }
        published.push({ name, libJson: path.join(folder, LIB_JSON), version: plan.version, items: plan.items.length, added: plan.added.length, changed: plan.changed.length, removed: plan.removed.length });
      }
      // Text files after every library's item files, lib.json files last of all.
      textWrites.sort(([a], [b]) => Number(a.endsWith(`/${LIB_JSON}`)) - Number(b.endsWith(`/${LIB_JSON}`)));
      for (const [rel, text] of textWrites) {
        writeFileSync(staging.next(rel), text);
        staging.written();
      }
      const marker = renderMarker(new Set([...owned, ...toPublish.keys()]));
      if (readIfPresent(path.join(out, MARKER)) !== marker) writeFileSync(staging.next(MARKER), marker);
    } catch (err) {
      staging.abort();
      if (err instanceof VmImagesError) throw err;
      throw new OutputError(`cannot publish into ${out}: ${messageOf(err)}; nothing in ${out} was changed`, { file: out }, { cause: err });
    }
    const written = staging.size;
    const existingRemoves = removes.filter((rel) => existsSync(path.join(out, rel)));
    if (written > 0 || existingRemoves.length > 0) staging.commit(existingRemoves);
    return { libraries: published, written, removed: existingRemoves.length };
  } finally {
    lock.release();
  }
}

/** A library's folder name must be one folder of `out`. */
function checkLibraryName(out: string, name: string): void {
  if (name === "" || name.startsWith(".") || name.includes("/") || name.includes("\\")) throw new OutputError(`the library "${name}" cannot be a folder of ${out}`, { library: name });
}

/** A path a previous run listed, checked to be inside the item's folder (items.json is read back, and could have been edited). */
function ownedPath(library: string, itemId: string, name: string): string {
  const safe = referencedName(name);
  if (safe === undefined || !/^[0-9a-f-]{36}$/.test(itemId)) throw new OutputError(`the previous ${ITEMS_JSON} of library "${library}" lists ${JSON.stringify(`${itemId}/${name}`)}, which is not a file of an item's folder; restore it, or publish into a new folder`, { library });
  return `${library}/${itemId}/${safe}`;
}

/** The libraries the marker names; an empty set for a folder without one. */
function readMarker(out: string): Set<string> {
  const text = readIfPresent(path.join(out, MARKER));
  if (text === undefined) return new Set();
  try {
    const data = JSON.parse(text) as { writtenBy?: unknown; libraries?: unknown };
    if (data.writtenBy === "vmimages publish" && Array.isArray(data.libraries) && data.libraries.every((l) => typeof l === "string")) return new Set(data.libraries as string[]);
  } catch {
    // Not ours: said below.
  }
  throw new OutputError(`${path.join(out, MARKER)} is not one vmimages publish wrote; choose another --out, or remove it if the folder is vmimages' own`, { file: MARKER });
}

function renderMarker(libraries: ReadonlySet<string>): string {
  return `${JSON.stringify({ writtenBy: "vmimages publish", libraries: [...libraries].sort(compareCodeUnits) }, null, 2)}\n`;
}

/** What a previous run wrote for a library; undefined when its files are gone (it starts over). */
function readPrevious(folder: string): PublishedBefore | undefined {
  const lib = readIfPresent(path.join(folder, LIB_JSON));
  const items = readIfPresent(path.join(folder, ITEMS_JSON));
  if (lib === undefined && items === undefined) return undefined;
  if (lib === undefined || items === undefined) {
    throw new OutputError(`${folder} has ${lib === undefined ? `${ITEMS_JSON} but no ${LIB_JSON}` : `${LIB_JSON} but no ${ITEMS_JSON}`}; vmimages publish reads both to keep the versions subscribers saw: restore it, or publish into a new folder`, {
      file: folder,
    });
  }
  try {
    return parsePublished(lib, items);
  } catch (err) {
    if (!(err instanceof PreviousOutputError)) throw err;
    throw new OutputError(`the previous output in ${folder} ${err.message}; vmimages publish reads it to keep the versions subscribers saw: restore it, or publish into a new folder`, { file: folder }, { cause: err });
  }
}

function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}


/** The library id of a library first published by this name: stable across runs and machines. */
function uuidv5(name: string): string {
  return (require("uuid") as typeof import("uuid")).v5(name, OFFLINE_ITEM_NAMESPACE);
}
