import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { v5 as uuidv5 } from "uuid";
import { DirectorySource, OFFLINE_ITEM_NAMESPACE, parseSidecar } from "../../provider/source/directory";
import { MAX_DESCRIPTOR_BYTES, readOvaDescriptor } from "../../provider/source/ova";
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

  test("an OVF file is read once: its fetch gives the bytes whose hash is its content version, even if the file changed since", async () => {
    const root = tempDir();
    const listed = ovf({ osType: "listed" });
    writeTree(root, { "base/a.ovf": listed });
    const source = new DirectorySource(root);
    const [lib] = await source.listLibraries();
    const [item] = (await source.listItems(lib!)).items;
    expect(item!.contentVersion).toBe(`sha256:${createHash("sha256").update(listed).digest("hex").slice(0, 32)}`);
    writeTree(root, { "base/a.ovf": ovf({ osType: "edited" }) });
    expect(Buffer.from(await source.fetchDescriptor(lib!, item!)).toString()).toBe(listed);
    // Handed over once: a second fetch reads the file as it is now.
    expect(Buffer.from(await source.fetchDescriptor(lib!, item!)).toString()).toBe(ovf({ osType: "edited" }));
  });

  test("descriptors kept from the listing for their fetch are bounded in size: past 64 MiB, a fetch reads the file again", async () => {
    const root = tempDir();
    const big = (c: string) => Buffer.alloc(30 * 1024 * 1024, c);
    writeTree(root, { "base/1.ovf": big("a"), "base/2.ovf": big("b"), "base/3.ovf": big("c") });
    const source = new DirectorySource(root);
    const [lib] = await source.listLibraries();
    const { items } = await source.listItems(lib!);
    writeTree(root, { "base/1.ovf": big("x"), "base/2.ovf": big("x"), "base/3.ovf": big("x") });
    const firstBytes = await Promise.all(items.map(async (i) => String.fromCharCode(Buffer.from(await source.fetchDescriptor(lib!, i))[0]!)));
    // Two of 30 MiB fit in 64 MiB, the third does not.
    expect(firstBytes).toEqual(["a", "b", "x"]);
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

  test("a sidecar reached through a symbolic link inside the library is read, and one that is no file is a problem, never ignored", async () => {
    const root = tempDir();
    writeTree(root, { "base/a.ovf": ovf(), "base/sidecars/a.json": `{"name": "Linked"}`, "base/b.ovf": ovf(), "base/b.item.json/inside": "x" });
    symlinkSync(path.join(root, "base/sidecars/a.json"), path.join(root, "base/a.item.json"));
    const source = new DirectorySource(root);
    const { items, problems } = await source.listItems((await source.listLibraries())[0]!);
    expect(items.map((i) => i.name)).toEqual(["Linked"]);
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/cannot read sidecar .*b\.item\.json: EISDIR/)]);
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

describe("what the offline folder refuses, naming it, rather than reading it as less", () => {
  const items = async (root: string, library = "base") => new DirectorySource(root).listItems({ id: `offline:${library}`, name: library, type: "OFFLINE" });

  test("a subfolder that is a symbolic link to a folder that is gone", async () => {
    const root = tempDir();
    writeTree(root, { "base/a.ovf": ovf(), "elsewhere/b.ovf": ovf() });
    symlinkSync(path.join(root, "gone"), path.join(root, "base/linux"));
    const { items: found, problems } = await items(root);
    expect(found.map((i) => i.name)).toEqual(["a"]);
    expect(problems.map((p) => p.message)).toEqual([`library "base" at ${path.join(root, "base/linux")}: is a symbolic link to ${path.join(root, "gone")}, which cannot be followed (ENOENT: no such file or directory)`]);
  });

  test("a library folder that is a symbolic link to a folder that is gone is an error, not an empty library", async () => {
    const root = tempDir();
    symlinkSync(path.join(root, "gone"), path.join(root, "base"));
    expect((await new DirectorySource(root).listLibraries()).map((l) => l.name)).toEqual(["base"]);
    await expect(items(root)).rejects.toThrow(`library "base": cannot read its folder ${path.join(root, "base")}: ENOENT: no such file or directory`);
  });

  test("a symbolic link to a folder above it (a loop), once, without following it", async () => {
    const root = tempDir();
    writeTree(root, { "base/a.ovf": ovf() });
    symlinkSync(".", path.join(root, "base/loop"));
    const { items: found, problems } = await items(root);
    expect(found.map((i) => i.name)).toEqual(["a"]);
    expect(problems.map((p) => p.message)).toEqual([`library "base" at ${path.join(root, "base/loop")}: is a symbolic link to a folder above it (a loop); vmimages does not follow it`]);
  });

  test("a symbolic link that leads outside the library folder, such as to /", async () => {
    const root = tempDir();
    writeTree(root, { "base/a.ovf": ovf(), "other/b.ovf": ovf() });
    symlinkSync("/", path.join(root, "base/root"));
    symlinkSync("/dev/zero", path.join(root, "base/zero.ovf"));
    symlinkSync(path.join(root, "other/b.ovf"), path.join(root, "base/b.ovf"));
    const { problems } = await items(root);
    expect(problems.map((p) => p.message).sort()).toEqual(
      [
        `library "base" at ${path.join(root, "base/b.ovf")}: is a symbolic link to ${path.join(root, "other/b.ovf")}, outside the library folder ${path.join(root, "base")}; vmimages follows only links that stay inside it`,
        `library "base" at ${path.join(root, "base/root")}: is a symbolic link to /, outside the library folder ${path.join(root, "base")}; vmimages follows only links that stay inside it`,
        `library "base" at ${path.join(root, "base/zero.ovf")}: is a symbolic link to /dev/zero, outside the library folder ${path.join(root, "base")}; vmimages follows only links that stay inside it`,
      ].sort(),
    );
  });

  test("a link that stays inside the library is followed", async () => {
    const root = tempDir();
    writeTree(root, { "base/real/a.ovf": ovf() });
    symlinkSync(path.join(root, "base/real"), path.join(root, "base/alias"));
    const { items: found, problems } = await items(root);
    expect(problems).toEqual([]);
    expect(found.map((i) => path.relative(root, i.location!))).toEqual(["base/alias/a.ovf", "base/real/a.ovf"]);
  });

  test("an item that is a FIFO, without waiting for it", async () => {
    const root = tempDir();
    writeTree(root, { "base/a.ovf": ovf() });
    execFileSync("mkfifo", [path.join(root, "base/pipe.ovf")]);
    const { problems } = await items(root);
    expect(problems.map((p) => p.message)).toEqual([`library "base" at ${path.join(root, "base/pipe.ovf")}: is not a regular file (a FIFO, a socket or a device); items are read from regular files only`]);
  });

  test("a plain descriptor larger than an OVA's may be", async () => {
    const root = tempDir();
    writeTree(root, { "base/huge.ovf": Buffer.alloc(MAX_DESCRIPTOR_BYTES + 1, 0x20) });
    const source = new DirectorySource(root);
    const [item] = (await items(root)).items;
    await expect(source.fetchDescriptor({ id: "offline:base", name: "base", type: "OFFLINE" }, item!)).rejects.toThrow(`it is ${MAX_DESCRIPTOR_BYTES + 1} bytes, more than the ${MAX_DESCRIPTOR_BYTES} a descriptor may have`);
  });
});

describe("reading an OVA", () => {
  test("reads the first .ovf entry, skipping the entries before it and ignoring later ones", async () => {
    const dir = tempDir();
    const file = path.join(dir, "x.ova");
    const big = Buffer.alloc(8 * 1024 * 1024, 1);
    writeFileSync(file, await makeOva([["x.mf", "manifest"], ["x.ovf", "<Envelope/>"], ["second.ovf", "<Other/>"], ["disk.vmdk", big]]));
    expect((await readOvaDescriptor(file)).toString()).toBe("<Envelope/>");
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
