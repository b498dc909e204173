import * as https from "node:https";
import { AddressInfo } from "node:net";
import { VcenterClient } from "../../provider/source/vcenter/client";
import { certificate } from "../helpers/tls";

/**
 * Retry behaviour needs answers vcsim never gives (429, 503): a throwaway HTTPS server on
 * 127.0.0.1 answers with a scripted sequence of statuses.
 */
async function serve(statuses: number[]): Promise<{ origin: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = https.createServer(certificate(), (req, res) => {
    hits++;
    const status = statuses.shift() ?? 200;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(status === 200 ? JSON.stringify({ value: req.url!.endsWith("/session") ? "session-1" : [] }) : "{}");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { origin: `https://127.0.0.1:${port}`, hits: () => hits, close: () => new Promise((r) => server.close(() => r())) };
}

describe("vCenter client retries", () => {
  test("retries 503 and 429 answers with backoff, then succeeds", async () => {
    const srv = await serve([503, 200, 429, 503, 200]);
    const client = new VcenterClient({ server: srv.origin, username: "u", password: "p", insecure: true });
    expect(await client.libraries()).toEqual([]);
    expect(client.stats).toMatchObject({ requests: 5, retries: 3, logins: 1 });
    await client.close();
    await srv.close();
  });

  test("gives up after the configured retries and names the status", async () => {
    const srv = await serve([200, 503, 503, 503]);
    const client = new VcenterClient({ server: srv.origin, username: "u", password: "p", insecure: true, retries: 2 });
    await expect(client.libraries()).rejects.toThrow(`vCenter ${srv.origin}: GET /rest/com/vmware/content/library failed with HTTP 503`);
    expect(srv.hits()).toBe(4);
    await client.close();
    await srv.close();
  });

  test("a file that is never prepared (a subscribed item still syncing) fails after the time limit, and the session is deleted", async () => {
    const seen: string[] = [];
    const server = https.createServer(certificate(), (req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const value = req.url!.endsWith("/session")
        ? "s"
        : req.url!.endsWith("/download-session")
          ? "dl-1"
          : req.url!.includes("downloadsession/file?")
            ? [{ name: "photon.ovf", status: "UNPREPARED" }]
            : req.url!.includes("~action=")
              ? { name: "photon.ovf", status: "PREPARING" }
              : null;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ value }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new VcenterClient({ server: origin, username: "u", password: "p", insecure: true, prepareTimeoutMs: 300, preparePollMs: 50 });
    await expect(client.downloadDescriptor("item-1")).rejects.toThrow("photon.ovf was not prepared within 0 s (status PREPARING); a subscribed item may still be syncing");
    expect(seen[seen.length - 1]).toBe("DELETE /rest/com/vmware/content/library/item/download-session/id:dl-1");
    await client.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  test.each([
    ["without a pinned certificate", (_cert: string, _fingerprint: string) => ({ insecure: true })],
    ["with a pinned certificate", (_cert: string, fingerprint: string) => ({ thumbprint: fingerprint })],
  ])("a server that accepts but never answers fails the request after the time limit, %s", async (_what, trust) => {
    const pem = certificate();
    let hits = 0;
    // Answers the login, then holds every other request open without a byte.
    const server = https.createServer(pem, (req, res) => {
      hits++;
      if (req.url!.endsWith("/session")) res.end(JSON.stringify({ value: "s" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new VcenterClient({ server: origin, username: "u", password: "p", ...trust(pem.cert, pem.fingerprint256), timeoutMs: 300, retries: 1 });
    const started = Date.now();
    await expect(client.libraries()).rejects.toThrow(`vCenter ${origin}: cannot reach it (no answer within 300 ms) after 2 attempt(s)`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(hits).toBe(3);
    await client.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
});
