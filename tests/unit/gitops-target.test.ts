import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildCatalog } from "../../provider/catalog/catalog";
import { ImageManifest } from "../../provider/image/manifest";
import { Generated } from "../../provider/pipeline/run";
import { GitopsFolder, KUSTOMIZATION, OpenOptions, manifestPath } from "../../provider/targets/gitops";
import { testImage } from "../helpers/image";
import { snapshot, tempDir } from "../helpers/library";

/** A run's images; the folder does not depend on their order. */
const generated = (manifests: ImageManifest[]): Generated => ({ manifests, catalog: buildCatalog(manifests) });

/** Opens the folder, lets `f` use it, and closes it (releasing its lock). */
function using<T>(dir: string, f: (folder: GitopsFolder) => T, options: OpenOptions = {}): T {
  const folder = GitopsFolder.open(dir, options);
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

  test("an image whose condition did not change keeps the transition time its file has; one whose condition changed takes the run's", () => {
    const dir = tempDir("vmimages-target-");
    const old = testImage({ id: photon.status.providerItemID, name: "Photon 5", now: "2020-01-01T00:00:00Z" });
    const oldCentos = testImage({ id: centos.status.providerItemID, name: "CentOS 7", now: "2020-01-01T00:00:00Z" });
    using(dir, (f) => f.write(generated([old, oldCentos])));
    const notReady = { ...centos, status: { ...centos.status, conditions: [{ ...centos.status.conditions[0]!, status: "False" as const, reason: "VirtualMachineImageNotSynced", message: "broken" }] } };
    using(dir, (f) => f.write(generated([photon, notReady])));
    expect(readFileSync(path.join(dir, manifestPath(photon)), "utf8")).toContain('lastTransitionTime: "2020-01-01T00:00:00Z"');
    expect(readFileSync(path.join(dir, manifestPath(centos)), "utf8")).toContain(`lastTransitionTime: "${centos.status.conditions[0]!.lastTransitionTime}"`);
    expect(centos.status.conditions[0]!.lastTransitionTime).not.toBe("2020-01-01T00:00:00Z");
  });

  describe("its stamp", () => {
    test("says the folder holds a run's images once they were written with that run's inputs, in that folder", () => {
      const dir = tempDir("vmimages-target-");
      const stampDir = tempDir("vmimages-stamps-");
      using(dir, (f) => f.write(generated([photon]), "inputs-1"), { stampDir });
      expect(using(dir, (f) => f.holds("inputs-1"), { stampDir })).toBe(true);
      expect(using(dir, (f) => f.holds("inputs-2"), { stampDir })).toBe(false);
      expect(using(dir, (f) => f.holds(undefined), { stampDir })).toBe(false);
      expect(using(dir, (f) => f.holds("inputs-1"))).toBe(false);
      expect(using(tempDir("vmimages-target-"), (f) => f.holds("inputs-1"), { stampDir })).toBe(false);
    });

    test("no longer holds once a file of the folder changed", () => {
      const dir = tempDir("vmimages-target-");
      const stampDir = tempDir("vmimages-stamps-");
      using(dir, (f) => f.write(generated([photon]), "inputs-1"), { stampDir });
      writeFileSync(path.join(dir, manifestPath(photon)), `${readFileSync(path.join(dir, manifestPath(photon)), "utf8")}# edited\n`);
      expect(using(dir, (f) => f.holds("inputs-1"), { stampDir })).toBe(false);
    });

    test("that cannot be recorded is a warning: the folder is written whole", () => {
      const dir = tempDir("vmimages-target-");
      const stampDir = path.join(tempDir("vmimages-stamps-"), "a-file");
      writeFileSync(stampDir, "not a folder\n");
      const change = using(dir, (f) => f.write(generated([photon]), "inputs-1"), { stampDir });
      expect(change.warnings).toEqual([expect.stringContaining(`cannot record the folder's stamp in ${stampDir}`)]);
      expect(Object.keys(snapshot(dir)).sort()).toEqual([KUSTOMIZATION, manifestPath(photon)].sort());
    });
  });

  test("a run that built nothing changes nothing", () => {
    const dir = tempDir("vmimages-target-");
    using(dir, (f) => f.write(generated([photon])));
    const folder = using(dir, (f) => f);
    expect(folder.unchanged()).toEqual({ diff: { added: [], changed: [], removed: [] }, plan: { write: [], remove: [], unchanged: [...folder.files.keys()] }, files: folder.files, warnings: [] });
  });
});
