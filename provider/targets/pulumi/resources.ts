import * as pulumi from "@pulumi/pulumi";
import type { CatalogImage } from "../../catalog/catalog";
import type * as Operations from "./operations";

/** The inputs of one image resource: the catalog entry, and its GitOps file when there is a folder. */
export interface ImageResourceInputs {
  readonly key: string;
  readonly image: CatalogImage;
  readonly file?: Operations.ManagedFile;
}

/** The inputs of one image in a cluster: the catalog entry, the kubeconfig's text and where the image goes. */
export interface ClusterImageResourceInputs {
  readonly key: string;
  readonly image: CatalogImage;
  readonly kubeconfig: pulumi.Input<string>;
  readonly cluster: Operations.ClusterPlacement;
}

/**
 * The dynamic providers of a TypeScript program's image resources. The engine keeps a dynamic
 * provider's code in the state of every resource and runs that copy for read and delete, so the
 * code it keeps is only this stub, which loads operations.ts from the pulumi-vmimages the project
 * has installed (or the checkout it runs in): a newer release's fix reaches the images an older one
 * made, and the state holds no logic. The stub captures nothing, so its text is the same on every
 * machine and in every release, and a preview shows no change for it.
 */
function operations(): typeof Operations {
  const path = require("node:path") as typeof import("node:path");
  const fs = require("node:fs") as typeof import("node:fs");
  // The engine starts a dynamic provider in the project's folder.
  const from = process.cwd();
  let root: string | undefined;
  try {
    root = path.dirname(require.resolve("pulumi-vmimages/package.json", { paths: [from] }));
  } catch {
    for (let dir = from; root === undefined; dir = path.dirname(dir)) {
      try {
        if ((JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: unknown }).name === "pulumi-vmimages") root = dir;
      } catch {
        // No package.json here: look further up.
      }
      if (dir === path.dirname(dir)) break;
    }
  }
  if (root === undefined) throw new Error(`pulumi-vmimages is not installed in ${from}: the image resources run its code from the project's node_modules; run npm install pulumi-vmimages there`);
  return require(path.join(root, "dist", "provider", "targets", "pulumi", "operations.js")) as typeof Operations;
}

const imageProvider: pulumi.dynamic.ResourceProvider = {
  create: (inputs) => operations().imageOperations.create(inputs),
  update: (id, olds, news) => operations().imageOperations.update(id, olds, news),
  delete: (id, olds) => operations().imageOperations.delete(id, olds),
  read: (id, props) => operations().imageOperations.read(id, props),
};

const clusterImageProvider: pulumi.dynamic.ResourceProvider = {
  create: (inputs) => operations().clusterImageOperations.create(inputs),
  update: (id, olds, news) => operations().clusterImageOperations.update(id, olds, news),
  delete: (id, olds) => operations().clusterImageOperations.delete(id, olds),
  read: (id, props) => operations().clusterImageOperations.read(id, props),
};

/**
 * One VM Operator image as a Pulumi resource, named by its VMI ID (and its file in a GitOps folder).
 * A changed content version (or any other field) is an update, never a replacement: the name is
 * derived from the item id.
 */
export class ImageResource extends pulumi.dynamic.Resource {
  constructor(name: string, inputs: ImageResourceInputs, opts?: pulumi.CustomResourceOptions) {
    super(imageProvider, name, { ...inputs }, opts, "vmimages", "Image");
  }
}

/**
 * One VM Operator image in a cluster, object and status, named by its VMI ID. A resource of its
 * own type (rather than a target of {@link ImageResource}): taking the cluster target away deletes
 * these and leaves a GitOps folder's files alone. The kubeconfig is kept a secret in state whether
 * or not it came as one.
 */
export class ClusterImageResource extends pulumi.dynamic.Resource {
  constructor(name: string, inputs: ClusterImageResourceInputs, opts?: pulumi.CustomResourceOptions) {
    super(clusterImageProvider, name, { ...inputs, kubeconfig: pulumi.secret(inputs.kubeconfig) }, { ...opts, additionalSecretOutputs: ["kubeconfig"] }, "vmimages", "ClusterImage");
  }
}

/** The resource types of the provider plugin (plugin.ts), which serves them with the same operations. */
export const IMAGE_TYPE = "vmimages:index:Image";
export const CLUSTER_IMAGE_TYPE = "vmimages:index:ClusterImage";

/** How the image resources of a component are made: as dynamic resources of a TypeScript program, or as the plugin's own. */
export interface ImageResourceKinds {
  image(name: string, inputs: ImageResourceInputs, opts: pulumi.CustomResourceOptions): pulumi.CustomResource;
  clusterImage(name: string, inputs: ClusterImageResourceInputs, opts: pulumi.CustomResourceOptions): pulumi.CustomResource;
}

export const DYNAMIC_RESOURCES: ImageResourceKinds = {
  image: (name, inputs, opts) => new ImageResource(name, inputs, opts),
  clusterImage: (name, inputs, opts) => new ClusterImageResource(name, inputs, opts),
};

/** The resources of a component the provider plugin constructs: its own types, which it serves itself. */
export const PLUGIN_RESOURCES: ImageResourceKinds = {
  image: (name, inputs, opts) => new PluginResource(IMAGE_TYPE, name, { ...inputs }, opts),
  clusterImage: (name, inputs, opts) => new PluginResource(CLUSTER_IMAGE_TYPE, name, { ...inputs, kubeconfig: pulumi.secret(inputs.kubeconfig) }, { ...opts, additionalSecretOutputs: ["kubeconfig"] }),
};

class PluginResource extends pulumi.CustomResource {
  constructor(type: string, name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(type, name, inputs, opts);
  }
}
