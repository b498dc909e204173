/**
 * Data shapes shared by every stage of the pipeline (source → ovf → image → catalog → render).
 */

/** A content library item UUID, as vCenter reports it (`e1968c25-dd84-4506-8dc7-9beacb6b688e`). */
export type ItemId = string & { readonly __brand: "ItemId" };
/** A VM Operator image name (`vmi-0a0044d7c690bcbea`). */
export type ImageName = string & { readonly __brand: "ImageName" };

/** Content library item types, as the vSphere Automation API names them; `other` is any other type (plain files). */
export type ItemType = "ovf" | "iso" | "vm-template" | "other";

/** The VM Operator API versions this project emits images for. */
export const SUPPORTED_API_VERSIONS = [
  "vmoperator.vmware.com/v1alpha3",
  "vmoperator.vmware.com/v1alpha4",
  "vmoperator.vmware.com/v1alpha5",
  "vmoperator.vmware.com/v1alpha6",
] as const;
export type ApiVersion = (typeof SUPPORTED_API_VERSIONS)[number];
/** @default vmoperator.vmware.com/v1alpha5, the version the users deploy. */
export const DEFAULT_API_VERSION: ApiVersion = "vmoperator.vmware.com/v1alpha5";

export type ImageKind = "VirtualMachineImage" | "ClusterVirtualMachineImage";

/** Where a library's images go: the whole cluster, or one namespace. */
export type LibraryScope = { readonly kind: "cluster" } | { readonly kind: "namespace"; readonly namespace: string };

/** A library as a source sees it. */
export interface LibraryInfo {
  readonly id: string;
  readonly name: string;
  /** LOCAL or SUBSCRIBED on vCenter; OFFLINE for a folder. */
  readonly type: "LOCAL" | "SUBSCRIBED" | "OFFLINE";
}

/** An item as a source lists it, before its descriptor is read. */
export interface LibraryItem {
  readonly id: ItemId;
  readonly name: string;
  readonly type: ItemType;
  readonly contentVersion: string;
  readonly description?: string;
  /** The publisher's item id, for items of a subscribed library. */
  readonly sourceId?: ItemId;
  /** Where the item lives, for messages: a file path or a URL. */
  readonly location?: string;
}

/** A disk of an OVF's default configuration, in hardware order. */
export interface OvfDisk {
  readonly name: string;
  /** Capacity in bytes; absent when it cannot be known (a `${property}` without a default). */
  readonly capacityBytes?: bigint;
  /** Populated size in bytes, when the descriptor states it. */
  readonly populatedBytes?: bigint;
}

export interface OvfProperty {
  readonly key: string;
  readonly type: string;
  readonly default?: string;
}

export interface KeyValue {
  readonly key: string;
  readonly value?: string;
}

export interface ProductInfo {
  readonly product?: string;
  readonly vendor?: string;
  readonly version?: string;
  readonly fullVersion?: string;
}

export interface OsInfo {
  /** The vSphere guest id (`vmw:osType`), e.g. `ubuntu64Guest`. */
  readonly id?: string;
  /** The OS family: Linux, Windows, … */
  readonly type?: string;
  readonly version?: string;
}

/** What an OVF descriptor says about an image. Absent fields had no value in the descriptor. */
export interface OvfMetadata {
  readonly firmware: "BIOS" | "EFI";
  readonly hardwareVersion?: number;
  readonly osInfo: OsInfo;
  readonly productInfo: ProductInfo;
  readonly ovfProperties: readonly OvfProperty[];
  readonly vmwareSystemProperties: readonly KeyValue[];
  readonly capabilities: readonly string[];
  readonly disks: readonly OvfDisk[];
}

/** An item together with what its descriptor says (nothing for ISO items). */
/** An item as a library lists it, with the scope its library is configured for; no descriptor read yet. */
export interface ListedItem {
  readonly library: LibraryInfo;
  readonly scope: LibraryScope;
  readonly item: LibraryItem;
}

export interface ReadItem {
  readonly library: LibraryInfo;
  readonly item: LibraryItem;
  readonly ovf?: OvfMetadata;
}
