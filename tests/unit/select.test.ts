import { buildCatalog, Catalog } from "../../provider/catalog/catalog";
import { ImageCriteria, SelectOptions, compareVersions, parseVersion, selectCatalogImage } from "../../provider/catalog/select";
import { AmbiguousError, NotFoundError } from "../../provider/errors";
import { failure } from "../helpers/failure";
import { testImage } from "../helpers/image";

/** An OVF image of a display name and product version, with the OS and capabilities given. */
function image(name: string, version: string | undefined, extra: { namespace?: string; os?: string; osVersion?: string; capabilities?: string[]; fullVersion?: string } = {}) {
  return testImage({
    name,
    ...(extra.namespace ? { namespace: extra.namespace } : {}),
    ovf: {
      osInfo: { id: "ubuntu64Guest", type: extra.os ?? "Linux", ...(extra.osVersion ? { version: extra.osVersion } : {}) },
      productInfo: { ...(version !== undefined ? { version } : {}), ...(extra.fullVersion ? { fullVersion: extra.fullVersion } : {}) },
      capabilities: extra.capabilities ?? [],
    },
  });
}

describe("versions, compared as versions", () => {
  test.each([
    ["9", "10"],
    ["22.04.9", "22.04.10"],
    ["1.0.0-rc1", "1.0.0"],
    ["1.0.0-rc1", "1.0.0-rc2"],
    ["1.0.0-alpha", "1.0.0-beta"],
    ["1.0.0-rc.2", "1.0.0-rc.10"],
    ["5.0", "5.0.1"],
    ["v2", "v3"],
    ["24.04.3 LTS (20251105)", "24.04.10 LTS (20260101)"],
  ])("%s < %s", (older, newer) => {
    expect(compareVersions(parseVersion(older)!, parseVersion(newer)!)).toBe(-1);
    expect(compareVersions(parseVersion(newer)!, parseVersion(older)!)).toBe(1);
  });

  test.each([["1.0", "1.0.0"], ["7", "7.0"]])("%s is the same version as %s", (a, b) => {
    expect(compareVersions(parseVersion(a)!, parseVersion(b)!)).toBe(0);
  });

  test.each(["", "latest", "abc1.0", "1..2"])("%j is no version", (text) => {
    expect(parseVersion(text)).toBeUndefined();
  });
});

