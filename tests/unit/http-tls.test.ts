import { Agent } from "node:https";
import { TimeLimitError, isRetryable, withRetries } from "../../provider/retry";
import { send } from "../../provider/source/vcenter/http";
import { TlsPinError, httpsAgent, normalizeThumbprint } from "../../provider/source/vcenter/tls";
import { TestServer, serveHttps } from "../helpers/tls";

/** A throwaway HTTPS server on 127.0.0.1: `/echo` answers the method, path and body it got; `/hang` never answers. */
async function server(): Promise<TestServer> {
  return serveHttps((req, res) => {
    if (req.url === "/hang") return;
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ method: req.method, url: req.url, body, contentType: req.headers["content-type"] ?? null }));
    });
  });
}

describe("one HTTP exchange (send)", () => {
  let srv: TestServer;
  let agent: Agent;
  beforeAll(async () => {
    srv = await server();
    agent = httpsAgent({ insecure: true }, 4);
  });
  afterAll(async () => {
    agent.destroy();
    await srv.close();
  });

  test("sends the method, path and a JSON body, and gives back the status and the whole body", async () => {
    const res = await send(agent, { host: "127.0.0.1", port: srv.port }, { method: "POST", path: "/echo?x=1", body: { a: 1 } }, AbortSignal.timeout(5000));
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body.toString("utf8"))).toEqual({ method: "POST", url: "/echo?x=1", body: '{"a":1}', contentType: "application/json" });
  });

  test("a request without an answer is cancelled at the time limit of the retry policy, which may try it again", async () => {
    const err = await withRetries({ timeoutMs: 200, retries: 0 }, (signal) => send(agent, { host: "127.0.0.1", port: srv.port }, { method: "GET", path: "/hang" }, signal)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeLimitError);
    expect((err as Error).message).toBe("no answer within 200 ms");
    expect(isRetryable(err)).toBe(true);
  });

  test("a refused connection fails with its code, which the retry policy takes as worth another try", async () => {
    const err = await send(agent, { host: "127.0.0.1", port: 9 }, { method: "GET", path: "/" }, AbortSignal.timeout(2000)).catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
    expect(isRetryable(err)).toBe(true);
  });
});

describe("trusting a vCenter's certificate", () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await server();
  });
  afterAll(() => srv.close());

  const get = async (agent: Agent) => {
    try {
      return await send(agent, { host: "127.0.0.1", port: srv.port }, { method: "GET", path: "/echo" }, AbortSignal.timeout(5000));
    } finally {
      agent.destroy();
    }
  };

  test("a self-signed certificate is refused by default", async () => {
    const err = (await get(httpsAgent({}, 1)).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(err.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    expect(isRetryable(err)).toBe(false);
  });

  test("is accepted with it as the CA, or with insecure", async () => {
    expect((await get(httpsAgent({ ca: srv.cert }, 1))).status).toBe(201);
    expect((await get(httpsAgent({ insecure: true }, 1))).status).toBe(201);
  });

  test("a pinned thumbprint that matches is accepted, in any case and with or without colons", async () => {
    expect((await get(httpsAgent({ thumbprint: srv.fingerprint256.toLowerCase() }, 1))).status).toBe(201);
    expect((await get(httpsAgent({ thumbprint: srv.fingerprint256.replace(/:/g, "") }, 1))).status).toBe(201);
  });

  test("a pinned SHA-1 thumbprint (as vCenter shows one) is accepted too, in vCenter's lower case with colons", async () => {
    expect((await get(httpsAgent({ thumbprint: srv.fingerprint.toLowerCase() }, 1))).status).toBe(201);
    const pin = "AB".repeat(20);
    const err = (await get(httpsAgent({ thumbprint: pin }, 1)).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(TlsPinError);
    expect(err.message).toBe(`the server's certificate has SHA-1 thumbprint ${normalizeThumbprint(srv.fingerprint)}, not the pinned ${pin}`);
  });

  test("a pinned thumbprint that does not match fails before anything is sent, naming both", async () => {
    const pin = "AB".repeat(32);
    const err = (await get(httpsAgent({ thumbprint: pin }, 1)).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(TlsPinError);
    expect(err.message).toBe(`the server's certificate has SHA-256 thumbprint ${normalizeThumbprint(srv.fingerprint256)}, not the pinned ${pin}`);
  });

  test("thumbprints are compared as upper-case hex digits only", () => {
    expect(normalizeThumbprint("ab:cd:0f")).toBe("ABCD0F");
  });
});
