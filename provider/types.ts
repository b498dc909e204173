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

/** Image naming strategies, as VM Operator's image registry has them. */
export type NamingStrategy = "fromItemId" | "preferSourceId";

/** Where a library's images go: the whole cluster, or one namespace. */
export type LibraryScope = { readonly kind: "cluster" } | { readonly kind: "namespace"; readonly namespace: string };

/** A library as a source sees it. */
export interface LibraryInfo {
  readonly id: string;
  readonly name: string;
  /** LOCAL or SUBSCRIBED on vCenter; OFFLINE for a folder; PUBLISHED for a library read by its subscription URL. */
  readonly type: "LOCAL" | "SUBSCRIBED" | "OFFLINE" | "PUBLISHED";
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
  /**
   * What identifies the item's descriptor for the descriptor cache, when its content version alone
   * does not (a published item: its `version`, and the descriptor file's etag and size, which a
   * publisher may change without raising the version). @default contentVersion
   */
  readonly cacheVersion?: string;
}

/** The kinds of disk controller VM Operator reports. */
export type DiskControllerType = "IDE" | "SCSI" | "SATA" | "NVME";

/** A disk of an OVF's default configuration, in hardware order. */
export interface OvfDisk {
  readonly name: string;
  /** Capacity in bytes. */
  readonly capacityBytes?: bigint;
  /** Populated size in bytes, when the descriptor states it. */
  readonly populatedBytes?: bigint;
  /** The controller the disk is on, as vSphere places it; absent when it is on none VM Operator reports. */
  readonly controllerType?: DiskControllerType;
  readonly controllerBusNumber?: number;
  readonly unitNumber?: number;
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

/** A library to read and where its images go. */
export interface LibrarySelection {
  /** The library's name, or its id. */
  readonly name: string;
  readonly scope: LibraryScope;
}

/** An item as a library lists it, with the scope its library is configured for; no descriptor read yet. */
export interface ListedItem {
  readonly library: LibraryInfo;
  readonly scope: LibraryScope;
  readonly item: LibraryItem;
}

/** An item together with what its descriptor says (nothing for ISO items). */
export interface ReadItem {
  readonly library: LibraryInfo;
  readonly item: LibraryItem;
  readonly ovf?: OvfMetadata;
  /** Why VM Operator could not read the item's descriptor (with `itemErrors: notReady`); `ovf` is then absent. */
  readonly unreadable?: string;
}

/**
 * What a run does with an item whose descriptor VM Operator could not read either (malformed,
 * not an OVF, an OVA without one): `fail` the whole run (the default), or emit the image
 * `notReady`, as VM Operator does, with what the listing gives and a `Ready=False` condition.
 */
export type ItemErrorPolicy = "fail" | "notReady";

/** Parsed descriptors by (item id, content version): a changed item gets a new content version. */
export interface MetadataCache {
  get(item: LibraryItem): Promise<OvfMetadata | undefined>;
  put(item: LibraryItem, metadata: OvfMetadata): Promise<void>;
  /** Persists what the run added; called once when the read ends. */
  flush?(): Promise<void>;
}

/** How the client trusts a vCenter's certificate. */
export interface TlsOptions {
  /** Skip certificate verification entirely. @default false */
  readonly insecure?: boolean;
  /** PEM bundle of CAs to trust (replaces the system roots). */
  readonly ca?: string;
  /**
   * Fingerprint of the server certificate to pin: SHA-1 (40 hex digits, as vCenter shows it) or
   * SHA-256 (64), any case, colons optional; replaces the CA checks.
   */
  readonly thumbprint?: string;
}

/** How to reach and log in to a vCenter. */
export interface VcenterConnection extends TlsOptions {
  /** `https://vc.example.com` (a bare host name means https; a path such as `/sdk` is ignored). */
  readonly server: string;
  readonly username: string;
  readonly password: string;
  /** Requests in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Per-request time limit. @default 30000 */
  readonly timeoutMs?: number;
  /** Retries of a request after a connection error, 429 or 503. @default 3 */
  readonly retries?: number;
  /** How long a descriptor may take to be prepared (a subscribed item syncing on demand). @default 300000 */
  readonly prepareTimeoutMs?: number;
  /** Pause between checks of a file being prepared. @default 250 */
  readonly preparePollMs?: number;
}

/**
 * How to read one published content library (VMware Content Subscription Protocol) by its
 * subscription URL, as a subscribed vCenter library reads it.
 */
export interface PublishedLibraryConnection extends TlsOptions {
  /** The URL of its `lib.json` (`https://vc/cls/vcsp/lib/ID/lib.json`), or vCloud Director's `https://host/vcsp/lib/ID`. */
  readonly url: string;
  /** The HTTP Basic user. @default vcsp (the user vCenter publishers take), when a password is given */
  readonly username?: string;
  /** The HTTP Basic password; without it no credentials are sent. Never logged, never in state. */
  readonly password?: string;
  /** Requests in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Per-request time limit. @default 30000 */
  readonly timeoutMs?: number;
  /** Retries of a request after a connection error, no answer in time, 429 or 5xx. @default 3 */
  readonly retries?: number;
}

/**
 * Where content libraries are read from, whichever face asked: an offline folder of libraries, a
 * vCenter, or published libraries by URL, with credentials already resolved (from a config file
 * and the environment, or from a Pulumi secret).
 */
export type SourceSpec =
  | { readonly kind: "directory"; readonly directory: string }
  | { readonly kind: "vcenter"; readonly connection: VcenterConnection }
  | { readonly kind: "published"; readonly libraries: readonly PublishedLibraryConnection[] };

/** What reading a source cost, for `--verbose`. */
export interface SourceStats {
  requests: number;
  downloads: number;
  retries: number;
  logins: number;
}
