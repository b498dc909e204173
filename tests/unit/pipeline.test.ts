import { ProblemsError } from "../../provider/errors";
import { RunOptions, RunStats, openRun, runPipeline } from "../../provider/pipeline/run";
import { LibrarySelection } from "../../provider/types";
import { rejection } from "../helpers/failure";
import { TEST_NOW } from "../helpers/image";
import { tempDir } from "../helpers/library";
import { MemorySource, memoryItem } from "../helpers/memory-source";
import { ovf } from "../helpers/ovf";

const ovfText = ovf({ osType: "ubuntu64Guest" });

const BASE: LibrarySelection[] = [{ name: "base", scope: { kind: "cluster" } }];
const TEAM: LibrarySelection = { name: "team", scope: { kind: "namespace", namespace: "team-a" } };

/**
 * The VMI IDs of memoryItem(1), (2) and (4) (ids 00000000-0000-4000-8000-00000000000N): `vmi-` and the
 * first 17 hex digits of the SHA-1 of the id without hyphens (VM Operator's rule), worked out once
 * with `sha1sum` rather than by the code under test.
 */
const VMI = {
  1: "vmi-afa4225efff3a8e6c",
  2: "vmi-188f0f7f5a7d20f01",
  4: "vmi-b346857a9f29e66dd",
};

/** Opens a run, gives its inputs digest, and closes it. */
async function inputsOf(options: RunOptions): Promise<string | undefined> {
  const run = await openRun(options);
  await run.close();
  return run.inputs;
}

