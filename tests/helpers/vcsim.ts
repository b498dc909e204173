import { ChildProcess, execFile, spawn } from "node:child_process";
import * as https from "node:https";
import * as tls from "node:tls";
import { promisify } from "node:util";
import { requireTool } from "./pulumi";

const exec = promisify(execFile);

export interface Vcsim {
  /** `https://127.0.0.1:<port>` */
  readonly origin: string;
  readonly username: string;
  readonly password: string;
  /** Runs govc against this simulator; resolves to its stdout. */
  govc(...args: string[]): Promise<string>;
  govcJson<T>(...args: string[]): Promise<T>;
  /** The PEM certificate the simulator serves. */
  certificatePem(): Promise<string>;
  /** SHA-256 fingerprint of that certificate. */
  thumbprint(): Promise<string>;
  /** Kills the simulator at once (SIGKILL), as a crash would. */
  kill(): void;
  stop(): Promise<void>;
}

export interface VcsimOptions {
  /** Accept only these credentials (vcsim otherwise accepts any). */
  readonly username?: string;
  readonly password?: string;
  /** End idle sessions after this long, e.g. "1s". */
  readonly sessionIdle?: string;
}

/**
 * Starts govmomi's vcsim on 127.0.0.1 on a free port (never any other address) and waits until
 * its REST API answers. Stop it with `stop()`.
 */
export async function startVcsim(options: VcsimOptions = {}): Promise<Vcsim> {
  const bin = requireTool("vcsim");
  const govcBin = requireTool("govc");
  const username = options.username ?? "administrator@vsphere.local";
  const password = options.password ?? "vcsim-test-password";
  const args = ["-l", "127.0.0.1:0"];
  if (options.username) args.push("-username", username, "-password", password);
  if (options.sessionIdle) args.push("-session-idle", options.sessionIdle);
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  const url = await firstLine(child);
  const origin = new URL(url).origin;
  if (new URL(origin).hostname !== "127.0.0.1") throw new Error(`vcsim listens on ${origin}, not on 127.0.0.1`);
  await waitUntilAnswering(origin);

  const env = { ...process.env, GOVC_URL: `${origin}/sdk`, GOVC_USERNAME: username, GOVC_PASSWORD: password, GOVC_INSECURE: "1" };
  const govc = async (...a: string[]) => (await exec(govcBin, a, { env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  let peer: tls.PeerCertificate | undefined;
  const cert = async () =>
    (peer ??= await new Promise<tls.PeerCertificate>((resolve, reject) => {
      const u = new URL(origin);
      const s = tls.connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false }, () => {
        resolve(s.getPeerCertificate());
        s.end();
      });
      s.on("error", reject);
    }));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    origin,
    username,
    password,
    govc,
    govcJson: async <T>(...a: string[]) => JSON.parse(await govc(...a)) as T,
    certificatePem: async () => `-----BEGIN CERTIFICATE-----\n${(await cert()).raw.toString("base64").replace(/(.{64})/g, "$1\n").trim()}\n-----END CERTIFICATE-----\n`,
    thumbprint: async () => (await cert()).fingerprint256,
    kill: () => child.kill("SIGKILL"),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`vcsim printed no URL within 30 s: ${err}`)), 30000);
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl).trim());
      }
    });
    child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`vcsim exited (${code}) before printing its URL: ${err}`));
    });
  });
}

async function waitUntilAnswering(origin: string): Promise<void> {
  const deadline = Date.now() + 30000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = https.request(`${origin}/rest/com/vmware/cis/session`, { method: "GET", rejectUnauthorized: false, timeout: 2000 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
      req.end();
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`vcsim at ${origin} did not answer within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
