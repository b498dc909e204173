import pLimit from "p-limit";
import { catalogEntry } from "../../catalog/catalog";
import { CatalogDiff } from "../../catalog/diff";
import { OutputError } from "../../errors";
import { ImageManifest } from "../../image/manifest";
import { Generated } from "../../pipeline/run";
import { RetryPolicy } from "../../retry";
import { ImageKind } from "../../types";
import { Request, code, connect, describe } from "./http";
import { KubeconfigOptions, loadKubeconfig } from "./kubeconfig";
import { CONFIG_LABEL, ImageStep, LiveImage, MANAGED_BY, MANAGER, asManifest, describeImage, planCluster } from "./plan";

export { CONFIG_LABEL, MANAGED_BY } from "./plan";

/**
 * A Kubernetes cluster as a target of the pipeline: each image is applied server-side (field
 * manager `vmimages`), then its status is written whole through the `/status` subresource (the only
 * way a status reaches an object whose CRD has a status subresource), so `kubectl get vmi -o wide`
 * shows every column. Every image it applies carries `app.kubernetes.io/managed-by: vmimages` and the
 * name of its configuration, so `prune` deletes only images this configuration applied; an image of
 * the same name that vmimages does not manage is never changed or deleted, only reported.
 *
 * What to do is planned first, as a pure function of the images wanted and those there (plan.ts);
 * then it is carried out.
 */

/** Tries of an image's status update when the image changed between its apply and the update. */
const STATUS_ATTEMPTS = 3;

export interface ClusterOptions extends KubeconfigOptions, RetryPolicy {
  /** Names the configuration the images belong to (a label value). */
  readonly owner: string;
  /** Ask the server to check everything and change nothing. */
  readonly dryRun?: boolean;
  /** Delete images this configuration applied before that are no longer in the libraries. */
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
  /** Images of a wanted name that vmimages does not manage: left as they are. */
  readonly conflicts: readonly string[];
}

/**
 * Makes the cluster hold exactly the run's images (with `prune`) of this configuration.
 * @throws OutputError naming what it concerns (the CRD not served, a namespace missing, refused
 *   credentials, a missing right) after applying what could be applied; nothing is pruned after any failure.
 */
export async function applyToCluster(generated: Generated, options: ClusterOptions): Promise<ClusterChange> {
  const kc = loadKubeconfig(options);
  const cluster = new Cluster(connect(kc, options), kc.getCurrentCluster()?.server ?? "the cluster", generated.manifests[0]?.apiVersion ?? "vmoperator.vmware.com/v1alpha5", options.dryRun === true);
  await cluster.checkServed();
  const live = await cluster.imagesFor(generated.manifests);
  const owned = options.prune ? await cluster.ownedBy(options.owner) : undefined;
  const plan = planCluster(generated.manifests, live, { owner: options.owner, ...(owned ? { owned } : {}) });

  let done = plan.unchanged.length + plan.conflicts.length;
  const total = generated.manifests.length;
  if (done > 0) options.onProgress?.(done, total);
  const limit = pLimit(options.concurrency ?? 32);
  const outcomes = await Promise.all(
    plan.apply.map((step) =>
      limit(() => cluster.write(step).finally(() => options.onProgress?.(++done, total))).then(
        () => undefined,
        (err: unknown) => (err instanceof OutputError ? err : cluster.fail(`cannot apply ${describeImage(step.manifest)}`, err)),
      ),
    ),
  );
  const failures = outcomes.filter((f): f is OutputError => f !== undefined);
  if (failures.length) {
    throw new OutputError(`${failures.length} image(s) could not be applied to ${cluster.server}; nothing was pruned:\n${failures.map((f) => `  - ${f.message}`).join("\n")}`, {}, { cause: failures[0] });
  }
  for (const gone of plan.prune) await cluster.delete(gone);

  const entry = (m: ImageManifest) => catalogEntry(m);
  return {
    diff: {
      added: plan.apply.filter((s) => s.action === "create").map((s) => entry(s.manifest)),
      changed: plan.apply.flatMap((s) => (s.action === "update" ? [{ before: entry(s.before), after: entry(s.manifest), fields: s.fields }] : [])),
      removed: plan.prune.map(entry),
    },
    unchanged: plan.unchanged.length,
    conflicts: [...plan.conflicts].sort(),
  };
}

export interface ReadClusterOptions extends KubeconfigOptions {
  /** The VirtualMachineImages of this namespace (else of every namespace), with every cluster image. */
  readonly namespace?: string;
  /** The version to read the images in. @default vmoperator.vmware.com/v1alpha5 */
  readonly apiVersion?: string;
}

/**
 * The images a live cluster holds (ClusterVirtualMachineImages, and the VirtualMachineImages of a
 * namespace or of all), as manifests for the catalog: so `list`, `resolve` and `select` work against
 * the images VM Operator itself made in a Supervisor. An image without a status yet (not synced)
 * has its display name from the `vmware.com/display-name` annotation, if any.
 */
export async function readClusterImages(options: ReadClusterOptions): Promise<ImageManifest[]> {
  const kc = loadKubeconfig(options);
  const apiVersion = options.apiVersion ?? "vmoperator.vmware.com/v1alpha5";
  const cluster = new Cluster(connect(kc), kc.getCurrentCluster()?.server ?? "the cluster", apiVersion, false);
  const images = [...(await cluster.list("ClusterVirtualMachineImage")), ...(await cluster.list("VirtualMachineImage", options.namespace))];
  return images.map((i) => asManifest(i, apiVersion));
}

