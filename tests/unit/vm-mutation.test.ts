import { buildCatalog } from "../../provider/catalog/catalog";
import { krmOptions, mutateResourceList, readResourceList } from "../../provider/vms/krm";
import { ANNOTATIONS, Mutation, VirtualMachineDoc, mutationOf, virtualMachineOf } from "../../provider/vms/mutation";
import { testImage } from "../helpers/image";

/** Images with ids written out, so their VMI IDs (`vmi-` and 17 hex digits of the SHA-1 of the id) are worked out by sha1sum. */
const ubuntuCluster = testImage({ id: "00000000-0000-4000-8000-000000000001", name: "Ubuntu 24.04", ovf: { productInfo: { version: "24.04.1" }, capabilities: ["cloud-init"] } });
const ubuntuTeam = testImage({ id: "00000000-0000-4000-8000-000000000002", name: "Ubuntu 24.04", namespace: "team-a", ovf: { productInfo: { version: "24.04.2" } } });
const photon = testImage({ id: "00000000-0000-4000-8000-000000000003", name: "Photon OS 5.0", ovf: { productInfo: { version: "5.0" } } });
const catalog = buildCatalog([ubuntuCluster, ubuntuTeam, photon]);
const ID = { ubuntuCluster: "vmi-afa4225efff3a8e6c", ubuntuTeam: "vmi-188f0f7f5a7d20f01", photon: "vmi-01ca73aa1901f81b2" };

const vm = (over: Partial<VirtualMachineDoc> = {}): VirtualMachineDoc => ({ apiVersion: "vmoperator.vmware.com/v1alpha5", name: "web", namespace: "team-a", annotations: {}, ...over });
const edits = (m: Mutation) => (m.kind === "change" ? Object.fromEntries(m.edits.map((e) => [e.path.join("."), e.value])) : m);

describe("giving a VirtualMachine its image, as VM Operator's webhook would", () => {
  test("the ids above are the VMI IDs of the images", () => {
    expect([ubuntuCluster, ubuntuTeam, photon].map((i) => i.metadata.name)).toEqual([ID.ubuntuCluster, ID.ubuntuTeam, ID.photon]);
  });

  test("a display name: the VMI ID into spec.imageName, kind and name into spec.image, the name asked for kept in an annotation", () => {
    expect(edits(mutationOf(vm({ imageName: "Ubuntu 24.04" }), catalog))).toEqual({
      "spec.imageName": ID.ubuntuTeam,
      "spec.image.kind": "VirtualMachineImage",
      "spec.image.name": ID.ubuntuTeam,
      [`metadata.annotations.${ANNOTATIONS.imageName}`]: "Ubuntu 24.04",
    });
  });

  test("a VM that already holds what its name resolves to now is left alone", () => {
    const resolved = vm({ imageName: ID.ubuntuTeam, image: { kind: "VirtualMachineImage", name: ID.ubuntuTeam }, annotations: { [ANNOTATIONS.imageName]: "Ubuntu 24.04" } });
    expect(mutationOf(resolved, catalog)).toEqual({ kind: "unchanged" });
  });

  test("a name that now resolves to another image is updated, saying which it named before", () => {
    const before = vm({ imageName: ID.photon, image: { kind: "ClusterVirtualMachineImage", name: ID.photon }, annotations: { [ANNOTATIONS.imageName]: "Ubuntu 24.04" } });
    const m = mutationOf(before, catalog);
    expect(m).toMatchObject({ kind: "change", from: ID.photon });
    expect(edits(m)).toMatchObject({ "spec.imageName": ID.ubuntuTeam });
  });

  test("a VMI ID without our annotation keeps it; the kind is filled in", () => {
    expect(edits(mutationOf(vm({ imageName: ID.photon, image: { name: ID.photon } }), catalog))).toEqual({ "spec.imageName": ID.photon, "spec.image.kind": "ClusterVirtualMachineImage", "spec.image.name": ID.photon });
  });

  test("v1alpha1 and v1alpha2 VirtualMachines have no spec.image: only spec.imageName", () => {
    expect(Object.keys(edits(mutationOf(vm({ apiVersion: "vmoperator.vmware.com/v1alpha2", imageName: "Photon OS 5.0" }), catalog)))).toEqual(["spec.imageName", `metadata.annotations.${ANNOTATIONS.imageName}`]);
  });

  test("criteria in annotations choose the image and record its display name and version", () => {
    const byCriteria = vm({ namespace: "team-b", annotations: { [ANNOTATIONS.name]: "Ubuntu*", [ANNOTATIONS.requireCapabilities]: "cloud-init" } });
    expect(edits(mutationOf(byCriteria, catalog))).toEqual({
      "spec.imageName": ID.ubuntuCluster,
      "spec.image.kind": "ClusterVirtualMachineImage",
      "spec.image.name": ID.ubuntuCluster,
      [`metadata.annotations.${ANNOTATIONS.resolvedDisplayName}`]: "Ubuntu 24.04",
      [`metadata.annotations.${ANNOTATIONS.resolvedVersion}`]: "24.04.1",
    });
  });

  test.each<[string, VirtualMachineDoc, { strict?: boolean; namespace?: string }, RegExp]>([
    ["an unknown name", vm({ imageName: "Debian 12" }), {}, /no image named "Debian 12"/],
    ["a name in both scopes with strict", vm({ imageName: "Ubuntu 24.04" }), { strict: true }, /Ubuntu 24\.04/],
    ["a missing capability", vm({ imageName: "Photon OS 5.0", annotations: { [ANNOTATIONS.requireCapabilities]: "cloud-init" } }), {}, /cloud-init/],
    ["criteria that select none", vm({ annotations: { [ANNOTATIONS.name]: "Windows*" } }), {}, /Windows/],
    ["a VM of no namespace, and no -n", vm({ namespace: undefined, imageName: "Photon OS 5.0" }), {}, /names no metadata\.namespace and no -n was given/],
  ])("%s is a problem saying why", (_what, doc, options, reason) => {
    const m = mutationOf(doc, catalog, options);
    expect(m.kind).toBe("problem");
    expect(m.kind === "problem" && m.reason).toMatch(reason);
  });

  test("a VM with neither a name nor criteria, or any other document, is not touched", () => {
    expect(mutationOf(vm(), catalog)).toEqual({ kind: "none" });
    expect(virtualMachineOf({ apiVersion: "v1", kind: "ConfigMap" })).toBeUndefined();
    expect(virtualMachineOf({ apiVersion: "other.example.com/v1", kind: "VirtualMachine" })).toBeUndefined();
  });
});

