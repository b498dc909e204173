import { catalogEntry, withoutTimestamps } from "../../provider/catalog/catalog";
import { ClusterInputs, observed } from "../../provider/targets/pulumi/cluster-provider";
import { isoImage } from "../helpers/image";

describe("what a refresh reads back of an image in a cluster", () => {
  const m = isoImage(1, "team-a");
  const props: ClusterInputs = {
    key: "k",
    kubeconfig: "secret",
    image: withoutTimestamps(catalogEntry(m)),
    cluster: { owner: "o", apiVersion: m.apiVersion, annotations: { "vmware.com/display-name": m.status.name }, spec: m.spec },
  };

  test("is the resource's own labels and annotations as the cluster holds them: a changed one differs, one added by someone else is left out", () => {
    const labels = { ...m.metadata.labels, "image.vmoperator.vmware.com/type": "changed", "app.kubernetes.io/managed-by": "vmimages", team: "platform" };
    const seen = observed(props, { metadata: { labels, annotations: { "vmware.com/display-name": m.status.name, "kubectl.kubernetes.io/note": "x" } }, spec: m.spec, status: m.status as never });
    expect(seen.image.labels).toEqual({ ...m.metadata.labels, "image.vmoperator.vmware.com/type": "changed" });
    expect(seen.cluster.annotations).toEqual(props.cluster.annotations);
  });

  test("a label removed in the cluster is missing, and the status comes without the conditions' transition times", () => {
    const { "image.vmoperator.vmware.com/type": _gone, ...labels } = m.metadata.labels!;
    const seen = observed(props, { metadata: { labels }, spec: m.spec, status: { ...m.status, name: "Renamed" } as never });
    expect(seen.image.labels).toEqual(labels);
    expect(seen.image.displayName).toBe("Renamed");
    expect(seen.image.status).toEqual({ ...props.image.status, name: "Renamed" });
    expect(seen.image.status.conditions.every((c) => !("lastTransitionTime" in c))).toBe(true);
  });

  test("an image exactly as applied reads back as the resource's inputs: a refresh finds no drift", () => {
    const labels = { ...m.metadata.labels, "app.kubernetes.io/managed-by": "vmimages", "vmimages.pulumi-vmimages.dev/config": "o" };
    expect(observed(props, { metadata: { labels, annotations: props.cluster.annotations as Record<string, string> }, spec: m.spec, status: m.status as never })).toEqual(props);
  });
});
