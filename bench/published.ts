import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import { tempDir, writeTree } from "../tests/helpers/library";
import { median, timed } from "./stats";
import { syntheticOvf } from "./synthetic";
import { ChildRun, SyncFigures, startTimes, syncFigures } from "./sync";

const exec = promisify(execFile);
const LIBRARY = "bench";
/** The published source's default concurrency, which the peer's parallel transfers match. */
const CONCURRENCY = 8;

export interface PublishedSyncResult extends SyncFigures {
  readonly n: number;
  /** The peer: one curl process fetching lib.json and items.json over one kept-alive connection pool. */
  readonly curlWarmMs: number;
  /** The peer: one curl process fetching lib.json, items.json and every descriptor, 8 at a time. */
  readonly curlColdMs: number;
  readonly itemsJsonBytes: number;
  /** `vmimages publish` of the N items into an empty folder (not a target: for scale). */
  readonly publishMs: number;
  /**
   * The floor of a cold run's writes: the N image files and the kustomization a cold run wrote,
   * written again from memory into a new folder with one plain write each, timed in this process
   * (absent in results measured before it was).
   */
  readonly outputWriteMs?: number;
}

/** Writes the files below `from` again into `to` from memory, one plain write each; the time of the writes alone. */
function timeWritingAgain(from: string, to: string): number {
  const files = readdirSync(from, { recursive: true, encoding: "utf8" }).filter((rel) => statSync(path.join(from, rel)).isFile()).map((rel) => [rel, readFileSync(path.join(from, rel))] as const);
  const dirs = new Set<string>();
  const t0 = process.hrtime.bigint();
  for (const [rel, body] of files) {
    const dir = path.dirname(path.join(to, rel));
    if (!dirs.has(dir)) mkdirSync(dir, { recursive: true });
    dirs.add(dir);
    writeFileSync(path.join(to, rel), body);
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** A static web server over a folder's files, read into memory (so the server's disk is not what is measured), with kept-alive connections. */
async function serveFromMemory(root: string): Promise<{ origin: string; reload: () => void; close: () => Promise<void> }> {
  let files = new Map<string, Buffer>();
  const reload = () => {
    const next = new Map<string, Buffer>();
    for (const rel of readdirSync(root, { recursive: true, encoding: "utf8" })) {
      const full = path.join(root, rel);
      if (statSync(full).isFile()) next.set(`/${rel.split(path.sep).join("/")}`, readFileSync(full));
    }
    files = next;
  };
  reload();
  const server = http.createServer((req, res) => {
    const body = files.get(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": req.url?.endsWith(".json") ? "application/json" : "application/octet-stream", "content-length": String(body.length) });
    res.end(body);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    reload,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function generate(args: string[]): Promise<{ ms: number; run: ChildRun }> {
  const { ms, value } = await timed(() => exec(process.execPath, [path.join(__dirname, "generate-child.js"), "generate", ...args], { maxBuffer: 16 * 1024 * 1024 }));
  const run = JSON.parse(value.stdout) as ChildRun;
  if (run.code !== 0) throw new Error(`vmimages generate failed: ${run.err}`);
  return { ms, run };
}

/**
 * Catalog sync against a published library of `n` items on loopback HTTP: a cold `vmimages
 * generate` (no cache), a warm one (nothing changed), one into a new folder, one after 1% of the
 * items changed at the publisher; the peer curl fetching the same files in one process with
 * kept-alive connections; and the floor of a Node process making only the warm run's requests.
 * Each the median of `runs` runs.
 */
export async function benchPublished(n: number, runs: number, log: (m: string) => void): Promise<PublishedSyncResult> {
  const dir = tempDir("vmimages-bench-pub-");
  const library = path.join(dir, "library");
  for (let i = 0; i < n; i++) writeTree(library, { [`${LIBRARY}/item-${i}.ovf`]: syntheticOvf(i) });
  const folderConfig = path.join(dir, "folder.yaml");
  writeFileSync(folderConfig, `source:\n  directory: ./library\nlibraries:\n  - name: ${LIBRARY}\n    scope: cluster\n`);
  const pub = path.join(dir, "pub");
  const cli = path.join(__dirname, "generate-child.js");
  log(`published N=${n}: vmimages publish`);
  const publish = async () => {
    const { ms, value } = await timed(() => exec(process.execPath, [cli, "publish", "-c", folderConfig, "-o", pub]));
    const run = JSON.parse(value.stdout) as ChildRun;
    if (run.code !== 0) throw new Error(`vmimages publish failed: ${run.err}`);
    return ms;
  };
  const publishMs = await publish();
  const server = await serveFromMemory(pub);
  try {
    const libUrl = `${server.origin}/${LIBRARY}/lib.json`;
    const itemsUrl = `${server.origin}/${LIBRARY}/items.json`;
    const items = JSON.parse(readFileSync(path.join(pub, LIBRARY, "items.json"), "utf8")) as { items: Array<{ files: Array<{ hrefs: string[] }> }> };
    const descriptors = items.items.map((i) => `${server.origin}/${LIBRARY}/${i.files[0]!.hrefs[0]!}`);
    const itemsJsonBytes = statSync(path.join(pub, LIBRARY, "items.json")).size;

    const config = path.join(dir, "vmimages.yaml");
    writeFileSync(config, `source:\n  published:\n    - url: ${libUrl}\nlibraries:\n  - name: ${LIBRARY}\n    scope: cluster\n`);
    const cache = path.join(dir, "cache");
    const out = path.join(dir, "out");
    const args = ["-c", config, "-o", out, "--cache-dir", cache, "-v", "--no-progress"];

    // The peer, in the same run: one curl process, transfers in parallel over kept-alive connections.
    const peerConfig = path.join(dir, "curl-cold.cfg");
    writeFileSync(peerConfig, [libUrl, itemsUrl, ...descriptors].map((u) => `url = "${u}"\noutput = "/dev/null"\n`).join(""));
    const curl = (extra: string[]) => exec("curl", ["--parallel", "--parallel-max", String(CONCURRENCY), "--no-progress-meter", "--fail", ...extra]);
    log(`published N=${n}: curl`);
    const curlWarm: number[] = [];
    const curlCold: number[] = [];
    for (let r = 0; r < runs; r++) {
      curlWarm.push((await timed(() => curl(["-o", "/dev/null", "-o", "/dev/null", libUrl, itemsUrl]))).ms);
      curlCold.push((await timed(() => curl(["-K", peerConfig]))).ms);
    }

    log(`published N=${n}: cold`);
    const cold: Array<{ ms: number; run: ChildRun }> = [];
    const outputWrites: number[] = [];
    for (let r = 0; r < runs; r++) {
      rmSync(cache, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
      cold.push(await generate(args));
      const again = path.join(dir, `written-again-${r}`);
      outputWrites.push(timeWritingAgain(out, again));
      rmSync(again, { recursive: true, force: true });
    }
    log(`published N=${n}: warm`);
    const warm: Array<{ ms: number; run: ChildRun }> = [];
    for (let r = 0; r < runs; r++) warm.push(await generate(args));
    log(`published N=${n}: warm into a new folder`);
    const warmNew: number[] = [];
    for (let r = 0; r < runs; r++) {
      const run = await generate(args.map((a) => (a === out ? path.join(dir, `fresh-${r}`) : a)));
      if (run.run.downloads !== 0) throw new Error(`a warm run into a new folder downloaded ${run.run.downloads} descriptor(s)`);
      warmNew.push(run.ms);
    }

    log(`published N=${n}: 1% changed`);
    const k = Math.max(1, Math.round(n / 100));
    const changed: Array<{ ms: number; run: ChildRun }> = [];
    for (let r = 0; r < runs; r++) {
      for (let j = 0; j < k; j++) {
        const i = (r * k + j * 97) % n;
        writeFileSync(path.join(library, LIBRARY, `item-${i}.ovf`), syntheticOvf(i, r + 1));
      }
      await publish();
      server.reload();
      changed.push(await generate(args));
    }

    log(`published N=${n}: the warm run's requests alone`);
    const floor: Array<{ processMs: number; ms: number; cpuMs: number }> = [];
    const starts: number[] = [];
    const nodeStarts: number[] = [];
    for (let r = 0; r < runs; r++) {
      const { ms, value } = await timed(() => exec(process.execPath, [path.join(__dirname, "published-list-child.js"), libUrl, itemsUrl]));
      const inside = JSON.parse(value.stdout) as { ms: number; cpuMs: number; items: number };
      if (inside.items !== n) throw new Error(`the requests-only run listed ${inside.items} items, not ${n}`);
      floor.push({ processMs: ms, ...inside });
      const start = await startTimes();
      starts.push(start.cliMs);
      nodeStarts.push(start.nodeMs);
    }

    return {
      n,
      curlWarmMs: median(curlWarm),
      curlColdMs: median(curlCold),
      ...syncFigures({ cold, warm, changed, changedItems: k, warmNewFolderMs: median(warmNew), floor, starts, nodeStarts }),
      itemsJsonBytes,
      publishMs,
      outputWriteMs: median(outputWrites),
    };
  } finally {
    await server.close();
  }
}
