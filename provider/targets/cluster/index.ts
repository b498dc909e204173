import type * as K8s from "@kubernetes/client-node";
import pLimit from "p-limit";
import { manifestKey } from "../../catalog/catalog";
import { OutputError, messageOf } from "../../errors";
import { keepTransitionTimes } from "../../image/build";
import { Condition, ImageManifest } from "../../image/manifest";
import { Generated } from "../../pipeline/run";
import { compareCodeUnits } from "../../util";
import { Request, code, connect, describe, resilient } from "./http";

/**
 * A Kubernetes cluster as a target of the pipeline: each image is applied server-side (field
 * manager `vmimages`), then its status is written whole through the `/status` subresource (the only way a status
 * reaches an object whose CRD has a status subresource), so `kubectl get vmi -o wide` shows every
 * column. Every image it applies carries `app.kubernetes.io/managed-by: vmimages` and the name of its
 * configuration, so `prune` deletes only images this configuration applied; an image of the same
 * name that vmimages does not manage is never changed or deleted, only reported.
 */

export const MANAGED_BY = "app.kubernetes.io/managed-by";
export const CONFIG_LABEL = "vmimages.pulumi-vmimages.dev/config";
const FIELD_MANAGER = "vmimages";
/** Tries of an image's status update when the image changed between its apply and the update. */
const STATUS_ATTEMPTS = 3;

export interface ClusterOptions {
  /** A kubeconfig file; absent: as kubectl finds one (KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Names the configuration the images belong to (a label value). */
  readonly owner: string;
  /** Ask the server to check everything and change nothing. */
  readonly dryRun?: boolean;
  /** Delete images this configuration applied before that are no longer in the libraries. */
  readonly prune?: boolean;
  /** Requests in flight at once. @default 32 */
  readonly concurrency?: number;
  /** Per-request time limit. @default 30000 */
  readonly timeoutMs?: number;
  /** Retries of a request after a connection error, a timeout, 429 or a 5xx answer. @default 3 */
  readonly retries?: number;
  /** Called once an image is done (applied, unchanged, a conflict or failed), with the count so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ClusterChange {
  readonly created: readonly string[];
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
  readonly deleted: readonly string[];
  /** Images of a wanted name that vmimages does not manage: left as they are. */
  readonly conflicts: readonly string[];
}

interface Image {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly resourceVersion?: string };
  readonly status?: { readonly conditions?: readonly Condition[] };
}

type Client = typeof import("./client");

/** Loads the client only here: every module loaded costs each CLI run's start, `generate`'s included. */
function client(): Client {
  return require("./client") as Client;
}

