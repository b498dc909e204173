import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { KUSTOMIZATION, manifestPath, renderFolder } from "../../provider/render/folder";
import { readOwnedFiles } from "../../provider/render/write";
import { isoImage } from "../helpers/image";
import { tempDir, writeTree } from "../helpers/library";

describe("the files a previous run wrote", () => {
  const images = [isoImage(1), isoImage(2, "team-a")];

  test("are the kustomization and every image file it lists", async () => {
    const dir = tempDir("vmimages-owned-");
    const files = renderFolder(images);
    writeTree(dir, Object.fromEntries(files));
    writeTree(dir, { "cluster/notes.yaml": "not listed" });
    expect([...(await readOwnedFiles(dir)).files.keys()].sort()).toEqual([...files.keys()].sort());
  });

  test("are still found when someone reformatted the kustomization (it is then read as YAML)", async () => {
    const dir = tempDir("vmimages-owned-");
    const files = renderFolder(images);
    writeTree(dir, Object.fromEntries(files));
    const reformatted = files.get(KUSTOMIZATION)!.replace(/\n {2}- /g, "\n- ").replace("resources:", "resources: # images");
    writeFileSync(path.join(dir, KUSTOMIZATION), reformatted);
    const owned = await readOwnedFiles(dir);
    expect([...owned.files.keys()].filter((p) => p !== KUSTOMIZATION).sort()).toEqual(images.map(manifestPath).sort());
    expect(owned.files.get(KUSTOMIZATION)).toBe(reformatted);
  });
});
