import * as pulumi from "@pulumi/pulumi";
import { CatalogImage } from "../../catalog/catalog";
import { ClusterPlacement, clusterProvider } from "./cluster-provider";
import { fileProvider, ManagedFile } from "./file-provider";

/** The inputs of one image resource: the catalog entry, and its GitOps file when there is a folder. */
export interface ImageResourceInputs {
  readonly key: string;
  readonly image: CatalogImage;
  readonly file?: ManagedFile;
}

/**
 * One VM Operator image as a Pulumi resource, named by its VMI ID (and its file in a GitOps folder).
 * A changed content version (or any other field) is an update, never a replacement: the name is
 * derived from the item id.
 */
export class ImageResource extends pulumi.dynamic.Resource {
  constructor(name: string, inputs: ImageResourceInputs, opts?: pulumi.CustomResourceOptions) {
    super(fileProvider, name, { ...inputs }, opts, "vmimages", "Image");
  }
}

/** The inputs of one image in a cluster: the catalog entry, the kubeconfig's text and where the image goes. */
export interface ClusterImageResourceInputs {
  readonly key: string;
  readonly image: CatalogImage;
  readonly kubeconfig: pulumi.Input<string>;
  readonly cluster: ClusterPlacement;
}

/**
 * One VM Operator image in a cluster, object and status, named by its VMI ID. A resource of its
 * own type (rather than a target of {@link ImageResource}): taking the cluster target away deletes
 * these, run by the provider they were made with, and leaves a GitOps folder's files alone. The
 * kubeconfig is kept a secret in state whether or not it came as one.
 */
export class ClusterImageResource extends pulumi.dynamic.Resource {
  constructor(name: string, inputs: ClusterImageResourceInputs, opts?: pulumi.CustomResourceOptions) {
    super(clusterProvider, name, { ...inputs, kubeconfig: pulumi.secret(inputs.kubeconfig) }, { ...opts, additionalSecretOutputs: ["kubeconfig"] }, "vmimages", "ClusterImage");
  }
}
