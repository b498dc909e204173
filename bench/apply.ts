import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { startCluster } from "../tests/helpers/kube";
import { tempDir, writeTree } from "../tests/helpers/library";
import { median } from "./stats";
import { syntheticOvf } from "./synthetic";

export interface ApplyResult {
  readonly n: number;
  /** `vmimages apply` into an empty namespace, status included. */
  readonly oursFirstMs: number;
  /** The same apply again, nothing changed. */
  readonly oursAgainMs: number;
  /** `kubectl apply --server-side -f DIR` of the same manifests (which cannot set status). */
  readonly peerFirstMs: number;
  readonly peerAgainMs: number;
}

function timedRun(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  execFileSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * `vmimages apply` of N images into an empty namespace of a real kube-apiserver, and the no-change
 * re-apply, against `kubectl apply --server-side` of the same manifests (into a namespace of its own,
 * so the two never share an object); medians of `runs`, each on fresh namespaces, the two taking turns to go first.
 */
export async function benchApply(n: number, runs: number, log: (m: string) => void): Promise<ApplyResult> {
  const cluster = await startCluster();
  const bin = path.resolve(__dirname, "../../bin/vmimages.js");
  const ours: Array<[number, number]> = [];
  const peer: Array<[number, number]> = [];
  try {
    for (let r = 0; r < runs; r++) {
      const dir = tempDir("vmimages-benchapply-");
      for (let i = 0; i < n; i++) writeTree(dir, { [`lib/lib/item-${i}.ovf`]: syntheticOvf(i) });
      const config = (ns: string) => {
        const file = path.join(dir, `${ns}.yaml`);
        writeTree(dir, { [`${ns}.yaml`]: `source:\n  directory: ./lib\nlibraries:\n  - name: lib\n    namespace: ${ns}\n` });
        return file;
      };
      const [mine, theirs] = [`ours-${n}-${r}`, `peer-${n}-${r}`];
      await cluster.kubectl(["create", "namespace", mine]);
      await cluster.kubectl(["create", "namespace", theirs]);
      // The peer's manifests: the folder `vmimages generate` writes for its namespace.
      execFileSync(process.execPath, [bin, "generate", "-c", config(theirs), "-o", path.join(dir, "gitops")]);
      const manifests = path.join(dir, "gitops", "namespaces", theirs);
      log(`apply: N=${n} run ${r + 1}`);
      const applyArgs = [bin, "apply", "-c", config(mine), "--kubeconfig", cluster.adminKubeconfig, "--applyset", mine, "--no-cache"];
      const kubectlArgs = ["--kubeconfig", cluster.adminKubeconfig, "apply", "--server-side", "-f", manifests];
      const runOurs = () => ours.push([timedRun(process.execPath, applyArgs), timedRun(process.execPath, applyArgs)]);
      const runPeer = () => peer.push([timedRun("kubectl", kubectlArgs), timedRun("kubectl", kubectlArgs)]);
      // Each run's second applier meets a server that has just done the first one's work (a
      // larger heap, its collector's debt): who goes first alternates between runs.
      if (r % 2 === 0) {
        runOurs();
        runPeer();
      } else {
        runPeer();
        runOurs();
      }
    }
  } finally {
    await cluster.stop();
  }
  return {
    n,
    oursFirstMs: median(ours.map(([f]) => f)),
    oursAgainMs: median(ours.map(([, a]) => a)),
    peerFirstMs: median(peer.map(([f]) => f)),
    peerAgainMs: median(peer.map(([, a]) => a)),
  };
}
