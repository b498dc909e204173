import { ClientRequest } from "node:http";
import * as https from "node:https";

/** One HTTP exchange's outcome. */
export interface HttpResponse {
  readonly status: number;
  readonly body: Buffer;
}

/** Where requests go: one server, fixed for a client. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface HttpRequest {
  readonly method: "GET" | "POST" | "DELETE";
  /** Path and query, e.g. `/rest/com/vmware/content/library`. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Time from sending the request to the end of the answer. */
  readonly timeoutMs: number;
}

/** Why a request did not produce a response: a network failure, or no answer in time. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Largest response accepted; descriptors are kilobytes and API answers smaller still. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const RETRYABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED"]);

/**
 * Fails requests that run past their time limit, with one timer for all of them. Node's own
 * per-request timeout re-arms the socket's idle timer on every request and every chunk, which in a
 * run of thousands of small requests costs about a tenth of the client's CPU time (measured in
 * bench/); a limit checked every `periodMs` costs a map entry per request. A request fails between
 * its limit and its limit plus one period.
 */
export class Deadlines {
  private readonly open = new Map<ClientRequest, { readonly at: number; readonly ms: number }>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly periodMs: number) {}

  add(request: ClientRequest, ms: number): void {
    this.open.set(request, { at: Date.now() + ms, ms });
    // Unreferenced: the sockets keep the process alive while requests are open, the timer must not.
    this.timer ??= setInterval(() => this.sweep(), this.periodMs).unref();
  }

  delete(request: ClientRequest): void {
    this.open.delete(request);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [request, { at, ms }] of this.open) {
      if (now < at) continue;
      this.open.delete(request);
      request.destroy(new TransportError(`no answer within ${ms} ms`, true));
    }
    if (this.open.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

/** Sends one request over `agent`, within its time limit; never retries (the client decides). */
export function send(agent: https.Agent, to: Endpoint, deadlines: Deadlines, req: HttpRequest): Promise<HttpResponse> {
  const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  return new Promise<HttpResponse>((resolve, reject) => {
    const r = https.request(
      {
        host: to.host,
        port: to.port,
        path: req.path,
        method: req.method,
        agent,
        headers: {
          accept: "application/json",
          ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}),
          ...req.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) r.destroy(new TransportError(`the response is larger than ${MAX_BODY_BYTES} bytes`, false));
          else chunks.push(c);
        });
        res.on("end", () => {
          deadlines.delete(r);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
        res.on("error", (e) => {
          deadlines.delete(r);
          reject(asTransportError(e));
        });
      },
    );
    deadlines.add(r, req.timeoutMs);
    r.on("error", (e) => {
      deadlines.delete(r);
      reject(asTransportError(e));
    });
    r.end(payload);
  });
}

function asTransportError(e: Error): TransportError {
  if (e instanceof TransportError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  return new TransportError(code ? `${code}: ${e.message}` : e.message, code !== undefined && RETRYABLE_CODES.has(code), { cause: e });
}
