import { AmbiguousError, ConfigError, NotFoundError, messageOf } from "../errors";
import { Catalog, CatalogImage, scopeName } from "./catalog";
import { capabilitiesOf } from "./resolve";
import { matchesSelector, parseSelector } from "./selector";

/**
 * Choosing an image by what it is rather than by its exact name, the way Pulumi users pick an AMI
 * (`aws.ec2.getAmi({ mostRecent: true, filters })`): a label selector, a display-name pattern,
 * capabilities, the OS, and "the newest of those".
 */

export interface ImageCriteria {
  /** A Kubernetes label selector (`os.image.vmoperator.vmware.com/type=Linux,capability.image.vmoperator.vmware.com/cloud-init`, set-based forms too). */
  readonly selector?: string;
  /** The display name: a glob (`Ubuntu 24.04*`, `?` for one character) or a regular expression. */
  readonly name?: string | RegExp;
  /** Capabilities the image must have (`cloud-init`, …). */
  readonly requireCapabilities?: readonly string[];
  /** `status.osInfo.type`, the OS family (`Linux`). */
  readonly osType?: string;
  /** `status.osInfo.version`. */
  readonly osVersion?: string;
  /**
   * Of several matches, take the one with the newest `status.productInfo.version` (compared as a
   * version: `22.04.10` > `22.04.9`, `1.0.0-rc1` < `1.0.0`), then `fullVersion`.
   * @default false: several matches are an error listing them
   */
  readonly mostRecent?: boolean;
}

export interface SelectOptions {
  /** The namespace whose images come first; without one only cluster images count. */
  readonly namespace?: string;
  /** Also reject matches in both the namespace and the cluster, as VM Operator's webhook does for names. */
  readonly strict?: boolean;
}

/** The chosen image: its reference for a VirtualMachine's `spec.image`, and what a stack may export. */
export interface ImageChoice {
  readonly kind: CatalogImage["kind"];
  readonly name: string;
  readonly namespace?: string;
  readonly displayName: string;
  readonly version?: string;
  readonly fullVersion?: string;
}

interface Filter {
  /** How the criterion reads in a message. */
  readonly what: string;
  readonly keeps: (image: CatalogImage) => boolean;
}

/**
 * The one image of the catalog that the criteria select: the namespace's matches first, else the
 * cluster's. @throws NotFoundError saying which criterion removed the last candidates;
 * AmbiguousError listing every candidate (name, display name, version) when several match (or,
 * with `mostRecent`, tie or cannot be ordered); ConfigError for a bad selector or pattern.
 */
export function selectCatalogImage(catalog: Catalog, criteria: ImageCriteria, options: SelectOptions = {}): ImageChoice {
  const { namespace } = options;
  const where = namespace !== undefined ? `namespace "${namespace}" or the cluster` : "the cluster";
  let candidates = catalog.images.filter((i) => i.namespace === undefined || (namespace !== undefined && i.namespace === namespace));
  if (candidates.length === 0) throw new NotFoundError(`no image in ${where} to select from (${catalog.images.length} image(s) in the catalog)`);
  for (const filter of filters(criteria)) {
    const kept = candidates.filter(filter.keeps);
    if (kept.length === 0) {
      throw new NotFoundError(
        `no image in ${where} matches ${describeCriteria(criteria)}: ${filter.what} removed the last ${candidates.length} candidate(s) (${candidates.map(label).join(", ")})`,
      );
    }
    candidates = kept;
  }
  const inNamespace = candidates.filter((i) => i.namespace !== undefined);
  const inCluster = candidates.filter((i) => i.namespace === undefined);
  if (options.strict && inNamespace.length && inCluster.length) {
    throw new AmbiguousError(`${describeCriteria(criteria)} match images in both namespace "${namespace}" and the cluster (strict): ${candidates.map(label).join(", ")}`);
  }
  const scope = inNamespace.length ? inNamespace : inCluster;
  const chosen = scope.length === 1 ? scope[0]! : criteria.mostRecent ? newest(scope, criteria) : undefined;
  if (chosen === undefined) {
    const inScope = scope[0]!.namespace === undefined ? "the cluster" : `namespace "${scope[0]!.namespace}"`;
    throw new AmbiguousError(`${scope.length} images in ${inScope} match ${describeCriteria(criteria)}: ${scope.map(label).join(", ")}; narrow the criteria or ask for the most recent`);
  }
  return choice(chosen);
}

function filters(criteria: ImageCriteria): Filter[] {
  const out: Filter[] = [];
  if (criteria.selector !== undefined && criteria.selector.trim() !== "") {
    const requirements = parseSelector(criteria.selector);
    out.push({ what: `the label selector "${criteria.selector}"`, keeps: (i) => matchesSelector(i.labels, requirements) });
  }
  if (criteria.name !== undefined) {
    const pattern = namePattern(criteria.name);
    out.push({ what: `the name pattern ${String(criteria.name instanceof RegExp ? criteria.name : `"${criteria.name}"`)}`, keeps: (i) => pattern.test(i.displayName) });
  }
  if (criteria.osType !== undefined) out.push({ what: `osType "${criteria.osType}"`, keeps: (i) => i.status.osInfo?.type === criteria.osType });
  if (criteria.osVersion !== undefined) out.push({ what: `osVersion "${criteria.osVersion}"`, keeps: (i) => i.status.osInfo?.version === criteria.osVersion });
  for (const cap of criteria.requireCapabilities ?? []) out.push({ what: `the capability ${cap}`, keeps: (i) => capabilitiesOf(i).includes(cap) });
  return out;
}

