import * as pulumi from "@pulumi/pulumi";
import { imageKey, manifestKey, withoutTimestamps } from "../../catalog/catalog";
import { Generated } from "../../pipeline/run";
import { manifestPath, renderFolder } from "../gitops/layout";
import { ImageResource } from "./resources";

export interface PulumiTargetOptions {
  /** The component the image resources belong to. */
  readonly parent: pulumi.Resource;
  /** A GitOps folder (absolute) that each resource keeps its manifest file in. */
  readonly gitopsDir?: string;
  /** A cluster that each resource keeps its image in, object and status. */
  readonly cluster?: PulumiClusterTarget;
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
 * the inputs: they move only with the image. With a GitOps folder, each resource also writes its
 * file and keeps the folder's kustomization (file-provider.ts), the same bytes `vmimages generate`
 * writes. With a cluster, each resource keeps its image there (cluster-provider.ts).
 */
export function registerImages(generated: Generated, options: PulumiTargetOptions): ImageResource[] {
  const files = options.gitopsDir !== undefined ? renderFolder(generated.manifests) : undefined;
  const images = new Map(generated.catalog.images.map((i) => [imageKey(i), i]));
  return generated.manifests.map((m) => {
    const key = manifestKey(m);
    const rel = manifestPath(m);
    return new ImageResource(
      m.metadata.name,
      {
        key: `${m.kind}/${m.metadata.namespace ?? ""}/${m.metadata.name}`,
        image: withoutTimestamps(images.get(key)!),
        ...(files !== undefined && options.gitopsDir !== undefined ? { file: { dir: options.gitopsDir, path: rel, content: files.get(rel)! } } : {}),
        ...(options.cluster
          ? {
              cluster: {
                kubeconfig: options.cluster.kubeconfig,
                placement: {
                  ...(options.cluster.context ? { context: options.cluster.context } : {}),
                  owner: options.cluster.owner,
                  apiVersion: m.apiVersion,
                  annotations: { ...(m.metadata.annotations ?? {}) },
                  spec: m.spec,
                },
              },
            }
          : {}),
      },
      { parent: options.parent },
    );
  });
}
