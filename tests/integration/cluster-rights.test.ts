import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { readClusterImages } from "../../provider/targets/cluster";
import { vmimagesProcess } from "../helpers/cli";
import { docBlock } from "../helpers/docs";
import { Cluster, startCluster } from "../helpers/kube";
import { EXAMPLE_NAMES } from "../helpers/names";
import { copyExample, tempDir, writeTree } from "../helpers/library";
import { ovf } from "../helpers/ovf";

jest.setTimeout(900_000);

/**
 * The cluster face under real permissions and real kubeconfigs, on a kube-apiserver with token
 * authentication and RBAC: the rights docs/cluster.md documents (exactly enough, and each one
 * needed), a user whose rights end at a namespace, ApplySets between configurations, names with
 * control characters, kubeconfigs merged from several files, exec plugins, paged and expiring
 * lists, prunes at once, and versions the cluster does not serve.
 */

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
  await cluster.kubectl(["create", "namespace", "team-a"]);
  await cluster.kubectl(["create", "namespace", "p12"]);
});
afterAll(() => cluster?.stop());

/** Removes every image, ApplySet parent and right given to `nobody`, so each test starts from an empty cluster. */
async function clean(): Promise<void> {
  await cluster.kubectl(["delete", "cvmi,vmi", "--all", "-A"]);
  await cluster.kubectl(["delete", "secret", "-A", "-l", "applyset.kubernetes.io/id"]);
  await cluster.kubectl(["delete", "rolebinding", "--all", "-n", "team-a"]);
  await cluster.kubectl(["delete", "rolebinding", "--all", "-n", "p12"]);
  await cluster.kubectl(["delete", "clusterrolebinding", "vmimages-apply-cluster", "--ignore-not-found"]);
}

/** Applies RBAC objects (YAML) as the admin. */
async function applyRbac(yaml: string): Promise<void> {
  const file = path.join(tempDir("vmimages-rbac-"), "rbac.yaml");
  writeFileSync(file, yaml);
  await cluster.kubectl(["apply", "-f", file]);
}

/** Binds the documented Role (in team-a) and ClusterRole to the user `nobody`, with `drop` taken out of the rules. */
async function grantDocumented(drop?: { readonly resource: string; readonly verb: string }): Promise<void> {
  const without = (doc: { rules: Array<{ resources: string[]; verbs: string[] }> }) => ({
    ...doc,
    rules: doc.rules.map((r) => (drop && r.resources.includes(drop.resource) ? { ...r, verbs: r.verbs.filter((v) => v !== drop.verb) } : r)).filter((r) => r.verbs.length > 0),
  });
  const role = without(parseYaml(docBlock("rbac-namespace.yaml")) as { rules: Array<{ resources: string[]; verbs: string[] }> });
  const clusterRole = without(parseYaml(docBlock("rbac-cluster.yaml")) as { rules: Array<{ resources: string[]; verbs: string[] }> });
  const bindings =
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: vmimages-apply, namespace: team-a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: vmimages-apply}\nsubjects: [{kind: User, name: nobody}]\n---\n" +
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: vmimages-apply-cluster}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: vmimages-apply-cluster}\nsubjects: [{kind: User, name: nobody}]\n";
  await applyRbac(`${JSON.stringify(role)}\n---\n${JSON.stringify(clusterRole)}\n---\n${bindings}`);
}

