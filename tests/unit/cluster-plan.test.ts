import { ADDITIONAL_NAMESPACES, APPLYSET_ID, CONTAINS_GROUP_KINDS, PART_OF, TOOLING, applySetId, checkApplySetName, parentObject, readParent, scopeOf } from "../../provider/targets/cluster/applyset";
import { CONFIG_LABEL, LiveImage, MANAGED_BY, planCluster } from "../../provider/targets/cluster/plan";
import { isoImage } from "../helpers/image";

/** The id kubectl v1.35.4 gave the Secret parent `vmimages` in namespace `p12`, read off the cluster. */
const KUBECTL_ID = "applyset-XM2-XcOK0x0M9swky7mLS2faHFO39QPep8ZlssV2x4o-v1";

describe("an ApplySet", () => {
  test("has the id kubectl gives a Secret parent of that name and namespace", () => {
    expect(applySetId({ name: "vmimages", namespace: "p12" })).toBe(KUBECTL_ID);
  });

  test("records its members' kinds and the namespaces other than its parent's, sorted, and reads them back", () => {
    const ref = { name: "base", namespace: "team-a" };
    const scope = scopeOf([isoImage(1), isoImage(2, "team-b"), isoImage(3, "team-a")]);
    const parent = parentObject(ref, scope, "1.2.3") as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } };
    expect(parent.metadata.labels).toEqual({ [APPLYSET_ID]: applySetId(ref) });
    expect(parent.metadata.annotations).toEqual({
      [TOOLING]: "vmimages/1.2.3",
      [CONTAINS_GROUP_KINDS]: "ClusterVirtualMachineImage.vmoperator.vmware.com,VirtualMachineImage.vmoperator.vmware.com",
      [ADDITIONAL_NAMESPACES]: "team-b",
    });
    expect(readParent(ref, parent)).toEqual({ kinds: new Set(["ClusterVirtualMachineImage", "VirtualMachineImage"]), namespaces: new Set(["team-a", "team-b"]) });
  });

  test.each([
    ["of another tool", { labels: { [APPLYSET_ID]: KUBECTL_ID }, annotations: { [TOOLING]: "kubectl/v1.35.4" } }, 'belongs to the tool "kubectl", not vmimages'],
    ["whose id is not its own", { labels: { [APPLYSET_ID]: "applyset-x-v1" }, annotations: { [TOOLING]: "vmimages/1" } }, 'has the label applyset.kubernetes.io/id "applyset-x-v1", not the'],
    ["that is no parent", { labels: {}, annotations: {} }, "exists but is no ApplySet parent"],
  ])("parent %s is refused", (_what, metadata, message) => {
    expect(() => readParent({ name: "vmimages", namespace: "p12" }, { metadata })).toThrow(message);
  });

  test.each(["team-a", "a.b-1"])("name %s names a Secret and labels images", (name) => expect(checkApplySetName(name, "--applyset")).toBe(name));
  test.each(["Team", "a_b", "-a", "a".repeat(64), ""])("name %j is refused", (name) => expect(() => checkApplySetName(name, "--applyset")).toThrow("is not a valid ApplySet name"));
});

describe("planning an apply", () => {
  const set = { id: applySetId({ name: "base", namespace: "team-a" }), name: "base" };
  const wanted = isoImage(1);
  const live = (labels: Record<string, string>): LiveImage => ({ ...wanted, metadata: { ...wanted.metadata, labels: { ...wanted.metadata.labels, ...labels } } });

  test.each<[string, Record<string, string>, string | undefined]>([
    ["made by VM Operator", {}, "exists and is not managed by vmimages"],
    ["of another set", { [MANAGED_BY]: "vmimages", [PART_OF]: "applyset-other-v1", [CONFIG_LABEL]: "other" }, 'belongs to another ApplySet (applyset-other-v1, "other")'],
    ["applied before ApplySets by another configuration", { [MANAGED_BY]: "vmimages", [CONFIG_LABEL]: "vmimages" }, 'was applied by the configuration "vmimages", not "base" (to take it over, apply with --applyset vmimages)'],
    ["applied before ApplySets by the configuration of this name", { [MANAGED_BY]: "vmimages", [CONFIG_LABEL]: "base" }, undefined],
    ["applied in no set", { [MANAGED_BY]: "vmimages" }, undefined],
    ["of this set", { [MANAGED_BY]: "vmimages", [PART_OF]: set.id, [CONFIG_LABEL]: "base" }, undefined],
  ])("an image of a wanted name %s is %s", (_what, labels, conflict) => {
    const plan = planCluster([wanted], [live(labels)], { applySet: set });
    expect(plan.conflicts).toEqual(conflict ? [`ClusterVirtualMachineImage ${wanted.metadata.name} ${conflict}: left as it is`] : []);
  });

  test("without a set, an image of a set is a conflict, and one vmimages applied in no set is updated", () => {
    expect(planCluster([wanted], [live({ [MANAGED_BY]: "vmimages", [PART_OF]: set.id })], {}).conflicts).toHaveLength(1);
    expect(planCluster([wanted], [live({ [MANAGED_BY]: "vmimages" })], {}).unchanged).toHaveLength(1);
  });

  test("prunes only the set's members that are no longer wanted", () => {
    const gone = isoImage(2);
    const member = (m: typeof gone, partOf: string): LiveImage => ({ ...m, metadata: { ...m.metadata, labels: { [MANAGED_BY]: "vmimages", [PART_OF]: partOf } } });
    const plan = planCluster([wanted], [], { applySet: set, members: [member(wanted, set.id), member(gone, set.id), member(isoImage(3), "applyset-other-v1")] });
    expect(plan.prune.map((i) => i.metadata.name)).toEqual([gone.metadata.name]);
  });

  test("new images carry the set's labels", () => {
    const plan = planCluster([wanted], [], { applySet: set });
    expect(plan.apply[0]!.manifest.metadata.labels).toMatchObject({ [MANAGED_BY]: "vmimages", [PART_OF]: set.id, [CONFIG_LABEL]: "base" });
  });
});
