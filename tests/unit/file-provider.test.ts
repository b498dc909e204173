import { existsSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { buildImage } from "../../provider/image/build";
import { syncKustomization } from "../../provider/pulumi/file-provider";
import { KUSTOMIZATION, manifestPath, renderFolder } from "../../provider/render/folder";
import { ItemId } from "../../provider/types";
import { tempDir, writeTree } from "../helpers/library";

const manifest = (n: number, ns?: string) =>
  buildImage(
    { library: { id: "l", name: "l", type: "OFFLINE" }, item: { id: `00000000-0000-4000-8000-00000000000${n}` as ItemId, name: `i${n}`, type: "iso", contentVersion: "1" } },
    ns ? { kind: "namespace", namespace: ns } : { kind: "cluster" },
    { now: "2026-01-01T00:00:00Z" },
  );

describe("the kustomization the Pulumi resources keep", () => {
  test.each([
    ["cluster images only", [manifest(1), manifest(2)]],
    ["cluster and namespaced images", [manifest(1), manifest(2, "team-a"), manifest(3, "team-b")]],
    ["one namespaced image", [manifest(4, "team-a")]],
  ])("is byte for byte the one vmimages generate writes (%s)", (_what, manifests) => {
    const dir = tempDir("vmimages-kust-");
    const files = renderFolder(manifests);
    writeTree(dir, Object.fromEntries([...files].filter(([p]) => p !== KUSTOMIZATION)));
    writeTree(dir, { "README.md": "not listed", "cluster/notes.yaml": "not an image file" });
    syncKustomization(dir);
    expect(readFileSync(path.join(dir, KUSTOMIZATION), "utf8")).toBe(files.get(KUSTOMIZATION));
  });

  test("is removed once no image file is left", () => {
    const dir = tempDir("vmimages-kust-");
    const m = manifest(1);
    writeTree(dir, { [manifestPath(m)]: "x", [KUSTOMIZATION]: "old" });
    syncKustomization(dir);
    expect(existsSync(path.join(dir, KUSTOMIZATION))).toBe(true);
    rmSync(path.join(dir, manifestPath(m)));
    syncKustomization(dir);
    expect(existsSync(path.join(dir, KUSTOMIZATION))).toBe(false);
  });
});
