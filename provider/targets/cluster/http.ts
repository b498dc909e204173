import type * as K8s from "@kubernetes/client-node";
import * as http from "node:http";
import * as http2 from "node:http2";
import * as https from "node:https";
import { isIP } from "node:net";
import { ConnectionOptions, connect as tlsConnect } from "node:tls";
import { OutputError, messageOf } from "../../errors";
import { RetryPolicy, TimeLimitError, withRetries } from "../../retry";
import { ExecCredential, ExecCredentials } from "./exec";

/**
 * One request to the API server (a PATCH is a server-side apply, a PUT an update, each of a JSON
 * body): the answer's JSON, or an error shaped as the client's own (a numeric `code`, the Status as `body`).
 */
export type Request = (method: "GET" | "PATCH" | "PUT" | "DELETE", path: string, body?: unknown) => Promise<unknown>;

interface Answer {
  readonly status: number;
  readonly text: string;
}

/**
 * Requests to a kubeconfig's cluster, with its credentials. The client gives every request its
 * credentials and TLS settings as kubectl would (contexts, client certificates, tokens, auth
 * providers), and an exec plugin's credential comes from `exec` (exec.ts), asked for each request
 * (it may expire) before the request's time limit starts, and asked again once if refused; the requests
 * themselves go over one HTTP/2 connection, as kubectl's do, through Node's own `http2` (or over
 * HTTP/1.1 when the server offers only that). The client's connection layer (undici, a new
 * connection pool for every request, so a TLS handshake per request on cores the API server needs
 * too) is never loaded. Through a proxy (`proxy-url`) or to a plain `http:` server (`kubectl
 * proxy`), a request goes over HTTP/1.1 with the client's own agent for it.
 *
 * Requests follow the project's retry policy (retry.ts): each attempt (opening the connection
 * included) is bounded in time and cancelled at its limit, never left open, since an open request
 * holds the process, which would then not exit after the run failed.
 */
export function connect(kc: K8s.KubeConfig, policy: RetryPolicy = {}, exec?: ExecCredentials): Request {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new OutputError("the kubeconfig has no current cluster: set its current-context, or give --context");
  const server = new URL(cluster.server);
  // A server may sit under a path (a proxy in front of several clusters): requests go below it.
  const prefix = server.pathname.replace(/\/+$/, "");
  const overHttp1 = cluster.proxyUrl !== undefined || server.protocol === "http:";
  const connection = overHttp1 ? undefined : new ServerConnection(server.origin);
  const attempt = async (method: string, path: string, content: unknown, signal: AbortSignal, credential: ExecCredential | undefined): Promise<unknown> => {
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    if (credential?.token) options.headers = { ...options.headers, authorization: `Bearer ${credential.token}` };
    if (credential?.clientCertificateData) Object.assign(options, { cert: credential.clientCertificateData, key: credential.clientKeyData });
    const body = content === undefined ? undefined : jsonForYamlReaders(content);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = String(value);
    if (options.auth) headers.authorization = `Basic ${Buffer.from(options.auth).toString("base64")}`;
    headers.accept = "application/json";
    headers["user-agent"] = "vmimages";
    if (body !== undefined) headers["content-type"] = method === "PATCH" ? "application/apply-patch+yaml" : "application/json";
    const answer = connection
      ? await connection.request(tlsOf(options), method, `${prefix}${path}`, headers, body, signal)
      : await requestHttp1(new URL(`${server.origin}${prefix}${path}`), options, method, headers, body, signal);
    if (answer.status >= 300) throw Object.assign(new Error(`HTTP ${answer.status}`), { code: answer.status, body: answer.text });
    return JSON.parse(answer.text) as unknown;
  };
  const send = async (method: "GET" | "PATCH" | "PUT" | "DELETE", path: string, content: unknown): Promise<unknown> => {
    const credential = await exec?.get();
    return withRetries(policy, (signal) => attempt(method, path, content, signal, credential));
  };
  return async (method, path, content) => {
    try {
      return await send(method, path, content);
    } catch (err) {
      // An exec plugin's token the server no longer takes: the plugin is asked once more, as client-go does.
      if (exec === undefined || code(err) !== 401) throw err;
      exec.refused();
      return send(method, path, content);
    }
  };
}