/** A glob (`*`, `?`) as an anchored regular expression; a RegExp as given. */
export function namePattern(name: string | RegExp): RegExp {
  if (name instanceof RegExp) return name;
  if (name === "") throw new ConfigError("the name pattern is empty");
  const source = [...name].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&"))).join("");
  return new RegExp(`^${source}$`, "s");
}

/** The newest by version, then full version. @throws AmbiguousError when they tie or cannot be ordered. */
function newest(images: readonly CatalogImage[], criteria: ImageCriteria): CatalogImage {
  const unorderable = images.filter((i) => parseVersion(i.status.productInfo?.version) === undefined);
  if (unorderable.length) {
    throw new AmbiguousError(
      `${describeCriteria(criteria)} match ${images.length} images whose versions cannot be ordered against each other: ${unorderable.map(label).join(", ")} ` +
        `${unorderable.length === 1 ? "has" : "have"} no version of numbers separated by dots; narrow the criteria`,
    );
  }
  const sorted = [...images].sort((a, b) => compareImageVersions(b, a));
  const [first, second] = sorted;
  if (second !== undefined && compareImageVersions(first!, second) === 0) {
    const tied = sorted.filter((i) => compareImageVersions(i, first!) === 0);
    throw new AmbiguousError(`${describeCriteria(criteria)} match ${tied.length} images of the same newest version: ${tied.map(label).join(", ")}; narrow the criteria`);
  }
  return first!;
}

function compareImageVersions(a: CatalogImage, b: CatalogImage): number {
  const byVersion = compareVersions(parseVersion(a.status.productInfo?.version)!, parseVersion(b.status.productInfo?.version)!);
  if (byVersion !== 0) return byVersion;
  const [fa, fb] = [parseVersion(a.status.productInfo?.fullVersion), parseVersion(b.status.productInfo?.fullVersion)];
  return fa && fb ? compareVersions(fa, fb) : 0;
}

export interface Version {
  readonly numbers: readonly number[];
  /** The pre-release suffix (`rc1` of `1.0.0-rc1`), split at dots; empty for a release. */
  readonly pre: readonly string[];
}

/**
 * A version of numbers separated by dots, with an optional `v`, pre-release suffix (`-rc1`, `~beta`)
 * and build or free text after a `+` or a space (`24.04.3 LTS`, `5.0+build7`): undefined when it has none.
 */
export function parseVersion(text: string | undefined): Version | undefined {
  const m = /^v?(\d+(?:\.\d+)*)(?:[-~]([0-9A-Za-z.-]+))?(?:[+ ].*)?$/.exec(text?.trim() ?? "");
  if (!m) return undefined;
  return { numbers: m[1]!.split(".").map(Number), pre: m[2] ? m[2].split(".") : [] };
}

/** Orders two versions: numbers part by part (a missing part is 0), then a pre-release before its release. */
export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.numbers.length, b.numbers.length); i++) {
    const d = (a.numbers[i] ?? 0) - (b.numbers[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (a.pre.length === 0 || b.pre.length === 0) return Math.sign(b.pre.length - a.pre.length);
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const [x, y] = [a.pre[i], b.pre[i]];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const [nx, ny] = [/^\d+$/.test(x), /^\d+$/.test(y)];
    const d = nx && ny ? Number(x) - Number(y) : nx !== ny ? (nx ? -1 : 1) : x < y ? -1 : x > y ? 1 : 0;
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function choice(image: CatalogImage): ImageChoice {
  const { version, fullVersion } = image.status.productInfo ?? {};
  return {
    kind: image.kind,
    name: image.name,
    ...(image.namespace !== undefined ? { namespace: image.namespace } : {}),
    displayName: image.displayName,
    ...(version !== undefined ? { version } : {}),
    ...(fullVersion !== undefined ? { fullVersion } : {}),
  };
}

/** `vmi-… "Ubuntu 24.04" 24.04 (cluster)`, for messages. */
function label(image: CatalogImage): string {
  return `${image.name} "${image.displayName}" ${image.status.productInfo?.version ?? "(no version)"} (${scopeName(image)})`;
}

function describeCriteria(c: ImageCriteria): string {
  const parts = [
    c.selector ? `selector "${c.selector}"` : undefined,
    c.name !== undefined ? `name ${c.name instanceof RegExp ? String(c.name) : `"${c.name}"`}` : undefined,
    c.osType !== undefined ? `osType "${c.osType}"` : undefined,
    c.osVersion !== undefined ? `osVersion "${c.osVersion}"` : undefined,
    c.requireCapabilities?.length ? `capabilities ${c.requireCapabilities.join(", ")}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.length ? `the criteria (${parts.join("; ")})` : "the criteria (none)";
}

/**
 * A display-name pattern as the CLI and annotations write it: a glob (`Ubuntu 24.04*`), or a regular
 * expression between slashes with its flags (`/^ubuntu 2[24]/i`).
 * @throws ConfigError naming `where` for a regular expression that does not compile
 */
export function parseNamePattern(text: string, where: string): string | RegExp {
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(text);
  if (!regex) return text;
  try {
    return new RegExp(regex[1]!, regex[2]);
  } catch (err) {
    throw new ConfigError(`${where} ${text} is not a valid regular expression: ${messageOf(err)}`, {}, { cause: err });
  }
}
