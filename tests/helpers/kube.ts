import { ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as https from "node:https";
import * as http from "node:http";
import { AddressInfo, createServer } from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import { CORPUS } from "./corpus";
import { tempDir } from "./library";
import { requireTool } from "./pulumi";

const exec = promisify(execFile);

/** A real Kubernetes API server (with its etcd) on 127.0.0.1, with VM Operator's image CRDs installed. */
export interface Cluster {
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  /** A kubeconfig of the cluster's admin (system:masters). */
  readonly adminKubeconfig: string;
  /** A kubeconfig of a user the server knows (`nobody`) but grants nothing: tests bind it the rights they try. */
  readonly nobodyKubeconfig: string;
  /** The tokens of the admin and of `nobody`, for kubeconfigs a test writes (an exec plugin that prints one, say). */
  readonly adminToken: string;
  readonly nobodyToken: string;
  /** The server's CA certificate file. */
  readonly caFile: string;
  /** Compacts etcd's history up to now (through its HTTP gateway), as the API server's compactor does. */
  compactEtcd(): Promise<void>;
  /** Runs kubectl as the admin (or with another kubeconfig); resolves to its stdout. */
  kubectl(args: readonly string[], kubeconfig?: string): Promise<string>;
  /** Kills the API server and etcd at once (SIGKILL). */
  kill(): void;
  /** Kills the API server alone (SIGKILL), as a crash or an eviction does; etcd keeps the data. */
  killApiserver(): void;
  /** Starts the API server again on the same port and data, and waits until it is ready. */
  restartApiserver(): Promise<void>;
  stop(): Promise<void>;
}

/** A port on 127.0.0.1 that nothing listens on (just now). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, ms: number, ok: () => Promise<boolean>, died: () => string | undefined): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await ok().catch(() => false)) return;
    const reason = died();
    if (reason !== undefined) throw new Error(`${what} exited before it was ready: ${reason}`);
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A POST of JSON to etcd's gateway, and the JSON it answers. */
function postJson(url: string, body: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(text) as unknown) : reject(new Error(`${url}: HTTP ${res.statusCode}: ${text}`))));
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

function get(url: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith("https:") ? https : http;
    const req = lib.get(url, { rejectUnauthorized: false, timeout: 2000, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
  });
}

/**
 * Starts etcd and kube-apiserver on 127.0.0.1 on free ports, with a temporary data folder, a
 * self-signed serving certificate, static token authentication (an admin token and a token of a
 * user without rights), RBAC, and VM Operator's image and VirtualMachine CRDs from
 * ../shared/conformance/crds, installed by server-side apply and established.
 */
