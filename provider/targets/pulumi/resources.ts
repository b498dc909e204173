import * as pulumi from "@pulumi/pulumi";
import { CatalogImage } from "../../catalog/catalog";
import { fileProvider, ManagedFile } from "./file-provider";

/** The inputs of one image resource: the catalog entry, and its GitOps file when there is a target. */
export interface ImageResourceInputs {
  readonly key: string;
  readonly image: CatalogImage;
  readonly file?: ManagedFile;
}

/**
 * One VM Operator image as a Pulumi resource, named by its VMI ID. A changed content version (or
 * any other field) is an update, never a replacement: the name is derived from the item id.
 */
export class ImageResource extends pulumi.dynamic.Resource {
  constructor(name: string, inputs: ImageResourceInputs, opts?: pulumi.CustomResourceOptions) {
    super(fileProvider, name, { ...inputs, image: inputs.image }, opts, "vmimages", "Image");
  }
}
