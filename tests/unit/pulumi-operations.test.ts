import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { catalogEntry, entryManifest, withoutTimestamps } from "../../provider/catalog/catalog";
import { placeImageFile } from "../../provider/targets/gitops/write";
import { ClusterImageInputs, manifestOf, observed } from "../../provider/targets/pulumi/operations";
import { KUSTOMIZATION, manifestPath, renderFolder } from "../../provider/targets/gitops/layout";
import { isoImage } from "../helpers/image";
import { EXAMPLE_LIBRARY, snapshot, tempDir, writeTree } from "../helpers/library";
import { runPipeline } from "../../provider/pipeline/run";
import { ImageManifest } from "../../provider/image/manifest";

const EXAMPLE_LIBRARIES = [
  { name: "base-images", scope: { kind: "cluster" as const } },
  { name: "team-a", scope: { kind: "namespace" as const, namespace: "team-a" } },
];

/** An image as a Pulumi image resource writes it: made again from its catalog entry (without times) and apiVersion. */
function kept(m: ImageManifest): ImageManifest {
  return entryManifest(m.apiVersion, withoutTimestamps(catalogEntry(m)));
}

describe("the GitOps file and kustomization the Pulumi image resources keep", () => {
  test("each file, made again from the catalog entry and apiVersion a resource keeps, is byte for byte the one vmimages generate writes", async () => {
    const now = "2026-01-02T03:04:05Z";
    const { manifests } = await runPipeline({ source: { kind: "directory", directory: EXAMPLE_LIBRARY }, libraries: EXAMPLE_LIBRARIES, now });
    expect(manifests.length).toBeGreaterThan(3);
    const dir = tempDir("vmimages-kust-");
    for (const m of manifests) placeImageFile(dir, undefined, kept(m), now);
    const written = Object.fromEntries(Object.entries(snapshot(dir)).map(([p, f]) => [p.split(path.sep).join("/"), f.content]));
    expect(written).toEqual(Object.fromEntries(renderFolder(manifests)));
  });

  test.each([
    ["cluster images only", [isoImage(1), isoImage(2)]],
    ["cluster and namespaced images", [isoImage(1), isoImage(2, "team-a"), isoImage(3, "team-b")]],
    ["one namespaced image", [isoImage(4, "team-a")]],
  ])("the kustomization lists the image files and nothing else of the folder (%s)", (_what, manifests) => {
    const dir = tempDir("vmimages-kust-");
    writeTree(dir, { "README.md": "not listed", "cluster/notes.yaml": "not an image file" });
    for (const m of manifests) placeImageFile(dir, undefined, m);
    expect(readFileSync(path.join(dir, KUSTOMIZATION), "utf8")).toBe(renderFolder(manifests).get(KUSTOMIZATION));
  });

  test("a condition that did not change keeps the time its file has, and the file is not written again; a changed one is stamped now", () => {
    const dir = tempDir("vmimages-kust-");
    const m = isoImage(1);
    const file = path.join(dir, manifestPath(m));
    placeImageFile(dir, undefined, kept(m), "2026-01-01T00:00:00Z");
    const before = statSync(file).ino;
    placeImageFile(dir, manifestPath(m), kept(m), "2026-02-02T00:00:00Z");
    expect(statSync(file).ino).toBe(before);
    expect(readFileSync(file, "utf8")).toContain(`lastTransitionTime: "2026-01-01T00:00:00Z"`);
    const failed = kept({ ...m, status: { ...m.status, conditions: [{ ...m.status.conditions[0]!, status: "False", reason: "NotSynced", message: "unreadable" }] } });
    placeImageFile(dir, manifestPath(m), failed, "2026-03-03T00:00:00Z");
    expect(readFileSync(file, "utf8")).toContain(`lastTransitionTime: "2026-03-03T00:00:00Z"`);
  });

  test("follows an image file that moves, and goes once no image file is left", () => {
    const dir = tempDir("vmimages-kust-");
    const m = isoImage(1);
    const moved = isoImage(1, "team-a");
    placeImageFile(dir, undefined, m);
    placeImageFile(dir, manifestPath(m), moved);
    expect(readFileSync(path.join(dir, KUSTOMIZATION), "utf8")).toBe(renderFolder([moved]).get(KUSTOMIZATION));
    expect(existsSync(path.join(dir, "cluster"))).toBe(false);
    placeImageFile(dir, manifestPath(moved), undefined);
    expect(existsSync(path.join(dir, KUSTOMIZATION))).toBe(false);
    expect(existsSync(path.join(dir, "namespaces"))).toBe(false);
    expect(existsSync(dir)).toBe(true);
  });

  test("a file vmimages did not write is never replaced: the write fails naming it, and the folder is as it was", () => {
    const dir = tempDir("vmimages-kust-");
    const m = isoImage(1);
    writeTree(dir, { [manifestPath(m)]: "# a person's file\n" });
    expect(() => placeImageFile(dir, undefined, m)).toThrow(new RegExp(`cannot write ${path.join(dir, manifestPath(m)).replace(/[.]/g, "\\.")}: a file vmimages did not write is in its place`));
    expect(readFileSync(path.join(dir, manifestPath(m)), "utf8")).toBe("# a person's file\n");
    expect(existsSync(path.join(dir, KUSTOMIZATION))).toBe(false);
  });
});

