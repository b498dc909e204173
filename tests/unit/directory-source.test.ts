import { symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { v5 as uuidv5 } from "uuid";
import { DirectorySource, OFFLINE_ITEM_NAMESPACE, parseSidecar } from "../../provider/source/directory";
import { readOvaDescriptor } from "../../provider/source/ova";
import { ovf } from "../helpers/ovf";
import { makeOva, tempDir, writeTree } from "../helpers/library";

describe("the offline library folder", () => {
  test("every immediate subfolder is a library and every .ovf/.ova/.iso below it an item", async () => {
    const root = tempDir();
    writeTree(root, {
      "base/a.ovf": ovf(),
      "base/nested/deeper/b.iso": "iso",
      "base/notes.txt": "ignored",
      "team/c.OVF": ovf(),
      ".git/ignored.ovf": ovf(),
    });
    const source = new DirectorySource(root);
    const libraries = await source.listLibraries();
    expect(libraries.map((l) => l.name)).toEqual(["base", "team"]);
    const { items, problems } = await source.listItems(libraries[0]!);
    expect(problems).toEqual([]);
    expect(items.map((i) => [i.name, i.type])).toEqual([
      ["a", "ovf"],
      ["b", "iso"],
    ]);
  });

  test("without a sidecar, the id is a UUIDv5 of <library>/<path> and the content version a hash of the bytes", async () => {
    const root = tempDir();
    writeTree(root, { "base/linux/a.ovf": ovf({ osType: "a" }) });
    const source = new DirectorySource(root);
    const [lib] = await source.listLibraries();
    const [first] = (await source.listItems(lib!)).items;
    expect(first!.id).toBe(uuidv5("base/linux/a.ovf", OFFLINE_ITEM_NAMESPACE));
    writeTree(root, { "base/linux/a.ovf": ovf({ osType: "b" }) });
    const [edited] = (await source.listItems(lib!)).items;
    expect(edited!.id).toBe(first!.id);
    expect(edited!.contentVersion).not.toBe(first!.contentVersion);
  });

  test("a sidecar sets the id, display name, description and content version", async () => {
    const root = tempDir();
    writeTree(root, {
      "base/a.ova": await makeOva([["a.ovf", ovf()]]),
      "base/a.item.json": JSON.stringify({ id: "e1968c25-dd84-4506-8dc7-9beacb6b688e", name: "Photon OS 5.0", description: "d", contentVersion: "42" }),
    });
    const source = new DirectorySource(root);
    const [item] = (await source.listItems((await source.listLibraries())[0]!)).items;
    expect(item).toMatchObject({ id: "e1968c25-dd84-4506-8dc7-9beacb6b688e", name: "Photon OS 5.0", description: "d", contentVersion: "42", type: "ovf" });
  });

  test.each([
    ["a version-1 UUID", "9a8b7c6d-1111-1222-8333-444455556666"],
    ["a UUID with no RFC 4122 version or variant bits", "9a8b7c6d-1111-2222-3333-444455556666"],
  ])("a sidecar id that is %s in its canonical text form is accepted", (_what, id) => {
    expect(parseSidecar(JSON.stringify({ id }), { library: "base", file: "base/a.item.json" }).id).toBe(id);
  });

  test("a sidecar id in upper case is the same id as in lower case, as vCenter writes ids", () => {
    expect(parseSidecar(`{"id": "E1968C25-DD84-4506-8DC7-9BEACB6B688E"}`, { library: "base", file: "base/a.item.json" }).id).toBe("e1968c25-dd84-4506-8dc7-9beacb6b688e");
  });

  test.each([
    ["{", /is not valid JSON/],
    [`{"id": "e1968c25dd8445068dc79beacb6b688e"}`, /is not a UUID in its canonical form/],
    [`{"id": "{e1968c25-dd84-4506-8dc7-9beacb6b688e}"}`, /is not a UUID in its canonical form/],
    ["[]", /must be a JSON object/],
    [`{"id": "not-a-uuid"}`, /has an invalid "id": "not-a-uuid" is not a UUID/],
    [`{"name": 5}`, /has an invalid "name": 5/],
    [`{"colour": "red"}`, /has unknown field\(s\) "colour"/],
  ])("sidecar %s is rejected naming the library and file", (text, message) => {
    expect(() => parseSidecar(text, { library: "base", file: "base/a.item.json" })).toThrow(message);
    expect(() => parseSidecar(text, { library: "base", file: "base/a.item.json" })).toThrow(/^library "base": sidecar base\/a\.item\.json /);
  });

  test("an item with a bad sidecar is reported as a problem, the others are still listed", async () => {
    const root = tempDir();
    writeTree(root, { "base/a.ovf": ovf(), "base/b.ovf": ovf(), "base/b.item.json": `{"id": "nope"}` });
    const source = new DirectorySource(root);
    const { items, problems } = await source.listItems((await source.listLibraries())[0]!);
    expect(items.map((i) => i.name)).toEqual(["a"]);
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining("b.item.json has an invalid \"id\"")]);
  });

  test("an unreadable item file is a problem naming it", async () => {
    const root = tempDir();
    writeTree(root, { "base/a.ovf": ovf() });
    symlinkSync(path.join(root, "nowhere.ovf"), path.join(root, "base/broken.ovf"));
    const source = new DirectorySource(root);
    const { problems } = await source.listItems((await source.listLibraries())[0]!);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/library "base" at .*broken\.ovf: .*ENOENT/);
  });
});

describe("reading an OVA", () => {
  test("reads the first .ovf entry, skipping the entries before it and ignoring later ones", async () => {
    const dir = tempDir();
    const file = path.join(dir, "x.ova");
    const big = Buffer.alloc(8 * 1024 * 1024, 1);
    writeFileSync(file, await makeOva([["x.mf", "manifest"], ["x.ovf", "<Envelope/>"], ["second.ovf", "<Other/>"], ["disk.vmdk", big]]));
    expect(await readOvaDescriptor(file)).toBe("<Envelope/>");
  });

  test.each([
    ["an OVA without a descriptor", async () => makeOva([["disk.vmdk", "x"]]), /contains no \.ovf descriptor/],
    ["a file that is not a tar", async () => Buffer.from("this is not a tar archive at all, just text that goes on".repeat(20)), /not a readable OVA|contains no \.ovf/],
    ["a truncated OVA", async () => (await makeOva([["x.ovf", ovf()]])).subarray(0, 700), /not a readable OVA|Unexpected end/],
  ])("%s is rejected", async (_what, make, message) => {
    const file = path.join(tempDir(), "x.ova");
    writeFileSync(file, await make());
    await expect(readOvaDescriptor(file)).rejects.toThrow(message);
  });
});
