import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ImageManifest, ImageStatus } from "../provider/image/manifest";
import { ApiVersion, DEFAULT_API_VERSION } from "../provider/types";

/** The spec of a VirtualMachineImage or ClusterVirtualMachineImage. */
export interface VirtualMachineImageSpec {
  readonly providerRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
}

export interface VirtualMachineImageArgs {
  /** @default vmoperator.vmware.com/v1alpha5 */
  readonly apiVersion?: ApiVersion;
  readonly metadata: pulumi.Input<k8s.types.input.meta.v1.ObjectMeta>;
  readonly spec: pulumi.Input<VirtualMachineImageSpec>;
  /** Status as this project computes it; the API server keeps it only through the status subresource. */
  readonly status?: pulumi.Input<ImageStatus>;
}

/** A namespaced VM Operator image, for users who apply manifests with their own Kubernetes provider. */
export class VirtualMachineImage extends k8s.apiextensions.CustomResource {
  constructor(name: string, args: VirtualMachineImageArgs, opts?: pulumi.CustomResourceOptions) {
    super(name, { apiVersion: args.apiVersion ?? DEFAULT_API_VERSION, kind: "VirtualMachineImage", metadata: args.metadata, spec: args.spec, status: args.status }, opts);
  }

  /** The resource of a manifest `vmimages generate` wrote (or a catalog produced). */
  static fromManifest(manifest: ImageManifest, opts?: pulumi.CustomResourceOptions): VirtualMachineImage {
    if (manifest.kind !== "VirtualMachineImage") throw new Error(`${manifest.metadata.name} is a ${manifest.kind}, not a VirtualMachineImage`);
    return new VirtualMachineImage(manifest.metadata.name, manifest, opts);
  }
}

/** A cluster-scoped VM Operator image. */
export class ClusterVirtualMachineImage extends k8s.apiextensions.CustomResource {
  constructor(name: string, args: VirtualMachineImageArgs, opts?: pulumi.CustomResourceOptions) {
    super(name, { apiVersion: args.apiVersion ?? DEFAULT_API_VERSION, kind: "ClusterVirtualMachineImage", metadata: args.metadata, spec: args.spec, status: args.status }, opts);
  }

  static fromManifest(manifest: ImageManifest, opts?: pulumi.CustomResourceOptions): ClusterVirtualMachineImage {
    if (manifest.kind !== "ClusterVirtualMachineImage") throw new Error(`${manifest.metadata.name} is a ${manifest.kind}, not a ClusterVirtualMachineImage`);
    return new ClusterVirtualMachineImage(manifest.metadata.name, manifest, opts);
  }
}
