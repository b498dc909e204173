import { readFileSync, statSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { certificate } from "./tls";

/**
 * Web servers for published content libraries, on 127.0.0.1, made with Node's own http and https:
 * a folder served as files (what `vmimages publish` writes, behind any static web server), and
 * handlers for other shapes. Every request is recorded, so a test can say what reached the server.
 */

/** A request as the server saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
}

export interface LibraryServer {
  /** `http://127.0.0.1:PORT` or `https://…`. */
  readonly origin: string;
  readonly port: number;
  /** The certificate (PEM) and its SHA-1 and SHA-256 thumbprints, for HTTPS. */
  readonly cert?: string;
  readonly fingerprint?: string;
  readonly fingerprint256?: string;
  /** Every request that reached the server, in order. */
  readonly requests: SeenRequest[];
  /** TLS or TCP connections the server accepted. */
  connections: number;
  /** The paths requested since the last `reset()`. */
  paths(): string[];
  reset(): void;
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly tls?: boolean;
  /** HTTP Basic credentials every request must carry (else 401 with a challenge). */
  readonly basic?: { readonly username: string; readonly password: string };
}

/** Starts a server on a free port of 127.0.0.1 answering with `handler`. */
export async function startLibraryServer(handler: http.RequestListener, options: ServerOptions = {}): Promise<LibraryServer> {
  const requests: SeenRequest[] = [];
  const expected = options.basic && `Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`).toString("base64")}`;
  const listener: http.RequestListener = (req, res) => {
    requests.push({ method: req.method ?? "", path: req.url ?? "", ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    if (expected !== undefined && req.headers.authorization !== expected) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="vcsp"', "content-type": "text/plain" });
      res.end("unauthorized");
      return;
    }
    handler(req, res);
  };
  const tls = options.tls ? certificate() : undefined;
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, listener) : http.createServer(listener);
  const self: LibraryServer = {
    origin: "",
    port: 0,
    ...(tls ? { cert: tls.cert, fingerprint: tls.fingerprint, fingerprint256: tls.fingerprint256 } : {}),
    requests,
    connections: 0,
    paths: () => requests.map((r) => r.path),
    reset: () => void requests.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on(tls ? "secureConnection" : "connection", () => self.connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(self, { origin: `${tls ? "https" : "http"}://127.0.0.1:${port}`, port });
}

/** Serves the files below `root` as a static web server does (404 for anything else, never above `root`). */
export function serveFolder(root: string): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return notFound(res);
    }
    const file = path.join(root, rel);
    if (!file.startsWith(`${path.resolve(root)}${path.sep}`)) return notFound(res);
    let body: Buffer;
    try {
      if (!statSync(file).isFile()) return notFound(res);
      body = readFileSync(file);
    } catch {
      return notFound(res);
    }
    res.writeHead(200, { "content-type": file.endsWith(".json") ? "application/json" : "application/octet-stream", "content-length": String(body.length) });
    res.end(body);
  };
}

export function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { "content-type": "text/html" });
  res.end("<html><body>404 Not Found</body></html>");
}

/** An item of a vCloud Director catalogue: its files' bytes by name. */
export interface VcdItem {
  readonly id: string;
  readonly name: string;
  readonly type: "vcsp.ovf" | "vcsp.iso";
  readonly version: string;
  readonly files: Readonly<Record<string, Buffer>>;
}

/**
 * A catalogue as vCloud Director publishes it: the subscription URL `/vcsp/lib/<id>` (no lib.json),
 * `itemsHref: "items"`, file hrefs `/vcsp/lib/<id>/item/<id>/file/<name>` that answer 302 to
 * `/transfer/<token>/<name>` on the same host, UUID etags repeated on every file of an item.
 */
export function vcdCatalogue(libraryId: string, name: string, items: readonly VcdItem[]): http.RequestListener {
  const lib = `/vcsp/lib/${libraryId}`;
  return (req, res) => {
    const p = req.url ?? "";
    const json = (v: unknown) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(v));
    };
    if (p === lib) {
      return json({
        vcspVersion: "1",
        version: "3",
        id: `urn:uuid:${libraryId}`,
        name,
        description: "a catalogue",
        created: "2017-07-19T15:18:52.923Z",
        itemType: "vcsp.CatalogItem",
        itemsHref: "items",
        capabilities: { transferIn: ["httpGet"], transferOut: ["httpGet"], generateIds: true },
        metadata: [],
      });
    }
    if (p === `${lib}/items`) {
      return json({
        itemType: "vcsp.CatalogItem",
        version: "3",
        items: items.map((item) => ({
          vcspVersion: "1",
          version: item.version,
          id: `urn:uuid:${item.id}`,
          name: item.name,
          created: "2017-07-19T15:18:52.923Z",
          description: "",
          type: item.type,
          files: Object.entries(item.files).map(([file, bytes]) => ({ name: file, etag: "95ad8688-4b1b-419f-aa34-50bcf0e5c395", size: bytes.length, hrefs: [`${lib}/item/${item.id}/file/${file}`] })),
          properties: {},
          selfHref: `${lib}/item/${item.id}/`,
          metadata: [{ type: "STRING", domain: "SYSTEM", key: "vapp.origin.id", value: "x", visibility: "READONLY" }],
          vms: [{ name: item.name, metadata: [] }],
        })),
      });
    }
    const link = /^\/vcsp\/lib\/[^/]+\/item\/([^/]+)\/file\/([^/]+)$/.exec(p);
    if (link) {
      res.writeHead(302, { location: `/transfer/0474fbe8-${link[1]}/${link[2]}` });
      return res.end();
    }
    const transfer = /^\/transfer\/0474fbe8-([^/]+)\/([^/]+)$/.exec(p);
    const bytes = transfer && items.find((i) => i.id === transfer[1])?.files[decodeURIComponent(transfer[2]!)];
    if (bytes) {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(bytes.length) });
      return res.end(bytes);
    }
    notFound(res);
  };
}
