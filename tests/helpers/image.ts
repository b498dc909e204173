import { buildImage } from "../../provider/image/build";
import { ImageManifest } from "../../provider/image/manifest";
import { ItemId } from "../../provider/types";

/** Image manifest number `n` (1–9) of a small ISO item, cluster-scoped unless a namespace is given. */
export function isoImage(n: number, namespace?: string): ImageManifest {
  return buildImage(
    { library: { id: "l", name: "l", type: "OFFLINE" }, item: { id: `00000000-0000-4000-8000-00000000000${n}` as ItemId, name: `i${n}`, type: "iso", contentVersion: "1" } },
    namespace ? { kind: "namespace", namespace } : { kind: "cluster" },
    { now: "2026-01-01T00:00:00Z" },
  );
}
