/**
 * The benchmark harness: `npm run bench [-- --sizes 100,500,2000 --runs 3 --only sync,published,preview,pure]`.
 * Every figure is a median of several runs, and every time target is a ratio against a peer measured
 * in the same run (govc for sync, curl for a published library, plain @pulumi/kubernetes resources for preview), because the
 * machine is shared and noisy. Prints tables and writes bench/results.json.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ApplyResult, benchApply } from "./apply";
import { benchHostile, HostileResult } from "./hostile";
import { benchPreview, PreviewResult } from "./preview";
import { benchPublished, PublishedSyncResult } from "./published";
import { START, benchPure, PureResult } from "./pure";
import { updateReadme } from "./report";
import { table, TargetCheck } from "./stats";
import { benchSync, SyncResult } from "./sync";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const sizes = arg("sizes", "100,500,2000").split(",").map(Number);
  const runs = Number(arg("runs", "3"));
  const only = new Set(arg("only", "pure,sync,published,preview,hostile,apply").split(","));
  const log = (m: string) => process.stderr.write(`bench: ${m}\n`);
  const started = new Date().toISOString();
  const pure: PureResult[] = only.has("pure") ? await benchPure(log) : [];
  const hostile: HostileResult[] = only.has("hostile") ? await benchHostile(runs, log) : [];
  const applied: ApplyResult[] = [];
  if (only.has("apply")) for (const n of sizes) applied.push(await benchApply(n, runs, log));
  const file = path.resolve(__dirname, "../../bench/results.json");
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Partial<Record<"pure" | "sync" | "published" | "preview" | "hostile" | "apply", Section<unknown>>>) : {};
  const stamp = <T>(r: T): Measured<T> => ({ ...r, started, runs });
  const measuredSync: Array<Measured<SyncResult>> = [];
  if (only.has("sync")) for (const n of sizes) measuredSync.push(stamp(await benchSync(n, runs, log)));
  const measuredPublished: Array<Measured<PublishedSyncResult>> = [];
  if (only.has("published")) for (const n of sizes) measuredPublished.push(stamp(await benchPublished(n, runs, log)));
  const measuredPreview: Array<Measured<PreviewResult>> = [];
  if (only.has("preview")) for (const n of sizes) measuredPreview.push(stamp(await benchPreview(n, runs, log)));
  // A size not measured this time keeps its last result (with when and how often it was measured),
  // so a slow size (preview at N=2000 takes half an hour a run) can be measured on its own.
  const sync = mergeSizes(previous.sync as Section<Measured<SyncResult>> | undefined, measuredSync);
  const preview = mergeSizes(previous.preview as Section<Measured<PreviewResult>> | undefined, measuredPreview);
  const published = mergeSizes(previous.published as Section<Measured<PublishedSyncResult>> | undefined, measuredPublished);

  const checks: TargetCheck[] = [];
  // The bundles stay only while they are faster to start than what they bundle.
  const startOf = (stage: string) => pure.find((p) => p.stage === stage)?.ms;
  for (const [bundle, whole, what] of [[START.bundled, START.modules, "the CLI's bundle starts"], [START.clientBundle, START.clientWhole, "the Kubernetes client's bundle loads"]] as const) {
    const [b, w] = [startOf(bundle), startOf(whole)];
    if (b !== undefined && w !== undefined) checks.push({ target: `pure (start): ${what} in less time than what it bundles`, measured: `${b.toFixed(0)} against ${w.toFixed(0)} ms (${(b / w).toFixed(2)} ×)`, met: b < w });
  }
  for (const s of sync) {
    checks.push({ target: `sync N=${s.n}: warm ≤ 1.0 × govc, 0 downloads`, measured: `${(s.warmMs / s.govcMs).toFixed(2)} ×, ${s.warmDownloads} downloads`, met: s.warmMs <= s.govcMs && s.warmDownloads === 0 });
    checks.push({
      target: `sync N=${s.n}: (floor) a Node process making only the warm run's requests, against govc`,
      measured: `${(s.requestsProcessMs / s.govcMs).toFixed(2)} × (the requests ${(s.requestsOnlyMs / s.govcMs).toFixed(2)} ×, their CPU ${(s.requestsOnlyCpuMs / s.govcMs).toFixed(2)} ×)`,
      met: s.requestsProcessMs <= s.govcMs,
    });
    if (s.nodeStartMs !== undefined) {
      const bare = s.nodeStartMs + s.requestsOnlyMs;
      checks.push({
        target: `sync N=${s.n}: (floor) Node's bare start plus those requests, against govc`,
        measured: `${(bare / s.govcMs).toFixed(2)} × (node -e 0 ${s.nodeStartMs.toFixed(0)} ms + ${s.requestsOnlyMs.toFixed(0)} ms, govc ${s.govcMs.toFixed(0)} ms)`,
        met: bare <= s.govcMs,
      });
    }
    checks.push({ target: `sync N=${s.n}: cold ≤ 7 requests/item, ≤ 8 × govc`, measured: `${(s.coldRequests / s.n).toFixed(2)} req/item, ${(s.coldMs / s.govcMs).toFixed(2)} ×`, met: s.coldRequests / s.n <= 7 && s.coldMs <= 8 * s.govcMs });
    checks.push({ target: `sync N=${s.n}: 1% changed → exactly those downloaded`, measured: `${s.changedDownloads} of ${s.changed}`, met: s.changedDownloads === s.changed });
    if (s.n >= 2000) checks.push({ target: `sync N=${s.n}: peak RSS < 300 MB`, measured: `${s.coldRssMb.toFixed(0)} MB`, met: s.coldRssMb < 300 });
  }
  const s500 = sync.find((s) => s.n === 500);
  const s2000 = sync.find((s) => s.n === 2000);
  if (s500 && s2000) {
    const growth = s2000.coldMs / 2000 / (s500.coldMs / 500);
    checks.push({ target: "sync: cold time per item at N=2000 ≤ 1.5 × at N=500 (no quadratic step)", measured: `${growth.toFixed(2)} ×`, met: growth <= 1.5 });
    const warmGrowth = s2000.warmMs / 2000 / (s500.warmMs / 500);
    checks.push({ target: "sync: warm time per item at N=2000 ≤ 1.5 × at N=500 (no quadratic step)", measured: `${warmGrowth.toFixed(2)} ×`, met: warmGrowth <= 1.5 });
    const s100 = sync.find((s) => s.n === 100);
    if (s100) {
      const early = ((s500.coldRssMb - s100.coldRssMb) * 1024) / 400;
      const late = ((s2000.coldRssMb - s500.coldRssMb) * 1024) / 1500;
      checks.push({
        target: "sync: memory grows linearly (cold RSS per extra item, N=500 → 2000 ≤ 1.5 × N=100 → 500)",
        measured: `${late.toFixed(0)} KB/item against ${early.toFixed(0)} KB/item`,
        met: late <= 1.5 * early,
      });
    }
  }
  for (const p of published) {
    checks.push({
      target: `published N=${p.n}: warm ≤ 1.5 × curl's lib.json + items.json, 0 downloads`,
      measured: `${(p.warmMs / p.curlWarmMs).toFixed(2)} × (${p.warmMs.toFixed(0)} ms, curl ${p.curlWarmMs.toFixed(0)} ms), ${p.warmDownloads} downloads`,
      met: p.warmMs <= 1.5 * p.curlWarmMs && p.warmDownloads === 0,
    });
    checks.push({
      target: `published N=${p.n}: (floor) a Node process making only the warm run's two requests, against curl's`,
      measured: `${(p.requestsProcessMs / p.curlWarmMs).toFixed(2)} × (the requests ${(p.requestsOnlyMs / p.curlWarmMs).toFixed(2)} ×, their CPU ${(p.requestsOnlyCpuMs / p.curlWarmMs).toFixed(2)} ×)`,
      met: p.requestsProcessMs <= 1.5 * p.curlWarmMs,
    });
    const bare = p.nodeStartMs + p.requestsOnlyMs;
    checks.push({
      target: `published N=${p.n}: (floor) Node's bare start plus those requests, against curl's`,
      measured: `${(bare / p.curlWarmMs).toFixed(2)} × (node -e 0 ${p.nodeStartMs.toFixed(0)} ms + ${p.requestsOnlyMs.toFixed(0)} ms, curl ${p.curlWarmMs.toFixed(0)} ms)`,
      met: bare <= 1.5 * p.curlWarmMs,
    });
    checks.push({ target: `published N=${p.n}: cold ≤ 2 × curl fetching lib.json, items.json and every descriptor`, measured: `${(p.coldMs / p.curlColdMs).toFixed(2)} × (${p.coldMs.toFixed(0)} ms, curl ${p.curlColdMs.toFixed(0)} ms)`, met: p.coldMs <= 2 * p.curlColdMs });
    if (p.outputWriteMs !== undefined) {
      checks.push({
        target: `published N=${p.n}: (floor) writing the cold run's ${p.n + 1} files alone, from memory, against 2 × curl's cold fetch`,
        measured: `${(p.outputWriteMs / p.curlColdMs).toFixed(2)} × curl's cold fetch (${p.outputWriteMs.toFixed(0)} ms, curl ${p.curlColdMs.toFixed(0)} ms)`,
        met: p.outputWriteMs <= 2 * p.curlColdMs,
      });
    }
    checks.push({ target: `published N=${p.n}: 1% changed → exactly those downloaded`, measured: `${p.changedDownloads} of ${p.changed}`, met: p.changedDownloads === p.changed });
  }
  const pub500 = published.find((p) => p.n === 500);
  const pub2000 = published.find((p) => p.n === 2000);
  if (pub500 && pub2000) {
    const growth = pub2000.coldMs / 2000 / (pub500.coldMs / 500);
    checks.push({ target: "published: cold time per item at N=2000 ≤ 1.5 × at N=500 (linear)", measured: `${growth.toFixed(2)} ×`, met: growth <= 1.5 });
    const warmGrowth = pub2000.warmMs / 2000 / (pub500.warmMs / 500);
    checks.push({ target: "published: warm time per item at N=2000 ≤ 1.5 × at N=500 (linear)", measured: `${warmGrowth.toFixed(2)} ×`, met: warmGrowth <= 1.5 });
  }
  for (const p of preview) {
    // TypeScript (dynamic resources, no plugin) and Python (the provider plugin) against the same peer.
    const hosts = [{ host: "TypeScript", up: p.oursUpMs, preview: p.oursPreviewMs, state: p.oursStateBytes }, ...(p.python ? [{ host: "Python", up: p.python.upMs, preview: p.python.previewMs, state: p.python.stateBytes }] : [])];
    for (const h of hosts) {
      checks.push({ target: `preview N=${p.n}: ${h.host} up ≤ 1.0 × peer`, measured: `${(h.up / p.peerUpMs).toFixed(2)} ×`, met: h.up <= p.peerUpMs });
      checks.push({ target: `preview N=${p.n}: ${h.host} preview ≤ 1.0 × peer`, measured: `${(h.preview / p.peerPreviewMs).toFixed(2)} ×`, met: h.preview <= p.peerPreviewMs });
      checks.push({ target: `preview N=${p.n}: ${h.host} state per image ≤ 0.6 × peer`, measured: `${(h.state / p.peerStateBytes).toFixed(2)} × (${(h.state / 1000).toFixed(1)} / ${(p.peerStateBytes / 1000).toFixed(1)} KB)`, met: h.state <= 0.6 * p.peerStateBytes });
    }
    checks.push({
      target: `preview N=${p.n}: up with one checkpoint ≤ 1.5 × peer`,
      measured: `${(p.oursUpOneCheckpointMs / p.peerUpOneCheckpointMs).toFixed(2)} ×`,
      met: p.oursUpOneCheckpointMs <= 1.5 * p.peerUpOneCheckpointMs,
    });
    if (p.floors) {
      // Floors, as the other benches have: the same previews with no code of ours.
      const { typescriptNoOpProviderPreviewMs: noOp, pythonPeerPreviewMs: pythonPeer } = p.floors;
      checks.push({ target: `preview N=${p.n}: (floor) dynamic resources with the TypeScript image resources' inputs and a provider that does nothing, against the peer`, measured: `${(noOp / p.peerPreviewMs).toFixed(2)} × (ours ${(p.oursPreviewMs / noOp).toFixed(2)} × this)`, met: noOp <= p.peerPreviewMs });
      checks.push({ target: `preview N=${p.n}: (floor) the peer's manifests from a Python program (Pulumi's Kubernetes provider), against the peer`, measured: `${(pythonPeer / p.peerPreviewMs).toFixed(2)} ×`, met: pythonPeer <= p.peerPreviewMs });
      if (p.python) checks.push({ target: `preview N=${p.n}: Python preview ≤ 1.0 × the peer's manifests from a Python program`, measured: `${(p.python.previewMs / pythonPeer).toFixed(2)} ×`, met: p.python.previewMs <= pythonPeer });
    }
  }
  // Growth: time per image at the largest N against N=500 (or the smallest size measured).
  const sorted = [...preview].sort((a, b) => a.n - b.n);
  const small = sorted.find((p) => p.n === 500) ?? sorted[0];
  const large = sorted[sorted.length - 1];
  if (small && large && large.n > small.n) {
    const growth = (label: string, f: (p: PreviewResult) => number, mustHold: boolean) => {
      const g = f(large) / large.n / (f(small) / small.n);
      checks.push({ target: `preview: ${label} per image at N=${large.n} ≤ 1.5 × at N=${small.n}${mustHold ? "" : " (engine's file backend, for both)"}`, measured: `${g.toFixed(2)} ×`, met: g <= 1.5 });
    };
    growth("ours preview", (p) => p.oursPreviewMs, true);
    growth("ours up with one checkpoint", (p) => p.oursUpOneCheckpointMs, true);
    growth("peer up with one checkpoint", (p) => p.peerUpOneCheckpointMs, true);
    growth("ours up", (p) => p.oursUpMs, false);
    growth("peer up", (p) => p.peerUpMs, false);
  }

  for (const kind of ["descriptor", "yaml"] as const) {
    const rows = hostile.filter((h) => h.kind === kind).sort((a, b) => a.size - b.size);
    const [small, large] = [rows[0], rows[rows.length - 1]];
    if (!small || !large || large.size === small.size) continue;
    const growth = large.oursMs / large.size / (small.oursMs / small.size);
    checks.push({ target: `hostile ${kind}: time per unit at ${large.size} ≤ 1.5 × at ${small.size} (linear)`, measured: `${growth.toFixed(2)} ×`, met: growth <= 1.5 });
    const rss = (large.oursRssMb - small.oursRssMb) / (large.size - small.size);
    const peerRss = (large.peerRssMb - small.peerRssMb) / (large.size - small.size);
    checks.push({ target: `hostile ${kind}: memory per extra unit ≤ 1.5 × the library alone's`, measured: `${rss.toFixed(3)} against ${peerRss.toFixed(3)} MB`, met: rss <= 1.5 * Math.max(peerRss, 0.001) });
    checks.push({ target: `hostile ${kind}: time at ${large.size} ≤ 1.5 × the library alone`, measured: `${(large.oursMs / large.peerMs).toFixed(2)} ×`, met: large.oursMs <= 1.5 * large.peerMs });
  }

  for (const a of applied) {
    checks.push({ target: `apply N=${a.n}: first apply with status ≤ 1.5 × kubectl's apply without`, measured: `${(a.oursFirstMs / a.peerFirstMs).toFixed(2)} ×`, met: a.oursFirstMs <= 1.5 * a.peerFirstMs });
    checks.push({ target: `apply N=${a.n}: no-change re-apply ≤ 0.5 × kubectl's`, measured: `${(a.oursAgainMs / a.peerAgainMs).toFixed(2)} ×`, met: a.oursAgainMs <= 0.5 * a.peerAgainMs });
  }
  const [firstApply, lastApply] = [applied[0], applied[applied.length - 1]];
  if (firstApply && lastApply && lastApply.n > firstApply.n) {
    const growth = lastApply.oursFirstMs / lastApply.n / (firstApply.oursFirstMs / firstApply.n);
    checks.push({ target: `apply: time per image at N=${lastApply.n} ≤ 1.5 × at N=${firstApply.n} (linear)`, measured: `${growth.toFixed(2)} ×`, met: growth <= 1.5 });
  }

  const out = process.stdout;
  if (applied.length)
    out.write(
      `\nApply to a real kube-apiserver (medians)\n${table(
        applied.map((a) => ({ N: a.n, "ours first ms": a.oursFirstMs, "kubectl first ms": a.peerFirstMs, "first ratio": a.oursFirstMs / a.peerFirstMs, "ours again ms": a.oursAgainMs, "kubectl again ms": a.peerAgainMs, "again ratio": a.oursAgainMs / a.peerAgainMs })),
      )}\n`,
    );
  if (hostile.length)
    out.write(
      `\nHostile input (medians, each run a process of its own)\n${table(
        hostile.map((h) => ({ kind: h.kind, size: h.kind === "descriptor" ? `${h.size} MB` : `${h.size} keys`, "ours ms": h.oursMs, "peer ms": h.peerMs, "ours peak RSS MB": h.oursRssMb, "peer peak RSS MB": h.peerRssMb })),
      )}\n`,
    );
  if (pure.length) out.write(`\nPure stages\n${table(pure.map((p) => ({ stage: p.stage, ops: p.operations, ms: p.ms, "ops/s": Math.round(p.perSecond), ...(p.mbPerSecond ? { "MB/s": p.mbPerSecond } : {}) })))}\n`);
  if (sync.length)
    out.write(
      `\nSync against vcsim (medians of each row's runs)\n${table(
        sync.map((s) => ({
          N: s.n,
          runs: s.runs,
          measured: s.started.slice(0, 16),
          "govc ms": s.govcMs,
          "cold ms": s.coldMs,
          "cold/govc": s.coldMs / s.govcMs,
          "warm ms": s.warmMs,
          "warm/govc": s.warmMs / s.govcMs,
          "warm, new folder ms": s.warmNewFolderMs,
          "1% ms": s.changedMs,
          "req/item": s.coldRequests / s.n,
          "requests cold/warm/1%": `${s.coldRequests}/${s.warmRequests ?? "-"}/${s.changedRequests ?? "-"}`,
          "downloads cold/warm/1%": `${s.coldDownloads}/${s.warmDownloads}/${s.changedDownloads}`,
          "RSS MB cold/warm/1%": `${s.coldRssMb.toFixed(0)}/${s.warmRssMb.toFixed(0)}/${s.changedRssMb?.toFixed(0) ?? "-"}`,
          "requests-only process ms": s.requestsProcessMs,
          "its requests ms (cpu)": `${s.requestsOnlyMs.toFixed(0)} (${s.requestsOnlyCpuMs.toFixed(0)})`,
          "CLI start ms": s.startMs,
          "node -e 0 ms": s.nodeStartMs ?? "-",
        })),
      )}\n`,
    );
  if (published.length)
    out.write(
      `\nSync of a published library over loopback HTTP (medians of each row's runs)\n${table(
        published.map((p) => ({
          N: p.n,
          runs: p.runs,
          measured: p.started.slice(0, 16),
          "curl warm ms": p.curlWarmMs,
          "warm ms": p.warmMs,
          "warm/curl": p.warmMs / p.curlWarmMs,
          "curl cold ms": p.curlColdMs,
          "cold ms": p.coldMs,
          "cold/curl": p.coldMs / p.curlColdMs,
          "warm, new folder ms": p.warmNewFolderMs,
          "1% ms": p.changedMs,
          "requests cold/warm/1%": `${p.coldRequests}/${p.warmRequests}/${p.changedRequests}`,
          "downloads cold/warm/1%": `${p.coldDownloads}/${p.warmDownloads}/${p.changedDownloads}`,
          "RSS MB cold/warm": `${p.coldRssMb.toFixed(0)}/${p.warmRssMb.toFixed(0)}`,
          "requests-only process ms": p.requestsProcessMs,
          "its requests ms (cpu)": `${p.requestsOnlyMs.toFixed(0)} (${p.requestsOnlyCpuMs.toFixed(0)})`,
          "CLI start ms": p.startMs,
          "node -e 0 ms": p.nodeStartMs,
          "items.json KB": p.itemsJsonBytes / 1024,
          "publish ms": p.publishMs,
        })),
      )}\n`,
    );
  if (preview.length)
    out.write(
      `\nPulumi up / preview (medians of each row's runs)\n${table(
        preview.map((p) => ({
          N: p.n,
          runs: p.runs,
          measured: p.started.slice(0, 16),
          "ours up ms": p.oursUpMs,
          "peer up ms": p.peerUpMs,
          "up ratio": p.oursUpMs / p.peerUpMs,
          "ours preview ms": p.oursPreviewMs,
          "peer preview ms": p.peerPreviewMs,
          "preview ratio": p.oursPreviewMs / p.peerPreviewMs,
          "ours up 1 ckpt ms": p.oursUpOneCheckpointMs,
          "peer up 1 ckpt ms": p.peerUpOneCheckpointMs,
          "1 ckpt ratio": p.oursUpOneCheckpointMs / p.peerUpOneCheckpointMs,
          "state B/image ours/peer": `${Math.round(p.oursStateBytes)}/${Math.round(p.peerStateBytes)}`,
          "python up / preview ms": p.python ? `${p.python.upMs.toFixed(0)} / ${p.python.previewMs.toFixed(0)}` : "",
          "python state B/image": p.python ? Math.round(p.python.stateBytes) : "",
          "floors: no-op TS / Python peer ms": p.floors ? `${p.floors.typescriptNoOpProviderPreviewMs.toFixed(0)} / ${p.floors.pythonPeerPreviewMs.toFixed(0)}` : "",
        })),
      )}\n`,
    );
  if (checks.length) out.write(`\nTargets\n${table(checks.map((c) => ({ target: c.target, measured: c.measured, met: c.met ? "yes" : "NO" })))}\n`);
  const section = <T>(name: "pure" | "sync" | "published" | "preview" | "hostile" | "apply", data: T[], ran: boolean, measuredSizes: number[] = []): Section<T> | undefined =>
    ran ? { started, runs, sizes: measuredSizes, data, checks: checks.filter((c) => c.target.startsWith(name)) } : (previous[name] as Section<T> | undefined);
  writeFileSync(
    file,
    JSON.stringify({ pure: section("pure", pure, only.has("pure")), hostile: section("hostile", hostile, only.has("hostile")), apply: section("apply", applied, only.has("apply"), applied.map((a) => a.n)), sync: section("sync", sync, only.has("sync"), sync.map((r) => r.n)), published: section("published", published, only.has("published"), published.map((r) => r.n)), preview: section("preview", preview, only.has("preview"), preview.map((r) => r.n)) }, null, 2) + "\n",
  );
  // bench/README.md shows the latest results: its tables are rewritten from the file just written.
  updateReadme(path.dirname(file));
  out.write(`\nwritten ${file} and the results in ${path.join(path.dirname(file), "README.md")}\n`);
}

/** A result with when it was measured and over how many runs. */
type Measured<T> = T & { readonly started: string; readonly runs: number };

interface Section<T> {
  readonly started: string;
  readonly runs: number;
  readonly sizes: number[];
  readonly data: T[];
  readonly checks: TargetCheck[];
}

/** This run's results, and the previous ones for every size this run did not measure, by size. */
function mergeSizes<T extends { readonly n: number }>(previous: Section<Measured<T>> | undefined, current: Array<Measured<T>>): Array<Measured<T>> {
  const measured = new Set(current.map((r) => r.n));
  const kept = (previous?.data ?? [])
    .filter((r) => !measured.has(r.n))
    .map((r) => ({ ...r, started: r.started ?? previous!.started, runs: r.runs ?? previous!.runs }));
  return current.length === 0 ? [] : [...kept, ...current].sort((a, b) => a.n - b.n);
}

main().catch((err: Error) => {
  process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
