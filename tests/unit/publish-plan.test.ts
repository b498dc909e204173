import fc from "fast-check";
import { FileToPublish, ItemToPublish, PublishedBefore, etagOf, hrefOf, parsePublished, planLibrary } from "../../provider/targets/publish/plan";

const LIB_ID = "urn:uuid:880b1736-8c79-548a-a5d4-451efc6b8deb";
const T0 = "2026-12-01T08:00:00Z";
const T1 = "2026-12-02T09:00:00Z";

/** SHA-256 of "hello" and of "", worked out with sha256sum. */
const HELLO = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const file = (name: string, sha256 = HELLO, size = 5): FileToPublish => ({ name, size, sha256 });
const ovfItem = (id: string, over: Partial<ItemToPublish> = {}): ItemToPublish => ({ id, name: `item ${id.slice(0, 4)}`, description: "", type: "ovf", vapp: false, files: [file("a.ovf"), file("a.mf", EMPTY, 0)], ...over });

/** What a run leaves for the next: its lib.json and items.json, read back as the next run reads them. */
function after(plan: ReturnType<typeof planLibrary>): PublishedBefore {
  return parsePublished(plan.texts.get("lib.json")!, plan.texts.get("items.json")!);
}

describe("etags", () => {
  test.each([
    [HELLO, "3238736544897475342"],
    [EMPTY, "7183457195969485844"],
    ["f".repeat(64), "9223372036854775807"],
  ])("of SHA-256 %s: %s (its first 63 bits, in decimal: a Java long)", (sha, etag) => {
    expect(etagOf(sha)).toBe(etag);
  });
});

describe("hrefs", () => {
  test("are the item's folder and the file's name, each segment percent-encoded", () => {
    expect(hrefOf("e1968c25-dd84-4506-8dc7-9beacb6b688e", "photon 5#1.ovf")).toBe("e1968c25-dd84-4506-8dc7-9beacb6b688e/photon%205%231.ovf");
    expect(hrefOf("e1968c25-dd84-4506-8dc7-9beacb6b688e", "disks/a b.vmdk")).toBe("e1968c25-dd84-4506-8dc7-9beacb6b688e/disks/a%20b.vmdk");
  });
});

