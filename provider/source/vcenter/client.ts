import * as https from "node:https";
import { URL } from "node:url";
import pLimit from "p-limit";
import { ConfigError, SourceError, VmImagesError, messageOf } from "../../errors";
import { withRetries } from "../../retry";
import { Endpoint, HttpRequest, HttpResponse, send } from "./http";
import { TlsPinError, httpsAgent } from "./tls";
import { SourceStats, VcenterConnection } from "../../types";

export interface VcLibrary {
  readonly id: string;
  readonly name: string;
  readonly type: "LOCAL" | "SUBSCRIBED";
}

export interface VcItem {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly content_version: string;
  readonly description?: string;
  readonly source_id?: string;
  readonly cached?: boolean;
  readonly last_modified_time?: string;
}

interface DownloadFile {
  readonly name: string;
  readonly status: string;
  readonly error_message?: { default_message?: string };
  readonly download_endpoint?: { uri: string };
}

const SESSION_HEADER = "vmware-api-session-id";

/**
 * A client of the vSphere Automation REST API (`/rest/com/vmware/...`, the endpoints govmomi, govc
 * and VM Operator use). Holds one session; logs in again once if it expires mid-run.
 */
export class VcenterClient {
  readonly origin: string;
  readonly stats: SourceStats = { requests: 0, downloads: 0, retries: 0, logins: 0 };
  private readonly endpoint: Endpoint;
  private readonly agent: https.Agent;
  private readonly limit: pLimit.Limit;
  private session?: Promise<string>;
  private relogged = false;

  constructor(private readonly conn: VcenterConnection) {
    this.origin = serverOrigin(conn.server);
    const u = new URL(this.origin);
    this.endpoint = { host: u.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(u.port || 443) };
    this.agent = httpsAgent(conn, conn.concurrency ?? 8);
    this.limit = pLimit(conn.concurrency ?? 8);
  }

  /** The libraries (ids, then each library). */
  async libraries(): Promise<VcLibrary[]> {
    const ids = await this.get<string[]>("/rest/com/vmware/content/library");
    return Promise.all(ids.map((id) => this.get<VcLibrary>(`/rest/com/vmware/content/library/id:${encodeURIComponent(id)}`)));
  }

  /** A library's items (ids, then each item). */
  async items(libraryId: string): Promise<VcItem[]> {
    const ids = await this.get<string[]>(`/rest/com/vmware/content/library/item?library_id=${encodeURIComponent(libraryId)}`);
    return Promise.all(ids.map((id) => this.get<VcItem>(`/rest/com/vmware/content/library/item/id:${encodeURIComponent(id)}`)));
  }

  /**
   * The OVF descriptor of an item, through a download session that is always deleted again. For a
   * subscribed item that is not cached, vCenter fetches the content while the file is prepared.
   */
  async downloadDescriptor(itemId: string): Promise<Buffer> {
    const sessionId = await this.call<string>("POST", "/rest/com/vmware/content/library/item/download-session", {
      create_spec: { library_item_id: itemId },
    });
    const sid = encodeURIComponent(sessionId);
    try {
      const files = await this.get<DownloadFile[]>(`/rest/com/vmware/content/library/item/downloadsession/file?download_session_id=${sid}`);
      const ovf = files.map((f) => f.name).filter((n) => n.toLowerCase().endsWith(".ovf")).sort()[0];
      if (ovf === undefined) throw new Error(`it has no .ovf file (files: ${files.map((f) => f.name).join(", ") || "none"})`);
      const fileUrl = `/rest/com/vmware/content/library/item/downloadsession/file/id:${sid}`;
      let file = await this.call<DownloadFile>("POST", `${fileUrl}?~action=prepare`, { file_name: ovf });
      const deadline = Date.now() + (this.conn.prepareTimeoutMs ?? 300000);
      while (file.status !== "PREPARED") {
        if (file.status === "ERROR") throw new Error(`vCenter could not prepare ${ovf}: ${file.error_message?.default_message ?? "no reason given"}`);
        if (Date.now() > deadline) {
          throw new Error(`${ovf} was not prepared within ${Math.round((this.conn.prepareTimeoutMs ?? 300000) / 1000)} s (status ${file.status}); a subscribed item may still be syncing`);
        }
        await sleep(this.conn.preparePollMs ?? 250);
        file = await this.call<DownloadFile>("POST", `${fileUrl}?~action=get`, { file_name: ovf });
      }
      if (!file.download_endpoint?.uri) throw new Error(`vCenter prepared ${ovf} without a download address`);
      const body = await this.request("GET", this.sameOrigin(file.download_endpoint.uri), undefined, false);
      this.stats.downloads++;
      return body;
    } finally {
      await this.call("DELETE", `/rest/com/vmware/content/library/item/download-session/id:${sid}`).catch(() => undefined);
    }
  }