describe("the rights docs/cluster.md documents", () => {
  afterEach(clean);

  test("are enough: the example library is applied and pruned as the user who has only them", async () => {
    await grantDocumented();
    const ex = copyExample();
    const args = ["apply", "-c", ex.config, "--kubeconfig", cluster.nobodyKubeconfig, "--applyset", "examples", "-n", "team-a", "--prune"];
    const first = await vmimagesProcess(args);
    expect(first.err).toContain("5 image(s): 5 created");
    expect(first.code).toBe(0);
    rmSync(path.join(ex.library, "team-a/centos-7-legacy.ovf"));
    const again = await vmimagesProcess(args);
    expect(again.out).toBe(`- VirtualMachineImage ${EXAMPLE_NAMES["team-a/centos-7-legacy.ovf"]} "centos-7-legacy" (namespace team-a)\n`);
    expect(again.code).toBe(0);
  });

  // Each verb taken away, with what the run must then have tried (so the 403 names it).
  test.each([
    ["virtualmachineimages", "list", "list"],
    ["virtualmachineimages", "create", "create"],
    ["virtualmachineimages", "patch", "patch"],
    ["virtualmachineimages/status", "update", "update"],
    ["clustervirtualmachineimages", "list", "list"],
    ["clustervirtualmachineimages", "create", "create"],
    ["clustervirtualmachineimages", "patch", "patch"],
    ["clustervirtualmachineimages/status", "update", "update"],
    ["secrets", "get", "get"],
    ["secrets", "patch", "patch"],
  ])("each is needed: without %s %s the run fails naming it", async (resource, verb, named) => {
    await grantDocumented({ resource, verb });
    const ex = copyExample();
    const run = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.nobodyKubeconfig, "--applyset", "examples", "-n", "team-a"]);
    expect(run.code).toBe(1);
    const [plural, sub] = resource.split("/");
    expect(run.err).toMatch(new RegExp(`User "nobody" cannot ${named} resource "${plural}"${sub ? ` \\(subresource "${sub}"\\)|cannot ${named} resource "${plural}/${sub}"` : ""}`));
  });

  test("each is needed: without secrets create a new set's parent cannot be made, and without delete a prune fails naming it", async () => {
    await grantDocumented({ resource: "secrets", verb: "create" });
    const ex = copyExample();
    const args = ["apply", "-c", ex.config, "--kubeconfig", cluster.nobodyKubeconfig, "--applyset", "examples", "-n", "team-a", "--prune"];
    const noCreate = await vmimagesProcess(args);
    expect(noCreate.code).toBe(1);
    expect(noCreate.err).toContain('User "nobody" cannot create resource "secrets"');

    await grantDocumented({ resource: "virtualmachineimages", verb: "delete" });
    expect((await vmimagesProcess(args)).code).toBe(0);
    rmSync(path.join(ex.library, "team-a/centos-7-legacy.ovf"));
    const noDelete = await vmimagesProcess(args);
    expect(noDelete.code).toBe(1);
    expect(noDelete.err).toContain('User "nobody" cannot delete resource "virtualmachineimages"');
  });
});

describe("a user whose rights end at a namespace", () => {
  afterEach(clean);

  test("applies, prunes and lists that namespace's images, and nothing asks the server beyond it", async () => {
    const role = (docBlock("rbac-namespace.yaml") as string).replace(/namespace: team-a/g, "namespace: p12").replace(/"examples"/g, '"p12-images"');
    await applyRbac(`${role}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: vmimages-apply, namespace: p12}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: vmimages-apply}\nsubjects: [{kind: User, name: nobody}]\n`);
    const dir = tempDir("vmimages-p12-");
    writeTree(dir, {
      "vmimages.yaml": "source:\n  directory: ./library\nlibraries:\n  - name: lib\n    namespace: p12\n",
      "library/lib/a.ovf": ovf({ osType: "ubuntu64Guest" }),
      "library/lib/b.ovf": ovf({ osType: "ubuntu64Guest" }),
    });
    const config = path.join(dir, "vmimages.yaml");
    const apply = await vmimagesProcess(["apply", "-c", config, "--kubeconfig", cluster.nobodyKubeconfig, "--applyset", "p12-images", "--prune"]);
    expect(apply.err).toContain("2 image(s): 2 created");
    expect(apply.code).toBe(0);
    rmSync(path.join(dir, "library/lib/b.ovf"));
    const prune = await vmimagesProcess(["apply", "-c", config, "--kubeconfig", cluster.nobodyKubeconfig, "--applyset", "p12-images", "--prune"]);
    expect(prune.err).toContain("1 image(s): 0 created, 0 changed, 1 unchanged, 1 deleted");
    const list = await vmimagesProcess(["list", "--kubeconfig", cluster.nobodyKubeconfig, "-n", "p12", "-o", "name"]);
    expect(list.out.split("\n").filter(Boolean)).toHaveLength(1);
    expect(list.code).toBe(0);
    // The cluster's images are another scope: asking for them fails naming it, as kubectl get cvmi does.
    const clusterImages = await vmimagesProcess(["list", "--kubeconfig", cluster.nobodyKubeconfig]);
    expect(clusterImages.code).toBe(1);
    expect(clusterImages.err).toContain('cannot list resource "clustervirtualmachineimages"');
  });
});

