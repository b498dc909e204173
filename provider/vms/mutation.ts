import { Catalog, CatalogImage } from "../catalog/catalog";
import { resolveCatalogImage } from "../catalog/resolve";
import { ImageCriteria, parseNamePattern, selectCatalogImage } from "../catalog/select";
import { messageOf } from "../errors";
import { isRecord } from "../util";
import { Edit } from "./edit";

/**
 * What VM Operator's mutation webhook does to a VirtualMachine when it is created (v1.10.0,
 * `ResolveImageNameOnCreate`), done to a manifest before it reaches a cluster: its image, named by a
 * display name, a VMI ID, or criteria in annotations of ours, is resolved as `vmimages resolve` and
 * `vmimages select` resolve it, and written as the VMI ID into `spec.imageName` (the image
 * documentation's example) and as the image's kind and name into `spec.image` (the webhook's code;
 * v1alpha3 and later have it). A pure function of the manifest and the catalog.
 */

/** The prefix of this project's annotations on a VirtualMachine. */
export const PREFIX = "vmimages.pulumi-vmimages.dev/";

/** The annotations a VirtualMachine may carry, and what they mean. */
export const ANNOTATIONS = {
  /** The display name the VM asks for: `mutate` records it here when it replaces it by the VMI ID, and resolves it again on later runs. */
  imageName: `${PREFIX}image-name`,
  /** Criteria, as `vmimages select` takes them: a label selector, a display-name glob (or /regex/), the OS type and version, newest of several. */
  selector: `${PREFIX}select-selector`,
  name: `${PREFIX}select-name`,
  osType: `${PREFIX}select-os-type`,
  osVersion: `${PREFIX}select-os-version`,
  mostRecent: `${PREFIX}select-most-recent`,
  /** Capabilities the image must have, comma-separated (with a name or with criteria). */
  requireCapabilities: `${PREFIX}require-capabilities`,
  /** What criteria chose, for a review to read: its display name and version. */
  resolvedDisplayName: `${PREFIX}resolved-display-name`,
  resolvedVersion: `${PREFIX}resolved-version`,
} as const;

const GROUP = "vmoperator.vmware.com/";
/** The VirtualMachine versions without `spec.image` (only `spec.imageName`). */
const WITHOUT_SPEC_IMAGE = new Set(["v1alpha1", "v1alpha2"]);

/** A VirtualMachine as its manifest says it. */
export interface VirtualMachineDoc {
  readonly apiVersion: string;
  readonly name: string;
  readonly namespace?: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly imageName?: string;
  readonly image?: { readonly kind?: string; readonly name?: string };
}

/** The VirtualMachine a document is, if it is one of VM Operator's. */
export function virtualMachineOf(value: unknown): VirtualMachineDoc | undefined {
  if (!isRecord(value) || value.kind !== "VirtualMachine" || typeof value.apiVersion !== "string" || !value.apiVersion.startsWith(GROUP)) return undefined;
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const spec = isRecord(value.spec) ? value.spec : {};
  const annotations = isRecord(metadata.annotations) ? Object.fromEntries(Object.entries(metadata.annotations).filter((e): e is [string, string] => typeof e[1] === "string")) : {};
  const image = isRecord(spec.image) ? spec.image : undefined;
  return {
    apiVersion: value.apiVersion,
    name: typeof metadata.name === "string" ? metadata.name : "",
    ...(typeof metadata.namespace === "string" && metadata.namespace !== "" ? { namespace: metadata.namespace } : {}),
    annotations,
    ...(typeof spec.imageName === "string" ? { imageName: spec.imageName } : {}),
    ...(image ? { image: { ...(typeof image.kind === "string" ? { kind: image.kind } : {}), ...(typeof image.name === "string" ? { name: image.name } : {}) } } : {}),
  };
}

export interface MutateOptions {
  /** The namespace of a VM whose manifest names none. */
  readonly namespace?: string;
  /** Refuse a display name (or criteria) found in both the namespace and the cluster, as VM Operator's webhook does. */
  readonly strict?: boolean;
}

/** What `mutate` makes of one VirtualMachine. */
export type Mutation =
  | { readonly kind: "unchanged" }
  /** Nothing to resolve: no image name, no criteria. */
  | { readonly kind: "none" }
  | { readonly kind: "change"; readonly edits: readonly Edit[]; readonly image: CatalogImage; readonly from?: string }
  | { readonly kind: "problem"; readonly reason: string };

