import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { CatalogImage } from "../../catalog/catalog";
import type * as Operations from "./operations";

/** The inputs of one image resource: the catalog entry, and where its GitOps file goes when there is a folder. */
export interface ImageResourceInputs {
  readonly image: CatalogImage;
  readonly file?: Operations.FilePlacement;
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
 * provider's code in the state of every resource and runs that copy for read and delete, so what
 * it keeps must be no logic. Installed from npm (this file is under a `node_modules` folder), the
 * provider is the module dynamic/image.js (or cluster-image.js) itself, which the engine keeps as
 * a `require` of the package's export of it: a newer release's fix reaches the images an older one
 * made. Run from a checkout (its examples and tests, where the engine would copy a module outside
 * `node_modules` whole), it is the stub below, which loads operations.ts from the checkout.
 * Either captures nothing of the machine, so its text is the same everywhere and a preview shows
 * no change for it.
 */
function dynamicProvider(module: "image" | "cluster-image", stub: pulumi.dynamic.ResourceProvider): pulumi.dynamic.ResourceProvider {
  return __dirname.split(path.sep).includes("node_modules") ? (require(`./dynamic/${module}`) as pulumi.dynamic.ResourceProvider) : stub;
}

/** The operations of a checkout's dist folder, found from the project's folder (where the engine starts a dynamic provider). */
function operations(): typeof Operations {
  const path = require("node:path") as typeof import("node:path");
  const fs = require("node:fs") as typeof import("node:fs");
  let root: string | undefined;
  try {
    // A project that links the checkout into its node_modules.
    root = path.dirname(require.resolve("pulumi-vmimages/package.json", { paths: [process.cwd()] }));
  } catch {
    // Not linked: the project is in the checkout.
  }
  for (let dir = process.cwd(); root === undefined; dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: unknown }).name === "pulumi-vmimages") root = dir;
    } catch {
      // No package.json here: look further up.
    }
    if (dir === path.dirname(dir)) break;
  }
  if (root === undefined) throw new Error(`pulumi-vmimages is not in ${process.cwd()} or a folder above it: run npm install pulumi-vmimages in the project`);
  return require(path.join(root, "dist", "provider", "targets", "pulumi", "operations.js")) as typeof Operations;
}

/** The dynamic provider of a TypeScript program's image resources (`pulumi-nodejs:dynamic/vmimages:Image`). */
export const IMAGE_PROVIDER = dynamicProvider("image", {
  create: (inputs) => operations().imageOperations.create(inputs),
  update: (id, olds, news) => operations().imageOperations.update(id, olds, news),
  delete: (id, olds) => operations().imageOperations.delete(id, olds),
  read: (id, props) => operations().imageOperations.read(id, props),
});

/** The dynamic provider of a TypeScript program's images in a cluster (`pulumi-nodejs:dynamic/vmimages:ClusterImage`). */
export const CLUSTER_IMAGE_PROVIDER = dynamicProvider("cluster-image", {
  create: (inputs) => operations().clusterImageOperations.create(inputs),
  update: (id, olds, news) => operations().clusterImageOperations.update(id, olds, news),
  delete: (id, olds) => operations().clusterImageOperations.delete(id, olds),
  read: (id, props) => operations().clusterImageOperations.read(id, props),
});

/** The resource types of the provider plugin (sdk/plugin), which serves them with the same operations. */
export const IMAGE_TYPE = "vmimages:index:Image";
export const CLUSTER_IMAGE_TYPE = "vmimages:index:ClusterImage";

/** How the image resources of a component are made: as dynamic resources of a TypeScript program, or as the provider plugin's own types. */
export type ImageResourceKinds = "dynamic" | "plugin";

/**
 * The SDK's resource classes, constructed as they are. TypeScript marks them abstract (a package
 * subclasses them per type); here a subclass would only add a frame to the stack the engine keeps
 * in every resource's state (see registerImages).
 */
export const DynamicResource = pulumi.dynamic.Resource as unknown as new (...args: ConstructorParameters<typeof pulumi.dynamic.Resource>) => pulumi.dynamic.Resource;
export const PluginResource = pulumi.CustomResource as unknown as new (...args: ConstructorParameters<typeof pulumi.CustomResource>) => pulumi.CustomResource;