describe("ApplySets between configurations", () => {
  afterEach(clean);

  test("a second set over the same library is refused every image, and the first set's prune deletes only its own", async () => {
    const ex = copyExample();
    const team = (set: string, ...more: string[]) => vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", set, "-n", "team-a", ...more]);
    expect((await team("team-x")).code).toBe(0);
    const other = await team("team-y", "--prune");
    expect(other.code).toBe(1);
    expect(other.err.match(/belongs to another ApplySet/g)).toHaveLength(5);
    expect(other.err).toContain("0 created, 0 changed, 0 unchanged, 0 deleted, 5 conflict(s)");
    const owners = await cluster.kubectl(["get", "cvmi,vmi", "-A", "-o", "jsonpath={.items[*].metadata.labels.vmimages\\.pulumi-vmimages\\.dev/config}"]);
    expect(owners.split(" ")).toEqual(Array(5).fill("team-x"));
  });

  test("two configurations that both prune without naming a set are refused before anything is read", async () => {
    const ex = copyExample();
    const run = await vmimagesProcess(["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, "--prune"]);
    expect(run.code).toBe(2);
    expect(run.err).toContain("--prune deletes the images of an ApplySet that vanished from the libraries: name the set with --applyset NAME");
  });

  test("two prunes of one set at once both succeed, and the cluster holds what the library holds", async () => {
    const ex = copyExample();
    const args = ["apply", "-c", ex.config, "--kubeconfig", cluster.adminKubeconfig, "--applyset", "both", "-n", "team-a", "--prune"];
    expect((await vmimagesProcess(args)).code).toBe(0);
    rmSync(path.join(ex.library, "team-a/centos-7-legacy.ovf"));
    rmSync(path.join(ex.library, "base-images/isos/netboot.iso"));
    const [a, b] = await Promise.all([vmimagesProcess(args), vmimagesProcess(args)]);
    expect([a.code, b.code, a.err, b.err]).toEqual([0, 0, expect.any(String), expect.any(String)]);
    const held = (await cluster.kubectl(["get", "cvmi,vmi", "-A", "-o", "name"])).split("\n").filter(Boolean).map((l) => l.split("/")[1]).sort();
    const { "team-a/centos-7-legacy.ovf": _c, "base-images/isos/netboot.iso": _n, ...kept } = EXAMPLE_NAMES;
    expect(held).toEqual(Object.values(kept).sort());
  });
});

test("names with DEL and C1 controls reach the cluster exactly, NEL and the separators too", async () => {
  const names = ["DEL\u007fname", "C1\u0080name", "NEL\u0085name", "CSI\u009bname", "LS\u2028name", "nonchar\ufffename"];
  const dir = tempDir("vmimages-ctl-");
  const files: Record<string, string> = { "vmimages.yaml": "source:\n  directory: ./library\nlibraries:\n  - name: lib\n    scope: cluster\n" };
  names.forEach((name, i) => {
    files[`library/lib/item-${i}.iso`] = "";
    files[`library/lib/item-${i}.item.json`] = JSON.stringify({ name, id: `00000000-0000-4000-8000-0000000000${String(i).padStart(2, "0")}` });
  });
  writeTree(dir, files);
  const run = await vmimagesProcess(["apply", "-c", path.join(dir, "vmimages.yaml"), "--kubeconfig", cluster.adminKubeconfig]);
  expect(run.code).toBe(0);
  const held = JSON.parse(await cluster.kubectl(["get", "cvmi", "-o", "json"])) as { items: Array<{ status: { name: string }; metadata: { annotations: Record<string, string> } }> };
  expect(held.items.map((i) => i.status.name).sort()).toEqual([...names].sort());
  expect(held.items.map((i) => i.metadata.annotations["vmware.com/display-name"]).sort()).toEqual([...names].sort());
  await clean();
});

describe("kubeconfigs as kubectl reads them", () => {
  afterEach(clean);
  /** A kubeadm-style kubeconfig of the test cluster with a user's token: the same cluster, user and context names in every file. */
  const kubeadm = (token: string, dir: string) => {
    const file = path.join(dir, `${token.slice(0, 6)}.yaml`);
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: kubernetes\n  cluster:\n    server: ${cluster.server}\n    certificate-authority: ${cluster.caFile}\n` +
        `users:\n- name: kubernetes-admin\n  user:\n    token: ${token}\ncontexts:\n- name: kubernetes-admin@kubernetes\n  context:\n    cluster: kubernetes\n    user: kubernetes-admin\ncurrent-context: kubernetes-admin@kubernetes\n`,
    );
    return file;
  };

  test("KUBECONFIG=a:b with files that name their entries alike: the first file's user is used, as kubectl uses it", async () => {
    const dir = tempDir("vmimages-merge-");
    const admin = kubeadm(cluster.adminToken, dir);
    const nobody = kubeadm(cluster.nobodyToken, dir);
    const asAdmin = await vmimagesProcess(["list"], { KUBECONFIG: [admin, nobody].join(path.delimiter) });
    expect(asAdmin.err).toBe("No resources found\n");
    expect(asAdmin.code).toBe(0);
    const asNobody = await vmimagesProcess(["list"], { KUBECONFIG: [nobody, admin].join(path.delimiter) });
    expect(asNobody.code).toBe(1);
    expect(asNobody.err).toContain('User "nobody" cannot list resource "clustervirtualmachineimages"');
  });

  test("a --context that is not there is named", async () => {
    const run = await vmimagesProcess(["list", "--kubeconfig", cluster.adminKubeconfig, "--context", "nope"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('the context "nope" is not in the kubeconfig');
  });

  test("a token in a kubeconfig with a YAML error is never printed", async () => {
    const file = path.join(tempDir("vmimages-bad-"), "config");
    writeFileSync(file, readFileSync(cluster.adminKubeconfig, "utf8").replace(`    token: ${cluster.adminToken}`, `    token: ${cluster.adminToken}\n      extra: 1`));
    const run = await vmimagesProcess(["list", "--kubeconfig", file]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/is not valid YAML at line \d+, column \d+ \(/);
    for (let i = 0; i + 4 <= cluster.adminToken.length; i++) expect(run.err).not.toContain(cluster.adminToken.slice(i, i + 4));
  });

  describe("with an exec credential plugin", () => {
    const withPlugin = (body: string) => {
      const dir = tempDir("vmimages-plugin-");
      writeFileSync(path.join(dir, "plugin.sh"), `#!/bin/sh\n${body}\n`);
      chmodSync(path.join(dir, "plugin.sh"), 0o755);
      const file = path.join(dir, "config");
      writeFileSync(
        file,
        `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${cluster.server}\n    certificate-authority: ${cluster.caFile}\n` +
          `users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ./plugin.sh\n      interactiveMode: Never\n` +
          `contexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n`,
      );
      return file;
    };

    test("relative to its kubeconfig, gives the token the requests carry", async () => {
      const file = withPlugin(`echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${cluster.adminToken}"}}'`);
      const run = await vmimagesProcess(["list", "--kubeconfig", file]);
      expect(run.err).toBe("No resources found\n");
      expect(run.code).toBe(0);
    });

    test("that fails is named with its exit code and standard error; its standard output is never printed", async () => {
      const file = withPlugin(`echo "SECRET-FROM-STDOUT"\necho "please log in" >&2\nexit 7`);
      const run = await vmimagesProcess(["list", "--kubeconfig", file]);
      expect(run.code).toBe(1);
      expect(run.err).toContain(`${path.dirname(file)}/plugin.sh (user "u") failed with exit code 7; it said: please log in`);
      expect(run.err).not.toContain("SECRET");
    });

    test("that hangs is stopped at --exec-timeout", async () => {
      const file = withPlugin("sleep 600");
      const run = await vmimagesProcess(["list", "--kubeconfig", file, "--exec-timeout", "1"]);
      expect(run.code).toBe(1);
      expect(run.err).toContain("did not finish within 1 s; it was stopped");
    });
  });
});

