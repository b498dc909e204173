import { createHash } from "node:crypto";
import { buildIdentity } from "../build-identity";
import { Catalog, buildCatalog, imageKey, manifestKey } from "../catalog/catalog";
import { buildImage } from "../image/build";
import { ImageManifest } from "../image/manifest";
import { openSource } from "../source/open";
import { ContentLibrarySource } from "../source/source";
import { ApiVersion, DEFAULT_API_VERSION, ItemErrorPolicy, LibrarySelection, NamingStrategy, SourceSpec, SourceStats } from "../types";
import { DiskMetadataCache } from "./cache";
import { Listing, ReadOptions, ReadResult, listSelected, readDescriptors } from "./read";
import { nowToTheSecond } from "../util";

/**
 * One run of the pipeline, whichever face asked for it (the CLI, the Pulumi component): open the
 * source, list the selected libraries, read the descriptors, build the images and their catalog.
 * It knows no target: what it generated goes to one (targets/), which keeps its own earlier state.
 */

export interface RunOptions {
  /** Where the libraries are read from: a spec, or a source opened by the caller (the run closes it). */
  readonly source: SourceSpec | ContentLibrarySource;
  readonly libraries: readonly LibrarySelection[];
  /** @default vmoperator.vmware.com/v1alpha5 */
  readonly apiVersion?: ApiVersion;
  /** @default fromItemId */
  readonly naming?: NamingStrategy;
  /**
   * Where parsed descriptors are cached, for sources that have a `cacheKey`.
   * @default no cache: every descriptor is read on every run
   */
  readonly cacheDir?: string;
  /** What to do with an item whose descriptor VM Operator could not read either. @default fail */
  readonly itemErrors?: ItemErrorPolicy;
  /** RFC 3339 time stamped on the images' conditions. @default now, to the second */
  readonly now?: string;
  /** Descriptors read at once. @default 8 */
  readonly concurrency?: number;
  /** Called once an item is done (or failed), with the count so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called for each item skipped on purpose. */
  readonly onWarning?: (message: string) => void;
  /** Called once the source is closed, whether the run succeeded or failed, with what reading cost. */
  readonly onStats?: (stats: RunStats) => void;
}

/** What a run cost: the source's own counts (when it makes requests) and the cache's. */
export interface RunStats {
  /** The source, as messages name it (`vCenter https://vc.example.com`). */
  readonly source: string;
  readonly requests?: SourceStats;
  readonly cache?: { readonly hits: number; readonly misses: number };
}

/** The images of one run, sorted like the catalog. */
export interface Generated {
  readonly manifests: readonly ImageManifest[];
  readonly catalog: Catalog;
}

/** A run open on its source, its libraries listed: what it will generate, before it does. */
export interface Run {
  /** How many images the listed items make. */
  readonly count: number;
  /**
   * A digest of everything the run's images are a function of but the time: the source's items as
   * listed (a descriptor is fixed by its item's id and content version), the choices of the
   * configuration and the vmimages build. Two runs with the same digest generate the same images,
   * so a target that recorded it can tell it already holds them. Undefined when the source gives
   * its items no identity across runs (an offline folder) or the listing found problems.
   */
  readonly inputs?: string;
  /**
   * Reads the descriptors and builds the images.
   * @throws ProblemsError naming every library, item and file that could not be listed or read.
   */
  generate(): Promise<Generated>;
  /** Closes the source (and reports the run's cost to `onStats`); safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Opens the source and lists the selected libraries. Nothing is written anywhere but the cache.
 * @throws SourceError or ConfigError when the source cannot be opened or listed at all.
 */
export async function openRun(options: RunOptions): Promise<Run> {
  const source = isSource(options.source) ? options.source : openSource(options.source);
  const cache = options.cacheDir !== undefined && source.cacheKey !== undefined ? new DiskMetadataCache(options.cacheDir, source.cacheKey) : undefined;
  const readOptions: ReadOptions = {
    ...(cache ? { cache } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.itemErrors !== undefined ? { itemErrors: options.itemErrors } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await source.close();
    options.onStats?.({
      source: source.description,
      ...(source.stats ? { requests: { ...source.stats } } : {}),
      ...(cache ? { cache: { hits: cache.hits, misses: cache.misses } } : {}),
    });
  };
  let listing: Listing;
  try {
    listing = await listSelected(source, options.libraries, readOptions);
  } catch (err) {
    await close();
    throw err;
  }
  const inputs = source.cacheKey !== undefined && listing.problems.length === 0 ? inputsDigest(source.cacheKey, listing, options) : undefined;
  return {
    count: listing.items.length,
    ...(inputs !== undefined ? { inputs } : {}),
    generate: async () => buildManifests(await readDescriptors(source, listing, readOptions), options),
    close,
  };
}

/**
 * Runs the pipeline once: open, generate, close.
 * @throws ProblemsError naming every library, item and file that could not be read; ConfigError for
 *   a source that cannot be opened.
 */
export async function runPipeline(options: RunOptions): Promise<Generated> {
  const run = await openRun(options);
  try {
    return await run.generate();
  } finally {
    await run.close();
  }
}

export interface BuildManifestsOptions {
  readonly apiVersion?: ApiVersion;
  readonly naming?: NamingStrategy;
  /** RFC 3339 time stamped on the conditions. @default now, to the second */
  readonly now?: string;
}

/** One image manifest per item read, sorted like the catalog: the run's build step, without I/O. */
export function buildManifests({ items }: ReadResult, options: BuildManifestsOptions = {}): Generated {
  const now = options.now ?? nowToTheSecond();
  const manifests = items.map((read) => buildImage(read, read.scope, { apiVersion: options.apiVersion, naming: options.naming, now }));
  const catalog = buildCatalog(manifests);
  const order = new Map(catalog.images.map((img, i) => [imageKey(img), i]));
  return { manifests: [...manifests].sort((a, b) => order.get(manifestKey(a))! - order.get(manifestKey(b))!), catalog };
}

/** The digest `Run.inputs` describes; the items in any order (vCenter lists them in none). */
export function inputsDigest(sourceKey: string, listing: Listing, options: Pick<RunOptions, "apiVersion" | "naming" | "itemErrors">, build: string = buildIdentity()): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify([build, sourceKey, options.apiVersion ?? DEFAULT_API_VERSION, options.naming ?? "fromItemId", options.itemErrors ?? "fail"]));
  const lines = listing.items.map(({ library, scope, item }) => JSON.stringify([library.id, library.name, scope, item]));
  for (const line of lines.sort()) hash.update(`\n${line}`);
  return hash.digest("hex");
}

function isSource(value: SourceSpec | ContentLibrarySource): value is ContentLibrarySource {
  return typeof (value as ContentLibrarySource).listLibraries === "function";
}
