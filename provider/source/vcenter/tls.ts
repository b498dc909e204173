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
  constructor(
    options: https.AgentOptions,
    private readonly pin: string,
  ) {
    super({ ...options, rejectUnauthorized: false });
  }

  override createConnection(options: http.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const done = callback ?? (() => undefined);
    const socket = tls.connect({ ...(options as tls.ConnectionOptions), rejectUnauthorized: false });
    socket.once("secureConnect", () => {
      const actual = normalizeThumbprint(socket.getPeerCertificate().fingerprint256 ?? "");
      if (actual !== this.pin) {
        socket.destroy();
        done(new TlsPinError(`the server's certificate has SHA-256 thumbprint ${actual}, not the pinned ${this.pin}`), socket);
        return;
      }
      done(null, socket);
    });
    socket.once("error", (err) => done(err, socket));
    return undefined;
  }
}