describe("lists", () => {
  afterEach(clean);

  test("are read page by page, and one whose continue token expires is started again: every image once", async () => {
    const dir = tempDir("vmimages-pages-");
    const files: Record<string, string> = { "vmimages.yaml": "source:\n  directory: ./library\nlibraries:\n  - name: lib\n    scope: cluster\n" };
    for (let i = 0; i < 5; i++) files[`library/lib/item-${i}.iso`] = "";
    writeTree(dir, files);
    expect((await vmimagesProcess(["apply", "-c", path.join(dir, "vmimages.yaml"), "--kubeconfig", cluster.adminKubeconfig])).code).toBe(0);

    const read = (afterPage?: () => Promise<void>) =>
      readClusterImages({ kubeconfig: cluster.adminKubeconfig, scopes: { cluster: true }, paging: { size: 2, ...(afterPage ? { afterPage } : {}) } });
    let pages = 0;
    expect((await read(async () => void pages++)).map((m) => m.metadata.name).sort()).toHaveLength(5);
    expect(pages).toBe(2);

    // After the first page: a write, etcd compacted past the token, and the API server's cache with it.
    let expired = false;
    let calls = 0;
    const names = (
      await read(async () => {
        calls++;
        if (expired) return;
        expired = true;
        await cluster.kubectl(["label", "namespace", "team-a", `moved=${Date.now()}`, "--overwrite"]);
        await cluster.compactEtcd();
        // The API server serves a continued list from its cache, which an outside compaction does not reach: it starts again empty.
        cluster.killApiserver();
        await cluster.restartApiserver();
      })
    ).map((m) => m.metadata.name);
    expect(names.sort()).toEqual([...new Set(names)].sort());
    expect(names).toHaveLength(5);
    // The second page met the expired token (410), and the list began again: its first page twice.
    expect(calls).toBe(3);
  });
});

describe("versions the cluster does not serve", () => {
  test("list in another version names the versions the cluster serves", async () => {
    const run = await vmimagesProcess(["list", "--kubeconfig", cluster.adminKubeconfig, "--api-version", "v1alpha9"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain("does not serve ClusterVirtualMachineImage of vmoperator.vmware.com/v1alpha9: it serves vmoperator.vmware.com v1alpha6, v1alpha5, v1alpha4, v1alpha3, v1alpha2, v1alpha1");
  });
});

test("an empty or blank name is a usage error, never an image", async () => {
  for (const name of ["", "  "]) {
    const run = await vmimagesProcess(["resolve", name, "--kubeconfig", cluster.adminKubeconfig, "-n", "team-a"]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`the name to resolve is ${name === "" ? "empty" : "blank"}`);
  }
});
