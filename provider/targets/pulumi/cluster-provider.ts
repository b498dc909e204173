import * as pulumi from "@pulumi/pulumi";
import type * as K8s from "@kubernetes/client-node";
import type { CatalogImage } from "../../catalog/catalog";
import { ManagedInputs } from "./file-provider";

/**
 * Where an image resource keeps its image in a cluster, besides its catalog entry (`image`): what
 * the object needs that the catalog entry does not hold. The kubeconfig is a property of its own
 * (`kubeconfig`), so the engine keeps it a secret wherever it goes.
 */
export interface ClusterPlacement {
  readonly context?: string;
  /** The configuration label's value. */
  readonly owner: string;
  readonly apiVersion: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: unknown;
}

/**
 * The inputs of an image's resource in a cluster. Its outputs are the same properties: a delete and
 * a read have only the outputs, and a refresh hands them back as the inputs a later `up` compares
 * the program with.
 */
export interface ClusterInputs extends ManagedInputs {
  readonly key: string;
  readonly image: CatalogImage;
  readonly kubeconfig: string;
  readonly cluster: ClusterPlacement;
}

type Props = Partial<ClusterInputs>;

/**
 * The dynamic provider of an image's resource in a cluster. Like file-provider.ts it is serialized
 * into state and captures nothing: the Kubernetes client is required inside `kube`, from the
 * project's node_modules. `create` and
 * `update` apply the object server-side (field manager `vmimages`, with the ownership labels) and
 * then its status through `/status`; `delete` removes it (never an image vmimages does not manage);
 * `read` (refresh) reads the live image and hands back what it holds of the fields this resource
 * sets, so a label or status changed in the cluster shows as drift and the next `up` restores it.
 */
export const clusterProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: ClusterInputs) {
    await putImage(inputs, [inputs.cluster.owner]);
    return { id: inputs.key, outs: outputsOf(inputs) };
  },
  async update(_id: string, olds: Props, news: ClusterInputs) {
    // An owner changed in the program takes over the images this resource made under the old one.
    await putImage(news, [news.cluster.owner, ...(olds.cluster?.owner !== undefined ? [olds.cluster.owner] : [])]);
    // The image moved (to another namespace, kind or cluster): the old one goes once the new one is there.
    if (olds.cluster && olds.image && olds.kubeconfig !== undefined && (olds.key !== news.key || serverOf(olds.kubeconfig, olds.cluster.context) !== serverOf(news.kubeconfig, news.cluster.context))) {
      await removeImage(olds as ClusterInputs);
    }
    return { outs: outputsOf(news) };
  },
  async delete(_id: string, props: Props) {
    if (props.cluster && props.image && props.kubeconfig !== undefined) await removeImage(props as ClusterInputs);
  },
  async read(id: string, props?: Props) {
    if (!props?.cluster || !props.image || props.kubeconfig === undefined) return { id, props: props ?? {} };
    const live = await getImage(props as ClusterInputs);
    // Gone from the cluster: so it is from the state, and the next `up` creates it again.
    if (!live) return { id: "", props: {} };
    const seen = observed(props as ClusterInputs, live);
    return { id, props: seen, inputs: seen };
  },
};

/** A resource's outputs: its inputs (which a refresh has to hand back), without the provider's code, which the engine adds itself. */
function outputsOf(inputs: ClusterInputs): Record<string, unknown> {
  const { __provider: _p, ...outs } = inputs as ClusterInputs & { __provider?: unknown };
  return outs;
}

interface Live {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
  status?: Record<string, unknown> & { conditions?: Array<Record<string, unknown>> };
}

/**
 * What the cluster holds of the fields this resource sets: its own labels and annotations (one
 * added by someone else is theirs, not drift), the spec, and the status, without the conditions'
 * transition times (which a resource never holds: they move with the clock, not the image).
 */
export function observed(props: ClusterInputs, live: Live): ClusterInputs {
  const own = (want: Readonly<Record<string, string>>, have: Record<string, string> | undefined) =>
    Object.fromEntries(Object.keys(want).flatMap((k) => (have?.[k] !== undefined ? [[k, have[k]]] : [])));
  const status = { ...(live.status ?? {}) } as Record<string, unknown>;
  status.conditions = (live.status?.conditions ?? []).map(({ lastTransitionTime: _t, ...c }) => c);
  return {
    ...props,
    image: { ...props.image, displayName: typeof status.name === "string" ? status.name : "", labels: own(props.image.labels, live.metadata.labels), status: status as unknown as CatalogImage["status"] },
    cluster: { ...props.cluster, annotations: own(props.cluster.annotations, live.metadata.annotations), spec: live.spec ?? null },
  };
}