export async function startCluster(options: { readonly crds?: boolean } = {}): Promise<Cluster> {
  const etcdBin = requireTool("etcd");
  const apiserverBin = requireTool("kube-apiserver");
  const kubectlBin = requireTool("kubectl");
  const dir = tempDir("vmimages-kube-");
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", file("server.key"), "-out", file("server.crt"));
  openssl("genrsa", "-out", file("sa.key"), "2048");
  openssl("rsa", "-in", file("sa.key"), "-pubout", "-out", file("sa.pub"));
  const adminToken = `admin-${process.pid}-${Date.now()}`;
  const nobodyToken = `nobody-${process.pid}-${Date.now()}`;
  writeFileSync(file("tokens.csv"), `${adminToken},admin,admin-uid,system:masters\n${nobodyToken},nobody,nobody-uid\n`);

  const [etcdClient, etcdPeer, securePort] = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const logs = new Map<ChildProcess, string>();
  const start = (bin: string, args: string[]) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    logs.set(child, "");
    const keep = (c: Buffer) => logs.set(child, (logs.get(child)! + c.toString()).slice(-4000));
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    children.push(child);
    return child;
  };
  const exitReason = (child: ChildProcess) => (child.exitCode !== null || child.signalCode !== null ? `${child.exitCode ?? child.signalCode}: ${logs.get(child)}` : undefined);

  const etcd = start(etcdBin, [
    "--name", "vmimages",
    "--data-dir", file("etcd"),
    "--listen-client-urls", `http://127.0.0.1:${etcdClient}`,
    "--advertise-client-urls", `http://127.0.0.1:${etcdClient}`,
    "--listen-peer-urls", `http://127.0.0.1:${etcdPeer}`,
    "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPeer}`,
    "--initial-cluster", `vmimages=http://127.0.0.1:${etcdPeer}`,
    "--initial-cluster-state", "new",
    "--unsafe-no-fsync",
  ]);
  await waitFor("etcd", 30_000, async () => (await get(`http://127.0.0.1:${etcdClient}/health`)) === 200, () => exitReason(etcd));

  const server = `https://127.0.0.1:${securePort}`;
  const apiserverArgs = [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${securePort}`,
    `--tls-cert-file=${file("server.crt")}`,
    `--tls-private-key-file=${file("server.key")}`,
    `--cert-dir=${file("certs")}`,
    "--service-account-issuer=https://kubernetes.default.svc",
    `--service-account-key-file=${file("sa.pub")}`,
    `--service-account-signing-key-file=${file("sa.key")}`,
    `--token-auth-file=${file("tokens.csv")}`,
    "--authorization-mode=RBAC",
    "--service-cluster-ip-range=10.0.0.0/24",
    "--endpoint-reconciler-type=none",
  ];
  let apiserver = start(apiserverBin, apiserverArgs);
  const ready = () => waitFor("kube-apiserver", 90_000, async () => (await get(`${server}/readyz`, adminToken)) === 200, () => exitReason(apiserver));
  const stop = async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once("exit", r)))));
  };
  try {
    await ready();
  } catch (err) {
    await stop();
    throw err;
  }

  const kubeconfig = (name: string, token: string) => {
    const f = file(`${name}.kubeconfig`);
    writeFileSync(
      f,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: ${server}\n    certificate-authority: ${file("server.crt")}\n` +
        `users:\n- name: ${name}\n  user:\n    token: ${token}\ncontexts:\n- name: ${name}\n  context:\n    cluster: test\n    user: ${name}\ncurrent-context: ${name}\n`,
    );
    return f;
  };
  const adminKubeconfig = kubeconfig("admin", adminToken);
  const kubectl = async (args: readonly string[], config = adminKubeconfig) => (await exec(kubectlBin, ["--kubeconfig", config, ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  if (options.crds !== false) {
    const crds = ["virtualmachineimages", "clustervirtualmachineimages", "virtualmachines"];
    try {
      // Server-side: the VirtualMachine CRD is too large for client-side apply's annotation.
      await kubectl(["apply", "--server-side", ...crds.flatMap((c) => ["-f", path.join(CORPUS, "crds", `vmoperator.vmware.com_${c}.yaml`)])]);
      await kubectl(["wait", "--for", "condition=Established", "--timeout", "60s", ...crds.map((c) => `crd/${c}.vmoperator.vmware.com`)]);
    } catch (err) {
      // The caller gets no Cluster to stop: stop the servers here, or they outlive the test run.
      await stop();
      throw err;
    }
  }
  return {
    server,
    adminKubeconfig,
    nobodyKubeconfig: kubeconfig("nobody", nobodyToken),
    adminToken,
    nobodyToken,
    caFile: file("server.crt"),
    compactEtcd: async () => {
      const revision = ((await postJson(`http://127.0.0.1:${etcdClient}/v3/kv/range`, { key: Buffer.from("vmimages").toString("base64") })) as { header: { revision: string } }).header.revision;
      await postJson(`http://127.0.0.1:${etcdClient}/v3/kv/compaction`, { revision, physical: true });
    },
    kubectl,
    kill: () => {
      for (const c of children) c.kill("SIGKILL");
    },
    killApiserver: () => void apiserver.kill("SIGKILL"),
    restartApiserver: async () => {
      if (apiserver.exitCode === null && apiserver.signalCode === null) await new Promise((r) => apiserver.once("exit", r));
      apiserver = start(apiserverBin, apiserverArgs);
      await ready();
    },
    stop,
  };
}
