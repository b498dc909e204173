import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildImage } from "../../provider/image/build";
import { KUSTOMIZATION, manifestPath, renderFolder } from "../../provider/render/folder";
import { readOwnedFiles } from "../../provider/render/write";
import { ItemId } from "../../provider/types";
import { tempDir, writeTree } from "../helpers/library";

const manifest = (n: number, ns?: string) =>
  buildImage(
    { library: { id: "l", name: "l", type: "OFFLINE" }, item: { id: `00000000-0000-4000-8000-00000000000${n}` as ItemId, name: `i${n}`, type: "iso", contentVersion: "1" } },
    ns ? { kind: "namespace", namespace: ns } : { kind: "cluster" },
    { now: "2026-01-01T00:00:00Z" },
  );

describe("the files a previous run wrote", () => {
  const images = [manifest(1), manifest(2, "team-a")];

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
