import { catalogEntry, manifestKey } from "../../catalog/catalog";
import { changedFields, changedPaths } from "../../catalog/diff";
import { keepTransitionTimes } from "../../image/build";
import { isImageLabel } from "../../image/labels";
import { Condition, ImageManifest } from "../../image/manifest";
import { ImageKind } from "../../types";

/**
 * What `apply` does to a cluster, as a pure function of the images wanted and those the cluster
 * holds: which to create, which to update (and in what), which are already right, which are not
 * vmimages' to touch, and (with prune) which to delete.
 */

export const MANAGED_BY = "app.kubernetes.io/managed-by";
export const CONFIG_LABEL = "vmimages.pulumi-vmimages.dev/config";
/** The value of `MANAGED_BY`, and the field manager of every write. */
export const MANAGER = "vmimages";

/** An image as the API server returns it: the manifest's metadata, and whatever spec and status it holds. */
export interface LiveImage extends Pick<ImageManifest, "metadata"> {
  readonly kind: ImageKind;
  readonly spec?: unknown;
  readonly status?: Readonly<Record<string, unknown>> & { readonly conditions?: readonly Condition[] };
}

export type ImageStep =
  | { readonly action: "create"; readonly manifest: ImageManifest }
  | { readonly action: "update"; readonly manifest: ImageManifest; readonly before: ImageManifest; readonly fields: readonly string[] };

export interface ClusterPlan {
  /** The images to write, each with its owner's labels and the transition times its unchanged conditions have there. */
  readonly apply: readonly ImageStep[];
  readonly unchanged: readonly ImageManifest[];
  /** Images of a wanted name that vmimages does not manage: why each is left as it is. */
  readonly conflicts: readonly string[];
  /** Images this owner applied before that are no longer wanted. */
  readonly prune: readonly ImageManifest[];
}

export interface PlanOptions {
  /** Names the configuration the images belong to (the `CONFIG_LABEL` value). */
  readonly owner: string;
  /** With prune: the images the cluster holds that carry this owner's labels. */
  readonly owned?: readonly LiveImage[];
}

/** The plan that makes `live` hold `desired`: see above. */
export function planCluster(desired: readonly ImageManifest[], live: readonly LiveImage[], options: PlanOptions): ClusterPlan {
  const held = new Map(live.map((i) => [liveKey(i), i]));
  const apply: ImageStep[] = [];
  const unchanged: ImageManifest[] = [];
  const conflicts: string[] = [];
  for (const wanted of desired) {
    const m = withOwner(wanted, options.owner);
    const there = held.get(manifestKey(m));
    if (there === undefined) {
      apply.push({ action: "create", manifest: m });
      continue;
    }
    if (there.metadata.labels?.[MANAGED_BY] !== MANAGER) {
      conflicts.push(`${describeImage(m)} exists and is not managed by vmimages: left as it is`);
      continue;
    }
    // Unchanged conditions keep the time they last changed, as in a folder: no change, no write.
    const manifest = keepTransitionTimes(m, there.status?.conditions);
    const before = asManifest(there, m.apiVersion);
    const fields = imageChanges(before, manifest);
    if (fields.length === 0) unchanged.push(manifest);
    else apply.push({ action: "update", manifest, before, fields });
  }
  const wanted = new Set(desired.map(manifestKey));
  const prune = (options.owned ?? []).filter((i) => !wanted.has(liveKey(i))).map((i) => asManifest(i, desired[0]?.apiVersion));
  return { apply, unchanged, conflicts, prune };
}

/**
 * Where a live image differs from a wanted one, in the catalog's fields (catalog/diff.ts) and in
 * the object's own: its spec, and the annotations vmimages sets. Labels count when vmimages sets
 * them (a label someone else added is theirs, but a capability the item dropped goes).
 */
export function imageChanges(live: ImageManifest, wanted: ImageManifest): string[] {
  const labels = Object.fromEntries(Object.entries(live.metadata.labels ?? {}).filter(([k]) => isImageLabel(k) || wanted.metadata.labels?.[k] !== undefined));
  const annotations = Object.fromEntries(Object.keys(wanted.metadata.annotations ?? {}).flatMap((k) => (live.metadata.annotations?.[k] !== undefined ? [[k, live.metadata.annotations[k]]] : [])));
  return [
    ...changedFields(catalogEntry({ ...live, metadata: { ...live.metadata, labels } }), catalogEntry(wanted)),
    ...changedPaths(annotations, wanted.metadata.annotations ?? {}, "annotations"),
    ...changedPaths(live.spec, wanted.spec, "spec"),
  ];
}

/** A live image as a manifest of `apiVersion` (the version it was read in), for the catalog. */
export function asManifest(live: LiveImage, apiVersion: string | undefined): ImageManifest {
  const status = live.status ?? {};
  return {
    ...live,
    apiVersion,
    status: { ...status, name: typeof status.name === "string" ? status.name : (live.metadata.annotations?.["vmware.com/display-name"] ?? ""), conditions: Array.isArray(status.conditions) ? status.conditions : [] },
  } as unknown as ImageManifest;
}

/** `ClusterVirtualMachineImage vmi-…` / `VirtualMachineImage team-a/vmi-…`, for messages. */
export function describeImage(m: { readonly kind: string; readonly metadata: { readonly name: string; readonly namespace?: string } }): string {
  return `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ""}${m.metadata.name}`;
}

/** The manifest with the labels that say vmimages manages it, for this configuration. */
function withOwner(m: ImageManifest, owner: string): ImageManifest {
  return { ...m, metadata: { ...m.metadata, labels: { ...(m.metadata.labels ?? {}), [MANAGED_BY]: MANAGER, [CONFIG_LABEL]: owner } } };
}

function liveKey(i: LiveImage): string {
  return manifestKey(i as unknown as ImageManifest);
}