/** The edits that give a VirtualMachine its image, as the webhook would resolve it now. */
export function mutationOf(vm: VirtualMachineDoc, catalog: Catalog, options: MutateOptions = {}): Mutation {
  const namespace = vm.namespace ?? options.namespace;
  if (namespace === undefined) return { kind: "problem", reason: "it names no metadata.namespace and no -n was given: the image is resolved in the VM's namespace first" };
  const wanted = request(vm);
  if (wanted === undefined) return { kind: "none" };
  let image: CatalogImage;
  try {
    image = resolve(wanted, catalog, namespace, options);
  } catch (err) {
    return { kind: "problem", reason: messageOf(err) };
  }
  const version = vm.apiVersion.slice(GROUP.length);
  const edits: Edit[] = [{ path: ["spec", "imageName"], value: image.name }];
  if (!WITHOUT_SPEC_IMAGE.has(version)) {
    edits.push({ path: ["spec", "image", "kind"], value: image.kind, after: "imageName" }, { path: ["spec", "image", "name"], value: image.name });
  }
  if (wanted.by === "name" && wanted.name !== image.name) edits.push({ path: ["metadata", "annotations", ANNOTATIONS.imageName], value: wanted.name });
  if (wanted.by === "criteria") {
    edits.push({ path: ["metadata", "annotations", ANNOTATIONS.resolvedDisplayName], value: image.displayName });
    const v = image.status.productInfo?.version;
    if (v !== undefined) edits.push({ path: ["metadata", "annotations", ANNOTATIONS.resolvedVersion], value: v });
  }
  const holds = (e: Edit) => current(vm, e.path) === e.value;
  if (edits.every(holds)) return { kind: "unchanged" };
  const before = vm.image?.name ?? (vm.imageName?.startsWith("vmi-") ? vm.imageName : undefined);
  return { kind: "change", edits, image, ...(before !== undefined && before !== image.name ? { from: before } : {}) };
}

type Wanted = { readonly by: "name"; readonly name: string; readonly capabilities: readonly string[] } | { readonly by: "criteria"; readonly criteria: ImageCriteria };

/** What a VM asks for: criteria in annotations, else the display name recorded earlier, else `spec.imageName`. */
function request(vm: VirtualMachineDoc): Wanted | undefined {
  const a = vm.annotations;
  const capabilities = (a[ANNOTATIONS.requireCapabilities] ?? "").split(",").map((c) => c.trim()).filter(Boolean);
  const selecting = [ANNOTATIONS.selector, ANNOTATIONS.name, ANNOTATIONS.osType, ANNOTATIONS.osVersion].some((k) => a[k] !== undefined);
  if (selecting) {
    return {
      by: "criteria",
      criteria: {
        ...(a[ANNOTATIONS.selector] !== undefined ? { selector: a[ANNOTATIONS.selector] } : {}),
        ...(a[ANNOTATIONS.name] !== undefined ? { name: parseNamePattern(a[ANNOTATIONS.name]!, ANNOTATIONS.name) } : {}),
        ...(a[ANNOTATIONS.osType] !== undefined ? { osType: a[ANNOTATIONS.osType] } : {}),
        ...(a[ANNOTATIONS.osVersion] !== undefined ? { osVersion: a[ANNOTATIONS.osVersion] } : {}),
        requireCapabilities: capabilities,
        mostRecent: a[ANNOTATIONS.mostRecent] === "true",
      },
    };
  }
  const name = a[ANNOTATIONS.imageName] ?? vm.imageName;
  return name === undefined || name === "" ? undefined : { by: "name", name, capabilities };
}

function resolve(wanted: Wanted, catalog: Catalog, namespace: string, options: MutateOptions): CatalogImage {
  if (wanted.by === "name") return resolveCatalogImage(catalog, wanted.name, namespace, { strict: options.strict, requireCapabilities: wanted.capabilities });
  const choice = selectCatalogImage(catalog, wanted.criteria, { namespace, strict: Boolean(options.strict) });
  return catalog.images.find((i) => i.kind === choice.kind && i.name === choice.name && i.namespace === choice.namespace)!;
}

/** What the VM holds at an edit's path. */
function current(vm: VirtualMachineDoc, path: readonly string[]): string | undefined {
  const [head, second, third] = path;
  if (head === "metadata") return vm.annotations[third!];
  if (second === "imageName") return vm.imageName;
  return third === "kind" ? vm.image?.kind : vm.image?.name;
}
