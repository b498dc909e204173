import { buildImage } from "../../provider/image/build";
import { ImageManifest } from "../../provider/image/manifest";
import { ApiVersion, ItemId, LibraryScope, OvfMetadata } from "../../provider/types";

export const TEST_NOW = "2026-01-01T00:00:00Z";

export interface TestImage {
  /** The item id; @default a fresh one of a counter (00000000-0000-4000-8000-00000000000N). */
  readonly id?: string;
  /** The item's display name. @default "image N" */
  readonly name?: string;
  /** A namespace, or the cluster. @default cluster */
  readonly namespace?: string;
  /** What the descriptor says; without it the item is an ISO image. */
  readonly ovf?: Partial<OvfMetadata>;
  /** @default "1" */
  readonly contentVersion?: string;
  readonly apiVersion?: ApiVersion;
  /** @default TEST_NOW */
  readonly now?: string;
}

let counter = 0;

/** The manifest of one test item, built by the real builder; only what a test states differs from a plain image. */
export function testImage(spec: TestImage = {}): ImageManifest {
  const n = ++counter;
  const id = (spec.id ?? `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`) as ItemId;
  const scope: LibraryScope = spec.namespace !== undefined ? { kind: "namespace", namespace: spec.namespace } : { kind: "cluster" };
  const ovf: OvfMetadata | undefined = spec.ovf && {
    firmware: "BIOS",
    osInfo: {},
    productInfo: {},
    ovfProperties: [],
    vmwareSystemProperties: [],
    capabilities: [],
    disks: [],
    ...spec.ovf,
  };
  return buildImage(
    {
      library: { id: "l", name: "lib", type: "OFFLINE" },
      item: { id, name: spec.name ?? `image ${n}`, type: ovf ? "ovf" : "iso", contentVersion: spec.contentVersion ?? "1" },
      ...(ovf ? { ovf } : {}),
    },
    scope,
    { now: spec.now ?? TEST_NOW, ...(spec.apiVersion ? { apiVersion: spec.apiVersion } : {}) },
  );
}

/** Image manifest number `n` (1–9) of a small ISO item named `i<n>`, cluster-scoped unless a namespace is given. */
export function isoImage(n: number, namespace?: string): ImageManifest {
  return testImage({ id: `00000000-0000-4000-8000-00000000000${n}`, name: `i${n}`, ...(namespace ? { namespace } : {}) });
}
