import { readdirSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildIdentity } from "../../provider/build-identity";
import { DiskMetadataCache } from "../../provider/pipeline/cache";
import { FolderStampInputs, folderStamp } from "../../provider/pipeline/stamp";
import { ItemId, LibraryItem, OvfMetadata } from "../../provider/types";
import { tempDir } from "../helpers/library";

const item = (n: number, contentVersion = "1"): LibraryItem => ({ id: `00000000-0000-4000-8000-00000000000${n}` as ItemId, name: `item-${n}`, type: "ovf", contentVersion });
const library = { id: "lib-1", name: "base", type: "LOCAL" as const };
const cluster = { kind: "cluster" as const };

const inputs: FolderStampInputs = {
  build: "build-1",
  apiVersion: "vmoperator.vmware.com/v1alpha5",
  naming: "fromItemId",
  itemErrors: "fail",
  items: [
    { library, scope: cluster, item: item(1) },
    { library, scope: cluster, item: item(2) },
  ],
  files: new Map([
    ["kustomization.yaml", "resources: [a, b]\n"],
    ["cluster/a.yaml", "a\n"],
    ["cluster/b.yaml", "b\n"],
  ]),
};

describe("a folder's stamp", () => {
  test("does not depend on the order items are listed in or files are read in", () => {
    expect(folderStamp({ ...inputs, items: [...inputs.items].reverse(), files: new Map([...inputs.files].reverse()) })).toBe(folderStamp(inputs));
  });

  test.each<[string, Partial<FolderStampInputs>]>([
    ["another build", { build: "build-2" }],
    ["another apiVersion", { apiVersion: "vmoperator.vmware.com/v1alpha3" }],
    ["another naming strategy", { naming: "preferSourceId" }],
    ["another item-error policy", { itemErrors: "notReady" }],
    ["an item with a new content version", { items: [inputs.items[0]!, { library, scope: cluster, item: item(2, "2") }] }],
    ["an item more", { items: [...inputs.items, { library, scope: cluster, item: item(3) }] }],
    ["an item in another scope", { items: [inputs.items[0]!, { library, scope: { kind: "namespace", namespace: "team-a" }, item: item(2) }] }],
    ["a file edited", { files: new Map([...inputs.files, ["cluster/b.yaml", "b edited\n"]]) }],
    ["a file missing", { files: new Map([...inputs.files].slice(0, 2)) }],
    ["a file's content under another name", { files: new Map([...[...inputs.files].slice(0, 2), ["cluster/c.yaml", "b\n"]]) }],
  ])("changes with %s", (_what, change) => {
    expect(folderStamp({ ...inputs, ...change })).not.toBe(folderStamp(inputs));
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

describe("folder stamps in the metadata cache", () => {
  test("are kept for the next run, per folder", async () => {
    const dir = tempDir("vmimages-stampcache-");
    const first = new DiskMetadataCache(dir, "https://vc.example.com");
    await first.recordStamp("/gitops/a", "stamp-a");
    await first.recordStamp("/gitops/b", "stamp-b");
    await first.flush();
    const next = new DiskMetadataCache(dir, "https://vc.example.com");
    expect(await next.stampOf("/gitops/a")).toBe("stamp-a");
    expect(await next.stampOf("/gitops/b/")).toBe("stamp-b");
    expect(await next.stampOf("/gitops/c")).toBeUndefined();
    expect(await new DiskMetadataCache(dir, "https://other.example.com").stampOf("/gitops/a")).toBeUndefined();
  });

  test("keep the 64 folders written last", async () => {
    const dir = tempDir("vmimages-stampcache-");
    const cache = new DiskMetadataCache(dir, "https://vc.example.com");
    for (let i = 0; i < 70; i++) await cache.recordStamp(`/gitops/${i}`, `stamp-${i}`);
    // Written again, 6 is now the newest: the next new folder pushes out 7, the oldest.
    await cache.recordStamp("/gitops/6", "stamp-6-again");
    await cache.recordStamp("/gitops/new", "stamp-new");
    await cache.flush();
    const next = new DiskMetadataCache(dir, "https://vc.example.com");
    expect(await next.stampOf("/gitops/6")).toBe("stamp-6-again");
    expect(await next.stampOf("/gitops/7")).toBeUndefined();
    expect(await next.stampOf("/gitops/8")).toBe("stamp-8");
    expect(await next.stampOf("/gitops/5")).toBeUndefined();
    expect(await next.stampOf("/gitops/new")).toBe("stamp-new");
  });

  test("an unreadable cache file is an empty cache, not an error", async () => {
    const dir = tempDir("vmimages-stampcache-");
    const cache = new DiskMetadataCache(dir, "https://vc.example.com");
    await cache.recordStamp("/gitops/a", "stamp-a");
    await cache.put(item(1), { firmware: "BIOS", osInfo: { id: "otherGuest" }, productInfo: {}, ovfProperties: [], vmwareSystemProperties: [], capabilities: [], disks: [] } as OvfMetadata);
    await cache.flush();
    expect(readdirSync(dir)).toHaveLength(2);
    for (const file of readdirSync(dir)) writeFileSync(path.join(dir, file), "{ not json");
    const next = new DiskMetadataCache(dir, "https://vc.example.com");
    expect(await next.stampOf("/gitops/a")).toBeUndefined();
    expect(await next.get(item(1))).toBeUndefined();
  });
});
