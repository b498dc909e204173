import { ProblemsError } from "../../provider/errors";
import { RunStats, runPipeline } from "../../provider/pipeline/run";
import { LibrarySelection } from "../../provider/types";
import { rejection } from "../helpers/failure";
import { TEST_NOW } from "../helpers/image";
import { tempDir } from "../helpers/library";
import { MemorySource, memoryItem } from "../helpers/memory-source";
import { vmiName } from "../../provider/image/naming";
import { ovf } from "../helpers/ovf";

const ovfText = ovf({ osType: "ubuntu64Guest" });

const BASE: LibrarySelection[] = [{ name: "base", scope: { kind: "cluster" } }];
const TEAM: LibrarySelection = { name: "team", scope: { kind: "namespace", namespace: "team-a" } };
const target = "/gitops/images";
const files = new Map([["kustomization.yaml", "resources: []\n"]]);

describe("one run of the pipeline", () => {
  test("builds one image per OVF and ISO item, cluster images first, collects the warnings and closes the source", async () => {
    const source = new MemorySource({ base: [memoryItem(2, "iso"), memoryItem(1, "ovf"), memoryItem(3, "vm-template", "golden")], team: [memoryItem(4, "ovf")] });
    const warnings: string[] = [];
    const run = await runPipeline({ source, libraries: [...BASE, TEAM], now: TEST_NOW, onWarning: (w) => warnings.push(w) });
    const names = (ids: number[]) => ids.map((n) => vmiName(memoryItem(n, "ovf").id));
    const cluster = names([1, 2]).sort();
    expect(run.generated!.manifests.map((m) => [m.metadata.namespace ?? "", m.metadata.name])).toEqual([...cluster.map((n) => ["", n]), ["team-a", names([4])[0]]]);
    expect(run.generated!.catalog.images.map((i) => i.name)).toEqual(run.generated!.manifests.map((m) => m.metadata.name));
    expect(run.count).toBe(3);
    expect(run.warnings).toEqual([expect.stringContaining('skipping item "golden"')]);
    expect(warnings).toEqual(run.warnings);
    expect(source.closed).toBe(1);
  });

  test("keeps an unchanged condition's transition time from the previous state", async () => {
    const source = new MemorySource({ base: [memoryItem(1, "iso")] });
    const run = await runPipeline({
      source,
      libraries: BASE,
      now: TEST_NOW,
      previous: { conditions: () => [{ type: "Ready", status: "True", reason: "True", message: "", lastTransitionTime: "2020-02-02T00:00:00Z" }] },
    });
    expect(run.generated!.manifests[0]!.status.conditions[0]!.lastTransitionTime).toBe("2020-02-02T00:00:00Z");
  });

  test("with a cache, a run over a target that still holds what the last run wrote builds nothing and reads no descriptor", async () => {
    const cacheDir = tempDir("vmimages-runcache-");
    const items = { base: [memoryItem(1, "ovf"), memoryItem(2, "ovf")] };
    const first = await runPipeline({ source: new MemorySource(items, "memory:1"), libraries: BASE, cacheDir, previous: { target, files: new Map() } });
    await first.recordTarget(files);

    const again = new MemorySource(items, "memory:1");
    const second = await runPipeline({ source: again, libraries: BASE, cacheDir, previous: { target, files } });
    expect(second.generated).toBeUndefined();
    expect(second.count).toBe(2);
    expect(again.fetches).toBe(0);
  });

  test.each([
    ["its files changed", { target, files: new Map([["kustomization.yaml", "edited\n"]]) }, "1"],
    ["another target", { target: "/gitops/other", files }, "1"],
    ["an item got a new content version", { target, files }, "2"],
  ])("a run whose target %s builds again", async (_what, previous, version) => {
    const cacheDir = tempDir("vmimages-runcache-");
    const first = await runPipeline({ source: new MemorySource({ base: [memoryItem(1, "ovf")] }, "memory:1"), libraries: BASE, cacheDir, previous: { target, files: new Map() } });
    await first.recordTarget(files);
    const run = await runPipeline({ source: new MemorySource({ base: [memoryItem(1, "ovf", "item-1", version)] }, "memory:1"), libraries: BASE, cacheDir, previous });
    expect(run.generated?.manifests).toHaveLength(1);
  });

  test("a source without a cache key is never cached nor stamped: every run builds and reads every descriptor", async () => {
    const cacheDir = tempDir("vmimages-runcache-");
    const items = { base: [memoryItem(1, "ovf")] };
    const first = await runPipeline({ source: new MemorySource(items), libraries: BASE, cacheDir, previous: { target, files: new Map() } });
    await first.recordTarget(files);
    const again = new MemorySource(items);
    const second = await runPipeline({ source: again, libraries: BASE, cacheDir, previous: { target, files } });
    expect(second.generated?.manifests).toHaveLength(1);
    expect(again.fetches).toBe(1);
  });

  test("with itemErrors notReady, an unreadable descriptor gives a not-ready image, but a descriptor that could not be fetched still fails the run", async () => {
    const bad = (item: { name: string }) => (item.name === "item-2" ? "<Envelope>" : ovfText);
    const run = await runPipeline({ source: new MemorySource({ base: [memoryItem(1, "ovf"), memoryItem(2, "ovf")] }, undefined, bad), libraries: BASE, itemErrors: "notReady" });
    const [good, broken] = [...run.generated!.manifests].sort((a, b) => a.status.name.localeCompare(b.status.name));
    expect(good!.status.conditions[0]).toMatchObject({ status: "True" });
    expect(broken!.status.conditions[0]).toMatchObject({ status: "False", reason: "VirtualMachineImageNotSynced", message: expect.stringContaining('item "item-2"') });
    expect(run.warnings).toEqual([expect.stringMatching(/item "item-2" .*not well-formed XML.*; its image is written with Ready=False$/)]);

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
