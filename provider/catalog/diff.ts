import { isRecord } from "../util";
import { Catalog, CatalogImage, imageKey, scopeName, withoutTimestamps } from "./catalog";

export interface ChangedImage {
  readonly before: CatalogImage;
  readonly after: CatalogImage;
  /** Dotted paths of the fields that differ, e.g. `status.providerContentVersion`, `labels.os.image…/version`. */
  readonly fields: readonly string[];
}

export interface CatalogDiff {
  readonly added: readonly CatalogImage[];
  readonly removed: readonly CatalogImage[];
  readonly changed: readonly ChangedImage[];
}

/**
 * What changed between two catalogs. Condition timestamps are not a change: they only move when
 * something else does. An image that is the same object in both catalogs is unchanged without
 * being compared (a GitOps folder passes the new entry for a file whose text did not change).
 */
export function diffCatalogs(before: Catalog, after: Catalog): CatalogDiff {
  const old = new Map(before.images.map((i) => [imageKey(i), i]));
  const now = new Map(after.images.map((i) => [imageKey(i), i]));
  const added = after.images.filter((i) => !old.has(imageKey(i)));
  const removed = before.images.filter((i) => !now.has(imageKey(i)));
  const changed: ChangedImage[] = [];
  for (const img of after.images) {
    const prev = old.get(imageKey(img));
    if (prev === undefined || prev === img) continue;
    const fields = changedFields(prev, img);
    if (fields.length) changed.push({ before: prev, after: img, fields });
  }
  return { added, removed, changed };
}

/** The fields in which an image changed, as dotted paths; condition timestamps are no change. */
export function changedFields(before: CatalogImage, after: CatalogImage): string[] {
  return changedPaths(withoutTimestamps(before), withoutTimestamps(after), "");
}

/** Leaf paths where two JSON values differ, below `prefix`. */
export function changedPaths(a: unknown, b: unknown, prefix: string): string[] {
  if (a === b) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...changedPaths(a[i], b[i], `${prefix}[${i}]`));
    return out;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

/** A diff as the lines a user reads in a terminal or a CI log. */
export function formatDiff(d: CatalogDiff): string[] {
  return [
    ...d.added.map((i) => `+ ${i.kind} ${i.name} "${i.displayName}" (${scopeName(i)})`),
    ...d.changed.map((c) => `~ ${c.after.kind} ${c.after.name} "${c.after.displayName}" (${scopeName(c.after)}): ${c.fields.join(", ")}`),
    ...d.removed.map((i) => `- ${i.kind} ${i.name} "${i.displayName}" (${scopeName(i)})`),
  ];
}
