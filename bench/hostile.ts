import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { median } from "./stats";

export interface HostileResult {
  readonly kind: "descriptor" | "yaml";
  /** MB of descriptor, or keys of the YAML map. */
  readonly size: number;
  readonly oursMs: number;
  readonly peerMs: number;
  readonly oursRssMb: number;
  readonly peerRssMb: number;
}

function child(kind: string, size: number, who: string): { ms: number; maxRssMb: number } {
  const script = path.join(__dirname, "hostile-child.js");
  return JSON.parse(execFileSync(process.execPath, ["--max-old-space-size=4096", script, kind, String(size), who], { encoding: "utf8", maxBuffer: 1024 * 1024 })) as { ms: number; maxRssMb: number };
}

/**
 * The worst inputs issue 15 names, each in a process of its own: a large descriptor (up to the 32 MB
 * a descriptor may have; a 50 MB one is refused before it is read) and one YAML map of up to 100,000
 * keys in a manifests folder. Peers: the XML and YAML libraries alone on the same text.
 */
export async function benchHostile(runs: number, log: (m: string) => void): Promise<HostileResult[]> {
  const out: HostileResult[] = [];
  for (const [kind, sizes] of [
    ["descriptor", [8, 16, 32]],
    ["yaml", [25_000, 50_000, 100_000]],
  ] as const) {
    for (const size of sizes) {
      log(`hostile: ${kind} ${size}`);
      // Ours and the peer in turn, so a machine that slows down for a while slows both.
      const ours: Array<{ ms: number; maxRssMb: number }> = [];
      const peer: Array<{ ms: number; maxRssMb: number }> = [];
      for (let r = 0; r < runs; r++) {
        ours.push(child(kind, size, "ours"));
        peer.push(child(kind, size, "peer"));
      }
      out.push({
        kind,
        size,
        oursMs: median(ours.map((r) => r.ms)),
        peerMs: median(peer.map((r) => r.ms)),
        oursRssMb: median(ours.map((r) => r.maxRssMb)),
        peerRssMb: median(peer.map((r) => r.maxRssMb)),
      });
    }
  }
  return out;
}
