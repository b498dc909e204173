import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { catalogEntry, withoutTimestamps } from "../../provider/catalog/catalog";
import { placeImageFile } from "../../provider/targets/gitops/write";
import { ClusterImageInputs, manifestOf, observed } from "../../provider/targets/pulumi/operations";
import { KUSTOMIZATION, manifestPath, renderFolder } from "../../provider/targets/gitops/layout";
import { isoImage } from "../helpers/image";
import { tempDir, writeTree } from "../helpers/library";

describe("the GitOps file and kustomization the Pulumi image resources keep", () => {
  test.each([
    ["cluster images only", [isoImage(1), isoImage(2)]],
    ["cluster and namespaced images", [isoImage(1), isoImage(2, "team-a"), isoImage(3, "team-b")]],
    ["one namespaced image", [isoImage(4, "team-a")]],
  ])("is byte for byte the one vmimages generate writes (%s)", (_what, manifests) => {
    const dir = tempDir("vmimages-kust-");
    const files = renderFolder(manifests);
    writeTree(dir, { "README.md": "not listed", "cluster/notes.yaml": "not an image file" });
    for (const [p, content] of files) if (p !== KUSTOMIZATION) placeImageFile(dir, undefined, { path: p, content });
    expect(readFileSync(path.join(dir, KUSTOMIZATION), "utf8")).toBe(files.get(KUSTOMIZATION));
  });

  test("follows an image file that moves, and goes once no image file is left", () => {
    const dir = tempDir("vmimages-kust-");
    const m = isoImage(1);
    const moved = isoImage(1, "team-a");
    placeImageFile(dir, undefined, { path: manifestPath(m), content: renderFolder([m]).get(manifestPath(m))! });
    placeImageFile(dir, manifestPath(m), { path: manifestPath(moved), content: renderFolder([moved]).get(manifestPath(moved))! });
    expect(readFileSync(path.join(dir, KUSTOMIZATION), "utf8")).toBe(renderFolder([moved]).get(KUSTOMIZATION));
    expect(existsSync(path.join(dir, "cluster"))).toBe(false);
    placeImageFile(dir, manifestPath(moved), undefined);
    expect(existsSync(path.join(dir, KUSTOMIZATION))).toBe(false);
    expect(existsSync(path.join(dir, "namespaces"))).toBe(false);
    expect(existsSync(dir)).toBe(true);
  });

  test("a file that holds its content already is not written again, nor is the kustomization", () => {
    const dir = tempDir("vmimages-kust-");
    const files = renderFolder([isoImage(1), isoImage(2)]);
    for (const [p, content] of files) if (p !== KUSTOMIZATION) placeImageFile(dir, undefined, { path: p, content });
    const inodes = () => [...files.keys()].map((p) => statSync(path.join(dir, p)).ino);
    const before = inodes();
    const [first, content] = [...files].find(([p]) => p !== KUSTOMIZATION)!;
    placeImageFile(dir, first, { path: first, content });
    expect(inodes()).toEqual(before);
  });

  test("a file vmimages did not write is never replaced: the write fails naming it, and the folder is as it was", () => {
    const dir = tempDir("vmimages-kust-");
    const m = isoImage(1);
    writeTree(dir, { [manifestPath(m)]: "# a person's file\n" });
    expect(() => placeImageFile(dir, undefined, { path: manifestPath(m), content: "x" })).toThrow(new RegExp(`cannot write ${path.join(dir, manifestPath(m)).replace(/[.]/g, "\\.")}: a file vmimages did not write is in its place`));
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
    expect(manifestOf(props)).toEqual({ ...m, status: { ...m.status, conditions: [ready] } });
  });
});
