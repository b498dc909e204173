/**
 * The latest results in bench/results.json as the Markdown tables of bench/README.md, between its
 * `<!-- results: begin -->` and `<!-- results: end -->` lines. `npm run bench` rewrites them after
 * each run; `node dist/bench/report.js` does it alone (after `npm run -s build`), and a unit test
 * fails when the README and results.json disagree.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { ApplyResult } from "./apply";
import type { HostileResult } from "./hostile";
import type { PreviewResult } from "./preview";
import type { PublishedSyncResult } from "./published";
import type { PureResult } from "./pure";
import type { TargetCheck } from "./stats";
import type { SyncResult } from "./sync";

export const BEGIN = "<!-- results: begin (written by bench/report.ts from bench/results.json; do not edit) -->";
export const END = "<!-- results: end -->";

interface Section<T> {
  readonly started: string;
  readonly runs: number;
  readonly sizes?: readonly number[];
  readonly data: readonly T[];
  readonly checks: readonly TargetCheck[];
}

type Measured<T> = T & { readonly started?: string; readonly runs?: number };

export interface Results {
  readonly pure?: Section<PureResult>;
  readonly hostile?: Section<HostileResult>;
  readonly apply?: Section<ApplyResult>;
  readonly sync?: Section<Measured<SyncResult>>;
  readonly published?: Section<Measured<PublishedSyncResult>>;
  readonly preview?: Section<Measured<PreviewResult>>;
}

/** `2026-12-02T22:21:05.361Z` → `2026-12-02 22:21 UTC` */
function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)} ×`;
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** When each row was measured: one date when they share it, else each row's. */
function measuredAt(section: Section<Measured<{ readonly n: number }>>): string {
  const rows = section.data.map((r) => ({ n: r.n, started: r.started ?? section.started, runs: r.runs ?? section.runs }));
  const same = rows.every((r) => r.started === rows[0]!.started && r.runs === rows[0]!.runs);
  if (same) return `measured ${when(rows[0]!.started)}, medians of ${rows[0]!.runs}`;
  return `measured per size: ${rows.map((r) => `N = ${r.n} ${when(r.started)} (${r.runs === 1 ? "one run" : `medians of ${r.runs}`})`).join("; ")}`;
}

function checks(section: Section<unknown>): string {
  if (section.checks.length === 0) return "";
  return `\n\n${table(
    ["target", "measured", "met"],
    section.checks.map((c) => [c.target, c.measured, c.met ? "yes" : "**no**"]),
  )}`;
}

/** The results section of bench/README.md. */
export function renderResults(results: Results): string {
  const parts: string[] = [];
  if (results.sync?.data.length) {
    const s = results.sync;
    parts.push(
      `### Sync against vcsim\n\n${measuredAt(s)}.\n\n${table(
        ["N", "govc", "cold", "cold/govc", "warm", "warm/govc", "floor/govc", "bare floor/govc", "warm, new folder", "1% changed", "requests cold / warm / 1%", "descriptors cold / warm / 1%", "peak RSS cold / warm / 1%"],
        s.data.map((r) => [
          String(r.n),
          ms(r.govcMs),
          ms(r.coldMs),
          ratio(r.coldMs, r.govcMs),
          ms(r.warmMs),
          ratio(r.warmMs, r.govcMs),
          ratio(r.requestsProcessMs, r.govcMs),
          `${ratio(r.nodeStartMs + r.requestsOnlyMs, r.govcMs)} (${Math.round(r.nodeStartMs)} + ${Math.round(r.requestsOnlyMs)} ms)`,
          ms(r.warmNewFolderMs),
          ms(r.changedMs),
          `${r.coldRequests} / ${r.warmRequests} / ${r.changedRequests}`,
          `${r.coldDownloads} / ${r.warmDownloads} / ${r.changedDownloads}`,
          `${Math.round(r.coldRssMb)} / ${Math.round(r.warmRssMb)} / ${Math.round(r.changedRssMb)} MB`,
        ]),
      )}${checks(s)}`,
    );
  }
  if (results.published?.data.length) {
    const s = results.published;
    parts.push(
      `### Published library over loopback HTTP\n\n${measuredAt(s)}.\n\n${table(
        ["N", "items.json", "curl warm / cold", "warm", "warm/curl", "floor/curl", "bare floor/curl", "cold", "cold/curl", "writes alone/curl cold", "warm, new folder", "1% changed", "requests cold / warm / 1%", "descriptors cold / warm / 1%", "peak RSS cold / warm"],
        s.data.map((r) => [
          String(r.n),
          `${(r.itemsJsonBytes / 1e6).toFixed(1)} MB`,
          `${ms(r.curlWarmMs)} / ${ms(r.curlColdMs)}`,
          ms(r.warmMs),
          ratio(r.warmMs, r.curlWarmMs),
          ratio(r.requestsProcessMs, r.curlWarmMs),
          `${ratio(r.nodeStartMs + r.requestsOnlyMs, r.curlWarmMs)} (${Math.round(r.nodeStartMs)} + ${Math.round(r.requestsOnlyMs)} ms)`,
          ms(r.coldMs),
          ratio(r.coldMs, r.curlColdMs),
          r.outputWriteMs !== undefined ? `${ratio(r.outputWriteMs, r.curlColdMs)} (${Math.round(r.outputWriteMs)} ms)` : "not measured",
          ms(r.warmNewFolderMs),
          ms(r.changedMs),
          `${r.coldRequests} / ${r.warmRequests} / ${r.changedRequests}`,
          `${r.coldDownloads} / ${r.warmDownloads} / ${r.changedDownloads}`,
          `${Math.round(r.coldRssMb)} / ${Math.round(r.warmRssMb)} MB`,
        ]),
      )}${checks(s)}`,
    );
  }
  if (results.preview?.data.length) {
    const p = results.preview;
    parts.push(
      `### Pulumi up and preview\n\n${measuredAt(p)}.\n\n${table(
        ["N", "ours up", "peer up", "ratio", "ours preview", "peer preview", "ratio", "ours up, 1 ckpt", "peer up, 1 ckpt", "ratio", "state per image ours / peer", "Python up / preview / state per image", "provider start: dynamic / plugin / Kubernetes; empty Python preview", "preview floors: no-op dynamic / Python peer"],
        p.data.map((r) => [
          String(r.n),
          ms(r.oursUpMs),
          ms(r.peerUpMs),
          ratio(r.oursUpMs, r.peerUpMs),
          ms(r.oursPreviewMs),
          ms(r.peerPreviewMs),
          ratio(r.oursPreviewMs, r.peerPreviewMs),
          ms(r.oursUpOneCheckpointMs),
          ms(r.peerUpOneCheckpointMs),
          ratio(r.oursUpOneCheckpointMs, r.peerUpOneCheckpointMs),
          `${(r.oursStateBytes / 1000).toFixed(1)} / ${(r.peerStateBytes / 1000).toFixed(1)} KB`,
          r.python ? `${ms(r.python.upMs)} / ${ms(r.python.previewMs)} / ${(r.python.stateBytes / 1000).toFixed(1)} KB` : "not measured",
          r.fixed ? `${ms(r.fixed.dynamicProviderStartMs)} / ${ms(r.fixed.pluginStartMs)} / ${ms(r.fixed.kubernetesProviderStartMs)}; ${ms(r.fixed.pythonEmptyPreviewMs)}` : "not measured",
          r.floors ? `${ms(r.floors.typescriptNoOpProviderPreviewMs)} / ${ms(r.floors.pythonPeerPreviewMs)}` : "not measured",
        ]),
      )}${checks(p)}`,
    );
  }
  if (results.apply?.data.length) {
    const a = results.apply;
    parts.push(
      `### Apply to a kube-apiserver\n\nmeasured ${when(a.started)}, medians of ${a.runs}.\n\n${table(
        ["N", "ours first", "kubectl first", "ratio", "ours again", "kubectl again", "ratio"],
        a.data.map((r) => [String(r.n), ms(r.oursFirstMs), ms(r.peerFirstMs), ratio(r.oursFirstMs, r.peerFirstMs), ms(r.oursAgainMs), ms(r.peerAgainMs), ratio(r.oursAgainMs, r.peerAgainMs)]),
      )}${checks(a)}`,
    );
  }
  if (results.hostile?.data.length) {
    const h = results.hostile;
    parts.push(
      `### Hostile input\n\nmeasured ${when(h.started)}, medians of ${h.runs}.\n\n${table(
        ["input", "ours", "library alone", "ratio", "peak RSS ours / library alone"],
        h.data.map((r) => [
          r.kind === "descriptor" ? `descriptor of ${r.size} MB` : `YAML map of ${r.size.toLocaleString("en-US")} keys`,
          ms(r.oursMs),
          ms(r.peerMs),
          ratio(r.oursMs, r.peerMs),
          `${Math.round(r.oursRssMb)} / ${Math.round(r.peerRssMb)} MB`,
        ]),
      )}${checks(h)}`,
    );
  }
  if (results.pure?.data.length) {
    const p = results.pure;
    parts.push(
      `### Pure stages\n\nmeasured ${when(p.started)}, one pass each.\n\n${table(
        ["stage", "operations", "time", "per second"],
        p.data.map((r) => [r.stage, r.operations.toLocaleString("en-US"), ms(r.ms), `${Math.round(r.perSecond).toLocaleString("en-US")}${r.mbPerSecond ? ` (${r.mbPerSecond.toFixed(0)} MB/s)` : ""}`]),
      )}${checks(p)}`,
    );
  }
  return `${parts.join("\n\n")}\n`;
}

/** The README with its results section replaced by `rendered`. @throws when the markers are missing */
export function withResults(readme: string, rendered: string): string {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`bench/README.md has no results section between "${BEGIN}" and "${END}"`);
  return `${readme.slice(0, begin + BEGIN.length)}\n\n${rendered}\n${readme.slice(end)}`;
}

/** Rewrites the results section of the README in `benchDir` from the results.json beside it. */
export function updateReadme(benchDir: string): void {
  const results = JSON.parse(readFileSync(path.join(benchDir, "results.json"), "utf8")) as Results;
  const file = path.join(benchDir, "README.md");
  writeFileSync(file, withResults(readFileSync(file, "utf8"), renderResults(results)));
}

if (require.main === module) updateReadme(path.resolve(__dirname, "../../bench"));
