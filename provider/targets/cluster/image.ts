import { OutputError } from "../../errors";
import { stampTransitionTimes } from "../../image/build";
import { ImageManifest } from "../../image/manifest";
import { nowToTheSecond } from "../../util";
import { ConnectOptions, clusterOf, writeImage } from "./index";
import { CONFIG_LABEL, LiveImage, MANAGED_BY, MANAGER, describeImage, stackOwnerConflict } from "./plan";
import { loadKubeconfig } from "./kubeconfig";
import { ImageRef } from "./requests";

/**
 * One image at a time, as a Pulumi resource per image needs it (targets/pulumi): the requests,
 * kubeconfig handling, retry policy and status write of `applyToCluster`, with a stack's owner
 * label where `apply` has an ApplySet. An image another owner holds, or that vmimages does not
 * manage, is never changed or deleted.
 */

/** A cluster, and the owner label a stack's images carry there. */
export interface StackTarget extends ConnectOptions {
  readonly owner: string;
}

/**
 * Makes the cluster hold the image, object and status, labelled with the stack's owner. A condition
 * given without a transition time gets the time of the write, unless the cluster holds it unchanged.
 * An image this call created whose status cannot be written is deleted again, so a failed create
 * leaves nothing that no stack knows of.
 * @param formerOwners owners the stack had before, whose images it takes over
 * @throws OutputError naming the server, the image and what went wrong
 */
export async function putStackImage(target: StackTarget, manifest: ImageManifest, formerOwners: readonly string[] = []): Promise<void> {
  const api = clusterOf(target);
  const apiVersion = manifest.apiVersion;
  const live = await api.getImage(apiVersion, manifest);
  const conflict = live && stackOwnerConflict(live, [target.owner, ...formerOwners]);
  if (conflict) throw new OutputError(`${api.server}: ${describeImage(manifest)} ${conflict}: left as it is (delete it there, or leave its item out of the libraries)`);
  const labelled: ImageManifest = { ...manifest, metadata: { ...manifest.metadata, labels: { ...(manifest.metadata.labels ?? {}), [MANAGED_BY]: MANAGER, [CONFIG_LABEL]: target.owner } } };
  try {
    await writeImage(api, apiVersion, stampTransitionTimes(labelled, live?.status?.conditions, nowToTheSecond()), { dryRun: false, created: live === undefined });
  } catch (err) {
    if (live === undefined) {
      const made = await api.getImage(apiVersion, manifest).catch(() => undefined);
      if (made !== undefined) await api.deleteImage(apiVersion, made, false).catch(() => undefined);
    }
    throw err;
  }
}

/**
 * Deletes the stack's image; one that is gone already, or that is not the stack's (another owner's,
 * or not vmimages'), is left alone.
 * @throws OutputError naming the server and the image
 */
export async function removeStackImage(target: StackTarget, apiVersion: string, ref: ImageRef): Promise<void> {
  const api = clusterOf(target);
  // The delete names the image as it was read; one changed in between is read again.
  for (let attempt = 1; ; attempt++) {
    const live = await api.getImage(apiVersion, ref);
    if (live === undefined || stackOwnerConflict(live, [target.owner]) !== undefined) return;
    if (await api.deleteImage(apiVersion, live, false)) return;
    if (attempt >= 3) throw new OutputError(`${api.server}: ${describeImage(ref)} kept changing while it was being deleted; run the operation again`);
  }
}

/**
 * The image as the cluster holds it; undefined when it is gone.
 * @throws OutputError naming the server and the image
 */
export async function readStackImage(target: ConnectOptions, apiVersion: string, ref: ImageRef): Promise<LiveImage | undefined> {
  return clusterOf(target).getImage(apiVersion, ref);
}

/** The server a target's kubeconfig and context name, to tell when an image moved to another cluster. */
export function serverOf(target: ConnectOptions): string {
  return loadKubeconfig(target).server;
}