/** The client for the resource's kubeconfig; never quotes the kubeconfig, which holds credentials. */
function kube(kubeconfig: string, context: string | undefined) {
  const path = require("node:path") as typeof import("node:path");
  // The provider runs in the project's folder: the client (and the YAML parser) are those installed beside pulumi-vmimages.
  const paths = [process.cwd(), path.join(process.cwd(), "node_modules", "pulumi-vmimages")];
  const k8s = require(require.resolve("@kubernetes/client-node", { paths })) as typeof K8s;
  const yaml = require(require.resolve("yaml", { paths })) as typeof import("yaml");
  // A YAML error is said by its line and column, never by the text there: a kubeconfig holds credentials.
  const lineCounter = new yaml.LineCounter();
  const error = yaml.parseDocument(kubeconfig, { prettyErrors: false, lineCounter }).errors[0];
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new Error(`the kubeconfig given is not valid YAML at line ${line}, column ${col}`);
  }
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromString(kubeconfig);
  } catch {
    throw new Error("the kubeconfig given cannot be used: it is no kubeconfig (clusters, users and contexts)");
  }
  if (context && !kc.getContexts().some((c) => c.name === context)) throw new Error(`the kubeconfig given has no context "${context}"`);
  if (context) kc.setCurrentContext(context);
  const server = kc.getCurrentCluster()?.server ?? "the cluster";
  return { k8s, api: kc.makeApiClient(k8s.CustomObjectsApi), server };
}

function serverOf(kubeconfig: string, context: string | undefined): string {
  return kube(kubeconfig, context).server;
}

/** `VirtualMachineImage team-a/vmi-…` */
function labelOf(props: ClusterInputs): string {
  return `${props.image.kind} ${props.image.namespace ? `${props.image.namespace}/` : ""}${props.image.name}`;
}

/**
 * One call to the API server, bounded in time and retried with backoff after a connection error, a
 * timeout, 429 or a 5xx answer; other answers are final. A failure names the server, the image and what the server said (its
 * Status message names the verb, resource and namespace of a missing right).
 */
