import * as pulumi from "@pulumi/pulumi";
import { CatalogImage } from "../../catalog/catalog";
import { ClusterPlacement, clusterProvider } from "./cluster-provider";
import { fileProvider, ManagedFile } from "./file-provider";

/** The inputs of one image resource: the catalog entry, and its GitOps file and cluster placement when there are those targets. */
export interface ImageResourceInputs {
  readonly key: string;
  readonly image: CatalogImage;
  readonly file?: ManagedFile;
  /** With a cluster target: the kubeconfig's text (kept a secret) and where the image goes. */
  readonly cluster?: { readonly kubeconfig: pulumi.Input<string>; readonly placement: ClusterPlacement };
}

/**
 * One VM Operator image as a Pulumi resource, named by its VMI ID. A changed content version (or
 * any other field) is an update, never a replacement: the name is derived from the item id. Only
 * a resource with a cluster target carries the cluster provider's code (it is stored with every
 * resource, twice), so a GitOps stack's state stays as small as it was.
 */
export class ImageResource extends pulumi.dynamic.Resource {
  constructor(name: string, inputs: ImageResourceInputs, opts?: pulumi.CustomResourceOptions) {
    const { cluster, ...rest } = inputs;
    if (cluster === undefined) {
      super(fileProvider, name, rest, opts, "vmimages", "Image");
    } else {
      super(clusterProvider, name, { ...rest, kubeconfig: pulumi.secret(cluster.kubeconfig), cluster: cluster.placement }, { ...opts, additionalSecretOutputs: ["kubeconfig"] }, "vmimages", "Image");
    }
  }
}