describe("choosing an image by what it is", () => {
  const u2204 = image("Ubuntu 22.04", "22.04.9", { capabilities: ["cloud-init"] });
  const u2204b = image("Ubuntu 22.04 build 10", "22.04.10", { capabilities: ["cloud-init"] });
  const u2404 = image("Ubuntu 24.04", "24.04", { osVersion: "24.04" });
  const win = image("Windows Server 2022", "2022", { os: "Windows" });
  const teamUbuntu = image("Ubuntu 22.04 hardened", "22.04.1", { namespace: "team-a", capabilities: ["cloud-init"] });
  const catalog = buildCatalog([u2204, u2204b, u2404, win, teamUbuntu]);

  test.each<[string, ImageCriteria, SelectOptions, string]>([
    ["a label selector and a name glob, newest of two", { selector: "os.image.vmoperator.vmware.com/type=Linux", name: "Ubuntu 22.04*", mostRecent: true }, {}, u2204b.metadata.name],
    ["22.04.10 is newer than 22.04.9", { name: /^Ubuntu 22\.04/, mostRecent: true }, {}, u2204b.metadata.name],
    ["a set-based selector", { selector: "os.image.vmoperator.vmware.com/type in (Windows)" }, {}, win.metadata.name],
    ["osType and osVersion", { osType: "Linux", osVersion: "24.04" }, {}, u2404.metadata.name],
    ["a namespace image beats a newer cluster image with mostRecent", { name: "Ubuntu 22.04*", mostRecent: true }, { namespace: "team-a" }, teamUbuntu.metadata.name],
    ["another namespace sees the cluster's images", { name: "Ubuntu 22.04*", mostRecent: true }, { namespace: "team-b" }, u2204b.metadata.name],
    ["a capability", { requireCapabilities: ["cloud-init"], mostRecent: true }, {}, u2204b.metadata.name],
  ])("%s", (_what, criteria, options, expected) => {
    expect(selectCatalogImage(catalog, criteria, options).name).toBe(expected);
  });

  test("gives the image reference with the chosen image's display name and version", () => {
    expect(selectCatalogImage(catalog, { name: "Ubuntu 22.04 hardened" }, { namespace: "team-a" })).toEqual({
      kind: "VirtualMachineImage",
      name: teamUbuntu.metadata.name,
      namespace: "team-a",
      displayName: "Ubuntu 22.04 hardened",
      version: "22.04.1",
    });
  });

  test("several matches without mostRecent fail, listing every candidate with its version", () => {
    const err = failure(() => selectCatalogImage(catalog, { name: "Ubuntu 22.04*" }));
    expect(err).toBeInstanceOf(AmbiguousError);
    const listed = [
      [u2204.metadata.name, `${u2204.metadata.name} "Ubuntu 22.04" 22.04.9 (cluster)`],
      [u2204b.metadata.name, `${u2204b.metadata.name} "Ubuntu 22.04 build 10" 22.04.10 (cluster)`],
    ].sort(([a], [b]) => (a! < b! ? -1 : 1));
    expect(err.message).toBe(`2 images in the cluster match the criteria (name "Ubuntu 22.04*"): ${listed.map(([, l]) => l).join(", ")}; narrow the criteria or ask for the most recent`);
  });

  test("no match says which criterion removed the last candidates", () => {
    const err = failure(() => selectCatalogImage(catalog, { selector: "os.image.vmoperator.vmware.com/type=Linux", requireCapabilities: ["nvidia-vgpu"] }));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toMatch(/^no image in the cluster matches the criteria \(selector ".*"; capabilities nvidia-vgpu\): the capability nvidia-vgpu removed the last 3 candidate\(s\)/);
    expect(failure(() => selectCatalogImage(catalog, { selector: "os.image.vmoperator.vmware.com/type=Plan9" })).message).toContain('the label selector "os.image.vmoperator.vmware.com/type=Plan9" removed the last 4 candidate(s)');
  });

  test("two images of the same newest version tie, and fail naming them", () => {
    const a = image("Rocky 9 a", "9.4");
    const b = image("Rocky 9 b", "9.4.0");
    const err = failure(() => selectCatalogImage(buildCatalog([a, b, image("Rocky 9 old", "9.3")]), { name: "Rocky 9*", mostRecent: true }));
    expect(err).toBeInstanceOf(AmbiguousError);
    expect(err.message).toContain("match 2 images of the same newest version");
    expect(err.message).toContain(a.metadata.name);
    expect(err.message).toContain(b.metadata.name);
  });

  test("a tie of versions is broken by the full version", () => {
    const a = image("Debian a", "12", { fullVersion: "12.5" });
    const b = image("Debian b", "12", { fullVersion: "12.11" });
    expect(selectCatalogImage(buildCatalog([a, b]), { name: "Debian*", mostRecent: true }).name).toBe(b.metadata.name);
  });

  test("versions that cannot be ordered fail as ambiguous, naming the image without one", () => {
    const nightly = image("Fedora nightly", "rawhide");
    const err = failure(() => selectCatalogImage(buildCatalog([image("Fedora 40", "40"), nightly]), { name: "Fedora*", mostRecent: true }));
    expect(err).toBeInstanceOf(AmbiguousError);
    expect(err.message).toContain(`cannot be ordered against each other: ${nightly.metadata.name} "Fedora nightly" rawhide (cluster) has no version of numbers separated by dots`);
  });

  test("strict fails when images match in both the namespace and the cluster", () => {
    const err = failure(() => selectCatalogImage(catalog, { name: "Ubuntu 22.04*", mostRecent: true }, { namespace: "team-a", strict: true }));
    expect(err).toBeInstanceOf(AmbiguousError);
    expect(err.message).toContain('match images in both namespace "team-a" and the cluster (strict)');
  });

  test("an empty catalog, or a namespace alone, has nothing to select from", () => {
    const empty: Catalog = { images: [] };
    expect(failure(() => selectCatalogImage(empty, { mostRecent: true })).message).toBe("no image in the cluster to select from (0 image(s) in the catalog)");
    expect(failure(() => selectCatalogImage(buildCatalog([teamUbuntu]), {})).message).toBe("no image in the cluster to select from (1 image(s) in the catalog)");
  });

  test("a glob matches the whole display name, with * and ? only", () => {
    expect(selectCatalogImage(catalog, { name: "Ubuntu 24.0?" }).name).toBe(u2404.metadata.name);
    expect(failure(() => selectCatalogImage(catalog, { name: "Ubuntu" })).message).toContain('the name pattern "Ubuntu" removed the last');
  });
});
