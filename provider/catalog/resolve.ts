import { AmbiguousError, ConfigError, MissingCapabilitiesError, NotFoundError } from "../errors";
import { CAPABILITY_LABEL_PREFIX } from "../image/labels";
import { Catalog, CatalogImage, scopeName } from "./catalog";

/** A catalog indexed by scope, then by name and by display name, built once per catalog object. */
interface CatalogIndex {
  /** scope ("" for the cluster, else the namespace) → name → image */
  readonly byName: Map<string, Map<string, CatalogImage>>;
  /** scope → display name → images */
  readonly byDisplayName: Map<string, Map<string, CatalogImage[]>>;
}

const indexes = new WeakMap<Catalog, CatalogIndex>();

/** The index of a catalog; catalogs are immutable values, so it is built once and kept with it. */
export function indexCatalog(catalog: Catalog): CatalogIndex {
  let index = indexes.get(catalog);
  if (index) return index;
  index = { byName: new Map(), byDisplayName: new Map() };
  for (const image of catalog.images) {
    const scope = image.namespace ?? "";
    if (!index.byName.has(scope)) index.byName.set(scope, new Map());
    index.byName.get(scope)!.set(image.name, image);
    if (!index.byDisplayName.has(scope)) index.byDisplayName.set(scope, new Map());
    const names = index.byDisplayName.get(scope)!;
    names.set(image.displayName, [...(names.get(image.displayName) ?? []), image]);
  }
  indexes.set(catalog, index);
  return index;
}

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
 * @throws NotFoundError when nothing matches; AmbiguousError (naming every candidate) when the
 *   deciding scope has several, or with `strict` when both scopes have one;
 *   MissingCapabilitiesError when the image lacks a required capability; ConfigError for an empty or
 *   blank name (an unnamed image must never be what an empty variable resolves to).
 */
export function resolveCatalogImage(catalog: Catalog, nameOrId: string, namespace: string | undefined, options: ResolveOptions = {}): CatalogImage {
  if (nameOrId.trim() === "") throw new ConfigError(`the name to resolve is ${nameOrId === "" ? "empty" : "blank"}: give a display name or a VMI ID`);
  const where = namespace !== undefined ? `namespace "${namespace}" or the cluster` : "the cluster";
  const index = indexCatalog(catalog);
  const inNamespace = namespace !== undefined ? index : undefined;

  let found: CatalogImage | undefined;
  if (/^vmi-[0-9a-f]{17}$/.test(nameOrId)) {
    found = (inNamespace && index.byName.get(namespace!)?.get(nameOrId)) || index.byName.get("")?.get(nameOrId);
  } else {
    const nsHits = (inNamespace && index.byDisplayName.get(namespace!)?.get(nameOrId)) || [];
    const clusterHits = index.byDisplayName.get("")?.get(nameOrId) ?? [];
    if (nsHits.length > 1) throw ambiguous(nameOrId, `namespace "${namespace}"`, nsHits);
    if (nsHits.length === 1 && options.strict && clusterHits.length > 0) {
      throw ambiguous(nameOrId, `namespace "${namespace}" and the cluster (strict)`, [...nsHits, ...clusterHits]);
    }
    if (nsHits.length === 0 && clusterHits.length > 1) throw ambiguous(nameOrId, "the cluster", clusterHits);
    found = nsHits[0] ?? clusterHits[0];
  }
  if (found === undefined) {
    throw new NotFoundError(`no image named "${nameOrId}" in ${where} (${catalog.images.length} image(s) in the catalog)`, {
      item: nameOrId,
    });
  }
  const missing = missingCapabilities(found, options.requireCapabilities ?? []);
  if (missing.length) {
    const has = capabilitiesOf(found);
    throw new MissingCapabilitiesError(`image ${found.name} ("${found.displayName}") lacks the required capabilit${missing.length > 1 ? "ies" : "y"} ${missing.join(", ")} (it has: ${has.length ? has.join(", ") : "none"})`,
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

function ambiguous(name: string, scope: string, candidates: readonly CatalogImage[]): AmbiguousError {
  const list = candidates.map((c) => `${c.name} (${scopeName(c)})`).join(", ");
  return new AmbiguousError(`the display name "${name}" is ambiguous in ${scope}: ${candidates.length} images have it: ${list}; use a VMI ID instead`, {
    item: name,
  });
}