/** The requests `apply` and the readers make, each failure naming the server and what it was about. */
class Cluster {
  constructor(
    private readonly request: Request,
    readonly server: string,
    private readonly apiVersion: string,
    private readonly dryRun: boolean,
  ) {}

  fail(what: string, err: unknown): OutputError {
    return new OutputError(`${this.server}: ${what}: ${describe(err)}`, {}, { cause: err });
  }

  async checkServed(): Promise<void> {
    try {
      await this.request("GET", `${collection(this.apiVersion, "ClusterVirtualMachineImage")}?limit=1`);
    } catch (err) {
      if (code(err) === 404) throw new OutputError(`${this.server} does not serve ${this.apiVersion} ClusterVirtualMachineImages: install VM Operator's CRDs, or choose an apiVersion it serves`, {}, { cause: err });
      throw this.fail("cannot list ClusterVirtualMachineImages", err);
    }
  }

  /** The images of a kind: of a namespace, or (none given) of the cluster or of every namespace; with a label selector. */
  async list(kind: ImageKind, namespace?: string, selector?: string): Promise<LiveImage[]> {
    const query = selector !== undefined ? `?labelSelector=${encodeURIComponent(selector)}` : "";
    try {
      const { items } = (await this.request("GET", `${collection(this.apiVersion, kind, namespace)}${query}`)) as { items: Array<Omit<LiveImage, "kind">> };
      return items.map((i) => ({ ...i, kind }));
    } catch (err) {
      throw this.fail(`cannot list the ${kind}s${namespace !== undefined ? ` of namespace ${namespace}` : ""}`, err);
    }
  }

  /** What the cluster holds in the scopes of `manifests`: one list per scope, rather than a read per image. */
  async imagesFor(manifests: readonly ImageManifest[]): Promise<LiveImage[]> {
    const live: LiveImage[] = [];
    if (manifests.some((m) => m.metadata.namespace === undefined)) live.push(...(await this.list("ClusterVirtualMachineImage")));
    for (const ns of new Set(manifests.flatMap((m) => (m.metadata.namespace !== undefined ? [m.metadata.namespace] : [])))) live.push(...(await this.list("VirtualMachineImage", ns)));
    return live;
  }

  /** The images an owner applied, of both kinds (VirtualMachineImages of every namespace: a library may have moved). */
  async ownedBy(owner: string): Promise<LiveImage[]> {
    const selector = `${MANAGED_BY}=${MANAGER},${CONFIG_LABEL}=${owner}`;
    return [...(await this.list("ClusterVirtualMachineImage", undefined, selector)), ...(await this.list("VirtualMachineImage", undefined, selector))];
  }

  /**
   * Applies an image, then writes its status whole with an update of `/status` (what vanished from
   * the item goes with it): vmimages owns the status of the images it manages, and the server does
   * less for an update than for an apply. The update names the resourceVersion the apply left, so
   * a change someone made in between is never overwritten unseen: the image is applied again.
   */
  async write(step: ImageStep): Promise<void> {
    const { status, ...object } = step.manifest;
    const where = `${collection(this.apiVersion, object.kind, object.metadata.namespace)}/${encodeURIComponent(object.metadata.name)}`;
    const dryRun = this.dryRun ? "&dryRun=All" : "";
    for (let attempt = 1; ; attempt++) {
      const applied = (await this.request("PATCH", `${where}?fieldManager=${MANAGER}&force=true${dryRun}`, object)) as { metadata: Record<string, unknown> };
      // A dry run creates nothing, so there is no object yet whose status it could check.
      if (this.dryRun && step.action === "create") return;
      // The object's metadata as the apply left it (its resourceVersion among it): an update
      // without the labels would take them from the apply's fields, which the server then no
      // longer removes when the item drops one.
      const { managedFields: _fields, ...metadata } = applied.metadata;
      try {
        await this.request("PUT", `${where}/status?fieldManager=${MANAGER}${dryRun}`, { apiVersion: object.apiVersion, kind: object.kind, metadata, status });
        return;
      } catch (err) {
        if (code(err) !== 409 || attempt >= STATUS_ATTEMPTS) throw err;
      }
    }
  }

  async delete(m: ImageManifest): Promise<void> {
    try {
      await this.request("DELETE", `${collection(this.apiVersion, m.kind, m.metadata.namespace)}/${encodeURIComponent(m.metadata.name)}${this.dryRun ? "?dryRun=All" : ""}`);
    } catch (err) {
      throw this.fail(`cannot delete ${describeImage(m)}`, err);
    }
  }
}

/** The REST path of a kind's objects: of a namespace, or (none given) of the cluster or of every namespace. */
function collection(apiVersion: string, kind: string, namespace?: string): string {
  const plural = kind === "VirtualMachineImage" ? "virtualmachineimages" : "clustervirtualmachineimages";
  return `/apis/${apiVersion}/${namespace !== undefined ? `namespaces/${encodeURIComponent(namespace)}/` : ""}${plural}`;
}
