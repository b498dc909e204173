import { readFileSync } from "node:fs";
import * as path from "node:path";
import { buildCatalog } from "../../provider/catalog/catalog";
import { ImageManifest } from "../../provider/image/manifest";
import { Generated } from "../../provider/pipeline/run";
import { GitopsFolder, KUSTOMIZATION, manifestPath } from "../../provider/targets/gitops";
import { testImage } from "../helpers/image";
import { snapshot, tempDir } from "../helpers/library";

const generated = (manifests: ImageManifest[]): Generated => {
  const catalog = buildCatalog(manifests);
  const order = catalog.images.map((i) => i.name);
  return { manifests: [...manifests].sort((a, b) => order.indexOf(a.metadata.name) - order.indexOf(b.metadata.name)), catalog };
};

/** Opens the folder, lets `f` use it, and closes it (releasing its lock). */
function using<T>(dir: string, f: (folder: GitopsFolder) => T): T {
  const folder = GitopsFolder.open(dir);
  try {
    return f(folder);
  } finally {
    folder.close();
  }
}

describe("the GitOps folder as a target", () => {
  const photon = testImage({ id: "00000000-0000-4000-8000-0000000000a1", name: "Photon 5", ovf: { productInfo: { version: "5.0" } } });
  const ubuntu = testImage({ id: "00000000-0000-4000-8000-0000000000a2", name: "Ubuntu 24.04", namespace: "team-a" });
  const centos = testImage({ id: "00000000-0000-4000-8000-0000000000a3", name: "CentOS 7" });

  test("a new folder: every image is added and every file written, the kustomization listing them", () => {
    const dir = tempDir("vmimages-target-");
    const change = using(dir, (f) => f.write(generated([photon, ubuntu])));
    expect(change.diff.added.map((i) => i.displayName)).toEqual(["Photon 5", "Ubuntu 24.04"]);
    expect(change.plan.write.map(([rel]) => rel).sort()).toEqual([manifestPath(photon), KUSTOMIZATION, manifestPath(ubuntu)].sort());
    expect(Object.keys(snapshot(dir)).sort()).toEqual([...change.files.keys()].sort());
    expect(readFileSync(path.join(dir, KUSTOMIZATION), "utf8")).toContain(`  - ${manifestPath(ubuntu)}\n`);
  });

  test("the same images again: no change, no file written", () => {
    const dir = tempDir("vmimages-target-");
    using(dir, (f) => f.write(generated([photon, ubuntu])));
    const before = snapshot(dir);
    const change = using(dir, (f) => f.write(generated([photon, ubuntu])));
    expect(change.diff).toEqual({ added: [], changed: [], removed: [] });
    expect(change.plan.write).toEqual([]);
    expect(snapshot(dir)).toEqual(before);
  });

  test("a changed, an added and a vanished image: one of each in the diff, naming the changed field, and only their files touched", () => {
    const dir = tempDir("vmimages-target-");
    using(dir, (f) => f.write(generated([photon, ubuntu])));
    const photon51 = testImage({ id: photon.status.providerItemID, name: "Photon 5", ovf: { productInfo: { version: "5.1" } } });
    const [planned, change] = using(dir, (folder) => [folder.plan(generated([photon51, centos])), folder.write(generated([photon51, centos]))]);
    expect(change).toEqual(planned);
    expect(change.diff.added.map((i) => i.displayName)).toEqual(["CentOS 7"]);
    expect(change.diff.removed.map((i) => i.displayName)).toEqual(["Ubuntu 24.04"]);
    expect(change.diff.changed.map((c) => [c.after.displayName, c.fields])).toEqual([["Photon 5", ["status.productInfo.version"]]]);
    expect(change.plan.remove).toEqual([manifestPath(ubuntu)]);
    expect(change.plan.write.map(([rel]) => rel).sort()).toEqual([manifestPath(centos), manifestPath(photon), KUSTOMIZATION].sort());
  });

  test("gives the pipeline its files, its path as the stamp's target, and each image's earlier conditions", () => {
    const dir = tempDir("vmimages-target-");
    const old = testImage({ id: photon.status.providerItemID, name: "Photon 5", now: "2020-01-01T00:00:00Z" });
    using(dir, (f) => f.write(generated([old])));
    const { previous, files } = using(dir, (f) => f);
    expect(previous.target).toBe(path.resolve(dir));
    expect(previous.files).toBe(files);
    expect(previous.conditions!(photon)).toEqual(old.status.conditions);
    expect(previous.conditions!(centos)).toBeUndefined();
  });

  test("a run that built nothing changes nothing", () => {
    const dir = tempDir("vmimages-target-");
    using(dir, (f) => f.write(generated([photon])));
    const folder = using(dir, (f) => f);
    expect(folder.unchanged()).toEqual({ diff: { added: [], changed: [], removed: [] }, plan: { write: [], remove: [], unchanged: [...folder.files.keys()] }, files: folder.files });
  });
});
