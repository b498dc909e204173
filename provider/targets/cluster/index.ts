import pLimit from "p-limit";
import { catalogEntry } from "../../catalog/catalog";
import { CatalogDiff } from "../../catalog/diff";
import { ConfigError, OutputError } from "../../errors";
import { ImageManifest } from "../../image/manifest";
import { Generated } from "../../pipeline/run";
import { RetryPolicy } from "../../retry";
import { ImageKind } from "../../types";
import { ApplySetRef, applySetId, scopeOf, unionOf } from "./applyset";
import { ExecCredentials } from "./exec";
import { code, connect } from "./http";
import { KubeconfigOptions, loadKubeconfig } from "./kubeconfig";
import { LiveImage, asManifest, describeImage, planCluster } from "./plan";
import { ImageApi, Paging, imageApi } from "./requests";

export { CONFIG_LABEL, MANAGED_BY } from "./plan";

/**
 * A Kubernetes cluster as a target of the pipeline: each image is applied server-side (field
 * manager `vmimages`), then its status is written whole through the `/status` subresource (the only
 * way a status reaches an object whose CRD has a status subresource), so `kubectl get vmi -o wide`
 * shows every column. Every image it applies carries `app.kubernetes.io/managed-by: vmimages`, and
 * with an ApplySet (applyset.ts) the set's label, so `prune` deletes only the set's images and an
 * image another set applied is a conflict; an image vmimages does not manage is never changed or
 * deleted, only reported. It asks the server only for the scopes the images are in.
 *
 * What to do is planned first, as a pure function of the images wanted and those there (plan.ts);
 * then it is carried out.
 */

/** Tries of an image's status update when the image changed between its apply and the update. */
const STATUS_ATTEMPTS = 3;

/** How a command reaches a cluster: its kubeconfig, the request policy, and how long an exec plugin may take. */
export interface ConnectOptions extends KubeconfigOptions, RetryPolicy {
  /** How long an exec credential plugin may take. @default 60000 */
  readonly execTimeoutMs?: number;
  readonly paging?: Paging;
}

export interface ClusterOptions extends ConnectOptions {
  /**
   * The ApplySet the images belong to: the name of its parent Secret, and its namespace (by default
   * the namespace of the images when they are VirtualMachineImages of one namespace).
   */
  readonly applySet?: { readonly name: string; readonly namespace?: string };
  /** vmimages' version, for the parent's tooling annotation. */
  readonly version?: string;
  /** Ask the server to check everything and change nothing. */
  readonly dryRun?: boolean;
  /** Delete the set's images that are no longer in the libraries (needs `applySet`). */
  readonly prune?: boolean;
  /** Requests in flight at once. @default 32 */
  readonly concurrency?: number;
  /** Called once an image is done (applied, unchanged, a conflict or failed), with the count so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ClusterChange {
  /** What changed (or, in a dry run, would): the images created, updated (with the fields) and deleted. */
  readonly diff: CatalogDiff;
  readonly unchanged: number;
  /** Images of a wanted name that are not this run's to change, and why; and images a prune found changed since it listed them. */
  readonly conflicts: readonly string[];
}

/** The requests of a command, with the server's name for messages. */
export function clusterOf(options: ConnectOptions): ImageApi {
  const access = loadKubeconfig(options);
  const exec = access.exec && new ExecCredentials(access.exec, options.execTimeoutMs, { server: access.server });
  return imageApi(connect(access.kc, options, exec), access.server, options.paging);
}

/**
 * Makes the cluster hold the run's images (and, with `prune`, only those, of the set).
 * @throws ConfigError for a prune without a set, or a set whose namespace cannot be chosen;
 *   OutputError naming what it concerns (the CRD not served, a namespace missing, refused
 *   credentials, a missing right) after applying what could be applied; nothing is pruned after any failure.
 */
export async function applyToCluster(generated: Generated, options: ClusterOptions): Promise<ClusterChange> {
  if (options.prune && options.applySet === undefined) throw new ConfigError("--prune deletes the images of an ApplySet no longer in the libraries: name the set with --applyset (its parent Secret), so no other configuration's images are touched");
  const ref = options.applySet && applySetRef(options.applySet, generated.manifests);
  const api = clusterOf(options);
  const apiVersion = generated.manifests[0]?.apiVersion ?? "vmoperator.vmware.com/v1alpha5";
  await api.checkServed(apiVersion, kindsOf(generated.manifests));
  const set = ref && { ref, id: applySetId(ref), recorded: await api.applySetScope(ref) };
  const wanted = scopeOf(generated.manifests);
  // The parent records the new scopes before any member is written, so a run that dies midway leaves no member it does not know.
  if (set && !options.dryRun) await api.recordApplySet(set.ref, unionOf(set.recorded ?? wanted, wanted), options.version ?? "unknown");
  const live = await api.imagesIn(apiVersion, wanted);
  const members = set && options.prune ? await api.members(apiVersion, set.id, unionOf(set.recorded ?? wanted, wanted)) : undefined;
  const plan = planCluster(generated.manifests, live, { ...(set ? { applySet: { id: set.id, name: set.ref.name } } : {}), ...(members ? { members } : {}) });

  let done = plan.unchanged.length + plan.conflicts.length;
  const total = generated.manifests.length;
  if (done > 0) options.onProgress?.(done, total);
  const limit = pLimit(options.concurrency ?? 32);
  const failures = (
    await Promise.all(
      plan.apply.map((step) =>
        limit(() => writeImage(api, apiVersion, step.manifest, { dryRun: Boolean(options.dryRun), created: step.action === "create" }).finally(() => options.onProgress?.(++done, total))).then(
          () => undefined,
          (err: unknown) => (err instanceof OutputError ? err : api.fail(`cannot apply ${describeImage(step.manifest)}`, err)),
        ),
      ),
    )
  ).filter((f): f is OutputError => f !== undefined);
  if (failures.length) {
    throw new OutputError(`${failures.length} image(s) could not be applied to ${api.server}; nothing was pruned:\n${failures.map((f) => `  - ${f.message}`).join("\n")}`, {}, { cause: failures[0] });
  }
  const changedSince: string[] = [];
  const pruned: LiveImage[] = [];
  for (const gone of plan.prune) {
    if (await api.deleteImage(apiVersion, gone, Boolean(options.dryRun))) pruned.push(gone);
    else changedSince.push(`${describeImage(gone)} changed since it was listed for the prune: left as it is (the next --prune looks again)`);
  }
  if (set && options.prune && !options.dryRun && changedSince.length === 0) await api.recordApplySet(set.ref, wanted, options.version ?? "unknown");
  return {
    diff: {
      added: plan.apply.filter((s) => s.action === "create").map((s) => catalogEntry(s.manifest)),
      changed: plan.apply.flatMap((s) => (s.action === "update" ? [{ before: catalogEntry(s.before), after: catalogEntry(s.manifest), fields: s.fields }] : [])),
      removed: pruned.map((i) => catalogEntry(asManifest(i, apiVersion))),
    },
    unchanged: plan.unchanged.length,
    conflicts: [...plan.conflicts, ...changedSince].sort(),
  };
}

