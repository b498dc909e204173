import { OutputError } from "../../errors";
import { ImageManifest } from "../../image/manifest";
import { ImageKind } from "../../types";
import { ApplySetRef, ApplySetScope, PART_OF, parentObject, readParent } from "./applyset";
import { Request, code, describe } from "./http";
import { LiveImage, MANAGER, describeImage } from "./plan";

/** An image by its kind, name and (for a VirtualMachineImage) namespace. */
export interface ImageRef {
  readonly kind: ImageKind;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/**
 * The requests the cluster target makes, each one failure away from a message that names the
 * server and what it was about: discovery of what the cluster serves, paged lists of images, the
 * ApplySet's parent, and the writes and deletes of images.
 */

const GROUP = "vmoperator.vmware.com";
/** Items a page of a list holds, as kubectl asks for them. */
const PAGE_SIZE = 500;
/** Lists started again after their continue token expired, before the list gives up. */
const LIST_RESTARTS = 3;

/** How lists are paged; tests give a small page and a hook between pages. */
export interface Paging {
  /** @default 500 */
  readonly size?: number;
  /** Called after each page but the last, before the next is asked for. */
  readonly afterPage?: () => Promise<void>;
}

export type ImageApi = ReturnType<typeof imageApi>;

export function imageApi(request: Request, server: string, paging: Paging = {}) {
  const fail = (what: string, err: unknown) => new OutputError(`${server}: ${what}: ${describe(err)}`, {}, { cause: err });

  /** The versions of the group the cluster serves, its preferred first; none when it serves no VM Operator API. */
  const servedVersions = async (): Promise<string[]> => {
    try {
      const group = (await request("GET", `/apis/${GROUP}`)) as { versions?: Array<{ version: string }>; preferredVersion?: { version: string } };
      const versions = (group.versions ?? []).map((v) => v.version);
      const preferred = group.preferredVersion?.version;
      return preferred !== undefined ? [preferred, ...versions.filter((v) => v !== preferred)] : versions;
    } catch (err) {
      if (code(err) === 404) return [];
      throw fail(`cannot read which ${GROUP} versions it serves`, err);
    }
  };

  /** The image kinds a version serves. */
  const kindsServed = async (version: string): Promise<Set<string>> => {
    try {
      const list = (await request("GET", `/apis/${GROUP}/${version}`)) as { resources?: Array<{ kind: string; name: string }> };
      return new Set((list.resources ?? []).filter((r) => !r.name.includes("/")).map((r) => r.kind));
    } catch (err) {
      if (code(err) === 404) return new Set();
      throw fail(`cannot read what ${GROUP}/${version} serves`, err);
    }
  };

  const notServed = (apiVersion: string, kinds: readonly ImageKind[], versions: readonly string[]) =>
    new OutputError(
      `${server} does not serve ${kinds.join(" and ")} of ${apiVersion}: it serves ${versions.length ? `${GROUP} ${versions.join(", ")}` : `no ${GROUP} API (VM Operator's CRDs are not installed)`}; install VM Operator's CRDs, or choose an apiVersion it serves`,
    );

  /** One list of a kind in one scope, every page of it; started again when its continue token expires. */
  const list = async (apiVersion: string, kind: ImageKind, namespace?: string, selector?: string): Promise<LiveImage[]> => {
    const where = `${collection(apiVersion, kind, namespace)}?limit=${paging.size ?? PAGE_SIZE}${selector !== undefined ? `&labelSelector=${encodeURIComponent(selector)}` : ""}`;
    for (let restart = 0; ; restart++) {
      const items: LiveImage[] = [];
      let next: string | undefined;
      try {
        do {
          // Every page is asked for with the same query: a continue token is valid only for it.
          const page = (await request("GET", `${where}${next ? `&continue=${encodeURIComponent(next)}` : ""}`)) as { items: Array<Omit<LiveImage, "kind">>; metadata?: { continue?: string } };
          for (const i of page.items) items.push({ ...i, kind });
          next = page.metadata?.continue || undefined;
          if (next) await paging.afterPage?.();
        } while (next);
        return items;
      } catch (err) {
        // The server compacted what the list was reading: a list that goes on would mix two states, so it starts again.
        if (code(err) === 410 && next !== undefined && restart < LIST_RESTARTS) continue;
        const scope = namespace !== undefined ? ` of namespace ${namespace}` : kind === "VirtualMachineImage" ? " of every namespace" : "";
        throw fail(`cannot list the ${kind}s${scope}${code(err) === 410 ? ` (the list expired ${LIST_RESTARTS + 1} times while it was read)` : ""}`, err);
      }
    }
  };

  return {
    server,
    fail,
    list,

    /** @throws OutputError naming the group, version and kinds looked for and what the cluster serves */
    async checkServed(apiVersion: string, kinds: readonly ImageKind[]): Promise<void> {
      const version = apiVersion.slice(apiVersion.indexOf("/") + 1);
      const served = await kindsServed(version);
      const missing = kinds.filter((k) => !served.has(k));
      if (missing.length === 0) return;
      throw notServed(apiVersion, missing, await servedVersions());
    },

    /** The version to read images in: the preferred one of those that serve the kinds. */
    async servedVersion(kinds: readonly ImageKind[]): Promise<string> {
      const versions = await servedVersions();
      for (const version of versions) {
        const served = await kindsServed(version);
        if (kinds.every((k) => served.has(k))) return `${GROUP}/${version}`;
      }
      throw notServed(`${GROUP} (any version)`, kinds, versions);
    },

    /** The images the cluster holds in a scope: the cluster's if it has cluster images, each namespace's VirtualMachineImages. */
    async imagesIn(apiVersion: string, scope: ApplySetScope): Promise<LiveImage[]> {
      const live: LiveImage[] = [];
      if (scope.kinds.has("ClusterVirtualMachineImage")) live.push(...(await list(apiVersion, "ClusterVirtualMachineImage")));
      if (scope.kinds.has("VirtualMachineImage")) for (const ns of [...scope.namespaces].sort()) live.push(...(await list(apiVersion, "VirtualMachineImage", ns)));
      return live;
    },

    /** The set's members, in the scopes its parent records (and the run's). */
    async members(apiVersion: string, id: string, scope: ApplySetScope): Promise<LiveImage[]> {
      const selector = `${PART_OF}=${id}`;
      const found: LiveImage[] = [];
      if (scope.kinds.has("ClusterVirtualMachineImage")) found.push(...(await list(apiVersion, "ClusterVirtualMachineImage", undefined, selector)));
      if (scope.kinds.has("VirtualMachineImage")) for (const ns of [...scope.namespaces].sort()) found.push(...(await list(apiVersion, "VirtualMachineImage", ns, selector)));
      return found;
    },

    /** What the set's parent records; undefined when it does not exist yet. */
    async applySetScope(ref: ApplySetRef): Promise<ApplySetScope | undefined> {
      let secret: Parameters<typeof readParent>[1];
      try {
        secret = (await request("GET", `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/${encodeURIComponent(ref.name)}`)) as typeof secret;
      } catch (err) {
        if (code(err) === 404) return undefined;
        throw fail(`cannot read the ApplySet parent Secret ${ref.namespace}/${ref.name}`, err);
      }
      return readParent(ref, secret);
    },

    /** Records the set's scope in its parent (creating it), by a server-side apply of its own field manager. */
    async recordApplySet(ref: ApplySetRef, scope: ApplySetScope, version: string): Promise<void> {
      try {
        await request("PATCH", `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/${encodeURIComponent(ref.name)}?fieldManager=${MANAGER}-applyset&force=true`, parentObject(ref, scope, version));
      } catch (err) {
        throw fail(`cannot record the ApplySet in its parent Secret ${ref.namespace}/${ref.name}`, err);
      }
    },

    /** The image of that kind and name as the cluster holds it; undefined when there is none. */
    async getImage(apiVersion: string, ref: ImageRef): Promise<LiveImage | undefined> {
      try {
        return { ...((await request("GET", resource(apiVersion, ref))) as Omit<LiveImage, "kind">), kind: ref.kind };
      } catch (err) {
        if (code(err) === 404) return undefined;
        throw fail(`cannot read ${describeImage(ref)}`, err);
      }
    },

    async applyImage(apiVersion: string, object: Omit<ImageManifest, "status">, dryRun: boolean): Promise<{ metadata: Record<string, unknown> }> {
      return (await request("PATCH", `${resource(apiVersion, object)}?fieldManager=${MANAGER}&force=true${dryRun ? "&dryRun=All" : ""}`, object)) as { metadata: Record<string, unknown> };
    },

    async updateStatus(apiVersion: string, object: Pick<ImageManifest, "apiVersion" | "kind" | "status"> & { metadata: Record<string, unknown> & { name?: unknown; namespace?: unknown } }, dryRun: boolean): Promise<void> {
      const target = { kind: object.kind, metadata: { name: String(object.metadata.name), ...(typeof object.metadata.namespace === "string" ? { namespace: object.metadata.namespace } : {}) } };
      await request("PUT", `${resource(apiVersion, target)}/status?fieldManager=${MANAGER}${dryRun ? "&dryRun=All" : ""}`, object);
    },

    /**
     * Deletes an image as it was listed (its uid and resourceVersion as preconditions): true when it
     * is gone (already gone counts), false when it changed since.
     */
    async deleteImage(apiVersion: string, image: LiveImage, dryRun: boolean): Promise<boolean> {
      const preconditions = { ...(image.metadata.uid ? { uid: image.metadata.uid } : {}), ...(image.metadata.resourceVersion ? { resourceVersion: image.metadata.resourceVersion } : {}) };
      try {
        await request("DELETE", `${resource(apiVersion, image)}${dryRun ? "?dryRun=All" : ""}`, { apiVersion: "v1", kind: "DeleteOptions", preconditions });
        return true;
      } catch (err) {
        if (code(err) === 404) return true;
        if (code(err) === 409) return false;
        throw fail(`cannot delete ${image.kind} ${image.metadata.namespace ? `${image.metadata.namespace}/` : ""}${image.metadata.name}`, err);
      }
    },
  };
}

/** The REST path of a kind's objects: of a namespace, or (none given) of the cluster or of every namespace. */
function collection(apiVersion: string, kind: string, namespace?: string): string {
  const plural = kind === "VirtualMachineImage" ? "virtualmachineimages" : "clustervirtualmachineimages";
  return `/apis/${apiVersion}/${namespace !== undefined ? `namespaces/${encodeURIComponent(namespace)}/` : ""}${plural}`;
}

function resource(apiVersion: string, object: { readonly kind: string; readonly metadata: { readonly name: string; readonly namespace?: string } }): string {
  return `${collection(apiVersion, object.kind, object.metadata.namespace)}/${encodeURIComponent(object.metadata.name)}`;
}
