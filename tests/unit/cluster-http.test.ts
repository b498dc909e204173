import type { KubeConfig } from "@kubernetes/client-node";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as http2 from "node:http2";
import * as https from "node:https";
import * as net from "node:net";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { connect, resilient } from "../../provider/targets/cluster/http";
import { tempDir } from "../helpers/library";

// The client as the CLI loads it (`npm run build` bundles it; the package itself is ESM, which jest does not load).
const { KubeConfig: Config } = require("../../dist/kube-client.cjs") as typeof import("@kubernetes/client-node");

/** A self-signed certificate for 127.0.0.1. */
function certificate(): { key: Buffer; cert: Buffer } {
  const dir = tempDir("vmimages-cert-");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(dir, "key"), "-out", path.join(dir, "cert")], { stdio: "ignore" });
  return { key: readFileSync(path.join(dir, "key")), cert: readFileSync(path.join(dir, "cert")) };
}

function kubeconfig(port: number, ca: Buffer): KubeConfig {
  const kc = new Config();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: `https://127.0.0.1:${port}`, caData: ca.toString("base64") }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

const listening = (server: net.Server) => new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
const closed = (server: net.Server) => new Promise((resolve) => server.close(resolve));

describe("a request to an API server that never answers", () => {
  const { key, cert } = certificate();

  test("over HTTP/2 is cancelled after its time limit (each try), so nothing is left open to hold the process", async () => {
    const open = new Set<http2.ServerHttp2Stream>();
    let streams = 0;
    const server = http2.createSecureServer({ key, cert }, () => undefined);
    const sessions: http2.ServerHttp2Session[] = [];
    server.on("session", (session) => sessions.push(session));
    server.on("stream", (stream) => {
      streams++;
      open.add(stream);
      stream.on("close", () => open.delete(stream));
    });
    const port = await listening(server);
    try {
      const request = resilient(connect(kubeconfig(port, cert), 300), 1);
      await expect(request("GET", "/apis")).rejects.toThrow("no answer within 300 ms");
      expect(streams).toBe(2);
      await new Promise((r) => setTimeout(r, 100));
      expect(open.size).toBe(0);
    } finally {
      // The client keeps its session for the next request; the server closes only once it is gone.
      for (const session of sessions) session.destroy();
      await closed(server);
    }
  });

  test("over HTTP/1.1 (a server that does not speak HTTP/2) is cancelled after its time limit too", async () => {
    let requests = 0;
    let open = 0;
    const server = https.createServer({ key, cert }, (req) => {
      requests++;
      open++;
      req.socket.on("close", () => open--);
    });
    const port = await listening(server);
    try {
      await expect(connect(kubeconfig(port, cert), 300)("GET", "/apis")).rejects.toThrow("no answer within 300 ms");
      expect(requests).toBe(1);
      await new Promise((r) => setTimeout(r, 100));
      expect(open).toBe(0);
    } finally {
      server.closeAllConnections();
      await closed(server);
    }
  });

  test("that takes the connection but never completes the TLS handshake fails naming the server, within the time limit", async () => {
    const sockets = new Set<net.Socket>();
    // Reads what the client sends (its TLS hello) and answers nothing.
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.resume();
    });
    const port = await listening(server);
    try {
      const started = Date.now();
      await expect(connect(kubeconfig(port, cert), 300)("GET", "/apis")).rejects.toThrow(`no connection to https://127.0.0.1:${port} within 300 ms`);
      expect(Date.now() - started).toBeLessThan(5000);
      await new Promise((r) => setTimeout(r, 100));
      expect(sockets.size).toBe(0);
    } finally {
      await closed(server);
    }
  });
});
