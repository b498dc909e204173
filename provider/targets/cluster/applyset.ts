import { createHash } from "node:crypto";
import { ConfigError, OutputError } from "../../errors";
import { ImageKind } from "../../types";
import { compareCodeUnits, printable } from "../../util";

/**
 * ApplySets (Kubernetes KEP-3659, as kubectl implements them): a parent object records which kinds
 * and namespaces a set's members are in, and each member carries the set's id in a label. A prune
 * then lists exactly those scopes for members of the set and deletes the ones no longer wanted, so
 * two configurations never prune each other's images, and a user whose rights end at a namespace
 * never needs to list anything beyond it. The parent is a Secret, kubectl's default, so kubectl
 * and other tools that know ApplySets recognise the set; its tooling annotation names vmimages.
 */

export const PART_OF = "applyset.kubernetes.io/part-of";
export const APPLYSET_ID = "applyset.kubernetes.io/id";
export const TOOLING = "applyset.kubernetes.io/tooling";
export const CONTAINS_GROUP_KINDS = "applyset.kubernetes.io/contains-group-kinds";
export const ADDITIONAL_NAMESPACES = "applyset.kubernetes.io/additional-namespaces";

const GROUP = "vmoperator.vmware.com";
const TOOL = "vmimages";

/** Where a set's parent Secret is. */
export interface ApplySetRef {
  readonly name: string;
  readonly namespace: string;
}

/** What a set's parent records: the kinds of its members and the namespaces of the namespaced ones. */
export interface ApplySetScope {
  readonly kinds: ReadonlySet<ImageKind>;
  readonly namespaces: ReadonlySet<string>;
}

/** The set's id, as the spec computes it from its parent: `applyset-` and the unpadded base64url SHA-256 of `name.namespace.Secret.` (the core group is empty), then `-v1`. */
export function applySetId(ref: ApplySetRef): string {
  return `applyset-${createHash("sha256").update(`${ref.name}.${ref.namespace}.Secret.`).digest("base64url")}-v1`;
}

/** The scope a set's members need: their kinds, and the namespaces of the namespaced ones. */
export function scopeOf(members: ReadonlyArray<{ readonly kind: ImageKind; readonly metadata: { readonly namespace?: string } }>): ApplySetScope {
  return { kinds: new Set(members.map((m) => m.kind)), namespaces: new Set(members.flatMap((m) => (m.metadata.namespace !== undefined ? [m.metadata.namespace] : []))) };
}

export function unionOf(a: ApplySetScope, b: ApplySetScope): ApplySetScope {
  return { kinds: new Set([...a.kinds, ...b.kinds]), namespaces: new Set([...a.namespaces, ...b.namespaces]) };
}

/** The parent Secret recording `scope`, as a server-side apply body (a Secret without data). */
export function parentObject(ref: ApplySetRef, scope: ApplySetScope, version: string): object {
  const kinds = [...scope.kinds].map((k) => `${k}.${GROUP}`).sort(compareCodeUnits);
  const additional = [...scope.namespaces].filter((n) => n !== ref.namespace).sort(compareCodeUnits);
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: { [APPLYSET_ID]: applySetId(ref) },
      annotations: { [TOOLING]: `${TOOL}/${version}`, [CONTAINS_GROUP_KINDS]: kinds.join(","), [ADDITIONAL_NAMESPACES]: additional.join(",") },
    },
  };
}

/**
 * What an existing parent records, checked as the spec asks: it is vmimages' (another tool's set is
 * not ours to change) and its id is the one its name and namespace give.
 * @throws OutputError naming the Secret and what is wrong
 */
export function readParent(ref: ApplySetRef, secret: { readonly metadata?: { readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> } }): ApplySetScope {
  const where = `the ApplySet parent Secret ${ref.namespace}/${ref.name}`;
  const labels = secret.metadata?.labels ?? {};
  const annotations = secret.metadata?.annotations ?? {};
  const tooling = annotations[TOOLING];
  if (tooling === undefined) throw new OutputError(`${where} exists but is no ApplySet parent (it has no ${TOOLING} annotation); choose another --applyset name`);
  if (tooling.split("/")[0] !== TOOL) throw new OutputError(`${where} belongs to the tool "${printable(tooling.split("/")[0] ?? "")}", not vmimages; choose another --applyset name`);
  if (labels[APPLYSET_ID] !== applySetId(ref)) throw new OutputError(`${where} has the label ${APPLYSET_ID} "${printable(labels[APPLYSET_ID] ?? "")}", not the "${applySetId(ref)}" its name and namespace give; it was copied or edited: delete it, and the next apply records the set again`);
  const kinds = new Set<ImageKind>();
  for (const gk of (annotations[CONTAINS_GROUP_KINDS] ?? "").split(",").filter(Boolean)) {
    if (gk === `ClusterVirtualMachineImage.${GROUP}` || gk === `VirtualMachineImage.${GROUP}`) kinds.add(gk.slice(0, gk.indexOf(".")) as ImageKind);
    else throw new OutputError(`${where} records members of the kind ${printable(gk)}, which vmimages never applies`);
  }
  const namespaces = new Set([ref.namespace, ...(annotations[ADDITIONAL_NAMESPACES] ?? "").split(",").filter(Boolean)]);
  return { kinds, namespaces };
}

/**
 * An ApplySet name the user chose, as it is: it names the parent Secret (a DNS-1123 subdomain) and is
 * the value of the images' configuration label, so at most 63 characters of lower-case letters,
 * digits, `-` and `.`, beginning and ending with a letter or digit.
 * @throws ConfigError naming what makes it no such name
 */
export function checkApplySetName(name: string, where: string): string {
  if (name.length <= 63 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) return name;
  throw new ConfigError(`${where} "${printable(name)}" is not a valid ApplySet name: at most 63 lower-case letters, digits, "-" or ".", beginning and ending with a letter or digit (it names a Secret and labels the images)`);
}
