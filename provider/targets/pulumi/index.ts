import * as pulumi from "@pulumi/pulumi";
import { imageKey, manifestKey, withoutTimestamps } from "../../catalog/catalog";
import { Generated } from "../../pipeline/run";
import { manifestPath } from "../gitops/layout";
import { DYNAMIC_RESOURCES, ImageResourceKinds } from "./resources";

export interface PulumiTargetOptions {
  /** The component the image resources belong to. */
  readonly parent: pulumi.Resource;
  /** A GitOps folder (absolute) that each resource keeps its manifest file in, with the files `GitopsFolder.render` gives for the run. */
  readonly gitops?: { readonly dir: string; readonly files: ReadonlyMap<string, string> };
  /** A cluster that each resource keeps its image in, object and status. */
  readonly cluster?: PulumiClusterTarget;
  /** Dynamic resources (a TypeScript program), or the provider plugin's own. @default DYNAMIC_RESOURCES */
  readonly kinds?: ImageResourceKinds;
}

export interface PulumiClusterTarget {
  /** The kubeconfig's text; every resource keeps it as a secret. */
  readonly kubeconfig: pulumi.Input<string>;
  readonly context?: string;
  /** The configuration label's value the images carry. */
  readonly owner: string;
}

/**
 * Registers one resource per image of a run, named by its VMI ID, so the engine's own diff shows
 * which images appear, change (naming the fields) or go away. Condition timestamps are left out of
 * the inputs: they move only with the image. With a GitOps folder, each image resource also writes
 * its file and keeps the folder's kustomization, the same bytes `vmimages generate` writes, through
 * the GitOps target's writer. With a cluster, each image has a resource there, of a type of its
 * own, written by the cluster target's writer; with a cluster alone, that is the image's only
 * resource (operations.ts does both).
 */
export function registerImages(generated: Generated, options: PulumiTargetOptions): pulumi.CustomResource[] {
  const kinds = options.kinds ?? DYNAMIC_RESOURCES;
  const images = new Map(generated.catalog.images.map((i) => [imageKey(i), i]));
  return generated.manifests.flatMap((m) => {
    const key = `${m.kind}/${m.metadata.namespace ?? ""}/${m.metadata.name}`;
    const image = withoutTimestamps(images.get(manifestKey(m))!);
    const rel = manifestPath(m);
    const made: pulumi.CustomResource[] = [];
    if (options.gitops !== undefined || options.cluster === undefined) {
      const file = options.gitops && { dir: options.gitops.dir, path: rel, content: options.gitops.files.get(rel)! };
      made.push(kinds.image(m.metadata.name, { key, image, ...(file ? { file } : {}) }, { parent: options.parent }));
    }
    if (options.cluster !== undefined) {
      const placement = {
        ...(options.cluster.context ? { context: options.cluster.context } : {}),
        owner: options.cluster.owner,
        apiVersion: m.apiVersion,
        annotations: { ...(m.metadata.annotations ?? {}) },
        spec: m.spec,
      };
      made.push(kinds.clusterImage(m.metadata.name, { key, image, kubeconfig: options.cluster.kubeconfig, cluster: placement }, { parent: options.parent }));
    }
    return made;
  });
}
