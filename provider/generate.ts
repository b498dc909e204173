import { Catalog, buildCatalog, imageKey } from "./catalog/catalog";
import { buildImage, keepTransitionTimes } from "./image/build";
import { Condition, ImageManifest } from "./image/manifest";
import { NamingStrategy } from "./image/naming";
import { LibrarySelection, ReadOptions, ReadResult, readLibraries } from "./read";
import { ContentLibrarySource } from "./source/source";
import { ApiVersion } from "./types";

export interface BuildManifestsOptions {
  readonly apiVersion?: ApiVersion;
  readonly naming?: NamingStrategy;
  /** RFC 3339 time stamped on new conditions. @default now, to the second */
  readonly now?: string;
  /** The conditions an image had in the previous run; unchanged ones keep their timestamps. */
  readonly previousConditions?: (m: ImageManifest) => readonly Condition[] | undefined;
}

export interface GenerateOptions extends ReadOptions, BuildManifestsOptions {}

export interface Generated {
  readonly manifests: readonly ImageManifest[];
  readonly catalog: Catalog;
}

/** Reads the libraries and builds one image manifest per item, sorted like the catalog. */
export async function generateImages(
  source: ContentLibrarySource,
  libraries: readonly LibrarySelection[],
  options: GenerateOptions = {},
): Promise<Generated> {
  return buildManifests(await readLibraries(source, libraries, options), options);
}

/** One image manifest per item read, sorted like the catalog. */
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

export function manifestKey(m: ImageManifest): string {
  return imageKey({ kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name });
}
