import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { placeFile } from "../../provider/targets/pulumi/file-provider";
import { KUSTOMIZATION, manifestPath, renderFolder } from "../../provider/targets/gitops/layout";
import { isoImage } from "../helpers/image";
import { tempDir, writeTree } from "../helpers/library";

describe("the kustomization the Pulumi resources keep", () => {
  test.each([
    ["cluster images only", [isoImage(1), isoImage(2)]],
    ["cluster and namespaced images", [isoImage(1), isoImage(2, "team-a"), isoImage(3, "team-b")]],
    ["one namespaced image", [isoImage(4, "team-a")]],
  ])("is byte for byte the one vmimages generate writes (%s)", (_what, manifests) => {
    const dir = tempDir("vmimages-kust-");
    const files = renderFolder(manifests);
    writeTree(dir, { "README.md": "not listed", "cluster/notes.yaml": "not an image file" });
    for (const [p, content] of files) if (p !== KUSTOMIZATION) placeFile(undefined, { dir, path: p, content });
    expect(readFileSync(path.join(dir, KUSTOMIZATION), "utf8")).toBe(files.get(KUSTOMIZATION));
  });

  test("follows an image file that moves, and goes once no image file is left", () => {
    const dir = tempDir("vmimages-kust-");
    const m = isoImage(1);
    const moved = isoImage(1, "team-a");
    placeFile(undefined, { dir, path: manifestPath(m), content: "x" });
    placeFile({ dir, path: manifestPath(m) }, { dir, path: manifestPath(moved), content: "y" });
    expect(readFileSync(path.join(dir, KUSTOMIZATION), "utf8")).toBe(renderFolder([moved]).get(KUSTOMIZATION));
    expect(existsSync(path.join(dir, "cluster"))).toBe(false);
    placeFile({ dir, path: manifestPath(moved) }, undefined);
    expect(existsSync(path.join(dir, KUSTOMIZATION))).toBe(false);
    expect(existsSync(path.join(dir, "namespaces"))).toBe(false);
    expect(existsSync(dir)).toBe(true);
  });
});
