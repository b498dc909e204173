import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { OutputError } from "../../provider/errors";
import { ExecCredentials, credentialOf } from "../../provider/targets/cluster/exec";
import { tempDir } from "../helpers/library";

const API = "client.authentication.k8s.io/v1";

/** An exec plugin: a shell script in a fresh folder, which also counts its runs in `runs`. */
function plugin(body: string): { command: string; runs: () => number; dir: string } {
  const dir = tempDir("vmimages-exec-");
  const command = path.join(dir, "plugin.sh");
  writeFileSync(command, `#!/bin/sh\necho run >> "${dir}/runs"\n${body}\n`);
  chmodSync(command, 0o755);
  return { command, dir, runs: () => (existsSync(path.join(dir, "runs")) ? readFileSync(path.join(dir, "runs"), "utf8").split("\n").filter(Boolean).length : 0) };
}

const answer = (status: object) => `echo '${JSON.stringify({ apiVersion: API, kind: "ExecCredential", status })}'`;

async function failure(credentials: ExecCredentials): Promise<string> {
  const err = await credentials.get().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OutputError);
  return (err as Error).message;
}

describe("an exec credential plugin", () => {
  test("gives its token, run once for every request waiting on it, and again only once the token expired", async () => {
    const soon = new Date(Date.now() + 5_000).toISOString();
    const p = plugin(`sleep 0.2\n${answer({ token: "t-1", expirationTimestamp: soon })}`);
    const credentials = new ExecCredentials({ command: p.command, apiVersion: API, user: "u" });
    const all = await Promise.all(Array.from({ length: 32 }, () => credentials.get()));
    expect(new Set(all.map((c) => c.token))).toEqual(new Set(["t-1"]));
    expect(p.runs()).toBe(1);
    // Expiring within the margin kept before expiry: the next request runs it again.
    await credentials.get();
    expect(p.runs()).toBe(2);
  });

  test("is run again after the server refused its credential", async () => {
    const p = plugin(answer({ token: "t" }));
    const credentials = new ExecCredentials({ command: p.command, apiVersion: API, user: "u" });
    await credentials.get();
    await credentials.get();
    credentials.refused();
    await credentials.get();
    expect(p.runs()).toBe(2);
  });

  test("that exits 3 is named with its exit code and what it wrote to standard error, never its standard output", async () => {
    const p = plugin(`echo "login required" >&2\necho SECRET-STDOUT\nexit 3`);
    const message = await failure(new ExecCredentials({ command: p.command, apiVersion: API, user: "admin" }));
    expect(message).toBe(`the exec plugin ${p.command} (user "admin") failed with exit code 3; it said: login required`);
  });

  test("that exits 7 saying nothing is named with its exit code", async () => {
    const p = plugin("exit 7");
    expect(await failure(new ExecCredentials({ command: p.command, user: "admin" }))).toBe(`the exec plugin ${p.command} (user "admin") failed with exit code 7`);
  });

  test("that prints something other than an ExecCredential is named, and what it printed is not echoed", async () => {
    const p = plugin("echo SECRET-GARBAGE-OUTPUT");
    const message = await failure(new ExecCredentials({ command: p.command, user: "admin" }));
    expect(message).toBe(`the exec plugin ${p.command} (user "admin") wrote no ExecCredential to standard output (it is not JSON)`);
    expect(message).not.toMatch(/SECR|GARB/);
  });

  test("that hangs is stopped at its time limit, the processes it started with it", async () => {
    const p = plugin(`sleep 300 &\necho $! > "${"$(dirname $0)"}/child"\nwait`);
    const message = await failure(new ExecCredentials({ command: p.command, user: "admin" }, 1000));
    expect(message).toBe(`the exec plugin ${p.command} (user "admin") did not finish within 1 s; it was stopped`);
    const child = Number(readFileSync(path.join(p.dir, "child"), "utf8"));
    // The plugin's process group is killed: its background child is gone (the test waits for it to be reaped).
    await waitUntil(() => !alive(child));
  });

  test("gets no standard input: one that reads it sees its end at once", async () => {
    const p = plugin(`cat > /dev/null\n${answer({ token: "t" })}`);
    expect((await new ExecCredentials({ command: p.command, apiVersion: API, user: "u" }).get()).token).toBe("t");
  });

  test("that is not there is named, with its install hint", async () => {
    const message = await failure(new ExecCredentials({ command: "/nonexistent/get-token", installHint: "install it with brew", user: "u" }));
    expect(message).toBe('the exec plugin /nonexistent/get-token (user "u") was not found\ninstall it with brew');
  });

  test("is told what it runs for in KUBERNETES_EXEC_INFO, without a terminal", async () => {
    const p = plugin(`echo "$KUBERNETES_EXEC_INFO" > "$(dirname $0)/info"\n${answer({ token: "t" })}`);
    await new ExecCredentials({ command: p.command, apiVersion: API, user: "u" }).get();
    expect(JSON.parse(readFileSync(path.join(p.dir, "info"), "utf8"))).toEqual({ apiVersion: API, kind: "ExecCredential", spec: { interactive: false } });
  });
});

describe("an ExecCredential", () => {
  const name = "the plugin";
  test.each([
    [{ kind: "ExecCredential", apiVersion: "client.authentication.k8s.io/v1beta1", status: { token: "t" } }, "the plugin answered in apiVersion client.authentication.k8s.io/v1beta1; its kubeconfig asks for client.authentication.k8s.io/v1"],
    [{ kind: "ExecCredential", apiVersion: API }, "the plugin answered without a status"],
    [{ kind: "ExecCredential", apiVersion: API, status: {} }, "the plugin answered with neither a token nor a client certificate and key"],
    [{ kind: "ExecCredential", apiVersion: API, status: { clientCertificateData: "c" } }, "the plugin answered with neither a token nor a client certificate and key"],
    [{ kind: "ExecCredential", apiVersion: API, status: { token: "t", clientKeyData: "k" } }, "the plugin answered with a client key without its certificate"],
    [{ apiVersion: API, status: { token: "t" } }, "the plugin wrote no ExecCredential to standard output (no kind: ExecCredential)"],
  ])("that is wrong is refused saying how: %j", (value, message) => {
    expect(() => credentialOf(JSON.stringify(value), API, name)).toThrow(message);
  });

  test("gives a token or a certificate and key, and when it expires", () => {
    expect(credentialOf(JSON.stringify({ kind: "ExecCredential", apiVersion: API, status: { token: "t", expirationTimestamp: "2030-01-01T00:00:00Z" } }), API, name)).toEqual({ token: "t", expiresAt: Date.parse("2030-01-01T00:00:00Z") });
    expect(credentialOf(JSON.stringify({ kind: "ExecCredential", apiVersion: API, status: { clientCertificateData: "c", clientKeyData: "k" } }), API, name)).toEqual({ clientCertificateData: "c", clientKeyData: "k" });
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for a condition, checking it as the event loop turns; the test's own time limit bounds it. */
async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}
