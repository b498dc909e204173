import pLimit from "p-limit";
import { Location, OvfError, ProblemsError, SourceError, VmImagesError, describeLocation, messageOf } from "../errors";
import { parseOvfDescriptor } from "../ovf/parse";
import { OvaError } from "../source/ova";
import { ContentLibrarySource } from "../source/source";
import { ItemErrorPolicy, LibraryInfo, LibraryItem, LibrarySelection, LibraryScope, ListedItem, MetadataCache, OvfMetadata, ReadItem } from "../types";

export interface ReadOptions {
  /** Descriptors read at once. @default 8 */
  readonly concurrency?: number;
  /** Called once an item is done (or failed), with the count so far and the total, for progress bars. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called for items that are skipped on purpose (vm-template items). */
  readonly onWarning?: (message: string) => void;
  /** Looks up and stores parsed metadata, so unchanged items need no download. */
  readonly cache?: MetadataCache;
  /** @default fail */
  readonly itemErrors?: ItemErrorPolicy;
}

export interface ReadResult {
  readonly items: readonly (ReadItem & { readonly scope: LibraryScope })[];
}

/** The items of the selected libraries, before any descriptor is read. */
export interface Listing {
  readonly items: readonly ListedItem[];
  /** What could not be listed; reported with the descriptors' problems by `readDescriptors`. */
  readonly problems: readonly VmImagesError[];
}

/**
 * Lists the selected libraries of a source: their OVF and ISO items. A library or item that cannot
 * be listed is a problem of the listing, reported with the descriptors' by `readDescriptors`, so
 * every problem of a run is reported together; never throws for a library or an item.
 */
export async function listSelected(source: ContentLibrarySource, selections: readonly LibrarySelection[], options: ReadOptions = {}): Promise<Listing> {
  const problems: VmImagesError[] = [];
  const libraries = await source.listLibraries();
  // A library is named in the configuration by its name or by its id.
  const find = (key: string) => libraries.find((l) => l.name === key) ?? libraries.find((l) => l.id === key);

  const chosen: Array<{ library: LibraryInfo; scope: LibraryScope }> = [];
  for (const sel of selections) {
    const library = find(sel.name);
    if (library === undefined) {
      const known = libraries.map((l) => `"${l.name}"`).sort().join(", ") || "none";
      problems.push(
        new SourceError(`library "${sel.name}" does not exist in ${source.description} (libraries there: ${known})`, {
          library: sel.name,
        }),
      );
    } else {
      chosen.push({ library, scope: sel.scope });
    }
  }

  const listed: ListedItem[] = [];
  for (const { library, scope } of chosen) {
    try {
      const { items, problems: itemProblems } = await source.listItems(library);
      problems.push(...itemProblems);
      for (const item of items) {
        if (item.type !== "ovf" && item.type !== "iso") {
          const what = item.type === "vm-template" ? "a vm-template item (VM Operator publishes OVF and ISO items as images)" : "neither an OVF nor an ISO item";
          options.onWarning?.(`skipping ${describeLocation({ item: item.name, itemId: item.id, library: library.name })}: it is ${what}`);
          continue;
        }
        listed.push({ library, scope, item });
      }
    } catch (err) {
      problems.push(asProblem(err, { library: library.name }, "cannot list its items"));
    }
  }
  problems.push(...duplicateIds(listed));
  return { items: listed, problems };
}

/**
 * Parses the OVF descriptor of each listed item. A read with any problem throws and returns
 * nothing, so a partial catalog can never make images look deleted.
 * @throws ProblemsError listing the listing's problems and every descriptor that could not be read.
 */
export async function readDescriptors(source: ContentLibrarySource, listing: Listing, options: ReadOptions = {}): Promise<ReadResult> {
  const problems = [...listing.problems];
  const listed = listing.items;
  const limit = pLimit(options.concurrency ?? 8);
  let done = 0;
  const results = await Promise.all(
    listed.map(({ library, scope, item }) =>
      limit(async () => {
        try {
          const ovf = item.type === "ovf" ? await readMetadata(source, library, item, options.cache) : undefined;
          return { library, scope, item, ...(ovf ? { ovf } : {}) };
        } catch (err) {
          const problem = asProblem(err, { library: library.name, item: item.name, itemId: item.id, file: item.location }, "cannot read its OVF descriptor");
          if (options.itemErrors === "notReady" && isContentError(err)) {
            options.onWarning?.(`${problem.message}; its image is written with Ready=False`);
            return { library, scope, item, unreadable: problem.message };
          }
          problems.push(problem);
          return undefined;
        } finally {
          options.onProgress?.(++done, listed.length);
        }
      }),
    ),
  );

  await options.cache?.flush?.();
  if (problems.length) {
    throw new ProblemsError(`${problems.length} problem(s) reading ${source.description}; nothing was written`, problems);
  }
  return { items: results.filter((r): r is NonNullable<typeof r> => r !== undefined) };
}

/**
 * Whether a read failed on the item's content, which VM Operator could not read either (so its
 * image can be emitted not ready), rather than on reaching it (a network or file-system error, which
 * a later run may not meet).
 */
function isContentError(err: unknown): boolean {
  return err instanceof OvfError || err instanceof OvaError || (err instanceof VmImagesError && err.cause instanceof OvaError);
}

async function readMetadata(source: ContentLibrarySource, library: LibraryInfo, item: LibraryItem, cache?: MetadataCache): Promise<OvfMetadata> {
  const cached = await cache?.get(item);
  if (cached) return cached;
  const xml = await source.fetchDescriptor(library, item);
  const metadata = parseOvfDescriptor(xml, { library: library.name, item: item.name, itemId: item.id, file: item.location });
  await cache?.put(item, metadata);
  return metadata;
}

function duplicateIds(listed: ReadonlyArray<{ library: LibraryInfo; item: LibraryItem }>): VmImagesError[] {
  const seen = new Map<string, { library: LibraryInfo; item: LibraryItem }>();
  const problems: VmImagesError[] = [];
  for (const entry of listed) {
    const first = seen.get(entry.item.id);
    if (first === undefined) {
      seen.set(entry.item.id, entry);
      continue;
    }
    const where = (e: { library: LibraryInfo; item: LibraryItem }) =>
      describeLocation({ item: e.item.name, library: e.library.name, file: e.item.location });
    problems.push(
      new SourceError(`two items have the id ${entry.item.id}: ${where(first)} and ${where(entry)}; give one of them another id in its .item.json`, {
        library: entry.library.name,
        item: entry.item.name,
        itemId: entry.item.id,
        file: entry.item.location,
      }),
    );
  }
  return problems;
}

function asProblem(err: unknown, where: Location, what: string): VmImagesError {
  if (err instanceof VmImagesError) return err;
  return new SourceError(`${describeLocation(where)}: ${what}: ${messageOf(err)}`, where, { cause: err });
}
