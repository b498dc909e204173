import { readdirSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildIdentity } from "../../provider/build-identity";
import { DiskMetadataCache } from "../../provider/pipeline/cache";
import { StampStore, folderStamp } from "../../provider/targets/gitops/stamp";
import { ItemId, LibraryItem, OvfMetadata } from "../../provider/types";
import { tempDir } from "../helpers/library";

const item = (n: number, contentVersion = "1"): LibraryItem => ({ id: `00000000-0000-4000-8000-00000000000${n}` as ItemId, name: `item-${n}`, type: "ovf", contentVersion });

const files = new Map([
  ["kustomization.yaml", "resources: [a, b]\n"],
  ["cluster/a.yaml", "a\n"],
  ["cluster/b.yaml", "b\n"],
]);

describe("a folder's stamp", () => {
  test("does not depend on the order the files are read in", () => {
    expect(folderStamp("inputs-1", new Map([...files].reverse()))).toBe(folderStamp("inputs-1", files));
  });

  test.each<[string, string, ReadonlyMap<string, string>]>([
    ["other run inputs", "inputs-2", files],
    ["a file edited", "inputs-1", new Map([...files, ["cluster/b.yaml", "b edited\n"]])],
    ["a file missing", "inputs-1", new Map([...files].slice(0, 2))],
    ["a file's content under another name", "inputs-1", new Map([...[...files].slice(0, 2), ["cluster/c.yaml", "b\n"]])],
  ])("changes with %s", (_what, inputs, changed) => {
    expect(folderStamp(inputs, changed)).not.toBe(folderStamp("inputs-1", files));
  });
});

describe("the build identity", () => {
  test("changes when a module of the engine's folder is rewritten, and only then", () => {
    const dir = tempDir("vmimages-build-");
    const self = path.join(dir, "build-identity.js");
    writeFileSync(self, "module.exports = 0;\n");
    writeFileSync(path.join(dir, "a.js"), "module.exports = 1;\n");
    writeFileSync(path.join(dir, "notes.md"), "not a module\n");
    const first = buildIdentity(self);
    expect(buildIdentity(self)).toBe(first);
    writeFileSync(path.join(dir, "notes.md"), "still not a module, now longer\n");
    expect(buildIdentity(self)).toBe(first);
    writeFileSync(path.join(dir, "a.js"), "module.exports = 2;\n");
    utimesSync(path.join(dir, "a.js"), new Date(0), new Date(1000));
    expect(buildIdentity(self)).not.toBe(first);
  });

  test("of a bundle is the bundle file alone: its neighbours do not count, its rewrite does", () => {
    const dir = tempDir("vmimages-bundle-");
    const bundle = path.join(dir, "vmimages.cjs");
    writeFileSync(bundle, "module.exports = 1;\n");
    const first = buildIdentity(bundle);
    writeFileSync(path.join(dir, "other.js"), "module.exports = 3;\n");
    expect(buildIdentity(bundle)).toBe(first);
    writeFileSync(bundle, "module.exports = 2;\n");
    utimesSync(bundle, new Date(0), new Date(1000));
    expect(buildIdentity(bundle)).not.toBe(first);
  });
});

describe("the folders' stamps in the cache folder", () => {
  test("are kept for the next run, per folder", () => {
    const dir = tempDir("vmimages-stampcache-");
    const first = new StampStore(dir);
    first.record("/gitops/a", "stamp-a");
    first.record("/gitops/b", "stamp-b");
    const next = new StampStore(dir);
    expect(next.get("/gitops/a")).toBe("stamp-a");
    expect(next.get("/gitops/b")).toBe("stamp-b");
    expect(next.get("/gitops/c")).toBeUndefined();
  });

  test("keep the 64 folders written last", () => {
    const dir = tempDir("vmimages-stampcache-");
    const store = new StampStore(dir);
    for (let i = 0; i < 70; i++) store.record(`/gitops/${i}`, `stamp-${i}`);
    // Written again, 6 is now the newest: the next new folder pushes out 7, the oldest.
    store.record("/gitops/6", "stamp-6-again");
    store.record("/gitops/new", "stamp-new");
    const next = new StampStore(dir);
    expect(next.get("/gitops/6")).toBe("stamp-6-again");
    expect(next.get("/gitops/7")).toBeUndefined();
    expect(next.get("/gitops/8")).toBe("stamp-8");
    expect(next.get("/gitops/5")).toBeUndefined();
    expect(next.get("/gitops/new")).toBe("stamp-new");
  });

  test("an unreadable stamp or cache file is an empty one, not an error", async () => {
    const dir = tempDir("vmimages-stampcache-");
    new StampStore(dir).record("/gitops/a", "stamp-a");
    const cache = new DiskMetadataCache(dir, "https://vc.example.com");
    await cache.put(item(1), { firmware: "BIOS", osInfo: { id: "otherGuest" }, productInfo: {}, ovfProperties: [], vmwareSystemProperties: [], capabilities: [], disks: [] } as OvfMetadata);
    await cache.flush();
    expect(readdirSync(dir)).toHaveLength(2);
    for (const file of readdirSync(dir)) writeFileSync(path.join(dir, file), "{ not json");
    expect(new StampStore(dir).get("/gitops/a")).toBeUndefined();
    expect(await new DiskMetadataCache(dir, "https://vc.example.com").get(item(1))).toBeUndefined();
  });
});
