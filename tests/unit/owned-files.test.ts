import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { OutputError } from "../../provider/errors";
import { failure } from "../helpers/failure";
import { KUSTOMIZATION, manifestPath, planFolder, renderFolder } from "../../provider/targets/gitops/layout";
import { applyPlan, readOwnedFiles } from "../../provider/targets/gitops/write";
import { isoImage } from "../helpers/image";
import { tempDir, writeTree } from "../helpers/library";

describe("the files a previous run wrote", () => {
  const images = [isoImage(1), isoImage(2, "team-a")];

  test("are the kustomization and every image file it lists", () => {
    const dir = tempDir("vmimages-owned-");
    const files = renderFolder(images);
    writeTree(dir, Object.fromEntries(files));
    writeTree(dir, { "cluster/notes.yaml": "not listed" });
    expect([...readOwnedFiles(dir).files.keys()].sort()).toEqual([...files.keys()].sort());
  });

  test("are still found when someone reformatted the kustomization (it is then read as YAML)", () => {
    const dir = tempDir("vmimages-owned-");
    const files = renderFolder(images);
    writeTree(dir, Object.fromEntries(files));
    const reformatted = files.get(KUSTOMIZATION)!.replace(/\n {2}- /g, "\n- ").replace("resources:", "resources: # images");
    writeFileSync(path.join(dir, KUSTOMIZATION), reformatted);
    const owned = readOwnedFiles(dir);
    expect([...owned.files.keys()].filter((p) => p !== KUSTOMIZATION).sort()).toEqual(images.map(manifestPath).sort());
    expect(owned.files.get(KUSTOMIZATION)).toBe(reformatted);
  });
});

describe("applying a plan to the folder", () => {
  const allFiles = (dir: string) => readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();

  test("writes the new files, removes the vanished ones with the folders they leave empty, and nothing else", () => {
    const dir = tempDir("vmimages-apply-");
    applyPlan(dir, planFolder(new Map(), renderFolder([isoImage(1), isoImage(2, "team-a")])));
    writeTree(dir, { "README.md": "someone else's" });
    const next = renderFolder([isoImage(1), isoImage(3)]);
    applyPlan(dir, planFolder(readOwnedFiles(dir).files, next));
    expect(readOwnedFiles(dir).files).toEqual(next);
    expect(existsSync(path.join(dir, "namespaces"))).toBe(false);
    expect(allFiles(dir)).toEqual(["README.md", "cluster", ...[...next.keys()]].sort());
  });

  test("a file that cannot be written fails naming it, leaves no temporary file and keeps the old kustomization", () => {
    const dir = tempDir("vmimages-apply-");
    applyPlan(dir, planFolder(new Map(), renderFolder([isoImage(1)])));
    const before = readFileSync(path.join(dir, KUSTOMIZATION), "utf8");
    const blocked = manifestPath(isoImage(2));
    // A directory where the new image file goes: the rename into place fails (root ignores permissions).
    mkdirSync(path.join(dir, blocked, "in-the-way"), { recursive: true });
    const error = failure(() => applyPlan(dir, planFolder(readOwnedFiles(dir).files, renderFolder([isoImage(1), isoImage(2)]))));
    expect(error).toBeInstanceOf(OutputError);
    expect(error.message).toContain(`cannot write ${path.join(dir, blocked)}`);
    expect(allFiles(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(readFileSync(path.join(dir, KUSTOMIZATION), "utf8")).toBe(before);
  });
});
