import { CatalogError } from "../errors";
import { assembleImage } from "../image/build";
import { ImageManifest, ImageStatus } from "../image/manifest";
import { ImageKind } from "../types";
import { compareCodeUnits } from "../util";

/**
 * The catalog: every image a run produced, in a plain JSON shape that is safe to export from a
 * Pulumi stack and to read back through a StackReference.
 */
export interface CatalogImage {
  /** The VMI ID, e.g. `vmi-0a0044d7c690bcbea`. */
  readonly name: string;
  readonly kind: ImageKind;
  /** The namespace of a VirtualMachineImage; absent for a ClusterVirtualMachineImage. */
  readonly namespace?: string;
  /** The content library item's display name (`status.name`). */
  readonly displayName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly status: ImageStatus;
}

export interface Catalog {
  /** Sorted: cluster images first, then by namespace, then by name. */
  readonly images: readonly CatalogImage[];
}

export function catalogEntry(m: ImageManifest): CatalogImage {
  return {
    name: m.metadata.name,
    kind: m.kind,
    ...(m.metadata.namespace !== undefined ? { namespace: m.metadata.namespace } : {}),
    displayName: m.status.name,
    labels: { ...(m.metadata.labels ?? {}) },
    status: m.status,
  };
}

/**
 * The manifest of an image kept as its catalog entry, as buildImage made it (its conditions
 * without times when the entry has none): what a Pulumi image resource writes from its inputs.
 */
export function entryManifest(apiVersion: string, image: CatalogImage): ImageManifest {
  return assembleImage(apiVersion, image.kind, image.name, image.namespace, image.status);
}

/** A catalog of manifests. @throws CatalogError when two images share a name in one scope. */
export function buildCatalog(manifests: readonly ImageManifest[]): Catalog {
  const images = manifests.map(catalogEntry).sort(compareImages);
  for (let i = 1; i < images.length; i++) {
    if (imageKey(images[i]!) === imageKey(images[i - 1]!)) {
      const img = images[i]!;
      throw new CatalogError(`two items make the image ${scopeName(img)}/${img.name} ("${images[i - 1]!.displayName}" and "${img.displayName}"); each item id must be unique`,
        { item: img.displayName },
      );
    }
  }
  return { images };
}

/** `kind/namespace/name`: an image's identity in a catalog. */
export function imageKey(img: Pick<CatalogImage, "kind" | "namespace" | "name">): string {
  return `${img.kind}/${img.namespace ?? ""}/${img.name}`;
}

/** The catalog identity of a manifest's image, without building its catalog entry. */
export function manifestKey(m: ImageManifest): string {
  return imageKey({ kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name });
}

/** `cluster` or `namespace team-a`, for messages. */
export function scopeName(img: Pick<CatalogImage, "namespace">): string {
  return img.namespace === undefined ? "cluster" : `namespace ${img.namespace}`;
}

/** The catalog's order: cluster images first, then by namespace, then by name. */
export function compareImages(a: CatalogImage, b: CatalogImage): number {
  return Number(a.namespace !== undefined) - Number(b.namespace !== undefined) || compareCodeUnits(a.namespace ?? "", b.namespace ?? "") || compareCodeUnits(a.name, b.name);
}

/**
 * An image without its conditions' `lastTransitionTime`: what changes only when the image does.
 * Diffs compare images this way, and the Pulumi component keeps images this way in state.
 */
export function withoutTimestamps(image: CatalogImage): CatalogImage {
  return { ...image, status: { ...image.status, conditions: image.status.conditions.map(({ lastTransitionTime: _t, ...c }) => c as typeof c & { lastTransitionTime: string }) } };
}
