import { buildCatalog, Catalog, CatalogImage } from "../../provider/catalog/catalog";
import { diffCatalogs, formatDiff } from "../../provider/catalog/diff";
import { resolveCatalogImage } from "../../provider/catalog/resolve";
import { vmiName } from "../../provider/image/naming";
import { LibraryScope } from "../../provider/types";
import { failure } from "../helpers/failure";
import { testImage } from "../helpers/image";

function image(displayName: string, scope: LibraryScope, extra: { capabilities?: string[]; version?: string; id?: string } = {}) {
  return testImage({
    name: displayName,
    ...(extra.id ? { id: extra.id } : {}),
    ...(scope.kind === "namespace" ? { namespace: scope.namespace } : {}),
    contentVersion: extra.version ?? "1",
    ovf: { osInfo: { type: "Linux" }, capabilities: extra.capabilities ?? [] },
  });
}
const cluster: LibraryScope = { kind: "cluster" };
const teamA: LibraryScope = { kind: "namespace", namespace: "team-a" };
const teamB: LibraryScope = { kind: "namespace", namespace: "team-b" };

const ubuntuCluster = image("Ubuntu 24.04", cluster, { capabilities: ["cloud-init"] });
const ubuntuTeamA = image("Ubuntu 24.04", teamA);
const photonCluster = image("Photon 5", cluster);
const centosTwiceA = image("CentOS 7", teamA);
const centosTwiceB = image("CentOS 7", teamA);
const debianTwice1 = image("Debian 12", cluster);
const debianTwice2 = image("Debian 12", cluster);
const catalog = buildCatalog([ubuntuCluster, ubuntuTeamA, photonCluster, centosTwiceA, centosTwiceB, debianTwice1, debianTwice2]);

describe("resolving a display name or VMI ID", () => {
  test.each([
    ["a display name in the namespace wins over the cluster", "Ubuntu 24.04", "team-a", ubuntuTeamA.metadata.name],
    ["a display name only in the cluster resolves to the cluster image", "Photon 5", "team-a", photonCluster.metadata.name],
    ["another namespace sees the cluster image", "Ubuntu 24.04", "team-b", ubuntuCluster.metadata.name],
    ["without a namespace only cluster images count", "Ubuntu 24.04", undefined, ubuntuCluster.metadata.name],
    ["a VMI ID in the namespace resolves to itself", ubuntuTeamA.metadata.name, "team-a", ubuntuTeamA.metadata.name],
    ["a cluster VMI ID resolves from any namespace", photonCluster.metadata.name, "team-b", photonCluster.metadata.name],
  ])("%s", (_what, name, ns, expected) => {
    expect(resolveCatalogImage(catalog, name, ns).name).toBe(expected);
  });

  test("several images with the name in the deciding scope are ambiguous, listing every candidate", () => {
    const err = failure(() => resolveCatalogImage(catalog, "CentOS 7", "team-a"));
    expect(err.code).toBe("ambiguous");
    expect(err.message).toContain(`the display name "CentOS 7" is ambiguous in namespace "team-a": 2 images have it`);
    expect(err.message).toContain(`${centosTwiceA.metadata.name} (namespace team-a)`);
    expect(err.message).toContain(`${centosTwiceB.metadata.name} (namespace team-a)`);
  });

  test("several cluster images with the name are ambiguous when the namespace has none", () => {
    const err = failure(() => resolveCatalogImage(catalog, "Debian 12", "team-b"));
    expect(err.code).toBe("ambiguous");
    expect(err.message).toContain("ambiguous in the cluster");
  });

  test("strict rejects a display name found in both the namespace and the cluster", () => {
    const err = failure(() => resolveCatalogImage(catalog, "Ubuntu 24.04", "team-a", { strict: true }));
    expect(err.code).toBe("ambiguous");
    expect(err.message).toContain(ubuntuTeamA.metadata.name);
    expect(err.message).toContain(ubuntuCluster.metadata.name);
    expect(resolveCatalogImage(catalog, "Photon 5", "team-a", { strict: true }).name).toBe(photonCluster.metadata.name);
  });

  test.each([
    ["", "empty"],
    ["   ", "blank"],
  ])("an empty or blank name %j is refused, though an image without a display name is in the catalog", (name, what) => {
    const unnamed = buildCatalog([image("", cluster)]);
    const err = failure(() => resolveCatalogImage(unnamed, name, undefined));
    expect(err.code).toBe("config");
    expect(err.message).toBe(`the name to resolve is ${what}: give a display name or a VMI ID`);
  });

  test("a name found nowhere is not-found, naming the scopes searched", () => {
    const err = failure(() => resolveCatalogImage(catalog, "Windows 2022", "team-a"));
    expect(err.code).toBe("not-found");
    expect(err.message).toBe(`no image named "Windows 2022" in namespace "team-a" or the cluster (7 image(s) in the catalog)`);
  });

  test("a VMI ID of another namespace is not found", () => {
    expect(failure(() => resolveCatalogImage(catalog, ubuntuTeamA.metadata.name, "team-b")).code).toBe("not-found");
  });

  test("required capabilities must all be present, naming what is missing", () => {
    expect(resolveCatalogImage(catalog, "Ubuntu 24.04", "team-b", { requireCapabilities: ["cloud-init"] }).name).toBe(ubuntuCluster.metadata.name);
    const err = failure(() => resolveCatalogImage(catalog, "Ubuntu 24.04", "team-a", { requireCapabilities: ["cloud-init", "nvidia-vgpu"] }));
    expect(err.code).toBe("missing-capabilities");
    expect(err.message).toBe(`image ${ubuntuTeamA.metadata.name} ("Ubuntu 24.04") lacks the required capabilities cloud-init, nvidia-vgpu (it has: none)`);
  });
});

