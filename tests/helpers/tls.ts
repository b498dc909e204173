import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { tempDir } from "./library";

/** A throwaway self-signed certificate for 127.0.0.1, made by openssl. */
export function certificate(): { key: string; cert: string; fingerprint: string; fingerprint256: string } {
  const dir = tempDir("vmimages-cert-");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(dir, "k.pem"), "-out", path.join(dir, "c.pem")], {
    stdio: "ignore",
  });
  const cert = readFileSync(path.join(dir, "c.pem"), "utf8");
  const x509 = new crypto.X509Certificate(cert);
  return { key: readFileSync(path.join(dir, "k.pem"), "utf8"), cert, fingerprint: x509.fingerprint, fingerprint256: x509.fingerprint256 };
}

export interface TestServer {
  readonly origin: string;
  readonly port: number;
  readonly cert: string;
  /** SHA-1 thumbprint, as vCenter shows one (`AB:CD:…`). */
  readonly fingerprint: string;
  readonly fingerprint256: string;
  close(): Promise<void>;
}

/** An HTTPS server on 127.0.0.1 on a free port, answering with `handler`. */
export async function serveHttps(handler: http.RequestListener): Promise<TestServer> {
  const tls = certificate();
  const server = https.createServer({ key: tls.key, cert: tls.cert }, handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    cert: tls.cert,
    fingerprint: tls.fingerprint,
    fingerprint256: tls.fingerprint256,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
