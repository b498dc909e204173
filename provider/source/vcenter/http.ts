import * as https from "node:https";
import { URL } from "node:url";

/** One HTTP exchange's outcome. */
export interface HttpResponse {
  readonly status: number;
  readonly body: Buffer;
}

export interface HttpRequest {
  readonly method: "GET" | "POST" | "DELETE";
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** @default 30000 */
  readonly timeoutMs?: number;
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

/** Sends one request over `agent` with a timeout; never retries (the client decides). */
export function send(agent: https.Agent, req: HttpRequest): Promise<HttpResponse> {
  const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  return new Promise<HttpResponse>((resolve, reject) => {
    const r = https.request(
      req.url,
      {
        method: req.method,
        agent,
        headers: {
          accept: "application/json",
          ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}),
          ...req.headers,
        },
        timeout: req.timeoutMs ?? 30000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) r.destroy(new TransportError(`the response is larger than ${MAX_BODY_BYTES} bytes`, false));
          else chunks.push(c);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on("error", (e) => reject(asTransportError(e)));
      },
    );
    r.on("timeout", () => r.destroy(new TransportError(`no answer within ${req.timeoutMs ?? 30000} ms`, true)));
    r.on("error", (e) => reject(asTransportError(e)));
    r.end(payload);
  });
}

function asTransportError(e: Error): TransportError {
  if (e instanceof TransportError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  return new TransportError(code ? `${code}: ${e.message}` : e.message, code !== undefined && RETRYABLE_CODES.has(code), { cause: e });
}
