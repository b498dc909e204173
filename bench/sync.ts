import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import pLimit from "p-limit";
import { tempDir } from "../tests/helpers/library";
import { startVcsim, Vcsim } from "../tests/helpers/vcsim";
import { median, timed } from "./stats";
import { syntheticOvf } from "./synthetic";

const exec = promisify(execFile);
const LIBRARIES = 4;

/** What a sync bench measures of one source, whatever its peer. */
export interface SyncFigures {
  readonly coldMs: number;
  /** Nothing changed: the output folder holds what the last run wrote (its stamp matches). */
  readonly warmMs: number;
  /** Nothing changed, into a new folder: every descriptor from the cache, every image built and written. */
  readonly warmNewFolderMs: number;
  readonly changedMs: number;
  readonly coldRequests: number;
  readonly warmRequests: number;
  readonly changedRequests: number;
  readonly coldDownloads: number;
  readonly warmDownloads: number;
  readonly changed: number;
  readonly changedDownloads: number;
  readonly coldRssMb: number;
  readonly warmRssMb: number;
  readonly changedRssMb: number;
  /**
   * The floor for a warm run in Node: a whole process (start, the source's client, the requests)
   * that only makes the requests a warm run cannot avoid, timed like the peer.
   */
  readonly requestsProcessMs: number;
  /** The same requests measured inside that process: wall and CPU time. */
  readonly requestsOnlyMs: number;
  readonly requestsOnlyCpuMs: number;
  /** Starting Node and loading the CLI (the bundle `vmimages` runs), without doing anything. */
  readonly startMs: number;
  /** Starting Node alone (`node -e 0`): no Node process can take less. */
  readonly nodeStartMs: number;
}

export interface SyncResult extends SyncFigures {
  readonly n: number;
  readonly govcMs: number;
}

/** How long a process takes to start and load the CLI's bundle, and to start and do nothing (`node -e 0`). */
export async function startTimes(): Promise<{ cliMs: number; nodeMs: number }> {
  const load = `require("node:module").enableCompileCache?.(); require(${JSON.stringify(path.join(__dirname, "../vmimages.cjs"))})`;
  const cliMs = (await timed(() => exec(process.execPath, ["-e", load]))).ms;
  return { cliMs, nodeMs: (await timed(() => exec(process.execPath, ["-e", "0"]))).ms };
}

/** The runs of a sync bench, by kind. */
export interface SyncRuns {
  readonly cold: ReadonlyArray<{ ms: number; run: ChildRun }>;
  readonly warm: ReadonlyArray<{ ms: number; run: ChildRun }>;
  readonly changed: ReadonlyArray<{ ms: number; run: ChildRun }>;
  /** How many items changed before the changed runs. */
  readonly changedItems: number;
  readonly warmNewFolderMs: number;
  readonly floor: ReadonlyArray<{ processMs: number; ms: number; cpuMs: number }>;
  readonly starts: readonly number[];
  readonly nodeStarts: readonly number[];
}

/** The medians (and, for downloads that must be none, the maxima) of a sync bench's runs. */
export function syncFigures(r: SyncRuns): SyncFigures {
  const med = (xs: SyncRuns["cold"], f: (x: { ms: number; run: ChildRun }) => number) => median(xs.map(f));
  return {
    coldMs: med(r.cold, (x) => x.ms),
    warmMs: med(r.warm, (x) => x.ms),
    warmNewFolderMs: r.warmNewFolderMs,
    changedMs: med(r.changed, (x) => x.ms),
    coldRequests: med(r.cold, (x) => x.run.requests),
    warmRequests: med(r.warm, (x) => x.run.requests),
    changedRequests: med(r.changed, (x) => x.run.requests),
    coldDownloads: med(r.cold, (x) => x.run.downloads),
    warmDownloads: Math.max(...r.warm.map((x) => x.run.downloads)),
    changed: r.changedItems,
    changedDownloads: Math.max(...r.changed.map((x) => x.run.downloads)),
    coldRssMb: med(r.cold, (x) => x.run.maxRssKb) / 1024,
    warmRssMb: med(r.warm, (x) => x.run.maxRssKb) / 1024,
    changedRssMb: med(r.changed, (x) => x.run.maxRssKb) / 1024,
    requestsProcessMs: median(r.floor.map((f) => f.processMs)),
    requestsOnlyMs: median(r.floor.map((f) => f.ms)),
    requestsOnlyCpuMs: median(r.floor.map((f) => f.cpuMs)),
    startMs: median([...r.starts]),
    nodeStartMs: median([...r.nodeStarts]),
  };
}

/** What a child run of the CLI reports. */
export interface ChildRun {
  code: number;
  requests: number;
  downloads: number;
  maxRssKb: number;
  err: string;
}

async function generate(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; run: ChildRun }> {
  const child = path.join(__dirname, "generate-child.js");
  const { ms, value } = await timed(() => exec(process.execPath, [child, "generate", ...args], { env, maxBuffer: 16 * 1024 * 1024 }));
  const run = JSON.parse(value.stdout) as ChildRun;
  if (run.code !== 0) throw new Error(`vmimages generate failed: ${run.err}`);
  return { ms, run };
}

