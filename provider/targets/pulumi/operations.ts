import { CatalogImage, entryManifest, imageKey } from "../../catalog/catalog";
import type { ImageManifest } from "../../image/manifest";
import { StackTarget, putStackImage, readStackImage, removeStackImage, serverOf } from "../cluster/image";
import type { LiveImage } from "../cluster/plan";
import { manifestPath } from "../gitops/layout";
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

/**
 * Where an image's resource keeps its file: a GitOps folder (absolute), and the apiVersion it is
 * written in. The file is made from these and the catalog entry (entryManifest) when it is
 * written, so the state holds no rendered copy of it.
 */
export interface FilePlacement {
  readonly dir: string;
  readonly apiVersion: string;
}

/** The inputs of an image's resource: its catalog entry, and where its GitOps file goes when there is a folder. */
export interface ImageInputs {
  readonly image: CatalogImage;
  readonly file?: FilePlacement;
}

/** What an image's resource keeps as outputs: where its file is, which its delete removes. */
export interface ImageOutputs {
  /** The folder, and the file's path inside it, with `/`. */
  readonly file?: { readonly dir: string; readonly path: string };
}

/**
 * Where an image's resource in a cluster keeps its image, and what the image holds besides its
 * catalog entry, which a refresh reads back (drift in them shows). The kubeconfig is a property of
 * its own, so the engine keeps it a secret wherever it goes.
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
    return { id: imageKey(inputs.image), outs: fileOutputs(placed(undefined, inputs)) };
  },
  async update(_id: string, olds: Stored<ImageOutputs>, news: ImageInputs): Promise<{ outs: ImageOutputs }> {
    return { outs: fileOutputs(placed(olds.file, news)) };
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
    await putStackImage(targetOf(inputs), manifestOf(inputs.image, inputs.cluster));
    return { id: inputs.key, outs: withoutProvider(inputs) };
  },
  async update(_id: string, olds: Stored<ClusterImageInputs>, news: ClusterImageInputs): Promise<{ outs: ClusterImageInputs }> {
    // An owner changed in the program takes over the images this resource made under the old one.
    await putStackImage(targetOf(news), manifestOf(news.image, news.cluster), olds.cluster?.owner !== undefined ? [olds.cluster.owner] : []);
    // The image moved (to another namespace, kind or cluster): the old one goes once the new one is there.
    if (isWhole(olds) && (olds.key !== news.key || serverOf(targetOf(olds)) !== serverOf(targetOf(news)))) await remove(olds);
    return { outs: withoutProvider(news) };
  },
  async delete(_id: string, olds: Stored<ClusterImageInputs>): Promise<void> {
    if (isWhole(olds)) await remove(olds);
  },
  async read(id: string, props?: Stored<ClusterImageInputs>): Promise<{ id: string; props: Stored<ClusterImageInputs>; inputs?: ClusterImageInputs }> {
    if (props === undefined || !isWhole(props)) return { id, props: props ?? {} };
    const live = await readStackImage(targetOf(props), props.cluster.apiVersion, manifestOf(props.image, props.cluster));
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

/** The image a cluster resource's catalog entry and placement describe, as the cluster target writes it (its conditions without times). */
export function manifestOf(image: CatalogImage, placement: ClusterPlacement): ImageManifest {
  const made = entryManifest(placement.apiVersion, image);
  return { ...made, metadata: { ...made.metadata, labels: { ...image.labels }, annotations: { ...placement.annotations } }, spec: placement.spec as ImageManifest["spec"] };
}

function targetOf(inputs: ClusterImageInputs): StackTarget {
  return { kubeconfigText: inputs.kubeconfig, ...(inputs.cluster.context ? { context: inputs.cluster.context } : {}), owner: inputs.cluster.owner };
}

async function remove(olds: ClusterImageInputs): Promise<void> {
  await removeStackImage(targetOf(olds), olds.cluster.apiVersion, manifestOf(olds.image, olds.cluster));
}

function isWhole(props: Stored<ClusterImageInputs>): props is ClusterImageInputs {
  return props.cluster !== undefined && props.image !== undefined && typeof props.kubeconfig === "string" && typeof props.key === "string";
}

/** Moves a resource's file to what its inputs make of it (none: removes it); returns where it is now. */
function placed(from: ImageOutputs["file"], to: ImageInputs | undefined): ImageOutputs["file"] {
  const next = to?.file && { dir: to.file.dir, manifest: entryManifest(to.file.apiVersion, to.image) };
  if (from && next && from.dir !== next.dir) {
    placeImageFile(from.dir, from.path, undefined);
    placeImageFile(next.dir, undefined, next.manifest);
  } else {
    const dir = next?.dir ?? from?.dir;
    if (dir !== undefined) placeImageFile(dir, from?.path, next?.manifest);
  }
  return next && { dir: next.dir, path: manifestPath(next.manifest) };
}

/** An undefined output cannot cross to the engine (it is no protobuf value): it is left out. */
function fileOutputs(file: ImageOutputs["file"]): ImageOutputs {
  return file ? { file } : {};
}

/** The props without the dynamic provider's code, which the engine adds itself. */
function withoutProvider<T extends object>(props: T & { readonly __provider?: unknown }): T {
  const { __provider: _p, ...rest } = props;
  return rest as T;
}
