import { execFile, spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { IncomingMessage, createServer } from "node:http";
import { createServer as createHttpsServer, request as httpsRequest } from "node:https";
import { AddressInfo, connect } from "node:net";
import { Duplex } from "node:stream";
import { promisify } from "node:util";
import * as path from "node:path";
import { v5 as uuidv5 } from "uuid";
import { vmimages, vmimagesProcess } from "../helpers/cli";
import { vmiName } from "../../provider/image/naming";
import { OFFLINE_ITEM_NAMESPACE } from "../../provider/source/directory";
import { copyExample, PROJECT, tempDir, writeTree } from "../helpers/library";
import { Cluster, freePort, startCluster } from "../helpers/kube";
import { ovf } from "../helpers/ovf";

jest.setTimeout(300_000);

const exec = promisify(execFile);

/**
 * The images against a real Kubernetes API server (kube-apiserver v1.35.4 and etcd, started by the
 * test with VM Operator's CRDs): what a GitOps tool makes of the folder, and how an image's status
 * reaches the cluster.
 */
describe("the GitOps folder on a real API server", () => {
  let cluster: Cluster;
  let out: string;
  beforeAll(async () => {
    cluster = await startCluster();
    const ex = copyExample();
    expect((await vmimages("generate", "-c", ex.config, "-o", ex.out)).code).toBe(0);
    out = ex.out;
  });
  afterAll(() => cluster?.stop());

  test("the server is the version the toolchain builds, with the image CRDs established", async () => {
    const version = JSON.parse(await cluster.kubectl(["version", "-o", "json"])) as { serverVersion: { gitVersion: string } };
    expect(version.serverVersion.gitVersion).toBe("v1.35.4");
    expect(await cluster.kubectl(["get", "crd", "-o", "name"])).toContain("customresourcedefinition.apiextensions.k8s.io/virtualmachineimages.vmoperator.vmware.com");
  });

  test("applying the folder as kubectl, Argo CD or Flux do stores the images without their status: the columns stay empty", async () => {
    await cluster.kubectl(["create", "namespace", "team-a"]);
    await cluster.kubectl(["apply", "--server-side", "-k", out]);
    const cvmi = JSON.parse(await cluster.kubectl(["get", "cvmi", "-o", "json"])) as { items: Array<{ metadata: { name: string; labels: Record<string, string> }; status?: Record<string, unknown> }> };
    expect(cvmi.items.map((i) => i.metadata.name).sort()).toEqual(
      readFileSync(path.join(out, "kustomization.yaml"), "utf8")
        .split("\n")
        .filter((l) => l.startsWith("  - cluster/"))
        .map((l) => l.slice("  - cluster/".length, -".yaml".length))
        .sort(),
    );
    // Labels arrive; the status is dropped (the CRD has a status subresource).
    expect(cvmi.items.every((i) => i.metadata.labels["image.vmoperator.vmware.com/type"] !== undefined)).toBe(true);
    expect(cvmi.items.every((i) => i.status === undefined || Object.keys(i.status).length === 0)).toBe(true);
  });

  test("the status reaches the cluster through the /status subresource, and kubectl get vmi -o wide then prints every column", async () => {
    const file = readFileSync(path.join(out, "kustomization.yaml"), "utf8")
      .split("\n")
      .find((l) => l.startsWith("  - namespaces/team-a/"))!
      .slice(4);
    await cluster.kubectl(["apply", "--server-side", "--field-manager", "vmimages", "--subresource", "status", "-f", path.join(out, file)]);
    const name = path.basename(file, ".yaml");
    const wide = (await cluster.kubectl(["get", "vmi", "-n", "team-a", name, "-o", "wide"])).trimEnd().split("\n");
    expect(wide[0]).toMatch(/^NAME\s+DISPLAY NAME\s+TYPE\s+IMAGE VERSION\s+OS NAME\s+OS VERSION\s+HARDWARE VERSION\s+CAPABILITIES$/);
    const status = (JSON.parse(await cluster.kubectl(["get", "vmi", "-n", "team-a", name, "-o", "json"])) as { status: { name: string; type: string } }).status;
    expect(wide[1]).toContain(status.name);
    expect(wide[1]).toMatch(/\s+OVF\s+/);
  });

  test("a user the server knows but grants nothing is refused with 403", async () => {
    await expect(cluster.kubectl(["get", "cvmi"], cluster.nobodyKubeconfig)).rejects.toThrow(/Forbidden|forbidden/);
  });
});

describe("a cluster that does not answer", () => {
  test("vmimages apply fails naming the server after its retries, and prunes nothing", async () => {
    const ex = copyExample();
    const kubeconfig = path.join(tempDir("vmimages-kc-"), "config");
    const port = await freePort();
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:${port}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n`);
    const run = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", kubeconfig, "--applyset", "unreachable", "-n", "team-a", "--prune"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`https://127.0.0.1:${port}: cannot read what vmoperator.vmware.com/v1alpha5 serves: connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});

describe("a cluster without VM Operator's CRDs", () => {
  test("vmimages apply fails saying the CRD is not served, and changes nothing", async () => {
    const bare = await startCluster({ crds: false });
    try {
      const ex = copyExample();
      const run = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", bare.adminKubeconfig]);
      expect(run.code).toBe(1);
      expect(run.err).toContain(`${bare.server} does not serve ClusterVirtualMachineImage and VirtualMachineImage of vmoperator.vmware.com/v1alpha5: it serves no vmoperator.vmware.com API (VM Operator's CRDs are not installed)`);
    } finally {
      await bare.stop();
    }
  });
});

describe("vmimages apply on a real API server", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.kubectl(["create", "namespace", "team-a"]);
  });
  afterAll(() => cluster?.stop());
  // Each test starts from a cluster without images: a set's images are another set's conflicts.
  afterEach(() => cluster.kubectl(["delete", "cvmi,vmi", "--all", "-A"]));

  const resourceVersions = async () =>
    Object.fromEntries(
      ((JSON.parse(await cluster.kubectl(["get", "cvmi,vmi", "-A", "-o", "json"])) as { items: Array<{ metadata: { name: string; resourceVersion: string } }> }).items).map((i) => [i.metadata.name, i.metadata.resourceVersion]),
    );

  test("applies the example library with status: kubectl get vmi -o wide and get cvmi print every column, labels select, Ready=True; a second apply changes nothing", async () => {
    const ex = copyExample();
    const first = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig]);
    expect(first.err).toContain("5 image(s): 5 created, 0 changed, 0 unchanged, 0 deleted, 0 conflict(s)");
    expect(first.code).toBe(0);
    const wide = (await cluster.kubectl(["get", "vmi", "-n", "team-a", "-o", "wide"])).trimEnd().split("\n");
    expect(wide[0]).toMatch(/^NAME\s+DISPLAY NAME\s+TYPE\s+IMAGE VERSION\s+OS NAME\s+OS VERSION\s+HARDWARE VERSION\s+CAPABILITIES$/);
    expect(wide.find((l) => l.includes("Ubuntu 24.04 LTS"))).toMatch(/Ubuntu 24\.04 LTS\s+OVF\s+24\.04\s+Linux\s+24\.04\s+19/);
    const cvmi = await cluster.kubectl(["get", "cvmi"]);
    expect(cvmi).toMatch(/Photon OS 5\.0\s+OVF\s+5\.0\s+Linux\s+5\.0\s+19/);
    const cloudInit = await cluster.kubectl(["get", "cvmi,vmi", "-A", "-l", "capability.image.vmoperator.vmware.com/cloud-init", "-o", "name"]);
    expect(cloudInit).toContain("vmi-0a0044d7c690bcbea");
    const ready = JSON.parse(await cluster.kubectl(["get", "cvmi", "vmi-0a0044d7c690bcbea", "-o", "json"])) as { status: { conditions: Array<{ type: string; status: string }> } };
    expect(ready.status.conditions).toEqual([expect.objectContaining({ type: "Ready", status: "True" })]);

    const before = await resourceVersions();
    const again = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig]);
    expect(again.err).toContain("0 created, 0 changed, 5 unchanged");
    expect(await resourceVersions()).toEqual(before);
  });

  test("with --prune, a changed, an added and a deleted item are one update, one create and one delete; a foreign image of a wanted name is reported and left", async () => {
    const ex = copyExample();
    writeFileSync(ex.config, readFileSync(ex.config, "utf8"));
    expect((await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "prune-test", "-n", "team-a"])).code).toBe(0);
    const photon = path.join(ex.library, "base-images/linux/photon-5.ovf");
    writeFileSync(photon, readFileSync(photon, "utf8").replace("<FullVersion>5.0-dde71ec57</FullVersion>", "<FullVersion>5.0-2025.11</FullVersion>"));
    rmSync(path.join(ex.library, "team-a/centos-7-legacy.ovf"));
    writeTree(ex.library, { "team-a/rocky-9.ovf": ovf({ osType: "rockylinux_64Guest", systemType: "vmx-21" }) });
    const run = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "prune-test", "-n", "team-a", "--prune"]);
    expect(run.err).toContain("1 created, 1 changed, 3 unchanged, 1 deleted, 0 conflict(s)");
    expect(run.out).toContain("~ ClusterVirtualMachineImage vmi-0a0044d7c690bcbea");

    // An image VM Operator made, of a name this library wants: never touched.
    const foreign = path.join(tempDir("vmimages-foreign-"), "foreign.yaml");
    writeFileSync(foreign, `apiVersion: vmoperator.vmware.com/v1alpha5\nkind: VirtualMachineImage\nmetadata:\n  name: ${vmiNameOfRocky(ex.library)}\n  namespace: team-b\n`);
    await cluster.kubectl(["create", "namespace", "team-b"]);
    await cluster.kubectl(["apply", "--server-side", "-f", foreign]);
    writeFileSync(ex.config, readFileSync(ex.config, "utf8").replace("namespace: team-a", "namespace: team-b"));
    const conflicted = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "prune-test-b", "-n", "team-a"]);
    expect(conflicted.code).toBe(1);
    expect(conflicted.err).toContain(`conflict: VirtualMachineImage team-b/${vmiNameOfRocky(ex.library)} exists and is not managed by vmimages: left as it is`);
    const kept = JSON.parse(await cluster.kubectl(["get", "vmi", "-n", "team-b", vmiNameOfRocky(ex.library), "-o", "json"])) as { metadata: { labels?: Record<string, string> } };
    expect(kept.metadata.labels?.["app.kubernetes.io/managed-by"]).toBeUndefined();
  });

  test("an item that drops a capability and a property loses the label and the status fields in the cluster, and a second apply changes nothing", async () => {
    const ex = copyExample();
    const args = ["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "drops", "-n", "team-a"];
    expect((await vmimagesProcess(args)).code).toBe(0);
    const photon = path.join(ex.library, "base-images/linux/photon-5.ovf");
    const text = readFileSync(photon, "utf8");
    const dropped = text
      .replace('ovf:value="cloud-init, guest-customization,cloud-init"', 'ovf:value="guest-customization"')
      .replace(/<Property ovf:key="hostname"[\s\S]*?<\/Property>/, "");
    expect(dropped).not.toBe(text);
    writeFileSync(photon, dropped);
    const run = await vmimagesProcess(args);
    expect(run.code).toBe(0);
    expect(run.err).toContain("0 created, 1 changed, 4 unchanged");
    const image = JSON.parse(await cluster.kubectl(["get", "cvmi", "vmi-0a0044d7c690bcbea", "-o", "json"])) as {
      metadata: { labels: Record<string, string> };
      status: { capabilities: string[]; ovfProperties: Array<{ key: string }> };
    };
    expect(Object.keys(image.metadata.labels)).not.toContain("capability.image.vmoperator.vmware.com/cloud-init");
    expect(image.metadata.labels["capability.image.vmoperator.vmware.com/guest-customization"]).toBe("");
    expect(image.status.capabilities).toEqual(["guest-customization"]);
    expect(image.status.ovfProperties.map((p) => p.key)).toContain("user-data");
    expect(image.status.ovfProperties.map((p) => p.key)).not.toContain("hostname");
    const before = await resourceVersions();
    expect((await vmimagesProcess(args)).err).toContain("0 created, 0 changed, 5 unchanged");
    expect(await resourceVersions()).toEqual(before);
  });

  test("a user without rights gets a 403 naming what is missing, and nothing changes", async () => {
    const ex = copyExample();
    const before = await resourceVersions();
    const run = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.nobodyKubeconfig]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/HTTP 403: .*"nobody" cannot list resource "clustervirtualmachineimages" in API group "vmoperator\.vmware\.com"/);
    expect(await resourceVersions()).toEqual(before);
  });

  test("--dry-run says what would change, using the server's dry run, and changes nothing", async () => {
    const ex = copyExample();
    expect((await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "dry", "-n", "team-a"])).code).toBe(0);
    const photon = path.join(ex.library, "base-images/linux/photon-5.ovf");
    writeFileSync(photon, readFileSync(photon, "utf8").replace("<FullVersion>5.0-dde71ec57</FullVersion>", "<FullVersion>5.0-dry</FullVersion>"));
    writeTree(ex.library, { "team-a/dry.ovf": ovf({ osType: "ubuntu64Guest" }) });
    const before = await resourceVersions();
    const run = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "dry", "-n", "team-a", "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.err).toContain("(dry run) 6 image(s): 1 created, 1 changed");
    expect(run.out).toContain("~ ClusterVirtualMachineImage vmi-0a0044d7c690bcbea");
    expect(await resourceVersions()).toEqual(before);
  });

  test("list, resolve and select read the images of the live cluster, with namespace precedence, the cluster's fallback, ambiguity and --strict", async () => {
    const ex = copyExample();
    expect((await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "read", "-n", "team-a"])).code).toBe(0);
    const kc = ["--kubeconfig", cluster.adminKubeconfig];
    const list = await vmimagesProcess(["list", ...kc, "-n", "team-a"]);
    expect(list.out.split("\n")[0]).toMatch(/^NAME\s+DISPLAY NAME\s+TYPE\s+IMAGE VERSION\s+OS NAME\s+OS VERSION\s+HARDWARE VERSION\s+CAPABILITIES$/);
    expect(list.out).toContain("Ubuntu 24.04 LTS");
    const teamA = (await vmimagesProcess(["resolve", "Ubuntu 24.04 LTS", ...kc, "-n", "team-a"])).out.trim();
    const inCluster = (await vmimagesProcess(["resolve", "Ubuntu 24.04 LTS", ...kc])).out.trim();
    expect(teamA).toMatch(/^vmi-[0-9a-f]{17}$/);
    expect(inCluster).toMatch(/^vmi-[0-9a-f]{17}$/);
    expect(teamA).not.toBe(inCluster);
    expect((await vmimagesProcess(["resolve", "Photon OS 5.0", ...kc, "-n", "team-a"])).out.trim()).toBe("vmi-0a0044d7c690bcbea");
    const strict = await vmimagesProcess(["resolve", "Ubuntu 24.04 LTS", ...kc, "-n", "team-a", "--strict"]);
    expect(strict.code).toBe(1);
    expect(strict.err).toContain('the display name "Ubuntu 24.04 LTS" is ambiguous in namespace "team-a" and the cluster (strict)');
    // An image VM Operator made (not by vmimages) counts like any other.
    const made = path.join(tempDir("vmimages-made-"), "made.yaml");
    writeFileSync(made, "apiVersion: vmoperator.vmware.com/v1alpha5\nkind: VirtualMachineImage\nmetadata:\n  name: vmi-00000000000000001\n  namespace: team-a\nstatus:\n  name: Ubuntu 24.04 LTS\n  type: OVF\n");
    await cluster.kubectl(["apply", "--server-side", "-f", made]);
    await cluster.kubectl(["apply", "--server-side", "--subresource", "status", "-f", made]);
    const ambiguous = await vmimagesProcess(["resolve", "Ubuntu 24.04 LTS", ...kc, "-n", "team-a"]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toContain("vmi-00000000000000001 (namespace team-a)");
    expect((await vmimagesProcess(["select", "--name", "Photon*", ...kc])).out.trim()).toBe("vmi-0a0044d7c690bcbea");
    await cluster.kubectl(["delete", "-f", made]);
  });

  test("the SDK's lookupImage and lookupSelectedImage take a live cluster (a kubeconfig's text, as a Pulumi secret gives it) as their catalog", async () => {
    const ex = copyExample();
    expect((await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "sdk", "-n", "team-a"])).code).toBe(0);
    const script = `
      const sdk = require(${JSON.stringify(path.join(PROJECT, "dist/sdk/index.js"))});
      const kubeconfig = require("node:fs").readFileSync(${JSON.stringify(cluster.adminKubeconfig)}, "utf8");
      (async () => {
        const ref = await sdk.lookupImage({ kubeconfig }, "Photon OS 5.0", { namespace: "team-a" });
        const newest = await sdk.lookupSelectedImage({ kubeconfig }, { name: "Ubuntu*", mostRecent: true }, { namespace: "team-a" });
        let bad = "";
        try { await sdk.lookupImage({ kubeconfig: "users: [{token: sekrit-token-123}" }, "x"); } catch (e) { bad = e.message; }
        process.stdout.write(JSON.stringify({ ref, newest, bad }));
      })();`;
    const { execFile } = await import("node:child_process");
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["-e", script], { cwd: PROJECT }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    const result = JSON.parse(out) as { ref: unknown; newest: { namespace?: string; displayName: string }; bad: string };
    expect(result.ref).toEqual({ kind: "ClusterVirtualMachineImage", name: "vmi-0a0044d7c690bcbea" });
    expect(result.newest).toMatchObject({ kind: "VirtualMachineImage", namespace: "team-a", displayName: "Ubuntu 24.04 LTS" });
    // Where the text is wrong, never what it says there: a kubeconfig holds credentials.
    expect(result.bad).toBe("the kubeconfig given is not valid YAML at line 1, column 34 (bad indentation)");
  });

  test("on a terminal, apply draws a progress bar of the items read and the images applied; --no-progress and a pipe draw none", async () => {
    const ex = copyExample();
    const command = (extra: string) => [process.execPath, path.join(PROJECT, "bin/vmimages.js"), "apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, ...(extra ? [extra] : [])].map((a) => `'${a}'`).join(" ");
    // `script` runs the command on a pseudo-terminal and prints what the terminal received.
    const onTty = async (extra: string) => (await exec("script", ["-qec", command(extra), "/dev/null"], { maxBuffer: 16 * 1024 * 1024 })).stdout;
    const drawn = await onTty("");
    expect(drawn).toMatch(/reading .* 5\/5 items/);
    expect(drawn).toMatch(/applying .* 5\/5 images/);
    expect(drawn).toContain("5 image(s): ");
    const plain = await onTty("--no-progress");
    expect(plain).not.toMatch(/reading|applying/);
    expect(plain).toContain("5 image(s)");
    const piped = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig]);
    expect(piped.err).not.toMatch(/reading|applying/);
  });

  test("a library that cannot be read fails apply naming the item, and nothing is pruned or changed", async () => {
    const ex = copyExample();
    const owner = ["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "unreadable", "-n", "team-a", "--prune"];
    expect((await vmimagesProcess(owner)).code).toBe(0);
    const before = await resourceVersions();
    // The item vanishes as a file that cannot be parsed, and another item goes away for good.
    writeFileSync(path.join(ex.library, "team-a/centos-7-legacy.ovf"), "<Envelope><unclosed>");
    rmSync(path.join(ex.library, "base-images/linux/photon-5.ovf"));
    const run = await vmimagesProcess(owner);
    expect(run.code).toBe(1);
    expect(run.err).toContain("centos-7-legacy.ovf");
    expect(await resourceVersions()).toEqual(before);
  });

  test("a namespace that does not exist fails naming it, and is never created", async () => {
    const ex = copyExample();
    writeFileSync(ex.config, readFileSync(ex.config, "utf8").replace("namespace: team-a", "namespace: nowhere"));
    const run = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "nowhere", "-n", "team-a"]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/namespaces "nowhere" not found/);
    await expect(cluster.kubectl(["get", "namespace", "nowhere"])).rejects.toThrow(/not found/);
  });

  test("through the kubeconfig's proxy-url (an HTTPS proxy), an HTTPS front that speaks only HTTP/1.1, and kubectl proxy (plain HTTP), apply and list reach the cluster", async () => {
    const owned = async (owner: string) => (await cluster.kubectl(["get", "cvmi,vmi", "-A", "-l", `vmimages.pulumi-vmimages.dev/config=${owner}`, "-o", "name"])).split("\n").filter((l) => l !== "");
    // The example library's 5 images, each labelled with the configuration that applied it last.
    const examples = 5;
    // A proxy that tunnels CONNECT requests, as a corporate one does, and counts them.
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on("connect", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      tunnels.push(req.url ?? "");
      const [host, port] = (req.url ?? "").split(":");
      const upstream = connect(Number(port), host, () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const viaProxy = path.join(tempDir("vmimages-proxy-"), "kubeconfig");
    writeFileSync(viaProxy, readFileSync(cluster.adminKubeconfig, "utf8").replace(/^(\s+)server: (.*)$/m, `$1server: $2\n$1proxy-url: http://127.0.0.1:${(proxy.address() as AddressInfo).port}`));
    try {
      const ex = copyExample();
      const run = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", viaProxy, "--applyset", "proxied", "-n", "team-a"]);
      expect(run.code).toBe(0);
      expect(await owned("proxied")).toHaveLength(examples);
      expect(tunnels.length).toBeGreaterThan(0);
      expect(new Set(tunnels)).toEqual(new Set([new URL(cluster.server).host]));
    } finally {
      proxy.close();
    }

    await cluster.kubectl(["delete", "cvmi,vmi", "--all", "-A"]);
    // An HTTPS front that speaks HTTP/1.1 only (ALPN without h2), as some load balancers do, passing each request on.
    const crt = readFileSync(cluster.adminKubeconfig, "utf8").match(/certificate-authority: (.*)/)![1]!;
    const front = createHttpsServer({ cert: readFileSync(crt), key: readFileSync(crt.replace(/server\.crt$/, "server.key")), ALPNProtocols: ["http/1.1"] }, (req, res) => {
      const upstream = httpsRequest(`${cluster.server}${req.url}`, { method: req.method, headers: req.headers, ca: readFileSync(crt) }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    });
    let frontRequests = 0;
    front.on("request", () => frontRequests++);
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
    try {
      const viaFront = path.join(tempDir("vmimages-front-"), "kubeconfig");
      writeFileSync(viaFront, readFileSync(cluster.adminKubeconfig, "utf8").replace(/server: .*/, `server: https://127.0.0.1:${(front.address() as AddressInfo).port}`));
      const ex = copyExample();
      const run = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", viaFront, "--applyset", "fronted", "-n", "team-a"]);
      expect(run.err).toContain("5 image(s)");
      expect(run.code).toBe(0);
      expect(await owned("fronted")).toHaveLength(examples);
      expect(frontRequests).toBeGreaterThan(examples);
    } finally {
      front.close();
    }

    await cluster.kubectl(["delete", "cvmi,vmi", "--all", "-A"]);
    const kubectlProxy = spawn("kubectl", ["--kubeconfig", cluster.adminKubeconfig, "proxy", "--port=0"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let said = "";
        kubectlProxy.stdout.on("data", (d: Buffer) => {
          said += d.toString();
          const m = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(said);
          if (m) resolve(m[1]!);
        });
        kubectlProxy.on("exit", (code) => reject(new Error(`kubectl proxy exited (${code}): ${said}`)));
      });
      const plain = path.join(tempDir("vmimages-kubectl-proxy-"), "kubeconfig");
      writeFileSync(plain, `apiVersion: v1\nkind: Config\nclusters:\n- name: p\n  cluster:\n    server: http://127.0.0.1:${port}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: p\n  context:\n    cluster: p\n    user: u\ncurrent-context: p\n`);
      const ex = copyExample();
      const run = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", plain, "--applyset", "plain", "-n", "team-a"]);
      expect(run.code).toBe(0);
      expect(await owned("plain")).toHaveLength(examples);
      const list = await vmimagesProcess(["list", "--kubeconfig", plain, "-n", "team-a"]);
      expect(list.code).toBe(0);
      expect(list.out).toContain("Ubuntu 24.04 LTS");
    } finally {
      kubectlProxy.kill();
    }
  });
});