/** Fills vcsim with `n` varied OVF items over four libraries, through govc (several at once). */
async function populate(vc: Vcsim, n: number, dir: string): Promise<string[]> {
  for (let l = 0; l < LIBRARIES; l++) await vc.govc("library.create", "-ds", "LocalDS_0", `lib-${l}`);
  const limit = pLimit(4);
  const names: string[] = [];
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      limit(async () => {
        const file = path.join(dir, `item-${i}.ovf`);
        writeFileSync(file, syntheticOvf(i));
        await vc.govc("library.import", "-n", `item-${i}`, `lib-${i % LIBRARIES}`, file);
        names[i] = `lib-${i % LIBRARIES}/item-${i}`;
      }),
    ),
  );
  return names;
}

/**
 * Catalog sync against vcsim on loopback: a cold `vmimages generate` (no cache), a warm one (nothing
 * changed), one after 1% of the items changed, and the peer `govc library.info` over the same
 * libraries, each the median of `runs` runs.
 */
export async function benchSync(n: number, runs: number, log: (m: string) => void): Promise<SyncResult> {
  const vc = await startVcsim();
  try {
    const dir = tempDir("vmimages-bench-");
    log(`sync N=${n}: filling vcsim`);
    const items = await populate(vc, n, dir);
    const config = path.join(dir, "vmimages.yaml");
    writeFileSync(
      config,
      `source:\n  vcenter:\n    server: ${vc.origin}\n    username: ${vc.username}\n    passwordEnv: BENCH_VC_PASSWORD\n    insecure: true\nlibraries:\n${Array.from({ length: LIBRARIES }, (_, l) => `  - name: lib-${l}\n    scope: cluster\n`).join("")}`,
    );
    const env = { ...process.env, BENCH_VC_PASSWORD: vc.password };
    const cache = path.join(dir, "cache");
    const out = path.join(dir, "out");
    const args = ["-c", config, "-o", out, "--cache-dir", cache, "-v", "--no-progress"];

    // One govc process over every library, as a user would run it: one process per library would
    // add a start and a session per library to the peer and flatter every ratio.
    log(`sync N=${n}: govc library.info`);
    const libraryPaths = Array.from({ length: LIBRARIES }, (_, l) => `lib-${l}/*`);
    const govc: number[] = [];
    for (let r = 0; r < runs; r++) {
      const { ms, value } = await timed(() => vc.govc("library.info", ...libraryPaths));
      const listed = value.split("\n").filter((line) => line.startsWith("Name:")).length;
      if (listed !== n) throw new Error(`govc library.info listed ${listed} items, not ${n}`);
      govc.push(ms);
    }

    log(`sync N=${n}: cold`);
    const cold: Array<{ ms: number; run: ChildRun }> = [];
    for (let r = 0; r < runs; r++) {
      rmSync(cache, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
      cold.push(await generate(args, env));
    }
    log(`sync N=${n}: warm`);
    const warm: Array<{ ms: number; run: ChildRun }> = [];
    for (let r = 0; r < runs; r++) warm.push(await generate(args, env));

    log(`sync N=${n}: warm into a new folder`);
    const warmNew: Array<{ ms: number; run: ChildRun }> = [];
    for (let r = 0; r < runs; r++) {
      const fresh = args.map((a) => (a === out ? path.join(dir, `fresh-${r}`) : a));
      warmNew.push(await generate(fresh, env));
      if (warmNew[r]!.run.downloads !== 0) throw new Error(`a warm run into a new folder downloaded ${warmNew[r]!.run.downloads} descriptor(s)`);
    }

    log(`sync N=${n}: 1% changed`);
    const k = Math.max(1, Math.round(n / 100));
    const changed: Array<{ ms: number; run: ChildRun }> = [];
    for (let r = 0; r < runs; r++) {
      mkdirSync(path.join(dir, `rev-${r}`));
      for (let j = 0; j < k; j++) {
        const i = (r * k + j * 97) % n;
        const file = path.join(dir, `rev-${r}`, `item-${i}.ovf`);
        writeFileSync(file, syntheticOvf(i, r + 1));
        await vc.govc("library.import", items[i]!, file);
      }
      changed.push(await generate(args, env));
    }

    log(`sync N=${n}: the warm run's requests alone`);
    const floor: Array<{ processMs: number; ms: number; cpuMs: number }> = [];
    const starts: number[] = [];
    const nodeStarts: number[] = [];
    for (let r = 0; r < runs; r++) {
      const { ms, value } = await timed(() => exec(process.execPath, [path.join(__dirname, "list-child.js"), vc.origin, vc.username], { env }));
      const inside = JSON.parse(value.stdout) as { ms: number; cpuMs: number; items: number };
      if (inside.items !== n) throw new Error(`the requests-only run listed ${inside.items} items, not ${n}`);
      floor.push({ processMs: ms, ...inside });
      const start = await startTimes();
      starts.push(start.cliMs);
      nodeStarts.push(start.nodeMs);
    }

    const med = (xs: Array<{ ms: number; run: ChildRun }>, f: (x: { ms: number; run: ChildRun }) => number) => median(xs.map(f));
    return {
      n,
      govcMs: median(govc),
      ...syncFigures({ cold, warm, changed, changedItems: k, warmNewFolderMs: med(warmNew, (x) => x.ms), floor, starts, nodeStarts }),
    };
  } finally {
    await vc.stop();
  }
}