describe("the KRM function", () => {
  const item = (annotations: Record<string, string>) => ({ apiVersion: "vmoperator.vmware.com/v1alpha6", kind: "VirtualMachine", metadata: { name: "web", namespace: "team-a", annotations }, spec: { imageName: "Photon OS 5.0" } });

  test("gives the VMs their images, keeps every annotation the orchestrator put, and every item, and says what it did", () => {
    const list = readResourceList({ apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", items: [item({ "kustomize.config.k8s.io/id": "x", "config.kubernetes.io/index": "0" }), { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }] });
    const { list: out, errors } = mutateResourceList(list, catalog, {});
    expect(errors).toBe(0);
    expect(out.items[1]).toEqual(list.items[1]);
    expect(out.items[0]).toMatchObject({ metadata: { annotations: { "kustomize.config.k8s.io/id": "x", "config.kubernetes.io/index": "0", [ANNOTATIONS.imageName]: "Photon OS 5.0" } }, spec: { imageName: ID.photon, image: { kind: "ClusterVirtualMachineImage", name: ID.photon } } });
    expect(out.results).toEqual([expect.objectContaining({ severity: "info", resourceRef: expect.objectContaining({ name: "web" }) })]);
  });

  test("reports what it cannot resolve as an error result naming the VM and its file", () => {
    const list = readResourceList({ kind: "ResourceList", items: [{ ...item({ "internal.config.kubernetes.io/path": "vms/web.yaml", "internal.config.kubernetes.io/index": "2" }), spec: { imageName: "Debian 12" } }] });
    const { list: out, errors } = mutateResourceList(list, catalog, {});
    expect(errors).toBe(1);
    expect(out.results).toEqual([expect.objectContaining({ severity: "error", message: expect.stringContaining("VirtualMachine team-a/web: no image named \"Debian 12\""), file: { path: "vms/web.yaml", index: 2 } })]);
  });

  test("takes its options from a ConfigMap or from our MutateOptions, and refuses a field it does not know", () => {
    expect(krmOptions({ kind: "ConfigMap", data: { namespace: "apps", strict: "true", manifests: "images" } })).toEqual({ namespace: "apps", strict: true, manifests: "images" });
    expect(krmOptions({ apiVersion: "vmimages.pulumi-vmimages.dev/v1alpha1", kind: "MutateOptions", metadata: { name: "m" }, config: "vmimages.yaml", strict: true })).toEqual({ config: "vmimages.yaml", strict: true });
    expect(() => krmOptions({ kind: "ConfigMap", data: { colour: "red" } })).toThrow('the function configuration has the field "colour"');
    expect(() => readResourceList({ kind: "List", items: [] })).toThrow("standard input is not a KRM ResourceList");
  });
});
