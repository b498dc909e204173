import { Catalog, CatalogImage, catalogEntry, compareImages } from "../../catalog/catalog";
import { keepTransitionTimes } from "../../image/build";
import { ImageManifest } from "../../image/manifest";
import { isRecord } from "../../util";
import { readOwnYaml } from "../../yaml";
import { KUSTOMIZATION, manifestPath } from "./layout";

/** What a previous run's files say about their images. */

/** The image of a manifest file this project wrote; undefined when it no longer reads as one. */
export function previousManifest(text: string): ImageManifest | undefined {
  const doc = readOwnYaml(text);
  if (!isRecord(doc) || !isRecord(doc.metadata) || typeof doc.metadata.name !== "string" || !isRecord(doc.status) || !Array.isArray(doc.status.conditions)) return undefined;
  return doc as unknown as ImageManifest;
}

/** The manifest with the transition times its unchanged conditions have in the folder's file of it. */
export function keepFileTimes(m: ImageManifest, files: ReadonlyMap<string, string>): ImageManifest {
  const text = files.get(manifestPath(m));
  return text === undefined ? m : keepTransitionTimes(m, previousManifest(text)?.status.conditions);
}

/**
 * The catalog of the images a previous run wrote, for the catalog's diff against a new run. A file
 * whose text is what the new run renders is the new run's image (`current`, by path), taken without
 * reading: the diff skips an image that is the same object on both sides. Only changed and removed
 * files are read; one that cannot be read as an image counts as absent.
 */
export function previousCatalog(previous: ReadonlyMap<string, string>, current: ReadonlyMap<string, { readonly text: string; readonly image: CatalogImage }>): Catalog {
  const images: CatalogImage[] = [];
  for (const [rel, text] of previous) {
    if (rel === KUSTOMIZATION) continue;
    const now = current.get(rel);
    if (now !== undefined && now.text === text) {
      images.push(now.image);
      continue;
    }
    const old = previousManifest(text);
    if (old) images.push(catalogEntry(old));
  }
  return { images: images.sort(compareImages) };
}
