import * as https from "node:https";
import { TimeLimitError } from "../../retry";

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
}

/** Why a request did not produce a response: a network failure, or an answer too large. */
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
/**
 * Sends one request over `agent`, cancelled when `signal` aborts (its time limit: a TimeLimitError);
 * never retries (the client's policy decides).
 */
export function send(agent: https.Agent, to: Endpoint, req: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
  const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  return new Promise<HttpResponse>((resolve, reject) => {
    const r = https.request(
      {
        host: to.host,
        port: to.port,
        path: req.path,
        method: req.method,
        agent,
        signal,
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
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on("error", (e) => reject(failure(e, signal)));
      },
    );
    r.on("error", (e) => reject(failure(e, signal)));
    r.end(payload);
  });
}

/** What a request failed of: its time limit, or the network (whose error, with its code, the policy classifies). */
function failure(e: Error, signal: AbortSignal): Error {
  if (signal.aborted && signal.reason instanceof TimeLimitError) return signal.reason;
  return e;
}
