import { DiskMetadataCache } from "../../provider/pipeline/cache";
import { ProblemsError } from "../../provider/errors";
import { parseOvfDescriptor } from "../../provider/ovf/parse";
import { ReadOptions, listSelected, readDescriptors } from "../../provider/pipeline/read";
import { ContentLibrarySource } from "../../provider/source/source";
import { LibrarySelection } from "../../provider/types";
import { tempDir } from "../helpers/library";
import { MemorySource, memoryItem } from "../helpers/memory-source";
import { ovf } from "../helpers/ovf";

const item = memoryItem;

/** Lists the libraries, then reads their descriptors, as a run does. */
async function readLibraries(source: ContentLibrarySource, selections: readonly LibrarySelection[], options: ReadOptions = {}) {
  return readDescriptors(source, await listSelected(source, selections, options), options);
}

describe("reading libraries", () => {
  test("skips vm-template and other items with a warning naming them", async () => {
    const source = new MemorySource({ base: [item(1, "ovf"), item(2, "vm-template", "golden-vm"), item(3, "other", "readme.txt"), item(4, "iso")] });
    const warnings: string[] = [];
    const { items } = await readLibraries(source, [{ name: "base", scope: { kind: "cluster" } }], { onWarning: (w) => warnings.push(w) });
    expect(items.map((i) => i.item.name)).toEqual(["item-1", "item-4"]);
    expect(warnings).toEqual([
      `skipping item "golden-vm" (00000000-0000-4000-8000-000000000002) in library "base": it is a vm-template item (VM Operator publishes OVF and ISO items as images)`,
      `skipping item "readme.txt" (00000000-0000-4000-8000-000000000003) in library "base": it is neither an OVF nor an ISO item`,
    ]);
  });

  test("finds a library by its id as well as by its name", async () => {
    const source = new MemorySource({ base: [item(1, "ovf")] });
    const { items } = await readLibraries(source, [{ name: "lib-base", scope: { kind: "cluster" } }]);
    expect(items).toHaveLength(1);
  });

  test("reports every missing library together and returns nothing", async () => {
    const source = new MemorySource({ base: [item(1, "ovf")] });
    const err = await readLibraries(source, [
      { name: "a", scope: { kind: "cluster" } },
      { name: "b", scope: { kind: "cluster" } },
    ]).catch((e: unknown) => e as ProblemsError);
    expect(err).toBeInstanceOf(ProblemsError);
    expect((err as ProblemsError).problems.map((p) => p.message)).toEqual([
      `library "a" does not exist in memory (libraries there: "base")`,
      `library "b" does not exist in memory (libraries there: "base")`,
    ]);
  });

  test("uses cached metadata for an unchanged item and downloads a changed one", async () => {
    const cache = new DiskMetadataCache(tempDir("vmimages-cache-"), "https://vc.example.com");
    const first = new MemorySource({ base: [item(1, "ovf"), item(2, "ovf")] });
    const firstRead = await readLibraries(first, [{ name: "base", scope: { kind: "cluster" } }], { cache });
    expect(first.fetches).toBe(2);
    const second = new MemorySource({ base: [item(1, "ovf"), { ...item(2, "ovf"), contentVersion: "2" }] });
    const secondRead = await readLibraries(second, [{ name: "base", scope: { kind: "cluster" } }], { cache });
    expect(second.fetches).toBe(1);
    expect(secondRead.items[0]!.ovf).toEqual(firstRead.items[0]!.ovf);
    expect(secondRead.items[0]!.ovf!.disks[0]!.capacityBytes).toBe(2n * 1024n ** 3n);
  });

  test("a cache entry of another server is not used", async () => {
    const dir = tempDir("vmimages-cache-");
    const meta = parseOvfDescriptor(ovf());
    const a = new DiskMetadataCache(dir, "https://a");
    await a.put(item(1, "ovf"), meta);
    await a.flush();
    expect(await new DiskMetadataCache(dir, "https://b").get(item(1, "ovf"))).toBeUndefined();
    expect(await new DiskMetadataCache(dir, "https://a").get(item(1, "ovf"))).toEqual(meta);
  });
});
