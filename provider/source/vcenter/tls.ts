import * as http from "node:http";
import * as https from "node:https";
import { Duplex } from "node:stream";
import * as tls from "node:tls";
import { TlsOptions } from "../../types";

export class TlsPinError extends Error {}

export function normalizeThumbprint(t: string): string {
  return t.replace(/[^0-9a-fA-F]/g, "").toUpperCase();
}

/**
 * The hash a thumbprint is of, by its length: SHA-1 (40 hex digits, as vCenter's subscription
 * settings and govc's `-thumbprint` give it) or SHA-256 (64); undefined for any other length.
 */
export function thumbprintAlgorithm(t: string): "SHA-1" | "SHA-256" | undefined {
  const n = normalizeThumbprint(t).length;
  return n === 40 ? "SHA-1" : n === 64 ? "SHA-256" : undefined;
}

/**
 * An HTTPS agent that enforces the TLS options. With a thumbprint the connection is handed to the
 * request only after the certificate matched, so no byte (credentials included) reaches an
 * impostor; the chain is not checked, as pinning self-signed vCenter certificates requires.
 */
export function httpsAgent(options: TlsOptions, maxSockets: number): https.Agent {
  const base: https.AgentOptions = { keepAlive: true, maxSockets, ...(options.ca ? { ca: options.ca } : {}) };
  if (options.thumbprint) return new PinnedAgent(base, normalizeThumbprint(options.thumbprint));
  return new https.Agent({ ...base, rejectUnauthorized: !options.insecure });
}

class PinnedAgent extends https.Agent {
  private readonly algorithm: "SHA-1" | "SHA-256";

  constructor(
    options: https.AgentOptions,
    private readonly pin: string,
  ) {
    super({ ...options, rejectUnauthorized: false });
    this.algorithm = pin.length === 40 ? "SHA-1" : "SHA-256";
  }

  override createConnection(options: http.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const done = callback ?? (() => undefined);
    const socket = tls.connect({ ...(options as tls.ConnectionOptions), rejectUnauthorized: false });
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      const actual = normalizeThumbprint((this.algorithm === "SHA-1" ? cert.fingerprint : cert.fingerprint256) ?? "");
      if (actual !== this.pin) {
        socket.destroy();
        done(new TlsPinError(`the server's certificate has ${this.algorithm} thumbprint ${actual}, not the pinned ${this.pin}`), socket);
        return;
      }
      done(null, socket);
    });
    socket.once("error", (err) => done(err, socket));
    return undefined;
  }
}
