import { TimeLimitError, isRetryable, retryableStatus, withRetries } from "../../provider/retry";

describe("the retry policy", () => {
  test.each<[string, unknown, boolean]>([
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }), true],
    ["a reset connection, as the cause of another error", new Error("request failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }), true],
    ["an HTTP/2 stream error", Object.assign(new Error("stream closed"), { code: "ERR_HTTP2_STREAM_ERROR" }), true],
    ["no answer in time", new TimeLimitError(100), true],
    ["429 Too Many Requests", Object.assign(new Error("HTTP 429"), { code: 429 }), true],
    ["503 Service Unavailable", Object.assign(new Error("HTTP 503"), { status: 503 }), true],
    ["501 Not Implemented", Object.assign(new Error("HTTP 501"), { code: 501 }), false],
    ["403 Forbidden", Object.assign(new Error("HTTP 403"), { code: 403 }), false],
    ["an untrusted certificate", Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }), false],
    ["an error that says it is final", Object.assign(new Error("too large"), { retryable: false, code: "ECONNRESET" }), false],
    ["a thrown string", "boom", false],
  ])("%s is worth another try: %s", (_what, err, expected) => {
    expect(isRetryable(err)).toBe(expected);
  });

  test.each([
    [429, true],
    [500, true],
    [502, true],
    [501, false],
    [404, false],
    [200, false],
  ])("status %s is retried: %s", (status, expected) => {
    expect(retryableStatus(status)).toBe(expected);
  });

  test("tries a retryable failure again until it succeeds, counting each retry", async () => {
    const outcomes: Array<() => string> = [
      () => {
        throw Object.assign(new Error("reset"), { code: "ECONNRESET" });
      },
      () => "ok",
    ];
    const retries: number[] = [];
    expect(await withRetries({ retries: 3 }, async () => outcomes.shift()!(), { onRetry: (n) => retries.push(n) })).toBe("ok");
    expect(retries).toEqual([1]);
  });

  test("fails at once on a final failure, and with the last failure once the tries are spent", async () => {
    let tries = 0;
    const forbidden = Object.assign(new Error("HTTP 403"), { code: 403 });
    await expect(withRetries({ retries: 3 }, async () => (tries++, Promise.reject(forbidden)))).rejects.toBe(forbidden);
    expect(tries).toBe(1);
    tries = 0;
    await expect(withRetries({ retries: 2 }, async () => (tries++, Promise.reject(Object.assign(new Error(`try ${tries}`), { code: "ECONNRESET" }))))).rejects.toThrow("try 3");
    expect(tries).toBe(3);
  });

  test("retries an answer whose status says so, and gives back the last answer as it is once the tries are spent", async () => {
    const answers = [{ status: 503 }, { status: 429 }, { status: 503 }];
    let tries = 0;
    const last = await withRetries({ retries: 2 }, async () => answers[tries++]!, { statusOf: (a) => a.status });
    expect(tries).toBe(3);
    expect(last).toEqual({ status: 503 });
  });

  test("aborts an attempt's signal at its time limit: a transport that says only that it was aborted fails with the time limit", async () => {
    const attempt = (signal: AbortSignal) => new Promise<never>((_resolve, reject) => signal.addEventListener("abort", () => reject(Object.assign(new Error("The operation was aborted"), { name: "AbortError" }))));
    const err = await withRetries({ timeoutMs: 50, retries: 0 }, attempt).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeLimitError);
    expect((err as Error).message).toBe("no answer within 50 ms");
  });

  test("a transport that says more of why it gave up at the time limit keeps its own error", async () => {
    const attempt = (signal: AbortSignal) => new Promise<never>((_resolve, reject) => signal.addEventListener("abort", () => reject(Object.assign(new Error("no connection within 50 ms"), { retryable: true }))));
    await expect(withRetries({ timeoutMs: 50, retries: 0 }, attempt)).rejects.toThrow("no connection within 50 ms");
  });
});