/** `cluster`/`namespace/x`, `kind name`, for messages and results. */
function label(m: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ""}${m.metadata.name}`;
}

/**
 * Makes the cluster hold exactly the run's images (with `prune`) of this configuration.
 * @throws OutputError naming what it concerns (the CRD not served, a namespace missing, refused
 *   credentials, a missing right) after applying what could be applied; nothing is pruned after any failure.
 */
export async function applyToCluster(generated: Generated, options: ClusterOptions): Promise<ClusterChange> {
  const k8s = client();
  const kc = loadKubeconfig(k8s, options);
  const server = kc.getCurrentCluster()?.server ?? "the cluster";
  const request = resilient(connect(kc, options.timeoutMs ?? 30_000), options.retries ?? 3);
  const dryRun = options.dryRun ? "All" : undefined;
  const fail = (what: string, err: unknown) => new OutputError(`${server}: ${what}: ${describe(err)}`, {}, { cause: err });

  const desired = generated.manifests.map((m) => withOwner(m, options.owner));
  const wanted = new Set(desired.map((m) => manifestKey(m)));
  const apiVersion = desired[0]?.apiVersion ?? "vmoperator.vmware.com/v1alpha5";
  await checkServed(request, apiVersion, server);

  // What the cluster holds now: one list per scope, rather than a read per image.
  const live = new Map<string, Image>();
  const listInto = async (kind: string, what: string, path: string) => {
    let items: Image[];
    try {
      items = ((await request("GET", path)) as { items: Image[] }).items;
    } catch (err) {
      throw fail(`cannot list the ${what}`, err);
    }
    for (const item of items) live.set(manifestKey({ ...item, kind } as unknown as ImageManifest), item);
  };
  if (desired.some((m) => m.metadata.namespace === undefined)) {
    await listInto("ClusterVirtualMachineImage", "ClusterVirtualMachineImages", collection(apiVersion, "ClusterVirtualMachineImage"));
  }
  for (const ns of new Set(desired.map((m) => m.metadata.namespace).filter((n): n is string => n !== undefined))) {
    await listInto("VirtualMachineImage", `VirtualMachineImages of namespace ${ns}`, collection(apiVersion, "VirtualMachineImage", ns));
  }

  const created: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  const conflicts: string[] = [];
  const failures: OutputError[] = [];
  const limit = pLimit(options.concurrency ?? 32);
  let done = 0;
  await Promise.all(
    desired.map((m) =>
      limit(async () => {
        try {
          await applyOne(m);
        } finally {
          options.onProgress?.(++done, desired.length);
        }
      }),
    ),
  );

  /** Applies one image, or records why it was not: a conflict, a failure. */
  async function applyOne(m: ImageManifest): Promise<void> {
    try {
      const before = live.get(manifestKey(m));
      if (before && before.metadata.labels?.[MANAGED_BY] !== FIELD_MANAGER) {
        conflicts.push(`${label(m)} exists and is not managed by vmimages: left as it is`);
        return;
      }
      // Unchanged conditions keep the time they last changed, as in a folder: no change, no write.
      const prepared = keepTransitionTimes(m, before?.status?.conditions);
      if (before && holds(before, prepared)) {
        unchanged.push(label(m));
        return;
      }
      const { status, ...object } = prepared;
      const ns = m.metadata.namespace;
      const where = `${collection(m.apiVersion, m.kind, ns)}/${encodeURIComponent(m.metadata.name)}`;
      const query = `?fieldManager=${FIELD_MANAGER}&force=true${dryRun ? `&dryRun=${dryRun}` : ""}`;
      // vmimages owns the status of the images it manages, so it replaces the status whole with an
      // update of /status (what vanished from the item goes with it) rather than applying it: the
      // server does less for an update than for an apply, and the second request is half of what an
      // image costs it (bench/). The update names the resourceVersion the apply left, so a change
      // someone made in between is never overwritten unseen: the image is applied again.
      let main: Image;
      let after: Image;
      for (let attempt = 1; ; attempt++) {
        main = (await request("PATCH", `${where}${query}`, object)) as Image;
        if (dryRun && !before) {
          // A dry run creates nothing, so there is no object yet whose status it could check.
          created.push(label(m));
          return;
        }
        // The object's metadata as the apply left it (its resourceVersion among it): an update
        // without the labels would take them from the apply's fields, which the server then no
        // longer removes when the item drops one.
        const { managedFields: _fields, ...metadata } = main.metadata as Image["metadata"] & { managedFields?: unknown };
        try {
          after = (await request("PUT", `${where}/status?fieldManager=${FIELD_MANAGER}${dryRun ? `&dryRun=${dryRun}` : ""}`, { apiVersion: m.apiVersion, kind: m.kind, metadata, status })) as Image;
          break;
        } catch (err) {
          if (code(err) !== 409 || attempt >= STATUS_ATTEMPTS) throw err;
        }
      }
      // What the server holds (or, in a dry run, would hold) against what it held: a dry run moves no resourceVersion.
      if (!before) created.push(label(m));
      else if (canonical(content(before)) !== canonical(content({ ...after, metadata: main.metadata }))) changed.push(label(m));
      else unchanged.push(label(m));
    } catch (err) {
      failures.push(err instanceof OutputError ? err : fail(`cannot apply ${label(m)}`, err));
    }
  }
  if (failures.length) {
    throw new OutputError(`${failures.length} image(s) could not be applied to ${server}; nothing was pruned:\n${failures.map((f) => `  - ${f.message}`).join("\n")}`, {}, { cause: failures[0] });
  }

  const deleted: string[] = [];
  if (options.prune) {
    const selector = encodeURIComponent(`${MANAGED_BY}=${FIELD_MANAGER},${CONFIG_LABEL}=${options.owner}`);
    for (const kind of ["ClusterVirtualMachineImage", "VirtualMachineImage"]) {
      let items: Image[];
      try {
        // VirtualMachineImages of every namespace: the configuration may have moved a library.
        items = ((await request("GET", `${collection(apiVersion, kind)}?labelSelector=${selector}`)) as { items: Image[] }).items;
      } catch (err) {
        throw fail(`cannot list the ${kind}s to prune`, err);
      }
      for (const item of items) {
        const m = { ...item, kind };
        if (wanted.has(manifestKey(m as unknown as ImageManifest))) continue;
        try {
          await request("DELETE", `${collection(apiVersion, kind, item.metadata.namespace)}/${encodeURIComponent(item.metadata.name)}${dryRun ? `?dryRun=${dryRun}` : ""}`);
        } catch (err) {
          throw fail(`cannot delete ${label(m)}`, err);
        }
        deleted.push(label(m));
      }
    }
  }
  return { created: created.sort(), changed: changed.sort(), unchanged: unchanged.sort(), deleted: deleted.sort(), conflicts: conflicts.sort() };
}

export interface ReadClusterOptions {
  readonly kubeconfig?: string;
  /** A kubeconfig's text, instead of a file (a Pulumi secret's value, say). */
  readonly kubeconfigText?: string;
  readonly context?: string;
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
  const k8s = client();
  const kc = loadKubeconfig(k8s, options);
  const server = kc.getCurrentCluster()?.server ?? "the cluster";
  const request = resilient(connect(kc, 30_000), 3);
  const apiVersion = options.apiVersion ?? "vmoperator.vmware.com/v1alpha5";
  const fail = (what: string, err: unknown) => new OutputError(`${server}: ${what}: ${describe(err)}`, {}, { cause: err });
  const list = async (kind: string, path: string): Promise<ImageManifest[]> => {
    let listed: { items: Array<Record<string, unknown>> };
    try {
      listed = (await request("GET", path)) as typeof listed;
    } catch (err) {
      throw fail(`cannot list the ${kind}s`, err);
    }
    return listed.items.map((item) => {
      const metadata = (item.metadata ?? {}) as { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
      const status = (item.status ?? {}) as Record<string, unknown>;
      return {
        ...item,
        apiVersion,
        kind,
        metadata,
        status: { ...status, name: typeof status.name === "string" ? status.name : (metadata.annotations?.["vmware.com/display-name"] ?? ""), conditions: Array.isArray(status.conditions) ? status.conditions : [] },
      } as unknown as ImageManifest;
    });
  };
  const cluster = await list("ClusterVirtualMachineImage", collection(apiVersion, "ClusterVirtualMachineImage"));
  // No namespace: the VirtualMachineImages of every namespace.
  const namespaced = await list("VirtualMachineImage", collection(apiVersion, "VirtualMachineImage", options.namespace));
  return [...cluster, ...namespaced];
}

function loadKubeconfig(k8s: Client, options: { readonly kubeconfig?: string; readonly kubeconfigText?: string; readonly context?: string }): K8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  try {
    if (options.kubeconfigText !== undefined) kc.loadFromString(options.kubeconfigText);
    else if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
    if (options.context) kc.setCurrentContext(options.context);
  } catch (err) {
    // A kubeconfig given as text holds credentials: the parser's message may quote it, so it is not repeated.
    if (options.kubeconfigText !== undefined) throw new OutputError("the kubeconfig given cannot be read: it is not a kubeconfig (YAML with clusters, users and contexts)");
    throw new OutputError(`cannot load the kubeconfig${options.kubeconfig ? ` ${options.kubeconfig}` : ""}: ${messageOf(err)}`, {}, { cause: err });
  }
  return kc;
}

/** The REST path of a kind's objects: of a namespace, or (none given) of the cluster or of every namespace. */
function collection(apiVersion: string, kind: string, namespace?: string): string {
  const plural = kind === "VirtualMachineImage" ? "virtualmachineimages" : "clustervirtualmachineimages";
  return `/apis/${apiVersion}/${namespace !== undefined ? `namespaces/${encodeURIComponent(namespace)}/` : ""}${plural}`;
}

/** Whether the live image already holds everything the manifest says (labels and annotations among its own, spec and status alike). */
function holds(live: Image & { spec?: unknown; metadata: { annotations?: Record<string, string> } }, m: ImageManifest): boolean {
  const subset = (want: Readonly<Record<string, string>> | undefined, have: Readonly<Record<string, string>> | undefined) =>
    Object.entries(want ?? {}).every(([k, v]) => have?.[k] === v);
  return (
    subset(m.metadata.labels, live.metadata.labels) &&
    subset(m.metadata.annotations, live.metadata.annotations) &&
    canonical(m.spec) === canonical(live.spec) &&
    canonical(m.status) === canonical(live.status)
  );
}

/** What an image is, without the server's bookkeeping (resourceVersion, managedFields, …). */
function content(i: Image & { spec?: unknown; metadata: { annotations?: unknown } }): unknown {
  return { labels: i.metadata.labels ?? {}, annotations: i.metadata.annotations ?? {}, spec: i.spec, status: i.status };
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => compareCodeUnits(a, b))) : v));
}

/** The manifest with the labels that say vmimages manages it, for this configuration. */
function withOwner(m: ImageManifest, owner: string): ImageManifest {
  return { ...m, metadata: { ...m.metadata, labels: { ...(m.metadata.labels ?? {}), [MANAGED_BY]: FIELD_MANAGER, [CONFIG_LABEL]: owner } } };
}

async function checkServed(request: Request, apiVersion: string, server: string): Promise<void> {
  try {
    await request("GET", `${collection(apiVersion, "ClusterVirtualMachineImage")}?limit=1`);
  } catch (err) {
    if (code(err) === 404) throw new OutputError(`${server} does not serve ${apiVersion} ClusterVirtualMachineImages: install VM Operator's CRDs, or choose an apiVersion it serves`, {}, { cause: err });
    throw new OutputError(`${server}: cannot list ClusterVirtualMachineImages: ${describe(err)}`, {}, { cause: err });
  }
}