describe("a library's published files", () => {
  const A = "0a0a0a0a-0000-4000-8000-000000000000";
  const B = "0b0b0b0b-0000-4000-8000-000000000000";

  test("a first run: version 1 everywhere, make_vcsp's form, items by id, files by name, metadata on OVF items only", () => {
    const plan = planLibrary("base-images", LIB_ID, [ovfItem(B), { id: A, name: "netboot", description: "boot", type: "iso", vapp: false, files: [file("netboot.iso")] }], undefined, T0);
    expect([...plan.texts.keys()]).toEqual([`${A}/item.json`, `${B}/item.json`, "items.json", "lib.json"]);
    expect(plan.texts.get("lib.json")).toBe(
      `{\n  "vcspVersion": "2",\n  "version": "1",\n  "contentVersion": "1",\n  "name": "base-images",\n  "id": "${LIB_ID}",\n  "created": "${T0}",\n  "capabilities": {\n    "transferIn": [\n      "httpGet"\n    ],\n    "transferOut": [\n      "httpGet"\n    ]\n  },\n  "itemsHref": "items.json"\n}\n`,
    );
    expect(JSON.parse(plan.texts.get(`${A}/item.json`)!)).toEqual({
      created: T0,
      description: "boot",
      version: "1",
      files: [{ name: "netboot.iso", size: 5, etag: "3238736544897475342", hrefs: [`${A}/netboot.iso`] }],
      id: `urn:uuid:${A}`,
      name: "netboot",
      properties: {},
      selfHref: `${A}/item.json`,
      type: "vcsp.iso",
    });
    const ovf = JSON.parse(plan.texts.get(`${B}/item.json`)!) as { files: Array<{ name: string }>; metadata: Array<{ key: string; value: string }> };
    expect(ovf.files.map((f) => f.name)).toEqual(["a.mf", "a.ovf"]);
    expect(ovf.metadata).toEqual([
      {
        key: "type-metadata",
        value: `{"id":"urn:uuid:${B}","version":"1","libraryIdParent":"${LIB_ID}","isVappTemplate":"false","vmTemplate":null,"vappTemplate":null,"networks":[],"storagePolicyGroups":null}`,
        type: "String",
        domain: "SYSTEM",
        visibility: "READONLY",
      },
    ]);
    expect(JSON.parse(plan.texts.get("items.json")!)).toEqual({ items: [JSON.parse(plan.texts.get(`${A}/item.json`)!), JSON.parse(plan.texts.get(`${B}/item.json`)!)] });
    expect([plan.added, plan.changed, plan.removed]).toEqual([[`urn:uuid:${A}`, `urn:uuid:${B}`], [], []]);
  });

  test("unchanged input: the same bytes, whatever the time, and the library id of the previous run", () => {
    const items = [ovfItem(A), ovfItem(B)];
    const first = planLibrary("base-images", LIB_ID, items, undefined, T0);
    const again = planLibrary("base-images", "urn:uuid:ffffffff-0000-4000-8000-000000000000", [...items].reverse(), after(first), T1);
    expect(again.texts).toEqual(first.texts);
    expect([again.version, again.added, again.changed, again.removed]).toEqual(["1", [], [], []]);
  });

  test("one changed item: its version and the library's raised, the other item's untouched", () => {
    const first = planLibrary("base-images", LIB_ID, [ovfItem(A), ovfItem(B)], undefined, T0);
    const second = planLibrary("base-images", LIB_ID, [ovfItem(A, { files: [file("a.ovf", EMPTY, 0), file("a.mf", EMPTY, 0)] }), ovfItem(B)], after(first), T1);
    expect(second.version).toBe("2");
    expect(second.changed).toEqual([`urn:uuid:${A}`]);
    expect(JSON.parse(second.texts.get(`${A}/item.json`)!)).toMatchObject({ version: "2", created: T0 });
    expect(second.texts.get(`${B}/item.json`)).toBe(first.texts.get(`${B}/item.json`));
    expect(JSON.parse(second.texts.get("lib.json")!)).toMatchObject({ version: "2", created: T0 });
  });

  test("a new name or description is a change; a removed item raises the library's version", () => {
    const first = planLibrary("l", LIB_ID, [ovfItem(A), ovfItem(B)], undefined, T0);
    expect(planLibrary("l", LIB_ID, [ovfItem(A, { name: "renamed" }), ovfItem(B)], after(first), T1).changed).toEqual([`urn:uuid:${A}`]);
    expect(planLibrary("l", LIB_ID, [ovfItem(A, { description: "now described" }), ovfItem(B)], after(first), T1).changed).toEqual([`urn:uuid:${A}`]);
    const removed = planLibrary("l", LIB_ID, [ovfItem(A)], after(first), T1);
    expect([removed.version, removed.removed]).toEqual(["2", [`urn:uuid:${B}`]]);
  });

  test("whatever happens to the items from run to run, no version ever goes back, and a run that changed nothing changes no byte", () => {
    const ids = ["01", "02", "03", "04"].map((n) => `${n}${n}${n}${n}0000-0000-4000-8000-000000000000`);
    const state = fc.record({ present: fc.boolean(), content: fc.constantFrom(HELLO, EMPTY), name: fc.constantFrom("x", "y") });
    fc.assert(
      fc.property(fc.array(fc.array(state, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 8 }), (runs) => {
        let before: PublishedBefore | undefined;
        let texts: ReadonlyMap<string, string> | undefined;
        const seen = new Map<string, number>();
        let libVersion = 0;
        let lastInput = "";
        for (const run of runs) {
          const items = run.flatMap((s, i) => (s.present ? [ovfItem(ids[i]!, { name: s.name, files: [file("a.ovf", s.content)] })] : []));
          const plan = planLibrary("l", LIB_ID, items, before, T0);
          expect(Number(plan.version)).toBeGreaterThanOrEqual(libVersion);
          const input = JSON.stringify(items);
          if (input === lastInput) expect(plan.texts).toEqual(texts);
          for (const item of plan.items) {
            expect(Number(item.version)).toBeGreaterThanOrEqual(seen.get(item.id) ?? 0);
            expect(Number(item.version)).toBeLessThanOrEqual(Number(plan.version));
            seen.set(item.id, Number(item.version));
          }
          libVersion = Number(plan.version);
          lastInput = input;
          texts = plan.texts;
          before = after(plan);
        }
      }),
    );
  });

  test("a previous output that is not one is refused, saying what", () => {
    expect(() => parsePublished("{", "{}")).toThrow(/^is not valid JSON/);
    expect(() => parsePublished(JSON.stringify({ version: "x", id: "i", created: "c", name: "n" }), '{"items": []}')).toThrow(
      "lib.json is not one vmimages publish writes (a whole-number version, an id, a name and created are needed)",
    );
    expect(() => parsePublished(JSON.stringify({ version: "1", id: "i", created: "c", name: "n" }), "{}")).toThrow('items.json has no "items" list');
  });
});