/** Where the set's parent is: the namespace given, else the one namespace of the images. @throws ConfigError when that is no one namespace */
function applySetRef(set: NonNullable<ClusterOptions["applySet"]>, manifests: readonly ImageManifest[]): ApplySetRef {
  if (set.namespace !== undefined) return { name: set.name, namespace: set.namespace };
  const namespaces = new Set(manifests.map((m) => m.metadata.namespace));
  const only = namespaces.size === 1 ? [...namespaces][0] : undefined;
  if (only === undefined) {
    throw new ConfigError(
      `the ApplySet "${set.name}" needs a namespace for its parent Secret: the images are ${namespaces.has(undefined) ? "cluster images" : "in several namespaces"}${namespaces.size > 1 ? " and more" : ""}; give it with --namespace (-n)`,
    );
  }
  return { name: set.name, namespace: only };
}

function kindsOf(manifests: readonly ImageManifest[]): ImageKind[] {
  return [...new Set(manifests.map((m) => m.kind))];
}

/**
 * Applies an image, then writes its status whole with an update of `/status` (what vanished from
 * the item goes with it): vmimages owns the status of the images it manages, and the server does
 * less for an update than for an apply. The update names the resourceVersion the apply left, so
 * a change someone made in between is never overwritten unseen: the image is applied again.
 * @throws OutputError naming the image and whether its object or its status failed
 */
export async function writeImage(api: ImageApi, apiVersion: string, manifest: ImageManifest, options: { readonly dryRun: boolean; readonly created: boolean }): Promise<void> {
  const { status, ...object } = manifest;
  for (let attempt = 1; ; attempt++) {
    let applied: { metadata: Record<string, unknown> };
    try {
      applied = await api.applyImage(apiVersion, object, options.dryRun);
    } catch (err) {
      throw api.fail(`cannot apply ${describeImage(manifest)}`, err);
    }
    // A dry run creates nothing, so there is no object yet whose status it could check.
    if (options.dryRun && options.created) return;
    // The object's metadata as the apply left it (its resourceVersion among it): an update
    // without the labels would take them from the apply's fields, which the server then no
    // longer removes when the item drops one.
    const { managedFields: _fields, ...metadata } = applied.metadata;
    try {
      await api.updateStatus(apiVersion, { apiVersion: object.apiVersion, kind: object.kind, metadata, status }, options.dryRun);
      return;
    } catch (err) {
      if (code(err) !== 409 || attempt >= STATUS_ATTEMPTS) throw api.fail(`cannot apply the status of ${describeImage(manifest)}`, err);
    }
  }
}

export interface ReadClusterOptions extends ConnectOptions {
  /** The images to read: the cluster's, and the VirtualMachineImages of a namespace or of every one. */
  readonly scopes: { readonly cluster: boolean; readonly namespace?: string | "*" };
  /** The version to read the images in. @default the version the cluster prefers of those that serve the image kinds */
  readonly apiVersion?: string;
}

/**
 * The images a live cluster holds in the scopes asked for, as manifests for the catalog: so
 * `list`, `resolve` and `select` work against the images VM Operator itself made in a Supervisor,
 * for a user who may read only those scopes. An image without a status yet (not synced) has its
 * display name from the `vmware.com/display-name` annotation, if any.
 */
export async function readClusterImages(options: ReadClusterOptions): Promise<ImageManifest[]> {
  const api = clusterOf(options);
  const kinds: ImageKind[] = [...(options.scopes.cluster ? (["ClusterVirtualMachineImage"] as const) : []), ...(options.scopes.namespace !== undefined ? (["VirtualMachineImage"] as const) : [])];
  const apiVersion = options.apiVersion !== undefined ? (await api.checkServed(options.apiVersion, kinds), options.apiVersion) : await api.servedVersion(kinds);
  const images = [
    ...(options.scopes.cluster ? await api.list(apiVersion, "ClusterVirtualMachineImage") : []),
    ...(options.scopes.namespace !== undefined ? await api.list(apiVersion, "VirtualMachineImage", options.scopes.namespace === "*" ? undefined : options.scopes.namespace) : []),
  ];
  return images.map((i) => asManifest(i, apiVersion));
}
