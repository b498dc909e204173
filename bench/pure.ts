import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { buildCatalog } from "../provider/catalog/catalog";
import { resolveCatalogImage } from "../provider/catalog/resolve";
import { buildImage } from "../provider/image/build";
import { ImageManifest } from "../provider/image/manifest";
import { parseOvfDescriptor } from "../provider/ovf/parse";
import { renderFolder } from "../provider/targets/gitops/layout";
import { ItemId, OvfMetadata } from "../provider/types";
import { CORPUS } from "../tests/helpers/corpus";
import { median, timed } from "./stats";

export interface PureResult {
  readonly stage: string;
  readonly operations: number;
  readonly ms: number;
  readonly perSecond: number;
  readonly mbPerSecond?: number;
}

function uuid(i: number): ItemId {
  const hex = i.toString(16).padStart(12, "0");
  return `00000000-0000-4000-8000-${hex}` as ItemId;
}

/** The pure stages at volume: parsing, building and rendering manifests, resolving names. */
export async function benchPure(log: (m: string) => void): Promise<PureResult[]> {
  const results: PureResult[] = [];
  const dir = path.join(CORPUS, "ovf");
  const texts = readdirSync(dir)
    .filter((f) => f.endsWith(".ovf"))
    .map((f) => readFileSync(path.join(dir, f), "utf8"));
  const bytes = texts.reduce((a, t) => a + Buffer.byteLength(t), 0);

  log("pure: parsing the corpus 100 times");
  const parse = await timed(async () => {
    for (let r = 0; r < 100; r++) for (const t of texts) parseOvfDescriptor(t);
  });
  results.push({ stage: "parse corpus x100", operations: texts.length * 100, ms: parse.ms, perSecond: (texts.length * 100) / (parse.ms / 1000), mbPerSecond: (bytes * 100) / 1e6 / (parse.ms / 1000) });

  log("pure: 10,000 manifests");
  const metas: OvfMetadata[] = texts.map((t) => parseOvfDescriptor(t));
  const build = await timed(async () => {
    const manifests: ImageManifest[] = [];
    for (let i = 0; i < 10000; i++) {
      manifests.push(
        buildImage(
          { library: { id: "l", name: "l", type: "OFFLINE" }, item: { id: uuid(i), name: `image ${i % 2500}`, type: "ovf", contentVersion: "1" }, ovf: metas[i % metas.length] },
          i % 2 ? { kind: "cluster" } : { kind: "namespace", namespace: `team-${i % 7}` },
          { now: "2026-01-01T00:00:00Z" },
        ),
      );
    }
    renderFolder(manifests);
    return manifests;
  });
  results.push({ stage: "build + render 10,000 manifests", operations: 10000, ms: build.ms, perSecond: 10000 / (build.ms / 1000) });

  log("pure: 100,000 resolutions against 10,000 images");
  const catalog = buildCatalog(build.value);
  let found = 0;
  const resolve = await timed(async () => {
    for (let q = 0; q < 100000; q++) {
      const i = (q * 7919) % 10000;
      const img = catalog.images[i]!;
      try {
        resolveCatalogImage(catalog, q % 2 ? img.name : img.displayName, img.namespace ?? `team-${q % 7}`);
        found++;
      } catch {
        // ambiguous display names are part of the workload
      }
    }
  });
  results.push({ stage: `resolve 100,000 names (${found} unique hits)`, operations: 100000, ms: resolve.ms, perSecond: 100000 / (resolve.ms / 1000) });
  results.push(...(await benchStart(log)));
  return results;
}

/** The stage names of the start measurements, which run.ts checks against each other. */
export const START = {
  bundled: "start: vmimages --version, bundled (dist/vmimages.cjs)",
  modules: "start: vmimages --version, from tsc's modules",
  clientBundle: "start: load the Kubernetes client's bundle (dist/kube-client.cjs)",
  clientWhole: "start: load the whole Kubernetes client",
} as const;

/**
 * What the bundles are for: a process that starts the CLI, from its bundle and from tsc's compiled
 * modules, and one that loads the Kubernetes client's bundle and the whole client; medians of 11,
 * the two of each pair taking turns.
 */
async function benchStart(log: (m: string) => void): Promise<PureResult[]> {
  log("pure: starting the CLI and loading the Kubernetes client, bundled and not");
  const root = path.resolve(__dirname, "../..");
  const node = (code: string) => () => execFileSync(process.execPath, ["-e", code], { cwd: root, stdio: "ignore" });
  const pairs: Array<[string, () => void, string, () => void]> = [
    [START.bundled, () => execFileSync(process.execPath, [path.join(root, "bin/vmimages.js"), "--version"], { stdio: "ignore" }), START.modules, node(`require("./dist/provider/cli/main.js").main(["node", "vmimages", "--version"], { out() {}, err() {}, tty: false })`)],
    [START.clientBundle, node(`require("./dist/kube-client.cjs")`), START.clientWhole, node(`require("@kubernetes/client-node")`)],
  ];
  const out: PureResult[] = [];
  for (const [aName, a, bName, b] of pairs) {
    const times: [number[], number[]] = [[], []];
    for (let r = 0; r < 11; r++) {
      for (const [i, f] of (r % 2 ? [[1, b], [0, a]] : [[0, a], [1, b]]) as Array<[0 | 1, () => void]>) {
        const t0 = process.hrtime.bigint();
        f();
        times[i].push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    for (const [name, ts] of [[aName, times[0]], [bName, times[1]]] as const) out.push({ stage: name, operations: 1, ms: median(ts), perSecond: 1000 / median(ts) });
  }
  return out;
}
