import type { KubeConfig } from "@kubernetes/client-node";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as http2 from "node:http2";
import * as https from "node:https";
import * as net from "node:net";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { connect } from "../../provider/targets/cluster/http";
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
    const closes: Array<Promise<unknown>> = [];
    const server = http2.createSecureServer({ key, cert }, () => undefined);
    const sessions: http2.ServerHttp2Session[] = [];
    server.on("session", (session) => sessions.push(session));
    server.on("stream", (stream) => closes.push(new Promise((resolve) => stream.on("close", resolve))));
    const port = await listening(server);
    try {
      const request = connect(kubeconfig(port, cert), { timeoutMs: 300, retries: 1 });
      await expect(request("GET", "/apis")).rejects.toThrow("no answer within 300 ms");
      expect(closes).toHaveLength(2);
      // Each stream the client opened is closed: the test waits for that, and fails by its time limit if one stays open.
      await Promise.all(closes);
    } finally {
      // The client keeps its session for the next request; the server closes only once it is gone.
      for (const session of sessions) session.destroy();
      await closed(server);
    }
  });

  test("over HTTP/1.1 (a server that does not speak HTTP/2) is cancelled after its time limit too", async () => {
    const closes: Array<Promise<unknown>> = [];
    const server = https.createServer({ key, cert }, (req) => closes.push(new Promise((resolve) => req.socket.on("close", resolve))));
    const port = await listening(server);
    try {
      await expect(connect(kubeconfig(port, cert), { timeoutMs: 300, retries: 0 })("GET", "/apis")).rejects.toThrow("no answer within 300 ms");
      expect(closes).toHaveLength(1);
      await Promise.all(closes);
    } finally {
      server.closeAllConnections();
      await closed(server);
    }
  });

  test("that takes the connection but never completes the TLS handshake fails naming the server, within the time limit", async () => {
    const closes: Array<Promise<unknown>> = [];
    // Reads what the client sends (its TLS hello) and answers nothing.
    const server = net.createServer((s) => {
      closes.push(new Promise((resolve) => s.on("close", resolve)));
      s.resume();
    });
    const port = await listening(server);
    try {
      await expect(connect(kubeconfig(port, cert), { timeoutMs: 300, retries: 0 })("GET", "/apis")).rejects.toThrow(`no connection to https://127.0.0.1:${port} within 300 ms`);
      expect(closes).toHaveLength(1);
      await Promise.all(closes);
    } finally {
      await closed(server);
    }
  });
});