describe("the catalog", () => {
  test("sorts cluster images first, then by namespace and name", () => {
    const c = buildCatalog([image("b", teamB), image("a", teamA), image("c", cluster)]);
    expect(c.images.map((i) => i.namespace ?? "<cluster>")).toEqual(["<cluster>", "team-a", "team-b"]);
  });

  test("refuses two items that make the same image in one scope", () => {
    const id = "11111111-1111-4111-8111-111111111111";
    const err = failure(() => buildCatalog([image("one", cluster, { id }), image("two", cluster, { id })]));
    expect(err.message).toContain(`two items make the image cluster/${vmiName(id)} ("one" and "two")`);
  });

  test("is plain JSON that survives a round trip (as a stack output does)", () => {
    expect(JSON.parse(JSON.stringify(catalog))).toEqual(catalog);
  });
});

describe("catalog diff", () => {
  const a = image("A", cluster, { id: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa" });
  const b = image("B", cluster, { id: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb" });
  const c = image("C", teamA, { id: "cccccccc-cccc-4ccc-8ccc-cccccccccccc" });
  const before: Catalog = buildCatalog([a, b]);

  test("reports added, removed and changed images with the changed fields", () => {
    const b2 = image("B", cluster, { id: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", version: "2" });
    const d = diffCatalogs(before, buildCatalog([b2, c]));
    expect(d.added.map((i: CatalogImage) => i.displayName)).toEqual(["C"]);
    expect(d.removed.map((i: CatalogImage) => i.displayName)).toEqual(["A"]);
    expect(d.changed.map((x) => [x.after.displayName, x.fields])).toEqual([["B", ["status.providerContentVersion"]]]);
    expect(formatDiff(d)).toEqual([
      `+ VirtualMachineImage ${c.metadata.name} "C" (namespace team-a)`,
      `~ ClusterVirtualMachineImage ${b.metadata.name} "B" (cluster): status.providerContentVersion`,
      `- ClusterVirtualMachineImage ${a.metadata.name} "A" (cluster)`,
    ]);
  });

  test("a new condition timestamp alone is no change", () => {
    const later = testImage({ id: a.status.providerItemID, name: "A", now: "2030-01-01T00:00:00Z" });
    const first = testImage({ id: a.status.providerItemID, name: "A", now: "2026-01-01T00:00:00Z" });
    expect(diffCatalogs(buildCatalog([first]), buildCatalog([later]))).toEqual({ added: [], removed: [], changed: [] });
  });
});
