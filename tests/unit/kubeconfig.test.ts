import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { OutputError } from "../../provider/errors";
import { Environment, kubeconfigFiles, loadKubeconfig, mergeKubeconfigs, readKubeconfig } from "../../provider/targets/cluster/kubeconfig";
import { tempDir } from "../helpers/library";

/** A kubeadm-style kubeconfig: cluster "kubernetes", user "kubernetes-admin", context "kubernetes-admin@kubernetes". */
function kubeadm(server: string, token: string, extra = ""): string {
  return (
    `apiVersion: v1\nkind: Config\nclusters:\n- name: kubernetes\n  cluster:\n    server: ${server}\n    certificate-authority: ca.crt\n` +
    `users:\n- name: kubernetes-admin\n  user:\n    token: ${token}\ncontexts:\n- name: kubernetes-admin@kubernetes\n  context:\n    cluster: kubernetes\n    user: kubernetes-admin\n${extra}`
  );
}

function environment(dir: string, env: NodeJS.ProcessEnv = {}): Environment {
  return { env, home: path.join(dir, "home"), serviceAccountDir: path.join(dir, "serviceaccount") };
}

/** The message of what `f` throws. */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(OutputError);
    return (err as Error).message;
  }
  throw new Error("nothing was thrown");
}

describe("finding the kubeconfig as kubectl does", () => {
  test("--kubeconfig alone, else each KUBECONFIG file once in order, else ~/.kube/config", () => {
    const env = { env: { KUBECONFIG: `a${path.delimiter}b${path.delimiter}${path.delimiter}a` }, home: "/home/u" };
    expect(kubeconfigFiles("x", env)).toEqual(["x"]);
    expect(kubeconfigFiles(undefined, env)).toEqual(["a", "b"]);
    expect(kubeconfigFiles(undefined, { env: {}, home: "/home/u" })).toEqual(["/home/u/.kube/config"]);
  });

  test("two kubeadm files that name their cluster alike merge: the first file's entries and current-context win, paths relative to the file that gave them", () => {
    const dir = tempDir("vmimages-kc-");
    mkdirSync(path.join(dir, "a"));
    mkdirSync(path.join(dir, "b"));
    writeFileSync(path.join(dir, "a/config"), kubeadm("https://a.example:6443", "token-a", "current-context: kubernetes-admin@kubernetes\n"));
    writeFileSync(path.join(dir, "b/config"), kubeadm("https://b.example:6443", "token-b", "- name: only-b\n  context:\n    cluster: kubernetes\n    user: kubernetes-admin\n    namespace: from-b\ncurrent-context: only-b\n"));
    writeFileSync(path.join(dir, "empty"), "");
    const files = [path.join(dir, "missing"), path.join(dir, "empty"), path.join(dir, "a/config"), path.join(dir, "b/config")].join(path.delimiter);
    const access = loadKubeconfig({}, environment(dir, { KUBECONFIG: files }));
    expect(access.server).toBe("https://a.example:6443");
    expect(access.kc.getCurrentContext()).toBe("kubernetes-admin@kubernetes");
    expect(access.kc.getCurrentCluster()!.caFile).toBe(path.join(dir, "a/ca.crt"));
    expect(access.kc.getCurrentUser()!.token).toBe("token-a");
    // A context only the second file has is there, with the first file's cluster under its name.
    const onlyB = loadKubeconfig({ context: "only-b" }, environment(dir, { KUBECONFIG: files }));
    expect(onlyB.server).toBe("https://a.example:6443");
    expect(onlyB.namespace).toBe("from-b");
  });

  test("merges keep the first entry of each name whole, and the first current-context", () => {
    const first = readKubeconfig("clusters:\n- name: c\n  cluster: {server: 'https://one'}\ncurrent-context: x\n", "a", undefined);
    const second = readKubeconfig("clusters:\n- name: c\n  cluster: {server: 'https://two', insecure-skip-tls-verify: true}\n- name: d\n  cluster: {server: 'https://d'}\ncurrent-context: y\n", "b", undefined);
    expect(mergeKubeconfigs([first, second])).toEqual({
      clusters: [
        { name: "c", cluster: { server: "https://one" } },
        { name: "d", cluster: { server: "https://d" } },
      ],
      users: [],
      contexts: [],
      currentContext: "x",
    });
  });

  test("an exec command with a path separator is relative to its kubeconfig; a bare name stays for PATH", () => {
    const exec = (command: string) => readKubeconfig(`users:\n- name: u\n  user:\n    exec:\n      command: ${command}\n`, "k", "/etc/kube").users[0]!.user;
    expect(exec("./get-token")).toEqual({ exec: { command: "/etc/kube/get-token" } });
    expect(exec("get-token")).toEqual({ exec: { command: "get-token" } });
  });

  test.each([
    ["a context that is not there", { context: "nope" }, 'the context "nope" is not in the kubeconfig'],
    ["no current-context", {}, "has no current-context: give --context, one of"],
  ])("%s is named", (_what, options, message) => {
    const dir = tempDir("vmimages-kc-");
    writeFileSync(path.join(dir, "config"), kubeadm("https://a:6443", "t"));
    expect(thrown(() => loadKubeconfig({ kubeconfig: path.join(dir, "config"), ...options }, environment(dir)))).toContain(message);
  });

  test("a context whose cluster or user is not there names it", () => {
    const text = "clusters: []\nusers: []\ncontexts:\n- name: c\n  context: {cluster: gone, user: u}\ncurrent-context: c\n";
    expect(thrown(() => loadKubeconfig({ kubeconfigText: text }, environment(tempDir())))).toBe('the context "c" names the cluster "gone", which is not in the kubeconfig (the kubeconfig given)');
  });

  test("a --kubeconfig that is not there is an error, while a KUBECONFIG file that is not there is skipped", () => {
    const dir = tempDir("vmimages-kc-");
    expect(thrown(() => loadKubeconfig({ kubeconfig: path.join(dir, "nope") }, environment(dir)))).toMatch(/^cannot read the kubeconfig .*nope: ENOENT/);
    expect(thrown(() => loadKubeconfig({}, environment(dir, { KUBECONFIG: path.join(dir, "nope") })))).toMatch(/^no kubeconfig found: looked at .*nope and for an in-cluster service account/);
  });

  test("with no kubeconfig, the in-cluster service account, as client-go finds it (the service's host and port, and the token file)", () => {
    const dir = tempDir("vmimages-kc-");
    writeTreeOf(path.join(dir, "serviceaccount"), { token: "sa-token", namespace: "team-a\n", "ca.crt": "" });
    const access = loadKubeconfig({}, environment(dir, { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" }));
    expect(access.server).toBe("https://10.0.0.1:443");
    expect(access.namespace).toBe("team-a");
    expect(thrown(() => loadKubeconfig({}, environment(dir)))).toContain("no kubeconfig found");
  });
});

function writeTreeOf(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
}

describe("a kubeconfig that is not valid YAML", () => {
  const secret = "tok-admin-SECRET-123456";
  const head = `apiVersion: v1\nclusters:\n- name: c\n  cluster: {server: 'https://a'}\nusers:\n- name: u\n  user:\n`;
  test.each([
    ["a badly indented line after the token", `${head}    token: ${secret}\n      extra: 1\n`, "line 8"],
    ["a tab before the token", `${head}\ttoken: ${secret}\n`, "line 8"],
    ["an alias named like the token", `${head}    token: *${secret}\n`, "line 8"],
    ["a tag named like the token", `${head}    token: !${secret} x\n`, "line 8"],
    ["a bad escape in the token", `${head}    token: "${secret}\\q"\n`, "line 8"],
    ["a password with a stray quote", `${head}    password: ${secret}"\n    username: "x\n`, "line"],
    ["a client key with a bad indent", `${head}    client-key-data: ${secret}\n   client-certificate-data: x\n`, "line"],
    ["exec args holding the secret, badly indented", `${head}    exec:\n      command: x\n      args: [--token, ${secret}\n`, "line"],
  ])("with %s is named by file and line, never quoting any of the secret", (_what, text, line) => {
    const dir = tempDir("vmimages-kc-");
    const file = path.join(dir, "config");
    writeFileSync(file, text);
    const message = thrown(() => loadKubeconfig({ kubeconfig: file }, environment(dir)));
    expect(message).toContain(file);
    expect(message).toContain(line);
    for (let i = 0; i + 4 <= secret.length; i++) expect(message).not.toContain(secret.slice(i, i + 4));
    const given = thrown(() => loadKubeconfig({ kubeconfigText: text }, environment(dir)));
    expect(given).toMatch(/^the kubeconfig given /);
    for (let i = 0; i + 4 <= secret.length; i++) expect(given).not.toContain(secret.slice(i, i + 4));
  });
});
