import { ApiVersion, ImageKind } from "../types";

/**
 * The VM Operator image resources this project emits, typed after the CRD's openAPIV3Schema
 * (vmoperator.vmware.com_virtualmachineimages.yaml, versions v1alpha3 … v1alpha6).
 */

export interface Condition {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown";
  readonly reason: string;
  readonly message: string;
  /** RFC 3339, second precision. */
  readonly lastTransitionTime: string;
}

/** v1alpha5 and later: a disk's name, size as requested/limit quantities, and where it is attached. */
export interface DiskInfoV5 {
  readonly name: string;
  readonly limit?: string;
  readonly requested?: string;
  readonly controllerType?: "IDE" | "SCSI" | "SATA" | "NVME";
  readonly controllerBusNumber?: number;
  readonly unitNumber?: number;
}

/** v1alpha3 and v1alpha4: a disk's capacity and populated size. */
export interface DiskInfoV3 {
  readonly capacity?: string;
  readonly size?: string;
}

export interface ImageStatus {
  readonly name: string;
  readonly type: "OVF" | "ISO";
  readonly providerItemID: string;
  readonly providerContentVersion: string;
  readonly firmware?: "BIOS" | "EFI";
  readonly hardwareVersion?: number;
  readonly osInfo?: { readonly id?: string; readonly type?: string; readonly version?: string };
  readonly productInfo?: { readonly product?: string; readonly vendor?: string; readonly version?: string; readonly fullVersion?: string };
  readonly ovfProperties?: ReadonlyArray<{ readonly key: string; readonly type: string; readonly default?: string }>;
  readonly vmwareSystemProperties?: ReadonlyArray<{ readonly key: string; readonly value?: string }>;
  readonly capabilities?: readonly string[];
  readonly disks?: ReadonlyArray<DiskInfoV5 | DiskInfoV3>;
  readonly conditions: readonly Condition[];
}

export interface ImageManifest {
  readonly apiVersion: ApiVersion;
  readonly kind: ImageKind;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: {
    readonly providerRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
  };
  readonly status: ImageStatus;
}

export const READY_CONDITION = "Ready";
/** The annotation VM Operator gives an image for metadata-only listers: its display name. */
export const DISPLAY_NAME_ANNOTATION = "vmware.com/display-name";
/** The reason of a `Ready=False` condition when VM Operator cannot read an item's content. */
export const NOT_SYNCED_REASON = "VirtualMachineImageNotSynced";
