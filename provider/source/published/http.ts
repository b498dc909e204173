import * as http from "node:http";
import * as https from "node:https";
import { Readable } from "node:stream";
import pLimit from "p-limit";
import { messageOf } from "../../errors";
import { TimeLimitError, retryableStatus, withRetries } from "../../retry";
import { PublishedLibraryConnection, SourceStats } from "../../types";
import { TlsPinError, httpsAgent, thumbprintAlgorithm } from "../vcenter/tls";
import { refusedRedirect, shown } from "./urls";

/** Redirects followed for one request at most (vCloud Director's file links take one). */
export const MAX_REDIRECTS = 5;

/**
 * Why a GET failed: `what` is said of the URL asked for (`was not found (HTTP 404)`), so a message
 * reads `<url> <what>`; `retryable` tells the retry policy whether to try again.
 */
export class FetchError extends Error {
  /** The HTTP status of an answer that was an error. */
  readonly status?: number;

  constructor(
    readonly url: URL,
    readonly what: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; status?: number },
  ) {
    super(`${shown(url)} ${what}`, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = "FetchError";
    if (options?.status !== undefined) this.status = options.status;
  }
}

export interface GetOptions {
  /** Largest body accepted: a larger one (or a larger Content-Length) is refused, its transfer stopped. */
  readonly maxBytes: number;
  /** The size the listing gives: a body of another length is refused (and tried again). */
  readonly expectSize?: number;
}

/** A response body with its content type. */
export interface Fetched {
  readonly body: Buffer;
  readonly contentType?: string;
}

/**
 * A client of one published library: GETs on the library's host over kept-alive connections, with
 * its credentials (HTTP Basic) and TLS settings, redirects followed on the same host only, bodies
 * bounded, and every request bounded in time and retried by the project's policy (retry.ts).
 * Credentials go only to the library's host and are never part of a message.
 */
export class PublishedClient {
  readonly stats: SourceStats = { requests: 0, downloads: 0, retries: 0, logins: 0 };
  private readonly limit: pLimit.Limit;
  private readonly authorization?: string;
  private httpAgent?: http.Agent;
  private httpsAgentInstance?: https.Agent;
  private readonly host: string;
  /** Whether credentials may cross plain HTTP (the configuration said `insecure`). */
  private readonly clearTextAllowed: boolean;

  constructor(
    readonly libraryUrl: URL,
    private readonly conn: PublishedLibraryConnection,
  ) {
    const concurrency = conn.concurrency ?? 8;
    this.limit = pLimit(concurrency);
    this.host = libraryUrl.host;
    if (conn.password !== undefined) this.authorization = `Basic ${Buffer.from(`${conn.username ?? "vcsp"}:${conn.password}`).toString("base64")}`;
    this.clearTextAllowed = conn.insecure === true;
    if (conn.thumbprint !== undefined && thumbprintAlgorithm(conn.thumbprint) === undefined) throw new Error("the thumbprint must be 40 (SHA-1) or 64 (SHA-256) hex digits");
  }

  /** The whole body of a GET on `url` (redirects followed). @throws FetchError naming the URL. */
  get(url: URL, options: GetOptions): Promise<Fetched> {
    return this.attempts(url, (res, final, req, signal) => readBody(res, url, final, req, signal, options));
  }

  /**
   * A GET on `url` whose body `consume` reads as a stream, as far as it needs: the transfer is
   * stopped when it settles (an OVA is read up to its descriptor, never its disks).
   */
  stream<T>(url: URL, consume: (body: Readable, final: URL) => Promise<T>): Promise<T> {
    return this.attempts(url, async (res, final, req, signal) => {
      try {
        return await consume(res, final);
      } catch (err) {
        // Cancelled at its time limit: that is the reason, whatever the reader made of the stream.
        throw signal.aborted && signal.reason instanceof TimeLimitError ? signal.reason : err;
      } finally {
        req.destroy();
      }
    });
  }

  /** Closes the kept-alive connections; safe to call more than once. */
  close(): void {
    this.httpAgent?.destroy();
    this.httpsAgentInstance?.destroy();
  }

