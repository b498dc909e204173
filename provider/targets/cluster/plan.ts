import { catalogEntry, manifestKey } from "../../catalog/catalog";
import { changedFields, changedPaths } from "../../catalog/diff";
import { keepTransitionTimes } from "../../image/build";
import { isImageLabel } from "../../image/labels";
import { Condition, ImageManifest } from "../../image/manifest";
import { ImageKind } from "../../types";
import { PART_OF } from "./applyset";

/**
 * What `apply` does to a cluster, as a pure function of the images wanted and those the cluster
 * holds: which to create, which to update (and in what), which are already right, which are not
 * vmimages' to touch, and (with prune) which to delete.
 */

export const MANAGED_BY = "app.kubernetes.io/managed-by";
export const CONFIG_LABEL = "vmimages.pulumi-vmimages.dev/config";
/** The value of `MANAGED_BY`, and the field manager of every write. */
export const MANAGER = "vmimages";

/** An image as the API server returns it: the manifest's metadata with the server's own, and whatever spec and status it holds. */
export interface LiveImage {
  readonly kind: ImageKind;
  readonly metadata: ImageManifest["metadata"] & { readonly uid?: string; readonly resourceVersion?: string };
  readonly spec?: unknown;
  /** Whatever status it holds (its conditions, for their transition times). */
  readonly status?: { readonly conditions?: readonly Condition[] };
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
  /** Members of the set that are no longer wanted, as the cluster holds them (their uid and resourceVersion guard the delete). */
  readonly prune: readonly LiveImage[];
}

/** Whose the images are: an ApplySet (its id and name), or, without one, vmimages' images that belong to no set. */
export interface PlanOptions {
  readonly applySet?: { readonly id: string; readonly name: string };
  /** With prune: the images the cluster holds that are members of the set. */
  readonly members?: readonly LiveImage[];
}

/** The plan that makes `live` hold `desired`: see above. */
export function planCluster(desired: readonly ImageManifest[], live: readonly LiveImage[], options: PlanOptions): ClusterPlan {
  const held = new Map(live.map((i) => [liveKey(i), i]));
  const apply: ImageStep[] = [];
  const unchanged: ImageManifest[] = [];
  const conflicts: string[] = [];
  for (const wanted of desired) {
    const m = withOwner(wanted, options.applySet);
    const there = held.get(manifestKey(m));
    if (there === undefined) {
      apply.push({ action: "create", manifest: m });
      continue;
    }
    const foreign = ownerConflict(there, options.applySet);
    if (foreign !== undefined) {
      conflicts.push(`${describeImage(m)} ${foreign}: left as it is`);
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
  const prune = (options.members ?? []).filter((i) => !wanted.has(liveKey(i)) && i.metadata.labels?.[PART_OF] === options.applySet?.id);
  return { apply, unchanged, conflicts, prune };
}

/**
 * Why a live image of a wanted name is not this run's to change, if it is not: vmimages does not
 * manage it (VM Operator made it, say), or another set (another configuration, a Pulumi stack) applied
 * it. An image vmimages applied in no set is a set's to adopt only when it names no other owner
 * (the configuration label of images applied before ApplySets).
 */
export function ownerConflict(live: LiveImage, applySet: PlanOptions["applySet"]): string | undefined {
  const labels = live.metadata.labels ?? {};
  if (labels[MANAGED_BY] !== MANAGER) return NOT_MANAGED;
  const partOf = labels[PART_OF];
  if (partOf !== undefined && partOf !== applySet?.id) return `belongs to another ApplySet (${partOf}${labels[CONFIG_LABEL] ? `, "${labels[CONFIG_LABEL]}"` : ""})`;
  const owner = labels[CONFIG_LABEL];
  if (partOf === undefined && applySet !== undefined && owner !== undefined && owner !== applySet.name) return `was applied by the configuration "${owner}", not "${applySet.name}" (to take it over, apply with --applyset ${owner})`;
  return undefined;
}

/**
 * Why a live image is not a Pulumi stack's to change or delete, if it is not: vmimages does not
 * manage it, an ApplySet of `vmimages apply` holds it, or another owner (another stack or
 * configuration) applied it. `owners` is the stack's owner, then any it had before: an owner
 * renamed in the program takes over the images it applied under the old name.
 */
export function stackOwnerConflict(live: LiveImage, owners: readonly string[]): string | undefined {
  const labels = live.metadata.labels ?? {};
  if (labels[MANAGED_BY] !== MANAGER) return NOT_MANAGED;
  const partOf = labels[PART_OF];
  if (partOf !== undefined) return `belongs to the ApplySet ${partOf} of vmimages apply${labels[CONFIG_LABEL] ? ` ("${labels[CONFIG_LABEL]}")` : ""}`;
  const owner = labels[CONFIG_LABEL];
  if (owner !== undefined && !owners.includes(owner)) return `was applied by the owner "${owner}", not this stack's "${owners[0]}" (another stack or configuration holds it)`;
  return undefined;
}

const NOT_MANAGED = "exists and is not managed by vmimages";

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
  const status = (live.status ?? {}) as Record<string, unknown>;
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

/** The manifest with the labels that say vmimages manages it, and for a set, that it is the set's. */
function withOwner(m: ImageManifest, applySet: PlanOptions["applySet"]): ImageManifest {
  const owner: Record<string, string> = applySet ? { [PART_OF]: applySet.id, [CONFIG_LABEL]: applySet.name } : {};
  return { ...m, metadata: { ...m.metadata, labels: { ...(m.metadata.labels ?? {}), [MANAGED_BY]: MANAGER, ...owner } } };
}

function liveKey(i: LiveImage): string {
  return manifestKey(i as unknown as ImageManifest);
}
