import { createHash } from "node:crypto";
import { ImageName, ItemId, NamingStrategy } from "../types";

/**
 * VM Operator's deterministic image naming (pkg/util/vmopv1/image.go): `vmi-` followed by the first
 * 17 hex characters of the SHA-1 of the item UUID with its hyphens removed. The image registry's
 * ContentLibraryItem for the same item is named the same way with `clitem-`.
 */
export function imageHash(itemId: string): string {
  return createHash("sha1").update(itemId.replace(/-/g, "")).digest("hex").slice(0, 17);
}

/** `e1968c25-dd84-4506-8dc7-9beacb6b688e` → `vmi-0a0044d7c690bcbea`. */
export function vmiName(itemId: ItemId | string): ImageName {
  return imageNames(itemId).vmi;
}

/** The (Cluster)ContentLibraryItem name of an image's: both are named from one hash. */
export function clitemOfImage(vmi: string): string {
  return vmi.replace(/^vmi-/, "clitem-");
}

/** The name of the image registry's (Cluster)ContentLibraryItem for an item. */
export function clitemName(itemId: ItemId | string): string {
  return imageNames(itemId).clitem;
}

/** Both names of an item, from one hash. */
export function imageNames(itemId: ItemId | string): { readonly vmi: ImageName; readonly clitem: string } {
  const hash = imageHash(itemId);
  return { vmi: `vmi-${hash}` as ImageName, clitem: `clitem-${hash}` };
}

export type { NamingStrategy } from "../types";

/**
 * The item id an image is named after: the item's own id, or with `preferSourceId` the publisher's
 * item id of a subscribed item, so every vCenter subscribed to one publisher names the image alike.
 */
export function namingItemId(item: { readonly id: ItemId; readonly sourceId?: ItemId }, strategy: NamingStrategy): ItemId {
  return strategy === "preferSourceId" && item.sourceId ? item.sourceId : item.id;
}
