import { mkdirSync, statSync } from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { runPipeline } from "../provider/pipeline/run";
import { ContentLibraryImages } from "../sdk";
import { tempDir, writeTree } from "../tests/helpers/library";
import { localBackend } from "../tests/helpers/pulumi";
import { median, timed } from "./stats";
import { syntheticOvf } from "./synthetic";

export interface PreviewResult {
  readonly n: number;
  readonly oursUpMs: number;
  readonly peerUpMs: number;
  readonly oursPreviewMs: number;
  readonly peerPreviewMs: number;
  /** `up` from empty with PULUMI_SKIP_CHECKPOINTS=true: the engine writes the state once, at the end. */
  readonly oursUpOneCheckpointMs: number;
  readonly peerUpOneCheckpointMs: number;
  /** Bytes of state per image after `up`. */
  readonly oursStateBytes: number;
  readonly peerStateBytes: number;
}

/** An offline library folder with `n` items in two libraries. */
function library(n: number): string {
  const dir = tempDir("vmimages-benchlib-");
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) files[`lib-${i % 2}/item-${i}.ovf`] = syntheticOvf(i);
  writeTree(dir, files);
  return dir;
}

/**
 * `up` from empty and `preview` with nothing to do, for `n` images through ContentLibraryImages
 * (GitOps target) against the peer: `n` plain @pulumi/kubernetes CustomResources of the same
 * manifests rendered with renderYamlToDirectory. Medians of `runs` fresh stacks. Once more `up`
 * with PULUMI_SKIP_CHECKPOINTS, which separates the program's and providers' own cost from the
 * file backend's, which rewrites the whole state after every step (quadratic in N for everyone).
 */
export async function benchPreview(n: number, runs: number, log: (m: string) => void): Promise<PreviewResult> {
  const lib = library(n);
  const libraries = [
    { name: "lib-0", scope: "cluster" as const },
    { name: "lib-1", namespace: "team-a" },
  ];
  const { manifests } = await runPipeline({
      source: { kind: "directory", directory: lib },
      libraries: [
        { name: "lib-0", scope: { kind: "cluster" } },
        { name: "lib-1", scope: { kind: "namespace", namespace: "team-a" } },
      ],
    });

  const measure = async (name: string, program: (out: string) => () => Promise<Record<string, unknown>>) => {
    const ups: number[] = [];
    const previews: number[] = [];
    const fresh = async (env: Record<string, string> = {}) => {
      const backend = localBackend();
      const workDir = path.join(backend.dir, "ws");
      mkdirSync(workDir);
      const stack = await LocalWorkspace.createOrSelectStack(
        { projectName: `bench-${name}`, stackName: "b", program: program(path.join(backend.dir, "out")) },
        { workDir, envVars: { ...backend.envVars, ...env } },
      );
      return { stack, state: path.join(backend.dir, "state", ".pulumi", "stacks", `bench-${name}`, "b.json") };
    };
    let stateBytes = 0;
    for (let r = 0; r < runs; r++) {
      const { stack, state } = await fresh();
      log(`preview N=${n}: ${name} run ${r + 1}: up`);
      ups.push((await timed(() => stack.up())).ms);
      stateBytes = statSync(state).size;
      log(`preview N=${n}: ${name} run ${r + 1}: preview`);
      const p = await timed(() => stack.preview());
      if (Object.keys(p.value.changeSummary).some((k) => k !== "same")) throw new Error(`${name}: preview after up was not empty: ${JSON.stringify(p.value.changeSummary)}`);
      previews.push(p.ms);
    }
    const upsOneCheckpoint: number[] = [];
    for (let r = 0; r < runs; r++) {
      const { stack } = await fresh({ PULUMI_SKIP_CHECKPOINTS: "true" });
      log(`preview N=${n}: ${name} run ${r + 1}: up, one checkpoint`);
      upsOneCheckpoint.push((await timed(() => stack.up())).ms);
    }
    return { up: median(ups), preview: median(previews), upOneCheckpoint: median(upsOneCheckpoint), stateBytesPerImage: stateBytes / n };
  };

  const ours = await measure("ours", (out) => async () => {
    const images = new ContentLibraryImages("bench", { source: { directory: lib }, libraries, gitops: { directory: out } });
    await images.ready;
    return {};
  });
  const peer = await measure("peer", (out) => async () => {
    const provider = new k8s.Provider("render", { renderYamlToDirectory: out });
    for (const m of manifests) {
      new k8s.apiextensions.CustomResource(`${m.metadata.namespace ?? "cluster"}-${m.metadata.name}`, { ...m } as unknown as k8s.apiextensions.CustomResourceArgs, { provider });
    }
    return {};
  });
  return {
    n,
    oursUpMs: ours.up,
    peerUpMs: peer.up,
    oursPreviewMs: ours.preview,
    peerPreviewMs: peer.preview,
    oursUpOneCheckpointMs: ours.upOneCheckpoint,
    peerUpOneCheckpointMs: peer.upOneCheckpoint,
    oursStateBytes: ours.stateBytesPerImage,
    peerStateBytes: peer.stateBytesPerImage,
  };
}
