import * as pulumi from "@pulumi/pulumi";
import { CatalogImage, imageKey, manifestKey, withoutTimestamps } from "../../catalog/catalog";
import type { ImageManifest } from "../../image/manifest";
import { Generated } from "../../pipeline/run";
import { CLUSTER_IMAGE_PROVIDER, CLUSTER_IMAGE_TYPE, ClusterImageResourceInputs, DynamicResource, IMAGE_PROVIDER, IMAGE_TYPE, ImageResourceInputs, ImageResourceKinds, PluginResource } from "./resources";

export interface PulumiTargetOptions {
  /** The component the image resources belong to. */
  readonly parent: pulumi.Resource;
  /** A GitOps folder (absolute) that each resource keeps its manifest file in. */
  readonly gitops?: { readonly dir: string };
  /** A cluster that each resource keeps its image in, object and status. */
  readonly cluster?: PulumiClusterTarget;
  /** Dynamic resources (a TypeScript program), or the provider plugin's own. @default "dynamic" */
  readonly kinds?: ImageResourceKinds;
}

export interface PulumiClusterTarget {
  /** The kubeconfig's text; every resource keeps it as a secret. */
  readonly kubeconfig: pulumi.Input<string>;
  readonly context?: string;
  /** The configuration label's value the images carry. */
  readonly owner: string;
}

/** Each manifest of a run with its catalog entry, condition timestamps left out: they move only with the image. */
export function imagesOfRun(generated: Generated): { readonly manifest: ImageManifest; readonly image: CatalogImage }[] {
  const images = new Map(generated.catalog.images.map((i) => [imageKey(i), i]));
  return generated.manifests.map((manifest) => ({ manifest, image: withoutTimestamps(images.get(manifestKey(manifest))!) }));
}

/** The inputs of an image's resource: its catalog entry, and with a GitOps folder (absolute) where its file goes. */
export function imageResourceInputs(manifest: ImageManifest, image: CatalogImage, gitopsDir?: string): ImageResourceInputs {
  return { image, ...(gitopsDir !== undefined ? { file: { dir: gitopsDir, apiVersion: manifest.apiVersion } } : {}) };
}

/**
 * Registers one resource per image of a run, named by its VMI ID, so the engine's own diff shows
 * which images appear, change (naming the fields) or go away. Condition timestamps are left out of
 * the inputs: they move only with the image. With a GitOps folder, each image resource also writes
 * its file and keeps the folder's kustomization, the same bytes `vmimages generate` writes, through
 * the GitOps target's writer, which renders the file from the inputs (its conditions keeping the
 * times the file had). With a cluster, each image has a resource there, of a type of its own
 * (taking the cluster target away deletes these and leaves a GitOps folder's files alone), written
 * by the cluster target's writer; with a cluster alone, that is the image's only resource
 * (operations.ts does both). A changed content version (or any other field) is an update, never a
 * replacement: the names are derived from the item ids.
 */
export function registerImages(generated: Generated, options: PulumiTargetOptions): pulumi.CustomResource[] {
  const dynamic = (options.kinds ?? "dynamic") === "dynamic";
  const made: pulumi.CustomResource[] = [];
  const opts = { parent: options.parent };
  // The resources are constructed right here, in a loop: the engine keeps the stack of each
  // resource's construction in its state, a frame for every call between here and the SDK.
  for (const { manifest: m, image } of imagesOfRun(generated)) {
    if (options.gitops !== undefined || options.cluster === undefined) {
      const inputs = imageResourceInputs(m, image, options.gitops?.dir);
      made.push(dynamic ? new DynamicResource(IMAGE_PROVIDER, m.metadata.name, { ...inputs }, opts, "vmimages", "Image") : new PluginResource(IMAGE_TYPE, m.metadata.name, { ...inputs }, opts));
    }
    if (options.cluster !== undefined) {
      const cluster = { ...(options.cluster.context ? { context: options.cluster.context } : {}), owner: options.cluster.owner, apiVersion: m.apiVersion, annotations: { ...(m.metadata.annotations ?? {}) }, spec: m.spec };
      // The kubeconfig is kept a secret in state whether or not it came as one.
      const inputs: ClusterImageResourceInputs = { key: imageKey(image), image, kubeconfig: pulumi.secret(options.cluster.kubeconfig), cluster };
      const secret = { ...opts, additionalSecretOutputs: ["kubeconfig"] };
      made.push(
        dynamic
          ? new DynamicResource(CLUSTER_IMAGE_PROVIDER, m.metadata.name, { ...inputs }, secret, "vmimages", "ClusterImage")
          : new PluginResource(CLUSTER_IMAGE_TYPE, m.metadata.name, { ...inputs }, secret),
      );
    }
  }
  return made;
}