async function call<T>(server: string, what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error("ETIMEDOUT: no answer within 30 s")), 30_000);
        }),
      ]);
    } catch (err) {
      const e = err as { code?: unknown; body?: unknown; message?: string; cause?: { message?: string } };
      const code = typeof e.code === "number" ? e.code : undefined;
      const retryable = code === 429 || (code !== undefined && code >= 500) || (code === undefined && /ECONN|EPIPE|ETIMEDOUT|socket hang up|fetch failed/i.test(String(e.message)));
      if (retryable && attempt < 3) {
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
        continue;
      }
      if (code === 404) throw Object.assign(new Error(`${server}: ${what}: not found`), { notFound: true, cause: err });
      let message: string | undefined;
      try {
        message = (JSON.parse(typeof e.body === "string" ? e.body : JSON.stringify(e.body)) as { message?: string }).message;
      } catch {
        message = undefined;
      }
      // An exec plugin whose output is no JSON fails in JSON.parse, whose message quotes the output (a credential, maybe): never repeated.
      const said =
        code === 401
          ? `the credentials were refused (HTTP 401); check the kubeconfig's user`
          : code !== undefined
            ? `HTTP ${code}${message ? `: ${message}` : ""}`
            : err instanceof SyntaxError
              ? "the kubeconfig user's exec plugin wrote no ExecCredential to standard output (it is not JSON)"
              : `${e.message}${e.cause?.message ? ` (${e.cause.message})` : ""}`;
      throw new Error(`${server}: ${what}: ${said}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}

function target(props: ClusterInputs) {
  const [group, version] = props.cluster.apiVersion.split("/") as [string, string];
  const plural = props.image.kind === "VirtualMachineImage" ? "virtualmachineimages" : "clustervirtualmachineimages";
  return { group, version, plural, name: props.image.name, namespace: props.image.namespace };
}

type Kube = ReturnType<typeof kube>;

/** The live image, or undefined when there is none; with the client of the caller, if it has one. */
async function getImage(props: ClusterInputs, client: Kube = kube(props.kubeconfig, props.cluster.context)): Promise<Live | undefined> {
  const { api, server } = client;
  const t = target(props);
  try {
    return (await call(server, `cannot read ${labelOf(props)}`, () =>
      t.namespace !== undefined ? api.getNamespacedCustomObject({ ...t, namespace: t.namespace }) : api.getClusterCustomObject(t),
    )) as Live;
  } catch (err) {
    if ((err as { notFound?: boolean }).notFound) return undefined;
    throw err;
  }
}

/**
 * Why a live image is not this resource's to change or delete, if it is not: vmimages does not
 * manage it (VM Operator made it, say), another owner (another stack) applied it, or an ApplySet of
 * `vmimages apply` holds it.
 */
function notOurs(live: Live, owners: readonly string[]): string | undefined {
  const labels = live.metadata.labels ?? {};
  if (labels["app.kubernetes.io/managed-by"] !== "vmimages") return "exists and is not managed by vmimages";
  const partOf = labels["applyset.kubernetes.io/part-of"];
  if (partOf !== undefined) return `belongs to the ApplySet ${partOf} of vmimages apply${labels["vmimages.pulumi-vmimages.dev/config"] ? ` ("${labels["vmimages.pulumi-vmimages.dev/config"]}")` : ""}`;
  const owner = labels["vmimages.pulumi-vmimages.dev/config"];
  if (owner !== undefined && !owners.includes(owner)) return `was applied by the owner "${owner}", not this stack's "${owners[0]}" (another stack or configuration holds it)`;
  return undefined;
}

/**
 * Applies the image and then its status. An image of that name that is not this resource's to
 * change (notOurs) is left as it is and fails this resource. A condition that did not change keeps
 * the time it last changed, as in a GitOps folder. An image this call created whose status cannot
 * be written is deleted again: a failed create leaves nothing no stack knows of.
 */
async function putImage(props: ClusterInputs, owners: readonly string[]): Promise<void> {
  const client = kube(props.kubeconfig, props.cluster.context);
  const { k8s, api, server } = client;
  const live = await getImage(props, client);
  const what = labelOf(props);
  const conflict = live && notOurs(live, owners);
  if (conflict) throw new Error(`${server}: ${what} ${conflict}: left as it is (delete it there, or leave its item out of the libraries)`);
  const t = target(props);
  const metadata = {
    name: t.name,
    ...(t.namespace !== undefined ? { namespace: t.namespace } : {}),
    labels: { ...props.image.labels, "app.kubernetes.io/managed-by": "vmimages", "vmimages.pulumi-vmimages.dev/config": props.cluster.owner },
    annotations: props.cluster.annotations,
  };
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const before = live?.status?.conditions ?? [];
  const conditions = props.image.status.conditions.map((c) => {
    const was = before.find((b) => b.type === c.type);
    const same = was && was.status === c.status && was.reason === c.reason && was.message === c.message;
    return { ...c, lastTransitionTime: same && typeof was.lastTransitionTime === "string" ? was.lastTransitionTime : now };
  });
  const head = { apiVersion: props.cluster.apiVersion, kind: props.image.kind };
  const apply = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply);
  const args = { group: t.group, version: t.version, plural: t.plural, name: t.name, fieldManager: "vmimages", force: true };
  const object = { ...head, metadata, spec: props.cluster.spec };
  const status = { ...head, metadata: { name: t.name, ...(t.namespace !== undefined ? { namespace: t.namespace } : {}) }, status: { ...props.image.status, conditions } };
  await call(server, `cannot apply ${what}`, () =>
    t.namespace !== undefined ? api.patchNamespacedCustomObject({ ...args, namespace: t.namespace, body: object }, apply) : api.patchClusterCustomObject({ ...args, body: object }, apply),
  );
  try {
    await call(server, `cannot apply the status of ${what}`, () =>
      t.namespace !== undefined ? api.patchNamespacedCustomObjectStatus({ ...args, namespace: t.namespace, body: status }, apply) : api.patchClusterCustomObjectStatus({ ...args, body: status }, apply),
    );
  } catch (err) {
    if (!live) {
      await call(server, `cannot delete ${what} again after its status failed`, () =>
        t.namespace !== undefined ? api.deleteNamespacedCustomObject({ ...t, namespace: t.namespace }) : api.deleteClusterCustomObject(t),
      ).catch(() => undefined);
    }
    throw err;
  }
}

/** Deletes the image, unless it is gone already or is not this resource's (notOurs: another stack's, say). */
async function removeImage(props: ClusterInputs): Promise<void> {
  const client = kube(props.kubeconfig, props.cluster.context);
  const live = await getImage(props, client);
  if (!live || notOurs(live, [props.cluster.owner]) !== undefined) return;
  const { api, server } = client;
  const t = target(props);
  try {
    await call(server, `cannot delete ${labelOf(props)}`, () =>
      t.namespace !== undefined ? api.deleteNamespacedCustomObject({ ...t, namespace: t.namespace }) : api.deleteClusterCustomObject(t),
    );
  } catch (err) {
    if (!(err as { notFound?: boolean }).notFound) throw err;
  }
}
