import { spawn } from "node:child_process";
import { OutputError } from "../../errors";
import { isRecord, printable } from "../../util";

/**
 * A kubeconfig user's exec credential plugin (client.authentication.k8s.io), run as client-go runs
 * it, with what client-go lacks: a time limit (the plugin's whole process group is killed at it),
 * one run at a time for all the requests that wait on it, and messages that name the plugin and its
 * exit status and keep what it wrote to standard error, but never what it wrote to standard output,
 * which is where a credential goes.
 */

/** The `exec` of a kubeconfig user. */
export interface ExecConfig {
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: ReadonlyArray<{ readonly name: string; readonly value: string }> | null;
  readonly apiVersion?: string;
  readonly installHint?: string;
  readonly provideClusterInfo?: boolean;
  readonly interactiveMode?: string;
}

/** What a plugin gave: a token, or a client certificate and key. */
export interface ExecCredential {
  readonly token?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
  /** When it expires (ms since the epoch); undefined: for the whole run. */
  readonly expiresAt?: number;
}

/** @default a minute, as long as a person may take to log in in a browser the plugin opens */
export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
const MAX_STDOUT = 1024 * 1024;
const STDERR_KEPT = 8 * 1024;

/** Runs a user's exec plugin once for every request that needs a credential, again only once it expired or was refused. */
export class ExecCredentials {
  private held?: ExecCredential;
  private running?: Promise<ExecCredential>;

  constructor(
    private readonly config: ExecConfig & { readonly user: string },
    private readonly timeoutMs: number = DEFAULT_EXEC_TIMEOUT_MS,
    private readonly cluster?: { readonly server: string; readonly certificateAuthorityData?: string },
  ) {}

  /**
   * The credential of the plugin's last run while it is valid (with a margin before it expires), else
   * of a new run, which every request that asks meanwhile waits on. @throws OutputError naming the plugin.
   */
  get(): Promise<ExecCredential> {
    const held = this.held;
    if (held && (held.expiresAt === undefined || held.expiresAt - 10_000 > Date.now())) return Promise.resolve(held);
    this.running ??= runPlugin(this.config, this.timeoutMs, this.cluster)
      .then((credential) => (this.held = credential))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Forgets the credential (the server refused it): the next request runs the plugin again. */
  refused(): void {
    this.held = undefined;
  }
}

/** `exec plugin ./get-token (user "admin")`, for messages. */
function pluginName(config: ExecConfig & { readonly user: string }): string {
  return `the exec plugin ${printable(config.command)} (user "${printable(config.user)}")`;
}

/** One run of the plugin. @throws OutputError naming it: its exit code or signal and standard error, or what is wrong with its answer. */
export function runPlugin(config: ExecConfig & { readonly user: string }, timeoutMs: number, cluster?: { readonly server: string; readonly certificateAuthorityData?: string }): Promise<ExecCredential> {
  const name = pluginName(config);
  const apiVersion = config.apiVersion ?? "client.authentication.k8s.io/v1";
  if (config.interactiveMode === "Always") return Promise.reject(new OutputError(`${name} needs a terminal to ask for credentials (interactiveMode: Always), which vmimages never gives it; log in with it first, or use a kubeconfig user that needs no prompt`));
  const info = { apiVersion, kind: "ExecCredential", spec: { interactive: false, ...(config.provideClusterInfo && cluster ? { cluster: { server: cluster.server, ...(cluster.certificateAuthorityData ? { "certificate-authority-data": cluster.certificateAuthorityData } : {}) } } : {}) } };
  const env = { ...process.env, ...Object.fromEntries((config.env ?? []).map((e) => [e.name, e.value])), KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  return new Promise<ExecCredential>((resolve, reject) => {
    const child = spawn(config.command, [...(config.args ?? [])], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stdoutBytes = 0;
    let stderr = "";
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new OutputError(message));
    };
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // Gone already.
      }
    };
    const timer = setTimeout(() => {
      killGroup("SIGKILL");
      fail(`${name} did not finish within ${Math.round(timeoutMs / 1000)} s; it was stopped${stderrPart(stderr)}`);
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_STDOUT) {
        killGroup("SIGKILL");
        fail(`${name} wrote more than ${MAX_STDOUT} bytes to standard output, which is no ExecCredential`);
      } else stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_KEPT)));
    child.on("error", (err: NodeJS.ErrnoException) => {
      const hint = config.installHint ? `\n${printable(config.installHint)}` : "";
      fail(err.code === "ENOENT" ? `${name} was not found${hint}` : err.code === "EACCES" ? `${name} cannot be run (permission denied)` : `${name} could not be started (${err.code ?? "error"})`);
    });
    child.on("close", (code, signal) => {
      if (settled) return;
      if (signal) return fail(`${name} was killed by ${signal}${stderrPart(stderr)}`);
      if (code !== 0) return fail(`${name} failed with exit code ${code}${stderrPart(stderr)}`);
      try {
        const credential = credentialOf(stdout, apiVersion, name);
        settled = true;
        clearTimeout(timer);
        resolve(credential);
      } catch (err) {
        fail((err as Error).message);
      }
    });
  });
}

/** What the plugin wrote to standard error, last part, as it may be printed. */
function stderrPart(stderr: string): string {
  const text = stderr.trim();
  return text ? `; it said: ${text.split("\n").map(printable).join("\n  ")}` : "";
}

/** The credential in a plugin's standard output. @throws Error saying what is wrong, never quoting the output. */
export function credentialOf(stdout: string, apiVersion: string, name: string): ExecCredential {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    throw new Error(`${name} wrote no ExecCredential to standard output (it is not JSON)`);
  }
  if (!isRecord(value) || value.kind !== "ExecCredential") throw new Error(`${name} wrote no ExecCredential to standard output (no kind: ExecCredential)`);
  if (value.apiVersion !== apiVersion) throw new Error(`${name} answered in apiVersion ${printable(String(value.apiVersion))}; its kubeconfig asks for ${printable(apiVersion)}`);
  const status = value.status;
  if (!isRecord(status)) throw new Error(`${name} answered without a status`);
  const text = (k: string) => (typeof status[k] === "string" && status[k] !== "" ? (status[k] as string) : undefined);
  const token = text("token");
  const cert = text("clientCertificateData");
  const key = text("clientKeyData");
  if (!token && !(cert && key)) throw new Error(`${name} answered with neither a token nor a client certificate and key`);
  if (Boolean(cert) !== Boolean(key)) throw new Error(`${name} answered with a client ${cert ? "certificate without its key" : "key without its certificate"}`);
  const expiry = text("expirationTimestamp");
  const expiresAt = expiry !== undefined ? Date.parse(expiry) : undefined;
  return { ...(token ? { token } : {}), ...(cert && key ? { clientCertificateData: cert, clientKeyData: key } : {}), ...(expiresAt !== undefined && !Number.isNaN(expiresAt) ? { expiresAt } : {}) };
}