/**
 * A request's JSON body, with DEL, the C1 controls, the line and paragraph separators and the two
 * noncharacters escaped: the API server reads an apply patch as YAML, whose reader refuses them raw
 * (and turns a raw NEL into a space), while JSON.stringify leaves them so. Outside strings JSON holds
 * only ASCII, so every match is inside a string, where the escape means the same character.
 */
export function jsonForYamlReaders(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The kubeconfig's TLS settings, which a connection to the server needs. */
type Tls = Pick<ConnectionOptions, "ca" | "cert" | "key" | "pfx" | "passphrase" | "servername" | "rejectUnauthorized">;

/** What a connection to the server needs of a request's options: the kubeconfig's TLS settings. */
function tlsOf(o: https.RequestOptions): Tls {
  const tls: Tls = {};
  if (o.ca !== undefined) tls.ca = o.ca;
  if (o.cert !== undefined) tls.cert = o.cert;
  if (o.key !== undefined) tls.key = o.key;
  if (o.pfx !== undefined) tls.pfx = o.pfx;
  if (o.passphrase !== undefined) tls.passphrase = o.passphrase;
  if (o.servername !== undefined) tls.servername = o.servername;
  // Unset, Node decides as for any TLS connection (NODE_TLS_REJECT_UNAUTHORIZED included).
  if (o.rejectUnauthorized !== undefined) tls.rejectUnauthorized = o.rejectUnauthorized;
  return tls;
}

/**
 * The connection to the server, negotiated as kubectl's is: TLS offering HTTP/2 and HTTP/1.1, one
 * HTTP/2 session for every request when the server takes HTTP/2 (an API server does), else
 * HTTP/1.1 over kept-alive connections (a proxy in front of it may speak only that). Opened at the
 * first request with its TLS settings (a kubeconfig fixes them for a run), and again after the
 * server closed the session or went away. It holds the process open only while a request is in
 * flight, so a finished run exits.
 */
class ServerConnection {
  private session?: http2.ClientHttp2Session;
  private opening?: Promise<http2.ClientHttp2Session | undefined>;
  /** Set once the server chose HTTP/1.1. */
  private http1?: https.Agent;
  private active = 0;

  constructor(private readonly origin: string) {}

  async request(tls: Tls, method: string, path: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<Answer> {
    const session = await this.open(tls, signal);
    if (!session) return requestHttp1(new URL(`${this.origin}${path}`), { ...tls, agent: this.http1! }, method, headers, body, signal);
    if (this.active++ === 0) session.ref();
    let cancel: (() => void) | undefined;
    return new Promise<Answer>((resolve, reject) => {
      // Node closes a DELETE's request side at once unless told it has a body (a prune's preconditions).
      const stream = session.request({ ":method": method, ":path": path, ...headers }, { endStream: body === undefined });
      cancel = () => {
        reject(signal.reason);
        stream.close(http2.constants.NGHTTP2_CANCEL);
      };
      if (signal.aborted) cancel();
      signal.addEventListener("abort", cancel, { once: true });
      let status = 0;
      const chunks: Buffer[] = [];
      stream.on("response", (h) => (status = Number(h[":status"])));
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => resolve({ status, text: Buffer.concat(chunks).toString("utf8") }));
      stream.on("error", reject);
      // After its end or error this settles nothing; before, the server reset the stream.
      stream.on("close", () => reject(Object.assign(new Error(`the server closed the request's stream before answering (HTTP/2 code ${stream.rstCode})`), { retryable: true })));
      stream.end(body);
    }).finally(() => {
      if (cancel) signal.removeEventListener("abort", cancel);
      if (--this.active === 0 && !session.destroyed) session.unref();
    });
  }

  /** The live session, or undefined when the server speaks HTTP/1.1 only; every request waits on the one being opened. */
  private async open(tls: Tls, signal: AbortSignal): Promise<http2.ClientHttp2Session | undefined> {
    if (this.http1) return undefined;
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    this.opening ??= this.negotiate(tls, signal).finally(() => (this.opening = undefined));
    return this.opening;
  }

  /** Opens the connection, given up when the signal of the request that asked for it aborts. */
  private negotiate(tls: Tls, signal: AbortSignal): Promise<http2.ClientHttp2Session | undefined> {
    const url = new URL(this.origin);
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    return new Promise((resolve, reject) => {
      // SNI names a host, never an address.
      const socket = tlsConnect({ ...tls, host, port: Number(url.port || 443), ALPNProtocols: ["h2", "http/1.1"], servername: tls.servername ?? (isIP(host) ? undefined : host) });
      const giveUp = () => socket.destroy(signal.reason instanceof TimeLimitError ? Object.assign(new Error(`no connection to ${this.origin} within ${signal.reason.timeoutMs} ms`), { retryable: true }) : signal.reason);
      if (signal.aborted) giveUp();
      signal.addEventListener("abort", giveUp, { once: true });
      socket.once("error", (err) => {
        signal.removeEventListener("abort", giveUp);
        reject(err);
      });
      socket.once("secureConnect", () => {
        signal.removeEventListener("abort", giveUp);
        socket.removeAllListeners("error");
        if (socket.alpnProtocol !== "h2") {
          socket.destroy();
          this.http1 = new https.Agent({ ...tls, keepAlive: true });
          resolve(undefined);
          return;
        }
        const session = http2.connect(this.origin, { ...tls, createConnection: () => socket });
        // A session's error reaches each of its streams, which report it; unheard, it would end the process.
        session.on("error", () => undefined);
        const forget = () => {
          if (this.session === session) this.session = undefined;
        };
        session.on("close", forget);
        session.on("goaway", forget);
        session.unref();
        resolve((this.session = session));
      });
    });
  }
}

/** A request over HTTP/1.1, through the client's agent for the cluster (its proxy, or plain HTTP), cancelled when `signal` aborts. */
function requestHttp1(url: URL, options: https.RequestOptions, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<Answer> {
  const send = url.protocol === "http:" ? http.request : https.request;
  const { headers: _given, auth: _auth, ...rest } = options;
  return new Promise<Answer>((resolve, reject) => {
    const failed = (err: Error) => reject(signal.aborted ? signal.reason : err);
    const request = send(url, { ...rest, method, headers, signal }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", failed);
    });
    request.on("error", failed);
    request.end(body);
  });
}

/** The HTTP status of a request's error, if the server answered. */
export function code(err: unknown): number | undefined {
  const c = (err as { code?: unknown }).code;
  return typeof c === "number" ? c : undefined;
}

function bodyOf(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  return typeof body === "string" ? body : body === undefined ? "" : JSON.stringify(body);
}

/** What the server said: its Status message (which names the verb, resource and namespace for a 403), with the HTTP code. */
export function describe(err: unknown): string {
  const c = code(err);
  let message: string | undefined;
  try {
    message = (JSON.parse(bodyOf(err)) as { message?: string }).message;
  } catch {
    message = undefined;
  }
  if (c === 401) return `the credentials were refused (HTTP 401${message ? `: ${message}` : ""}); check the kubeconfig's user`;
  if (c !== undefined) return `HTTP ${c}${message ? `: ${message}` : ""}`;
  // A request waiting for a connection that failed says only that it was canceled; the reason (ECONNREFUSED, a certificate, …) is its cause.
  const cause = (err as { cause?: unknown }).cause;
  if ((err as { code?: unknown }).code === "ERR_HTTP2_STREAM_CANCEL" && cause !== undefined) return messageOf(cause);
  return cause !== undefined ? `${messageOf(err)} (${messageOf(cause)})` : messageOf(err);
}
