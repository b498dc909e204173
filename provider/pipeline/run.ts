import { buildIdentity } from "../build-identity";
import { Catalog, buildCatalog, imageKey, manifestKey } from "../catalog/catalog";
import { buildImage, keepTransitionTimes } from "../image/build";
import { Condition, ImageManifest } from "../image/manifest";
import { openSource } from "../source/open";
import { ContentLibrarySource } from "../source/source";
import { ApiVersion, DEFAULT_API_VERSION, ItemErrorPolicy, LibrarySelection, NamingStrategy, SourceSpec, SourceStats } from "../types";
import { DiskMetadataCache } from "./cache";
import { Listing, ReadResult, listSelected, readDescriptors } from "./read";
import { folderStamp } from "./stamp";

/**
 * One run of the pipeline, whichever face asked for it (the CLI, the Pulumi component): open the
 * source, list the selected libraries, decide whether the target already holds what this run would
 * make, read the descriptors, build the images. The result goes to a target (targets/).
 */

/** What a target holds from an earlier run, so this one can keep what did not change. */
export interface PreviousState {
  /**
   * The target's identity for its stamp (an output folder's absolute path). With `files` and a
   * cached source, a run whose items, configuration and build are those that wrote the target, and
   * whose target still holds exactly what that run wrote, builds nothing.
   */
  readonly target?: string;
  /** What the target holds now that this project wrote (path → text). */
  readonly files?: ReadonlyMap<string, string>;
  /** The conditions each image had; unchanged ones keep their `lastTransitionTime`. */
  readonly conditions?: (m: ImageManifest) => readonly Condition[] | undefined;
}

export interface RunOptions {
  /** Where the libraries are read from: a spec, or a source opened by the caller (the run closes it). */
  readonly source: SourceSpec | ContentLibrarySource;
  readonly libraries: readonly LibrarySelection[];
  /** @default vmoperator.vmware.com/v1alpha5 */
  readonly apiVersion?: ApiVersion;
  /** @default fromItemId */
  readonly naming?: NamingStrategy;
  /**
   * Where parsed descriptors (and target stamps) are cached, for sources that have a `cacheKey`.
   * @default no cache: every descriptor is read on every run
   */
  readonly cacheDir?: string;
  readonly previous?: PreviousState;
  /** What to do with an item whose descriptor VM Operator could not read either. @default fail */
  readonly itemErrors?: ItemErrorPolicy;
  /** RFC 3339 time stamped on new conditions. @default now, to the second */
  readonly now?: string;
  /** Descriptors read at once. @default 8 */
  readonly concurrency?: number;
  /** Called once an item is done (or failed), with the count so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called for each item skipped on purpose; every warning is also in the result. */
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

export interface RunResult {
  /** The images; undefined when the target already holds exactly what they would make (nothing was built). */
  readonly generated?: Generated;
  /** How many images the libraries hold (also when nothing was built). */
  readonly count: number;
  readonly warnings: readonly string[];
  /**
   * Records that the target now holds `files`, written from this run, so the next run over the same
   * items can stop after listing. A no-op without a cache, a stamped source or `previous.target`.
   * @throws when the cache cannot be written (the target itself is fine: the next run rebuilds).
   */
  recordTarget(files: ReadonlyMap<string, string>): Promise<void>;
}

/**
 * Runs the pipeline once. Nothing is written anywhere but the cache.
 * @throws ProblemsError naming every library, item and file that could not be read; ConfigError for
 *   a source that cannot be opened.
 */
export async function runPipeline(options: RunOptions): Promise<RunResult> {
  const source = isSource(options.source) ? options.source : openSource(options.source);
  const cache = options.cacheDir !== undefined && source.cacheKey !== undefined ? new DiskMetadataCache(options.cacheDir, source.cacheKey) : undefined;
  const warnings: string[] = [];
  const readOptions = {
    ...(cache ? { cache } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.itemErrors !== undefined ? { itemErrors: options.itemErrors } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    onWarning: (m: string) => {
      warnings.push(m);
      options.onWarning?.(m);
    },
  };
  const previous = options.previous ?? {};
  const target = cache !== undefined && previous.target !== undefined && previous.files !== undefined ? { dir: previous.target, files: previous.files } : undefined;
  let build: string | undefined;
  const stamp = (listing: Listing, files: ReadonlyMap<string, string>) =>
    folderStamp({
      build: (build ??= buildIdentity()),
      apiVersion: options.apiVersion ?? DEFAULT_API_VERSION,
      naming: options.naming ?? "fromItemId",
      itemErrors: options.itemErrors ?? "fail",
      items: listing.items,
      files,
    });

  let listing: Listing;
  let read: ReadResult | undefined;
  try {
    listing = await listSelected(source, options.libraries, readOptions);
    const upToDate = target !== undefined && listing.problems.length === 0 && target.files.size > 0 && (await cache!.stampOf(target.dir)) === stamp(listing, target.files);
    if (!upToDate) read = await readDescriptors(source, listing, readOptions);
  } finally {
    await source.close();
    options.onStats?.({
      source: source.description,
      ...(source.stats ? { requests: { ...source.stats } } : {}),
      ...(cache ? { cache: { hits: cache.hits, misses: cache.misses } } : {}),
    });
  }
  const listed = listing;
  const generated = read && buildManifests(read, { apiVersion: options.apiVersion, naming: options.naming, now: options.now, previousConditions: previous.conditions });
  return {
    ...(generated ? { generated } : {}),
    count: generated?.manifests.length ?? listed.items.length,
    warnings,
    recordTarget: async (files) => {
      if (target === undefined) return;
      await cache!.recordStamp(target.dir, stamp(listed, files));
      await cache!.flush();
    },
  };
}

export interface BuildManifestsOptions {
  readonly apiVersion?: ApiVersion;
  readonly naming?: NamingStrategy;
  /** RFC 3339 time stamped on new conditions. @default now, to the second */
  readonly now?: string;
  /** The conditions an image had in the previous run; unchanged ones keep their timestamps. */
  readonly previousConditions?: (m: ImageManifest) => readonly Condition[] | undefined;
}

/** One image manifest per item read, sorted like the catalog: the run's build step, without I/O. */
export function buildManifests({ items }: ReadResult, options: BuildManifestsOptions = {}): Generated {
  const now = options.now ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const manifests = items.map((read) => {
    const image = buildImage(read, read.scope, { apiVersion: options.apiVersion, naming: options.naming, now });
    return keepTransitionTimes(image, options.previousConditions?.(image));
  });
  const catalog = buildCatalog(manifests);
  const order = new Map(catalog.images.map((img, i) => [imageKey(img), i]));
  return { manifests: [...manifests].sort((a, b) => order.get(manifestKey(a))! - order.get(manifestKey(b))!), catalog };
}

function isSource(value: SourceSpec | ContentLibrarySource): value is ContentLibrarySource {
  return typeof (value as ContentLibrarySource).listLibraries === "function";
}