describe("what a refresh reads back of an image in a cluster", () => {
  const m = isoImage(1, "team-a");
  const props: ClusterImageInputs = {
    key: "k",
    kubeconfig: "secret",
    image: withoutTimestamps(catalogEntry(m)),
    cluster: { owner: "o", apiVersion: m.apiVersion, annotations: { "vmware.com/display-name": m.status.name }, spec: m.spec },
  };

  test("is the resource's own labels and annotations as the cluster holds them: a changed one differs, one added by someone else is left out", () => {
    const labels = { ...m.metadata.labels, "image.vmoperator.vmware.com/type": "changed", "app.kubernetes.io/managed-by": "vmimages", team: "platform" };
    const seen = observed(props, { kind: m.kind, metadata: { name: m.metadata.name, labels, annotations: { "vmware.com/display-name": m.status.name, "kubectl.kubernetes.io/note": "x" } }, spec: m.spec, status: m.status as never });
    expect(seen.image.labels).toEqual({ ...m.metadata.labels, "image.vmoperator.vmware.com/type": "changed" });
    expect(seen.cluster.annotations).toEqual(props.cluster.annotations);
  });

  test("a label removed in the cluster is missing, and the status comes without the conditions' transition times", () => {
    const { "image.vmoperator.vmware.com/type": _gone, ...labels } = m.metadata.labels!;
    const seen = observed(props, { kind: m.kind, metadata: { name: m.metadata.name, labels }, spec: m.spec, status: { ...m.status, name: "Renamed" } as never });
    expect(seen.image.labels).toEqual(labels);
    expect(seen.image.displayName).toBe("Renamed");
    expect(seen.image.status).toEqual({ ...props.image.status, name: "Renamed" });
    expect(seen.image.status.conditions.every((c) => !("lastTransitionTime" in c))).toBe(true);
  });

  test("an image exactly as applied reads back as the resource's inputs: a refresh finds no drift", () => {
    const labels = { ...m.metadata.labels, "app.kubernetes.io/managed-by": "vmimages", "vmimages.pulumi-vmimages.dev/config": "o" };
    expect(observed(props, { kind: m.kind, metadata: { name: m.metadata.name, labels, annotations: props.cluster.annotations as Record<string, string> }, spec: m.spec, status: m.status as never })).toEqual(props);
  });

  test("the image written is the manifest the inputs were made from", () => {
    const { lastTransitionTime: _t, ...ready } = m.status.conditions[0]!;
    expect(manifestOf(props.image, props.cluster)).toEqual({ ...m, status: { ...m.status, conditions: [ready] } });
  });
});
