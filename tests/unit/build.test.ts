import { buildImage, keepTransitionTimes } from "../../provider/image/build";
import { ItemId, OvfMetadata, ReadItem } from "../../provider/types";

const NOW = "2026-11-24T10:00:00Z";
const ovf: OvfMetadata = {
  firmware: "EFI",
  hardwareVersion: 19,
  osInfo: { id: "vmwarePhoton64Guest", type: "Linux", version: "5.0" },
  productInfo: { product: "Photon OS", version: "5.0" },
  ovfProperties: [{ key: "hostname", type: "string", default: "photon" }],
  vmwareSystemProperties: [],
  capabilities: ["cloud-init"],
  disks: [
    { name: "Hard disk 1", capacityBytes: 20n * 1024n ** 3n, populatedBytes: 512n * 1024n ** 2n },
    { name: "scratch" },
  ],
};
const read: ReadItem = {
  library: { id: "lib", name: "base", type: "OFFLINE" },
  item: { id: "e1968c25-dd84-4506-8dc7-9beacb6b688e" as ItemId, name: "Photon OS 5.0", type: "ovf", contentVersion: "7" },
  ovf,
};

describe("building an image manifest", () => {
  test("a cluster library item becomes a ClusterVirtualMachineImage pointing at its ClusterContentLibraryItem", () => {
    const m = buildImage(read, { kind: "cluster" }, { now: NOW });
    expect(m.apiVersion).toBe("vmoperator.vmware.com/v1alpha5");
    expect(m.kind).toBe("ClusterVirtualMachineImage");
    expect(m.metadata).toEqual({
      name: "vmi-0a0044d7c690bcbea",
      labels: {
        "capability.image.vmoperator.vmware.com/cloud-init": "",
        "image.vmoperator.vmware.com/type": "OVF",
        "os.image.vmoperator.vmware.com/id": "vmwarePhoton64Guest",
        "os.image.vmoperator.vmware.com/type": "Linux",
        "os.image.vmoperator.vmware.com/version": "5.0",
      },
      annotations: { "vmware.com/display-name": "Photon OS 5.0" },
    });
    expect(m.spec.providerRef).toEqual({ apiVersion: "imageregistry.vmware.com/v1alpha1", kind: "ClusterContentLibraryItem", name: "clitem-0a0044d7c690bcbea" });
  });

  test("a namespaced library item becomes a VirtualMachineImage in the library's namespace", () => {
    const m = buildImage(read, { kind: "namespace", namespace: "team-a" }, { now: NOW });
    expect(m.kind).toBe("VirtualMachineImage");
    expect(m.metadata.namespace).toBe("team-a");
    expect(m.spec.providerRef.kind).toBe("ContentLibraryItem");
  });

  test("the status carries the item and its descriptor, with a Ready condition", () => {
    const m = buildImage(read, { kind: "cluster" }, { now: NOW });
    expect(m.status).toEqual({
      name: "Photon OS 5.0",
      type: "OVF",
      providerItemID: "e1968c25-dd84-4506-8dc7-9beacb6b688e",
      providerContentVersion: "7",
      firmware: "EFI",
      hardwareVersion: 19,
      osInfo: { id: "vmwarePhoton64Guest", type: "Linux", version: "5.0" },
      productInfo: { product: "Photon OS", version: "5.0" },
      ovfProperties: [{ key: "hostname", type: "string", default: "photon" }],
      capabilities: ["cloud-init"],
      disks: [{ name: "Hard disk 1", limit: "20Gi", requested: "20Gi" }, { name: "scratch" }],
      conditions: [{ type: "Ready", status: "True", reason: "True", message: "", lastTransitionTime: NOW }],
    });
    expect("vmwareSystemProperties" in m.status).toBe(false);
  });

  test.each(["vmoperator.vmware.com/v1alpha3", "vmoperator.vmware.com/v1alpha4"] as const)("%s disks carry capacity and populated size", (apiVersion) => {
    const m = buildImage(read, { kind: "cluster" }, { now: NOW, apiVersion });
    expect(m.status.disks).toEqual([{ capacity: "20Gi", size: "512Mi" }]);
  });

  test("an ISO item has the ISO type and no OVF fields", () => {
    const iso: ReadItem = { ...read, item: { ...read.item, type: "iso" }, ovf: undefined };
    const m = buildImage(iso, { kind: "cluster" }, { now: NOW });
    expect(m.status).toEqual({
      name: "Photon OS 5.0",
      type: "ISO",
      providerItemID: read.item.id,
      providerContentVersion: "7",
      conditions: [{ type: "Ready", status: "True", reason: "True", message: "", lastTransitionTime: NOW }],
    });
    expect(m.metadata.labels).toEqual({ "image.vmoperator.vmware.com/type": "ISO" });
  });

  test("preferSourceId names a subscribed item after the publisher's item", () => {
    const subscribed = { ...read, item: { ...read.item, id: "99999999-9999-4999-8999-999999999999" as ItemId, sourceId: read.item.id } };
    expect(buildImage(subscribed, { kind: "cluster" }, { now: NOW, naming: "preferSourceId" }).metadata.name).toBe("vmi-0a0044d7c690bcbea");
    expect(buildImage(subscribed, { kind: "cluster" }, { now: NOW }).metadata.name).not.toBe("vmi-0a0044d7c690bcbea");
  });
});

describe("condition timestamps", () => {
  test("an unchanged condition keeps the previous run's lastTransitionTime", () => {
    const before = buildImage(read, { kind: "cluster" }, { now: "2020-01-01T00:00:00Z" });
    const after = keepTransitionTimes(buildImage(read, { kind: "cluster" }, { now: NOW }), before.status.conditions);
    expect(after.status.conditions[0]!.lastTransitionTime).toBe("2020-01-01T00:00:00Z");
  });

  test("a condition whose status changed gets the new time", () => {
    const before = buildImage(read, { kind: "cluster" }, { now: "2020-01-01T00:00:00Z" });
    const changed = { ...before, status: { ...before.status, conditions: [{ ...before.status.conditions[0]!, status: "False" as const }] } };
    expect(keepTransitionTimes(buildImage(read, { kind: "cluster" }, { now: NOW }), changed.status.conditions).status.conditions[0]!.lastTransitionTime).toBe(NOW);
  });
});
