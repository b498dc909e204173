import type { CatalogImage } from "../../catalog/catalog";
import type { ImageManifest } from "../../image/manifest";
import { StackTarget, putStackImage, readStackImage, removeStackImage, serverOf } from "../cluster/image";
import type { LiveImage } from "../cluster/plan";
import { placeImageFile } from "../gitops/write";

/**
 * What the resources of one image do, as plain functions of their inputs and the outputs they
 * keep: the one implementation behind both faces of the Pulumi target, the dynamic providers of a
 * TypeScript program (resources.ts, whose state holds only a stub that loads this module from the
 * installed package) and the provider plugin that serves every other language. A GitOps file is
 * written by the GitOps target's writer, a cluster image by the cluster target's, as the CLI does.
 *
 * Nothing here imports Pulumi: the shapes are those the engine hands a provider.
 */

/** A file a resource keeps in a GitOps folder: written on create and update, removed on delete. */
export interface ManagedFile {
  /** The GitOps folder (absolute). */
  readonly dir: string;
  /** Path inside it, with `/`. */
  readonly path: string;
  readonly content: string;
}

/** The inputs of an image's resource: its catalog entry, and its GitOps file when there is a folder. */
export interface ImageInputs {
  readonly key: string;
  readonly image: CatalogImage;
  readonly file?: ManagedFile;
}

/** What an image's resource keeps as outputs: where its file is (the inputs hold its content). */
export interface ImageOutputs {
  readonly key?: string;
  readonly file?: Pick<ManagedFile, "dir" | "path">;
}

/**
 * Where an image's resource in a cluster keeps its image, besides its catalog entry: what the
 * object needs that the catalog entry does not hold. The kubeconfig is a property of its own, so
 * the engine keeps it a secret wherever it goes.
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
export interface ClusterImageInputs {
  readonly key: string;
  readonly image: CatalogImage;
  readonly kubeconfig: string;
  readonly cluster: ClusterPlacement;
}

/** Props the engine hands back, which a resource of an older release may have written only in part. */
type Stored<T> = Partial<T> & { readonly __provider?: unknown };

export const imageOperations = {
  async create(inputs: ImageInputs): Promise<{ id: string; outs: ImageOutputs }> {
    return { id: inputs.key, outs: fileOutputs(inputs.key, placed(undefined, inputs.file)) };
  },
  async update(_id: string, olds: Stored<ImageOutputs>, news: ImageInputs): Promise<{ outs: ImageOutputs }> {
    return { outs: fileOutputs(news.key, placed(olds.file, news.file)) };
  },
  async delete(_id: string, olds: Stored<ImageOutputs>): Promise<void> {
    placed(olds.file, undefined);
  },
  async read(id: string, props?: Stored<ImageOutputs>): Promise<{ id: string; props: ImageOutputs }> {
    return { id, props: withoutProvider(props ?? {}) };
  },
};

export const clusterImageOperations = {
  async create(inputs: ClusterImageInputs): Promise<{ id: string; outs: ClusterImageInputs }> {
    await putStackImage(targetOf(inputs), manifestOf(inputs));
    return { id: inputs.key, outs: withoutProvider(inputs) };
  },
  async update(_id: string, olds: Stored<ClusterImageInputs>, news: ClusterImageInputs): Promise<{ outs: ClusterImageInputs }> {
    // An owner changed in the program takes over the images this resource made under the old one.
    await putStackImage(targetOf(news), manifestOf(news), olds.cluster?.owner !== undefined ? [olds.cluster.owner] : []);
    // The image moved (to another namespace, kind or cluster): the old one goes once the new one is there.
    if (isWhole(olds) && (olds.key !== news.key || serverOf(targetOf(olds)) !== serverOf(targetOf(news)))) await remove(olds);
    return { outs: withoutProvider(news) };
  },
  async delete(_id: string, olds: Stored<ClusterImageInputs>): Promise<void> {
    if (isWhole(olds)) await remove(olds);
  },
  async read(id: string, props?: Stored<ClusterImageInputs>): Promise<{ id: string; props: Stored<ClusterImageInputs>; inputs?: ClusterImageInputs }> {
    if (props === undefined || !isWhole(props)) return { id, props: props ?? {} };
    const live = await readStackImage(targetOf(props), props.cluster.apiVersion, manifestOf(props));
    // Gone from the cluster: so it is from the state, and the next `up` creates it again.
    if (live === undefined) return { id: "", props: {} };
    const seen = observed(withoutProvider(props), live);
    return { id, props: seen, inputs: seen };
  },
};

