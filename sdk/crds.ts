import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../provider/errors";
import { ImageManifest, ImageStatus } from "../provider/image/manifest";
import { ApiVersion, DEFAULT_API_VERSION } from "../provider/types";
import type { ContentLibraryImages } from "./images";

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

function resourceArgs(kind: ImageManifest["kind"], args: VirtualMachineImageArgs): k8s.apiextensions.CustomResourceArgs {
  return { apiVersion: args.apiVersion ?? DEFAULT_API_VERSION, kind, metadata: args.metadata, spec: args.spec, status: args.status };
}

function ofKind(manifest: ImageManifest, kind: ImageManifest["kind"]): ImageManifest {
  if (manifest.kind !== kind) throw new ConfigError(`${manifest.metadata.name} is a ${manifest.kind}, not a ${kind}`);
  return manifest;
}

/**
 * A namespaced VM Operator image, for users who apply manifests with their own Kubernetes provider.
 * Its `status` does not reach the cluster: every image CRD has a status subresource, so the API
 * server drops `status` on a create or an update and keeps only what `…/status` is given. Images
 * created this way show no display name, OS or `Ready` condition until something writes their status.
 * To have images in a cluster with their status, give {@link ContentLibraryImages} a `kubernetes`
 * target (or run `vmimages apply`), which writes the status through `/status`.
 */
export class VirtualMachineImage extends k8s.apiextensions.CustomResource {
  constructor(name: string, args: VirtualMachineImageArgs, opts?: pulumi.CustomResourceOptions) {
    super(name, resourceArgs("VirtualMachineImage", args), opts);
  }

  /** The resource of a manifest `vmimages generate` wrote (or a catalog produced). */
  static fromManifest(manifest: ImageManifest, opts?: pulumi.CustomResourceOptions): VirtualMachineImage {
    return new VirtualMachineImage(manifest.metadata.name, ofKind(manifest, "VirtualMachineImage"), opts);
  }
}

/**
 * A cluster-scoped VM Operator image; like {@link VirtualMachineImage}, its `status` does not reach
 * the cluster: use the `kubernetes` target of {@link ContentLibraryImages} for that.
 */
export class ClusterVirtualMachineImage extends k8s.apiextensions.CustomResource {
  constructor(name: string, args: VirtualMachineImageArgs, opts?: pulumi.CustomResourceOptions) {
    super(name, resourceArgs("ClusterVirtualMachineImage", args), opts);
  }

  static fromManifest(manifest: ImageManifest, opts?: pulumi.CustomResourceOptions): ClusterVirtualMachineImage {
    return new ClusterVirtualMachineImage(manifest.metadata.name, ofKind(manifest, "ClusterVirtualMachineImage"), opts);
  }
}