describe("one run of the pipeline", () => {
  test("builds one image per OVF and ISO item, cluster images first, warns of the items it skips, and closes the source", async () => {
    const source = new MemorySource({ base: [memoryItem(2, "iso"), memoryItem(1, "ovf"), memoryItem(3, "vm-template", "golden")], team: [memoryItem(4, "ovf")] });
    const warnings: string[] = [];
    const generated = await runPipeline({ source, libraries: [...BASE, TEAM], now: TEST_NOW, onWarning: (w) => warnings.push(w) });
    expect(generated.manifests.map((m) => [m.metadata.namespace ?? "", m.metadata.name])).toEqual([...[VMI[1], VMI[2]].sort().map((n) => ["", n]), ["team-a", VMI[4]]]);
    expect(generated.catalog.images.map((i) => i.name)).toEqual(generated.manifests.map((m) => m.metadata.name));
    expect(warnings).toEqual([expect.stringContaining('skipping item "golden"')]);
    expect(source.closed).toBe(1);
  });

  test("stamps every condition with the run's time", async () => {
    const generated = await runPipeline({ source: new MemorySource({ base: [memoryItem(1, "iso")] }), libraries: BASE, now: TEST_NOW });
    expect(generated.manifests[0]!.status.conditions.map((c) => c.lastTransitionTime)).toEqual([TEST_NOW]);
  });

  test("an open run has listed the items and read no descriptor yet", async () => {
    const source = new MemorySource({ base: [memoryItem(1, "ovf"), memoryItem(2, "ovf")] }, "memory:1");
    const run = await openRun({ source, libraries: BASE });
    expect(run.count).toBe(2);
    expect(source.fetches).toBe(0);
    expect((await run.generate()).manifests).toHaveLength(2);
    expect(source.fetches).toBe(2);
    await run.close();
    await run.close();
    expect(source.closed).toBe(1);
  });

  describe("its inputs digest", () => {
    const items = () => ({ base: [memoryItem(1, "ovf"), memoryItem(2, "ovf")] });
    const options = (over: Partial<RunOptions> = {}, libs: Record<string, ReturnType<typeof memoryItem>[]> = items(), key = "memory:1"): RunOptions => ({ source: new MemorySource(libs, key), libraries: BASE, ...over });

    test("is the same for the same items, listed in any order, and configuration", async () => {
      expect(await inputsOf(options())).toBe(await inputsOf(options({}, { base: [memoryItem(2, "ovf"), memoryItem(1, "ovf")] })));
    });

    test.each<[string, Partial<RunOptions>, Record<string, ReturnType<typeof memoryItem>[]>, string]>([
      ["an item got a new content version", {}, { base: [memoryItem(1, "ovf"), memoryItem(2, "ovf", "item-2", "2")] }, "memory:1"],
      ["an item more", {}, { base: [memoryItem(1, "ovf"), memoryItem(2, "ovf"), memoryItem(3, "ovf")] }, "memory:1"],
      ["another source", {}, { base: [memoryItem(1, "ovf"), memoryItem(2, "ovf")] }, "memory:2"],
      ["another apiVersion", { apiVersion: "vmoperator.vmware.com/v1alpha3" }, { base: [memoryItem(1, "ovf"), memoryItem(2, "ovf")] }, "memory:1"],
      ["another naming", { naming: "preferSourceId" }, { base: [memoryItem(1, "ovf"), memoryItem(2, "ovf")] }, "memory:1"],
      ["another item-error policy", { itemErrors: "notReady" }, { base: [memoryItem(1, "ovf"), memoryItem(2, "ovf")] }, "memory:1"],
      ["the library in a namespace", { libraries: [{ name: "base", scope: { kind: "namespace", namespace: "team-a" } }] }, { base: [memoryItem(1, "ovf"), memoryItem(2, "ovf")] }, "memory:1"],
    ])("changes when %s", async (_what, over, libs, key) => {
      expect(await inputsOf(options(over, libs, key))).not.toBe(await inputsOf(options()));
    });

    test("is absent for a source whose items have no identity across runs, and when the listing found problems", async () => {
      expect(await inputsOf({ source: new MemorySource(items()), libraries: BASE })).toBeUndefined();
      expect(await inputsOf({ source: new MemorySource(items(), "memory:1"), libraries: [...BASE, { name: "missing", scope: { kind: "cluster" } }] })).toBeUndefined();
    });
  });

  test("with a cache, an unchanged item's descriptor is read once across runs", async () => {
    const cacheDir = tempDir("vmimages-runcache-");
    const items = { base: [memoryItem(1, "ovf")] };
    await runPipeline({ source: new MemorySource(items, "memory:1"), libraries: BASE, cacheDir });
    const again = new MemorySource(items, "memory:1");
    const generated = await runPipeline({ source: again, libraries: BASE, cacheDir });
    expect(generated.manifests).toHaveLength(1);
    expect(again.fetches).toBe(0);
  });

  test("a source without a cache key is never cached: every run reads every descriptor", async () => {
    const cacheDir = tempDir("vmimages-runcache-");
    const items = { base: [memoryItem(1, "ovf")] };
    await runPipeline({ source: new MemorySource(items), libraries: BASE, cacheDir });
    const again = new MemorySource(items);
    await runPipeline({ source: again, libraries: BASE, cacheDir });
    expect(again.fetches).toBe(1);
  });

  test("with itemErrors notReady, an unreadable descriptor gives a not-ready image, but a descriptor that could not be fetched still fails the run", async () => {
    const bad = (item: { name: string }) => (item.name === "item-2" ? "<Envelope>" : ovfText);
    const warnings: string[] = [];
    const generated = await runPipeline({
      source: new MemorySource({ base: [memoryItem(1, "ovf"), memoryItem(2, "ovf")] }, undefined, bad),
      libraries: BASE,
      itemErrors: "notReady",
      onWarning: (w) => warnings.push(w),
    });
    const [good, broken] = [...generated.manifests].sort((a, b) => a.status.name.localeCompare(b.status.name));
    expect(good!.status.conditions[0]).toMatchObject({ status: "True" });
    expect(broken!.status.conditions[0]).toMatchObject({ status: "False", reason: "VirtualMachineImageNotSynced", message: expect.stringContaining('item "item-2"') });
    expect(warnings).toEqual([expect.stringMatching(/item "item-2" .*not well-formed XML.*; its image is written with Ready=False$/)]);

    const unreachable = new MemorySource({ base: [memoryItem(1, "ovf")] }, undefined, () => {
      throw new Error("ECONNRESET: socket hang up");
    });
    expect((await rejection(runPipeline({ source: unreachable, libraries: BASE, itemErrors: "notReady" }))).message).toContain("ECONNRESET");
  });

  test("a failed read closes the source, reports what it cost, and returns nothing", async () => {
    const source = new MemorySource({ base: [memoryItem(1, "ovf")] }, "memory:1", () => "<Envelope><VirtualSystem>");
    const stats: RunStats[] = [];
    const err = await rejection(runPipeline({ source, libraries: BASE, cacheDir: tempDir("vmimages-runcache-"), onStats: (s) => stats.push(s) }));
    expect(err).toBeInstanceOf(ProblemsError);
    expect(err.message).toMatch(/item "item-1" .* in library "base": the OVF descriptor is not well-formed XML/);
    expect(source.closed).toBe(1);
    expect(stats).toEqual([{ source: "memory", requests: { requests: 0, downloads: 1, retries: 0, logins: 0 }, cache: { hits: 0, misses: 1 } }]);
  });
});
