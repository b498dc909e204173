import { readFileSync } from "node:fs";
import * as path from "node:path";
import { main } from "../../provider/cli/main";
import { copyExample } from "../helpers/library";
import { Cluster, startCluster } from "../helpers/kube";

jest.setTimeout(300_000);

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
    expect(await main(["node", "vmimages", "generate", "-c", ex.config, "-o", ex.out], { out: () => undefined, err: () => undefined, tty: false })).toBe(0);
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
