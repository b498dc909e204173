import * as fs from "node:fs";
// Every read passes through, counted: what a function reads is part of what it does.
jest.mock("node:fs", () => {
  const real = jest.requireActual<typeof import("node:fs")>("node:fs");
  return { ...real, readFileSync: jest.fn(real.readFileSync) };
});
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { OutputError } from "../../provider/errors";
import { failure } from "../helpers/failure";
import { KUSTOMIZATION, manifestPath, planFolder, renderFolder } from "../../provider/targets/gitops/layout";
import { prepareFolder } from "../../provider/targets/gitops";
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

describe("readying a folder for the Pulumi image resources, which write its files one at a time", () => {
  const images = [isoImage(1), isoImage(2, "team-a")];

  test("refuses a folder whose kustomization.yaml vmimages did not write, naming the file", () => {
    const dir = tempDir("vmimages-prepare-");
    writeTree(dir, { [KUSTOMIZATION]: "resources: []\n" });
    const error = failure(() => prepareFolder(dir));
    expect(error).toBeInstanceOf(OutputError);
    expect(error.message).toContain(`${path.join(dir, KUSTOMIZATION)} was not written by vmimages`);
  });

  test("removes what a run killed before its journal left, and keeps the files", () => {
    const dir = tempDir("vmimages-prepare-");
    const files = renderFolder(images);
    writeTree(dir, { ...Object.fromEntries(files), [`${manifestPath(isoImage(3))}.vmimages-tmp`]: "half a file" });
    expect(prepareFolder(dir)).toBe(dir);
    expect(readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".vmimages-tmp"))).toEqual([]);
    expect(readOwnedFiles(dir).files).toEqual(files);
  });

  test("reads no image file: each resource reads only its own", () => {
    const dir = tempDir("vmimages-prepare-");
    writeTree(dir, Object.fromEntries(renderFolder(images)));
    const reads = jest.mocked(fs.readFileSync);
    reads.mockClear();
    expect(prepareFolder(dir)).toBe(dir);
    expect(reads.mock.calls.map(([file]) => path.relative(dir, String(file)))).toEqual([KUSTOMIZATION]);
  });

  test("takes a folder that does not exist yet, and gives it back absolute", () => {
    const dir = path.join(tempDir("vmimages-prepare-"), "new");
    expect(prepareFolder(path.relative(process.cwd(), dir))).toBe(dir);
    expect(existsSync(dir)).toBe(false);
  });
});
