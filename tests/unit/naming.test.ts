import fc from "fast-check";
import { clitemName, clitemOfImage, namingItemId, vmiName } from "../../provider/image/naming";
import { ItemId } from "../../provider/types";

describe("image naming", () => {
  test("names an item vmi- and the first 17 hex characters of the SHA-1 of its id without hyphens", () => {
    // sha1("e1968c25dd8445068dc79beacb6b688e") = 0a0044d7c690bcbea…, the documentation's example.
    expect(vmiName("e1968c25-dd84-4506-8dc7-9beacb6b688e")).toBe("vmi-0a0044d7c690bcbea");
  });

  test("hashes the id exactly as given, as VM Operator does (sources hand ids over in lower case)", () => {
    expect(vmiName("E1968C25-DD84-4506-8DC7-9BEACB6B688E")).not.toBe(vmiName("e1968c25-dd84-4506-8dc7-9beacb6b688e"));
  });

  test("gives the ContentLibraryItem the same hash with a clitem- prefix", () => {
    expect(clitemName("e1968c25-dd84-4506-8dc7-9beacb6b688e")).toBe("clitem-0a0044d7c690bcbea");
  });

  test("the ContentLibraryItem's name follows from the image's, for any item", () => {
    fc.assert(fc.property(fc.uuid(), (id) => expect(clitemOfImage(vmiName(id))).toBe(clitemName(id))));
  });

  test("every generated name is a valid DNS-1123 label of 21 characters", () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        const name = vmiName(id);
        expect(name).toMatch(/^vmi-[0-9a-f]{17}$/);
        expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      }),
    );
  });

  test("preferSourceId names a subscribed item after its publisher's item, fromItemId after itself", () => {
    const item = { id: "11111111-1111-1111-1111-111111111111" as ItemId, sourceId: "22222222-2222-2222-2222-222222222222" as ItemId };
    expect(namingItemId(item, "preferSourceId")).toBe(item.sourceId);
    expect(namingItemId(item, "fromItemId")).toBe(item.id);
    expect(namingItemId({ id: item.id }, "preferSourceId")).toBe(item.id);
  });
});

describe("the example library's names", () => {
  test("are the VMI IDs worked out by hand, as the tests' helper states the rule and as a run makes them", async () => {
    const { imageNames, EXAMPLE_NAMES } = await import("../helpers/names");
    const { EXAMPLE_LIBRARY } = await import("../helpers/library");
    const { runPipeline } = await import("../../provider/pipeline/run");
    expect(imageNames(EXAMPLE_LIBRARY)).toEqual(EXAMPLE_NAMES);
    const generated = await runPipeline({
      source: { kind: "directory", directory: EXAMPLE_LIBRARY },
      libraries: [
        { name: "base-images", scope: { kind: "cluster" } },
        { name: "team-a", scope: { kind: "namespace", namespace: "team-a" } },
      ],
    });
    expect(generated.manifests.map((m) => m.metadata.name).sort()).toEqual(Object.values(EXAMPLE_NAMES).sort());
  });
});
