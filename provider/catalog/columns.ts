import { ImageKind } from "../types";

/** A column `kubectl get` prints for a kind: the CRD's `additionalPrinterColumns` entry. */
export interface PrinterColumn {
  readonly name: string;
  /** A JSONPath into the object, such as `.status.osInfo.type`. */
  readonly jsonPath: string;
}

const COMMON: readonly PrinterColumn[] = [
  { name: "Display Name", jsonPath: ".status.name" },
  { name: "Type", jsonPath: ".status.type" },
  { name: "Image Version", jsonPath: ".status.productInfo.version" },
  { name: "OS Name", jsonPath: ".status.osInfo.type" },
  { name: "OS Version", jsonPath: ".status.osInfo.version" },
  { name: "Hardware Version", jsonPath: ".status.hardwareVersion" },
];

/**
 * The printer columns of each kind's CRD, the same in every version this project emits
 * (v1alpha3 … v1alpha6); a test holds them to VM Operator's CRDs. The cluster kind has no
 * Capabilities column.
 */
export const PRINTER_COLUMNS: Readonly<Record<ImageKind, readonly PrinterColumn[]>> = {
  VirtualMachineImage: [...COMMON, { name: "Capabilities", jsonPath: ".status.capabilities" }],
  ClusterVirtualMachineImage: COMMON,
};
