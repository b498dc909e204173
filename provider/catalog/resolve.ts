import { VmImagesError } from "../errors";
import { CAPABILITY_LABEL_PREFIX } from "../image/labels";
import { Catalog, CatalogImage } from "./catalog";

export interface ResolveOptions {
  /**
   * Also reject a display name found in both the namespace and the cluster, as VM Operator's own
   * admission webhook does. @default false
   */
  readonly strict?: boolean;
  /** Capabilities the resolved image must have (`cloud-init`, …). @default [] */
  readonly requireCapabilities?: readonly string[];
}

/**
 * Resolves a VMI ID or a display name to one image, the way VM Operator resolves
 * `spec.image.name`: the namespace first, then the cluster.
 *
 * - `vmi-…`: the image of that name in the namespace, else the cluster image of that name.
 * - a display name: the single image with it in the namespace, else the single one in the cluster.
 *
 * @throws VmImagesError `not-found` when nothing matches; `ambiguous` (naming every candidate) when
 *   the deciding scope has several, or with `strict` when both scopes have one;
 *   `missing-capabilities` when the image lacks a required capability.
 */
export function resolveImage(catalog: Catalog, nameOrId: string, namespace: string | undefined, options: ResolveOptions = {}): CatalogImage {
  const where = namespace !== undefined ? `namespace "${namespace}" or the cluster` : "the cluster";
  const inNamespace = (i: CatalogImage) => namespace !== undefined && i.namespace === namespace;
  const inCluster = (i: CatalogImage) => i.namespace === undefined;

  let found: CatalogImage | undefined;
  if (/^vmi-[0-9a-f]{17}$/.test(nameOrId)) {
    found = catalog.images.find((i) => inNamespace(i) && i.name === nameOrId) ?? catalog.images.find((i) => inCluster(i) && i.name === nameOrId);
  } else {
    const nsHits = catalog.images.filter((i) => inNamespace(i) && i.displayName === nameOrId);
    const clusterHits = catalog.images.filter((i) => inCluster(i) && i.displayName === nameOrId);
    if (nsHits.length > 1) throw ambiguous(nameOrId, `namespace "${namespace}"`, nsHits);
    if (nsHits.length === 1 && options.strict && clusterHits.length > 0) {
      throw ambiguous(nameOrId, `namespace "${namespace}" and the cluster (strict)`, [...nsHits, ...clusterHits]);
    }
    if (nsHits.length === 0 && clusterHits.length > 1) throw ambiguous(nameOrId, "the cluster", clusterHits);
    found = nsHits[0] ?? clusterHits[0];
  }
  if (found === undefined) {
    throw new VmImagesError("not-found", `no image named "${nameOrId}" in ${where} (${catalog.images.length} image(s) in the catalog)`, {
      item: nameOrId,
    });
  }
  const missing = missingCapabilities(found, options.requireCapabilities ?? []);
  if (missing.length) {
    const has = capabilitiesOf(found);
    throw new VmImagesError(
      "missing-capabilities",
      `image ${found.name} ("${found.displayName}") lacks the required capabilit${missing.length > 1 ? "ies" : "y"} ${missing.join(", ")} (it has: ${has.length ? has.join(", ") : "none"})`,
      { item: found.displayName },
    );
  }
  return found;
}

export function capabilitiesOf(image: CatalogImage): string[] {
  const fromLabels = Object.keys(image.labels)
    .filter((k) => k.startsWith(CAPABILITY_LABEL_PREFIX))
    .map((k) => k.slice(CAPABILITY_LABEL_PREFIX.length));
  return [...new Set([...(image.status.capabilities ?? []), ...fromLabels])].sort();
}

function missingCapabilities(image: CatalogImage, required: readonly string[]): string[] {
  const has = new Set(capabilitiesOf(image));
  return [...new Set(required)].filter((c) => !has.has(c));
}

function ambiguous(name: string, scope: string, candidates: readonly CatalogImage[]): VmImagesError {
  const list = candidates.map((c) => `${c.name} (${c.namespace === undefined ? "cluster" : `namespace ${c.namespace}`})`).join(", ");
  return new VmImagesError("ambiguous", `the display name "${name}" is ambiguous in ${scope}: ${candidates.length} images have it: ${list}; use a VMI ID instead`, {
    item: name,
  });
}