  /** Ends the session and closes connections; safe to call more than once. */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) {
      const id = await session.catch(() => undefined);
      if (id) {
        await send(this.agent, this.endpoint, { method: "DELETE", path: "/rest/com/vmware/cis/session", headers: { [SESSION_HEADER]: id } }, AbortSignal.timeout(5000)).catch(() => undefined);
      }
    }
    this.agent.destroy();
  }

  private get<T>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }

  /** A JSON call: the `value` of the answer. */
  private async call<T>(method: HttpRequest["method"], path: string, body?: unknown): Promise<T> {
    const raw = await this.request(method, path, body, true);
    if (raw.length === 0) return undefined as T;
    try {
      return (JSON.parse(raw.toString("utf8")) as { value: T }).value;
    } catch (err) {
      throw this.fail(`${method} ${path} answered with something that is not JSON: ${messageOf(err)}`);
    }
  }

  private async request(method: HttpRequest["method"], path: string, body: unknown, json: boolean): Promise<Buffer> {
    const sessionId = await this.login();
    let res = await this.exchange({ method, path, body, headers: { [SESSION_HEADER]: sessionId } });
    if (res.status === 401 && !this.relogged) {
      // The session expired mid-run: log in once more and repeat the request.
      this.relogged = true;
      this.session = undefined;
      res = await this.exchange({ method, path, body, headers: { [SESSION_HEADER]: await this.login() } });
    }
    if (res.status < 200 || res.status >= 300) {
      throw this.fail(`${method} ${path.replace(/\?.*/, "")} failed with HTTP ${res.status}${json ? vapiMessage(res.body) : ""}`);
    }
    return res.body;
  }

  private login(): Promise<string> {
    if (this.session === undefined) {
      const basic = Buffer.from(`${this.conn.username}:${this.conn.password}`).toString("base64");
      this.session = this.exchange({ method: "POST", path: "/rest/com/vmware/cis/session", headers: { authorization: `Basic ${basic}` } }).then((res) => {
        if (res.status === 401 || res.status === 403) {
          throw this.fail(`vCenter rejected the login of user "${this.conn.username}" (HTTP ${res.status}): check the username and password`);
        }
        if (res.status < 200 || res.status >= 300) throw this.fail(`login failed with HTTP ${res.status}${vapiMessage(res.body)}`);
        this.stats.logins++;
        return (JSON.parse(res.body.toString("utf8")) as { value: string }).value;
      });
      this.session.catch(() => undefined);
    }
    return this.session;
  }

  /** One request under the concurrency limit, retried as the project's policy says (retry.ts). */
  private exchange(req: HttpRequest): Promise<HttpResponse> {
    return this.limit(async () => {
      let attempts = 0;
      try {
        return await withRetries(
          this.conn,
          (signal) => {
            attempts++;
            this.stats.requests++;
            return send(this.agent, this.endpoint, req, signal);
          },
          { statusOf: (res) => res.status, onRetry: () => this.stats.retries++ },
        );
      } catch (err) {
        const pinned = err instanceof TlsPinError ? err : (err as { cause?: unknown }).cause instanceof TlsPinError ? ((err as { cause: TlsPinError }).cause) : undefined;
        if (pinned) throw this.fail(pinned.message);
        if (isUntrustedCertificate(err)) {
          throw this.fail(`its TLS certificate is not trusted (${messageOf(err)}): give caFile (its CA bundle), pin its SHA-256 thumbprint, or set insecure`);
        }
        throw this.fail(`cannot reach it (${describeFailure(err)}) after ${attempts} attempt(s)`, err);
      }
    });
  }

  /** Downloads go to the configured server, whatever host name vCenter puts in the address. */
  private sameOrigin(uri: string): string {
    const u = new URL(uri, this.origin);
    return `${u.pathname}${u.search}`;
  }

  private fail(what: string, cause?: unknown): VmImagesError {
    return new SourceError(`vCenter ${this.origin}: ${what}`, {}, cause ? { cause } : undefined);
  }
}

/** `vc.example.com`, `https://vc.example.com/sdk`, `https://user:pw@vc:8443` → `https://vc.example.com[:port]`. */
export function serverOrigin(server: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(server) ? server : `https://${server}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new ConfigError(`the vCenter server "${withoutUserinfo(server)}" is not a valid URL or host name`);
  }
  if (u.protocol !== "https:") throw new ConfigError(`the vCenter server must use https, not ${u.protocol.replace(":", "")}`);
  return `https://${u.host}`;
}

/** A server address without any user name and password before its host (up to the last `@`, so a `/` or `@` in a password counts too). */
export function withoutUserinfo(server: string): string {
  return server.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^]*@/i, (_m, scheme: string | undefined) => scheme ?? "");
}

function vapiMessage(body: Buffer): string {
  try {
    const v = JSON.parse(body.toString("utf8")) as { value?: { messages?: Array<{ default_message?: string }> }; type?: string };
    const msg = v.value?.messages?.map((m) => m.default_message).filter(Boolean).join("; ");
    return msg ? `: ${msg}` : v.type ? `: ${v.type}` : "";
  } catch {
    return "";
  }
}

function isUntrustedCertificate(err: unknown): boolean {
  const code = ((err as { cause?: NodeJS.ErrnoException }).cause ?? (err as NodeJS.ErrnoException))?.code ?? "";
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME/.test(code);
}

/** A network error with its code (`ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9`), or any other's message. */
function describeFailure(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && !messageOf(err).startsWith(code) ? `${code}: ${messageOf(err)}` : messageOf(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