/** The VMI ID of the rocky-9 item the prune test adds (a UUIDv5 of its path). */
function vmiNameOfRocky(_library: string): string {
  return vmiName(uuidv5("team-a/rocky-9.ovf", OFFLINE_ITEM_NAMESPACE));
}

describe("a kube-apiserver that dies mid-run", () => {
  test("vmimages apply exits non-zero naming the server, prunes nothing, and a re-run converges", async () => {
    const cluster = await startCluster();
    try {
      await cluster.kubectl(["create", "namespace", "team-a"]);
      const dir = tempDir("vmimages-kill-");
      const config = path.join(dir, "vmimages.yaml");
      writeFileSync(config, "source:\n  directory: ./library\nlibraries:\n  - name: lib\n    namespace: team-a\n");
      const names = async () => (await cluster.kubectl(["get", "vmi", "-n", "team-a", "-o", "name"])).split("\n").filter((l) => l !== "").map((l) => l.split("/")[1]!).sort();
      // An earlier apply of this configuration, whose one image has vanished from the library since.
      writeTree(dir, { "library/lib/old.ovf": ovf({ osType: "ubuntu64Guest" }) });
      const old = vmiName(uuidv5("lib/old.ovf", OFFLINE_ITEM_NAMESPACE));
      expect((await vmimagesProcess(["apply", "-c", config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "kill"])).code).toBe(0);
      rmSync(path.join(dir, "library/lib/old.ovf"));
      const count = 800;
      for (let i = 0; i < count; i++) writeTree(dir, { [`library/lib/item-${i}.ovf`]: ovf({ osType: "ubuntu64Guest", product: { product: `Item ${i}` } }) });
      const wanted = Array.from({ length: count }, (_, i) => vmiName(uuidv5(`lib/item-${i}.ovf`, OFFLINE_ITEM_NAMESPACE))).sort();

      const running = vmimagesProcess(["apply", "-c", config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "kill", "--prune"]);
      let finished = false;
      void running.then(() => (finished = true));
      // The server dies once it holds some of the new images, not all.
      let held: string[] = [];
      while (!finished && held.length < 40) held = await names();
      expect(finished).toBe(false);
      cluster.killApiserver();
      const run = await running;
      expect(run.code).toBe(1);
      expect(run.err).toContain(`could not be applied to ${cluster.server}; nothing was pruned`);

      await cluster.restartApiserver();
      const after = await names();
      expect(after).toContain(old);
      expect(after.length).toBeLessThan(count + 1);

      const again = await vmimagesProcess(["apply", "-c", config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "kill", "--prune"]);
      // Those it had applied are there (some maybe without their status yet): the rest are created.
      const summary = new RegExp(`${count} image\\(s\\): (\\d+) created, (\\d+) changed, (\\d+) unchanged, 1 deleted, 0 conflict\\(s\\)`).exec(again.err);
      expect(summary).not.toBeNull();
      expect(Number(summary![1])).toBe(count - (after.length - 1));
      expect(Number(summary![2]) + Number(summary![3])).toBe(after.length - 1);
      expect(again.code).toBe(0);
      expect(await names()).toEqual(wanted);
      const third = await vmimagesProcess(["apply", "-c", config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "kill", "--prune"]);
      expect(third.err).toContain(`0 created, 0 changed, ${count} unchanged, 0 deleted`);
    } finally {
      await cluster.stop();
    }
  });
});
