import * as sdk from "../../sdk";
import type { Catalog, CatalogImage, ResolveOptions, ApiVersion, ContentLibraryImagesArgs, PublishedLibraryArgs } from "../../sdk";

describe("the public SDK", () => {
  test("exports the catalog, resolution and naming functions and nothing from the engine's internals", () => {
    expect(Object.keys(sdk).sort()).toEqual(
      [
        "ClusterVirtualMachineImage",
        "ContentLibraryImages",
        "VirtualMachineImage",
        "resolveCatalogImage",
        "resolveImageRef",
        "selectImage",
        "lookupSelectedImage",
        "selectCatalogImage",
        "lookupImage",
        "DEFAULT_API_VERSION",
        "ProblemsError",
        "ConfigError",
        "SourceError",
        "OvfError",
        "CatalogError",
        "NotFoundError",
        "AmbiguousError",
        "MissingCapabilitiesError",
        "OutputError",
        "SUPPORTED_API_VERSIONS",
        "VmImagesError",
        "buildCatalog",
        "clitemName",
        "diffCatalogs",
        "formatDiff",
        "matchesSelector",
        "parseSelector",
        "resolveImage",
        "vmiName",
      ].sort(),
    );
  });

  test("its types describe a catalog a user can build and resolve against", () => {
    const image: CatalogImage = {
      name: "vmi-0a0044d7c690bcbea",
      kind: "ClusterVirtualMachineImage",
      displayName: "Photon OS 5.0",
      labels: {},
      status: { name: "Photon OS 5.0", type: "OVF", providerItemID: "e1968c25-dd84-4506-8dc7-9beacb6b688e", providerContentVersion: "1", conditions: [] },
    };
    const catalog: Catalog = { images: [image] };
    const options: ResolveOptions = { strict: true };
    const version: ApiVersion = sdk.DEFAULT_API_VERSION;
    expect(sdk.resolveCatalogImage(catalog, "Photon OS 5.0", "team-a", options).name).toBe(sdk.vmiName("e1968c25-dd84-4506-8dc7-9beacb6b688e"));
    expect(version).toBe("vmoperator.vmware.com/v1alpha5");
  });

  test("its arguments take published libraries by URL, the password as an input (a secret)", () => {
    const library: PublishedLibraryArgs = { url: "https://vc.example.com/cls/vcsp/lib/33a49b2f-3a04-4fa9-8f6b-9f9286c975aa/lib.json", password: "from a secret", thumbprint: "AB".repeat(20), concurrency: 4 };
    const args: ContentLibraryImagesArgs = { source: { published: [library] }, libraries: [{ name: "Tanzu Kubernetes releases", scope: "cluster" }] };
    expect("published" in args.source && args.source.published).toHaveLength(1);
  });
});
