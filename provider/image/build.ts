import { bytesToQuantity } from "../quantity";
import { clitemOfImage, imageNames, namingItemId, NamingStrategy } from "./naming";
import { imageLabels } from "./labels";
import { Condition, DISPLAY_NAME_ANNOTATION, DiskInfoV3, DiskInfoV5, ImageManifest, ImageStatus, NOT_SYNCED_REASON, READY_CONDITION } from "./manifest";
import { ApiVersion, DEFAULT_API_VERSION, ImageKind, LibraryScope, OvfMetadata, ReadItem } from "../types";

export interface BuildOptions {
  /** @default vmoperator.vmware.com/v1alpha5 */
  readonly apiVersion?: ApiVersion;
  /** @default fromItemId */
  readonly naming?: NamingStrategy;
  /** The time a new condition is stamped with (RFC 3339); unchanged conditions keep theirs. */
  readonly now: string;
}

const PROVIDER_REF_API_VERSION = "imageregistry.vmware.com/v1alpha1";

/**
 * The VirtualMachineImage (namespaced library) or ClusterVirtualMachineImage (cluster library) of
 * one content library item, following VM Operator's image status documentation.
 */
export function buildImage(read: ReadItem, scope: LibraryScope, options: BuildOptions): ImageManifest {
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  const names = imageNames(namingItemId(read.item, options.naming ?? "fromItemId"));
  const kind = scope.kind === "cluster" ? "ClusterVirtualMachineImage" : "VirtualMachineImage";
  return assembleImage(apiVersion, kind, names.vmi, scope.kind === "namespace" ? scope.namespace : undefined, buildStatus(read, apiVersion, options.now));
}

/**
 * An image's manifest from its kind, name, namespace and status: the labels, the display name
 * annotation and the providerRef to the ContentLibraryItem all follow from these. buildImage makes
 * every image this way, and an image kept as its catalog entry (a Pulumi resource's inputs) is
 * made again this way when it is written.
 */
export function assembleImage(apiVersion: string, kind: ImageKind, name: string, namespace: string | undefined, status: ImageStatus): ImageManifest {
  const labels = imageLabels(status);
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(status.name !== "" ? { annotations: { [DISPLAY_NAME_ANNOTATION]: status.name } } : {}),
    },
    spec: {
      providerRef: {
        apiVersion: PROVIDER_REF_API_VERSION,
        kind: kind === "ClusterVirtualMachineImage" ? "ClusterContentLibraryItem" : "ContentLibraryItem",
        name: clitemOfImage(name),
      },
    },
    status,
  } as ImageManifest;
}

function buildStatus(read: ReadItem, apiVersion: ApiVersion, now: string): ImageStatus {
  // An item whose descriptor cannot be read is not ready, as VM Operator marks it: the listing's
  // fields only, and why.
  const ready: Condition =
    read.unreadable === undefined
      ? { type: READY_CONDITION, status: "True", reason: "True", message: "", lastTransitionTime: now }
      : { type: READY_CONDITION, status: "False", reason: NOT_SYNCED_REASON, message: read.unreadable, lastTransitionTime: now };
  const base = {
    name: read.item.name,
    type: read.item.type === "iso" ? ("ISO" as const) : ("OVF" as const),
    providerItemID: read.item.id,
    providerContentVersion: read.item.contentVersion,
    conditions: [ready],
  };
  const ovf = read.ovf;
  if (ovf === undefined) return base;
  return omitEmpty({
    ...base,
    firmware: ovf.firmware,
    hardwareVersion: ovf.hardwareVersion,
    osInfo: omitEmpty({ ...ovf.osInfo }),
    productInfo: omitEmpty({ ...ovf.productInfo }),
    ovfProperties: ovf.ovfProperties.map((p) => ({ ...p })),
    vmwareSystemProperties: ovf.vmwareSystemProperties.map((p) => ({ ...p })),
    capabilities: [...ovf.capabilities],
    disks: buildDisks(ovf, apiVersion),
  });
}

function buildDisks(ovf: OvfMetadata, apiVersion: ApiVersion): Array<DiskInfoV5 | DiskInfoV3> {
  const v3 = apiVersion.endsWith("v1alpha3") || apiVersion.endsWith("v1alpha4");
  return ovf.disks.map((d) => {
    const capacity = quantityOrUndefined(d.capacityBytes);
    if (v3) return omitEmpty({ capacity, size: quantityOrUndefined(d.populatedBytes) });
    return omitEmpty({
      name: d.name,
      limit: capacity,
      requested: capacity,
      controllerType: d.controllerType,
      controllerBusNumber: d.controllerBusNumber,
      unitNumber: d.unitNumber,
    });
  }).filter((d) => Object.keys(d).length > 0);
}

function quantityOrUndefined(bytes: bigint | undefined): string | undefined {
  return bytes === undefined ? undefined : bytesToQuantity(bytes);
}

/** Leaves out undefined fields and empty lists and objects: nothing is written as empty. */
function omitEmpty<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === "") continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out as T;
}

/**
 * Keeps a condition's `lastTransitionTime` from the previous manifest of the same image when the
 * condition itself did not change, so regenerating unchanged input changes no byte.
 */
export function keepTransitionTimes(next: ImageManifest, previous: readonly Condition[] | undefined): ImageManifest {
  if (previous === undefined) return next;
  const conditions = next.status.conditions.map((c) => {
    const old = previous.find((p) => p.type === c.type);
    const same = old !== undefined && old.status === c.status && old.reason === c.reason && old.message === c.message;
    return same && typeof old.lastTransitionTime === "string" ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
  });
  return { ...next, status: { ...next.status, conditions } };
}

/**
 * The manifest with a time on every condition, as it is written: the previous manifest's where the
 * condition did not change (keepTransitionTimes), its own where it has one, else `now`. An image
 * kept without its times (a catalog entry, a Pulumi resource's inputs) gets them back this way.
 */
export function stampTransitionTimes(next: ImageManifest, previous: readonly Condition[] | undefined, now: string): ImageManifest {
  const kept = keepTransitionTimes(next, previous);
  return { ...kept, status: { ...kept.status, conditions: kept.status.conditions.map((c) => (c.lastTransitionTime ? c : { ...c, lastTransitionTime: now })) } };
}