/**
 * What the cluster holds of the fields a resource sets: its own labels and annotations (one added
 * by someone else is theirs, not drift), the spec, and the status without the conditions'
 * transition times (which a resource never holds: they move with the clock, not the image).
 */
export function observed(props: ClusterImageInputs, live: LiveImage): ClusterImageInputs {
  const own = (want: Readonly<Record<string, string>>, have: Readonly<Record<string, string>> | undefined) =>
    Object.fromEntries(Object.keys(want).flatMap((k) => (have?.[k] !== undefined ? [[k, have[k]]] : [])));
  const status = { ...(live.status ?? {}) } as Record<string, unknown>;
  status.conditions = (live.status?.conditions ?? []).map(({ lastTransitionTime: _t, ...c }) => c);
  return {
    ...props,
    image: { ...props.image, displayName: typeof status.name === "string" ? status.name : "", labels: own(props.image.labels, live.metadata.labels), status: status as unknown as CatalogImage["status"] },
    cluster: { ...props.cluster, annotations: own(props.cluster.annotations, live.metadata.annotations), spec: live.spec ?? null },
  };
}

/** The image a cluster resource's inputs describe, as the cluster target writes it. */
export function manifestOf(inputs: ClusterImageInputs): ImageManifest {
  const { image, cluster } = inputs;
  return {
    apiVersion: cluster.apiVersion,
    kind: image.kind,
    metadata: { name: image.name, ...(image.namespace !== undefined ? { namespace: image.namespace } : {}), labels: { ...image.labels }, annotations: { ...cluster.annotations } },
    spec: cluster.spec,
    status: image.status,
  } as ImageManifest;
}

function targetOf(inputs: ClusterImageInputs): StackTarget {
  return { kubeconfigText: inputs.kubeconfig, ...(inputs.cluster.context ? { context: inputs.cluster.context } : {}), owner: inputs.cluster.owner };
}

async function remove(olds: ClusterImageInputs): Promise<void> {
  await removeStackImage(targetOf(olds), olds.cluster.apiVersion, manifestOf(olds));
}

function isWhole(props: Stored<ClusterImageInputs>): props is ClusterImageInputs {
  return props.cluster !== undefined && props.image !== undefined && typeof props.kubeconfig === "string" && typeof props.key === "string";
}

/** Moves a resource's file; returns where it is now. */
function placed(from: Pick<ManagedFile, "dir" | "path"> | undefined, to: ManagedFile | undefined): ImageOutputs["file"] {
  if (from && to && from.dir !== to.dir) {
    placeImageFile(from.dir, from.path, undefined);
    placeImageFile(to.dir, undefined, to);
  } else {
    const dir = to?.dir ?? from?.dir;
    if (dir !== undefined) placeImageFile(dir, from?.path, to && { path: to.path, content: to.content });
  }
  return to && { dir: to.dir, path: to.path };
}

/** An undefined output cannot cross to the engine (it is no protobuf value): it is left out. */
function fileOutputs(key: string, file: ImageOutputs["file"]): ImageOutputs {
  return { key, ...(file ? { file } : {}) };
}

/** The props without the dynamic provider's code, which the engine adds itself. */
function withoutProvider<T extends object>(props: T & { readonly __provider?: unknown }): T {
  const { __provider: _p, ...rest } = props;
  return rest as T;
}