  /** One GET under the concurrency limit, tried as the retry policy says; its failure names the URL and the attempts. */
  private attempts<T>(url: URL, read: (res: http.IncomingMessage, final: URL, req: http.ClientRequest, signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.limit(async () => {
      let attempts = 0;
      try {
        return await withRetries(
          this.conn,
          async (signal) => {
            attempts++;
            const { res, final, req } = await this.follow(url, signal);
            return read(res, final, req, signal);
          },
          { onRetry: () => this.stats.retries++ },
        );
      } catch (err) {
        throw describe(err, url, attempts);
      }
    });
  }

  /** Sends the GET and follows redirects on the library's host, up to the first answer that is not one. */
  private async follow(start: URL, signal: AbortSignal): Promise<{ res: http.IncomingMessage; final: URL; req: http.ClientRequest }> {
    const seen = new Set<string>();
    let url = start;
    // What a message says of a hop after the first: where it went.
    const via = () => (url.href === start.href ? "" : ` (redirected to ${shown(url)})`);
    for (let hop = 0; ; hop++) {
      seen.add(url.href);
      const { res, req } = await this.send(url, signal);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && status !== 304 && location !== undefined) {
        res.resume();
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new FetchError(start, `redirects${via()} to ${JSON.stringify(location)}, which is not a URL`, false);
        }
        next.hash = "";
        const refused = refusedRedirect(url, next);
        if (refused !== undefined) throw new FetchError(start, `redirects${via()} ${refused}: ${shown(next)}; vmimages follows redirects on the library's host only`, false);
        if (seen.has(next.href)) throw new FetchError(start, `redirects in a loop (${shown(url)} redirects back to ${shown(next)})`, false);
        if (hop + 1 > MAX_REDIRECTS) throw new FetchError(start, `redirects more than ${MAX_REDIRECTS} times`, false);
        url = next;
        continue;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        throw statusError(start, via(), status, this.authorization !== undefined, res.headers["www-authenticate"]);
      }
      return { res, final: url, req };
    }
  }

  /** One HTTP request, its response once the headers arrived. */
  private send(url: URL, signal: AbortSignal): Promise<{ res: http.IncomingMessage; req: http.ClientRequest }> {
    const secure = url.protocol === "https:";
    const agent = secure ? (this.httpsAgentInstance ??= httpsAgent(this.conn, this.conn.concurrency ?? 8)) : (this.httpAgent ??= new http.Agent({ keepAlive: true, maxSockets: this.conn.concurrency ?? 8 }));
    // Credentials go to the library's host only (a redirect may not leave it), and over plain HTTP
    // only when the configuration said insecure (arguments.ts refuses them there otherwise).
    const headers: Record<string, string> = { accept: "application/json, */*" };
    if (this.authorization !== undefined && url.host === this.host && (secure || this.clearTextAllowed)) headers.authorization = this.authorization;
    this.stats.requests++;
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(url, { method: "GET", agent, signal, headers }, (res) => resolve({ res, req }));
      req.on("error", (e) => reject(signal.aborted && signal.reason instanceof TimeLimitError ? signal.reason : e));
      req.end();
    });
  }
}

/** The body of a response, within the size limits; a body of another length than expected is an error worth another try. */
function readBody(res: http.IncomingMessage, url: URL, final: URL, req: http.ClientRequest, signal: AbortSignal, options: GetOptions): Promise<Fetched> {
  const via = final.href === url.href ? "" : ` (redirected to ${shown(final)})`;
  const contentType = res.headers["content-type"];
  const declared = Number(res.headers["content-length"] ?? NaN);
  return new Promise<Fetched>((resolve, reject) => {
    if (declared > options.maxBytes) {
      req.destroy();
      reject(new FetchError(url, `answered${via} ${declared} bytes, more than the ${options.maxBytes} allowed`, false));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      req.destroy();
      // Cancelled at its time limit: that is the reason, whatever the stream says.
      reject(signal.aborted && signal.reason instanceof TimeLimitError ? signal.reason : err);
    };
    res.on("data", (c: Buffer) => {
      size += c.length;
      if (size > options.maxBytes) fail(new FetchError(url, `answered${via} more than the ${options.maxBytes} bytes allowed`, false));
      else chunks.push(c);
    });
    res.on("end", () => {
      if (options.expectSize !== undefined && size !== options.expectSize) {
        fail(new FetchError(url, `answered${via} ${size} bytes, not the ${options.expectSize} its listing gives (cut short?)`, true));
        return;
      }
      if (settled) return;
      settled = true;
      resolve({ body: Buffer.concat(chunks), ...(typeof contentType === "string" ? { contentType } : {}) });
    });
    res.on("error", fail);
    res.on("close", () => {
      if (!res.complete) fail(new FetchError(url, `was cut short${via}: the connection closed before the whole body arrived`, true));
    });
  });
}

function statusError(url: URL, via: string, status: number, sentCredentials: boolean, challenge: string | string[] | undefined): FetchError {
  const realm = typeof challenge === "string" && /realm="([^"]*)"/i.exec(challenge)?.[1];
  const what =
    status === 401
      ? sentCredentials
        ? "refused the credentials (HTTP 401): check username and the password"
        : `needs credentials (HTTP 401${realm ? `, realm "${realm}"` : ""}): give username and a password`
      : status === 403
        ? "refused access (HTTP 403 Forbidden)"
        : status === 404
          ? "was not found (HTTP 404)"
          : `answered HTTP ${status}`;
  return new FetchError(url, `${what}${via}`, retryableStatus(status), { status });
}

/** A failed GET as the source reports it: its own message, or the network's with the attempts made. */
function describe(err: unknown, url: URL, attempts: number): FetchError {
  if (err instanceof FetchError) return err;
  if (err instanceof TlsPinError) return new FetchError(url, `was refused: ${err.message}; nothing was sent to it`, false, { cause: err });
  if (err instanceof TimeLimitError) return new FetchError(url, `gave ${err.message} (${attempts} attempt(s))`, true, { cause: err });
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === "string" && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME/.test(code)) {
    return new FetchError(url, `has a TLS certificate that is not trusted (${messageOf(err)}): give its CA (caFile), pin its thumbprint, or set insecure`, false, { cause: err });
  }
  const reason = typeof code === "string" && !messageOf(err).startsWith(code) ? `${code}: ${messageOf(err)}` : messageOf(err);
  return new FetchError(url, `cannot be reached (${reason}) after ${attempts} attempt(s)`, true, { cause: err });
}
