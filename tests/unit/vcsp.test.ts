import { VcspFormatError, parseItemsJson, parseLibJson, plainId } from "../../provider/source/published/vcsp";

const bytes = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));

/** What VMware's make_vcsp_2018.py writes in its local mode (key order and constants as it writes them). */
const MAKE_VCSP_LIB = {
  vcspVersion: "2",
  version: "1",
  contentVersion: "1",
  name: "Demo",
  id: "urn:uuid:E3A4F385-E234-4465-AF87-4E461766D511",
  created: "2026-12-03T09:28Z",
  capabilities: { transferIn: ["httpGet"], transferOut: ["httpGet"] },
  itemsHref: "items.json",
};

/** vCloud Director's lib.json, as its catalogue's subscription URL answers it. */
const VCD_LIB = {
  vcspVersion: "1",
  version: "3",
  id: "urn:uuid:4c8f39ca-5d9a-4e5b-9c8f-0a1b2c3d4e5f",
  name: "Catalogue France",
  description: "…",
  created: "2017-07-19T15:18:52.923Z",
  itemType: "vcsp.CatalogItem",
  itemsHref: "items",
  capabilities: { transferIn: ["httpGet"], transferOut: ["httpGet"], generateIds: true },
  metadata: [],
};

describe("lib.json", () => {
  test.each([
    ["make_vcsp", MAKE_VCSP_LIB, { vcspVersion: "2", version: "1", name: "Demo", id: "e3a4f385-e234-4465-af87-4e461766d511", itemsHref: "items.json" }],
    ["vCloud Director", VCD_LIB, { vcspVersion: "1", version: "3", name: "Catalogue France", id: "4c8f39ca-5d9a-4e5b-9c8f-0a1b2c3d4e5f", itemsHref: "items" }],
    ["numbers for versions", { ...MAKE_VCSP_LIB, vcspVersion: 2, version: 7 }, { vcspVersion: "2", version: "7", name: "Demo", id: "e3a4f385-e234-4465-af87-4e461766d511", itemsHref: "items.json" }],
  ])("of %s is read", (_what, doc, expected) => {
    expect(parseLibJson(bytes(doc))).toEqual(expected);
  });

  test.each([
    ["an HTML page", bytes("<!DOCTYPE html><html><body>Sign in</body></html>"), undefined, "is not a lib.json: it is an HTML page (a login page, a folder listing or a proxy's error?), not JSON"],
    ["an answer said to be HTML", bytes("{}"), "text/html; charset=utf-8", "is not a lib.json: it is an HTML page (a login page, a folder listing or a proxy's error?), not JSON"],
    ["JSON cut short", bytes('{"vcspVersion": "2", "name": "De'), undefined, /^is not a lib\.json: it is not valid JSON \(/],
    ["an empty body", bytes(""), undefined, "is not a lib.json: it is not valid JSON (Unexpected end of JSON input; the body is empty)"],
    ["a list", bytes([]), undefined, "is not a lib.json: it is not a JSON object"],
    ["another VCSP version", bytes({ ...MAKE_VCSP_LIB, vcspVersion: "3" }), undefined, 'has vcspVersion "3"; vmimages reads VCSP versions 1 and 2 (those of vCenter, vCloud Director and make_vcsp)'],
    ["no VCSP version", bytes({ name: "x" }), undefined, "is not a lib.json: it has no vcspVersion"],
    ["no name nor itemsHref", bytes({ vcspVersion: "2", id: "urn:uuid:x" }), undefined, 'is not a lib.json: "name", "itemsHref" must be non-empty strings'],
  ])("%s is refused, saying what it is", (_what, body, contentType, message) => {
    expect(() => parseLibJson(body, contentType)).toThrow(VcspFormatError);
    expect(() => parseLibJson(body, contentType)).toThrow(message);
  });

  test("ids lose urn:uuid: and are compared in lower case; an id that is no UUID is kept", () => {
    expect(plainId("urn:uuid:E1968C25-DD84-4506-8DC7-9BEACB6B688E")).toBe("e1968c25-dd84-4506-8dc7-9beacb6b688e");
    expect(plainId("my-library")).toBe("my-library");
  });
});

describe("items.json", () => {
  const folder = new URL("https://h/libs/demo/");
  const ovfItem = (over: Record<string, unknown> = {}) => ({
    created: "2026-12-03T09:28Z",
    description: "",
    version: "2",
    files: [
      { name: "photon-5-disk1.vmdk", size: 1000, etag: "23ad1a61", hrefs: ["photon-5/photon-5-disk1.vmdk"] },
      { name: "photon-5.ovf", size: 3871, etag: "23ad1a61", hrefs: ["photon-5/photon-5.ovf"] },
      { name: "photon-5.mf", size: 24, etag: "23ad1a61", hrefs: ["photon-5/photon-5.mf"] },
    ],
    id: "urn:uuid:E1968C25-DD84-4506-8DC7-9BEACB6B688E",
    name: "photon-5",
    metadata: [{ key: "type-metadata", value: "{}", type: "String", domain: "SYSTEM", visibility: "READONLY" }],
    properties: {},
    selfHref: "photon-5/item.json",
    type: "vcsp.ovf",
    ...over,
  });

  test("an OVF item of make_vcsp: its id without urn:uuid:, its version, its .ovf file (not a disk), an etag repeated on every file", () => {
    const { entries, problems } = parseItemsJson(bytes({ items: [ovfItem()] }), folder);
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      {
        item: {
          id: "e1968c25-dd84-4506-8dc7-9beacb6b688e",
          name: "photon-5",
          type: "ovf",
          contentVersion: "2",
          location: "https://h/libs/demo/photon-5/photon-5.ovf",
          cacheVersion: '["2","23ad1a61",3871]',
        },
        descriptor: { url: new URL("https://h/libs/demo/photon-5/photon-5.ovf"), file: "photon-5.ovf", size: 3871, archive: false },
      },
    ]);
  });

  test("an OVA item (make_vcsp types .ova as vcsp.ovf) is read from its OVA; an empty etag is none", () => {
    const item = ovfItem({ name: "ubuntu-ova", files: [{ name: "ubuntu-24.04.ova", size: 20480, etag: "", hrefs: ["ubuntu-ova/ubuntu-24.04.ova"] }] });
    const [entry] = parseItemsJson(bytes({ items: [item] }), folder).entries;
    expect(entry!.descriptor).toEqual({ url: new URL("https://h/libs/demo/ubuntu-ova/ubuntu-24.04.ova"), file: "ubuntu-24.04.ova", size: 20480, archive: true });
    expect(entry!.item.cacheVersion).toBe('["2","",20480]');
  });

  test("an ISO item is listed without a descriptor, an other item as other; neither needs metadata", () => {
    const iso = { created: "x", description: "netboot image", version: 3, files: [{ name: "netboot.iso", size: 72, etag: "c6eb", hrefs: ["netboot/netboot.iso"] }], id: "urn:uuid:0f0e0d0c-0b0a-4909-8807-060504030201", name: "netboot", properties: {}, selfHref: "netboot/item.json", type: "vcsp.iso" };
    const other = { ...iso, id: "urn:uuid:1f0e0d0c-0b0a-4909-8807-060504030201", name: "notes", description: "", type: "vcsp.other", version: undefined };
    const { entries, problems } = parseItemsJson(bytes({ items: [iso, other] }), folder);
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      { item: { id: "0f0e0d0c-0b0a-4909-8807-060504030201", name: "netboot", type: "iso", contentVersion: "3", description: "netboot image" } },
      { item: { id: "1f0e0d0c-0b0a-4909-8807-060504030201", name: "notes", type: "other", contentVersion: "" } },
    ]);
  });

  test("vCloud Director's items: absolute paths on the library's host, extra keys, UUID etags", () => {
    const vcd = new URL("https://vcd.example.com/vcsp/lib/4c8f39ca/");
    const item = {
      vcspVersion: "1",
      version: "1",
      id: "urn:uuid:46713c7b-1d2e-4f5a-8b9c-0d1e2f3a4b5c",
      name: "Puppet-Debian9x64",
      created: "…",
      description: "…",
      type: "vcsp.ovf",
      files: [
        { name: "descriptor.ovf", etag: "95ad8688-4b1b-419f-aa34-50bcf0e5c395", size: 12302, hrefs: ["/vcsp/lib/4c8f39ca/item/46713c7b/file/descriptor.ovf"] },
        { name: "vm-1-disk-0.vmdk", etag: "95ad8688-4b1b-419f-aa34-50bcf0e5c395", size: 976322048, hrefs: ["/vcsp/lib/4c8f39ca/item/46713c7b/file/vm-1-disk-0.vmdk"] },
      ],
      properties: {},
      selfHref: "/vcsp/lib/4c8f39ca/item/46713c7b/",
      metadata: [{ type: "STRING", domain: "SYSTEM", key: "vapp.origin.id" }],
      vms: [{ name: "puppet-debian9x64", metadata: [] }],
    };
    const { entries, problems } = parseItemsJson(bytes({ itemType: "vcsp.CatalogItem", version: "3", items: [item] }), vcd);
    expect(problems).toEqual([]);
    expect(entries[0]!.descriptor!.url.href).toBe("https://vcd.example.com/vcsp/lib/4c8f39ca/item/46713c7b/file/descriptor.ovf");
  });

  test.each([
    ["no id", ovfItem({ id: undefined }), { message: 'item "photon-5" has no "id"', item: "photon-5" }],
    ["an id that is no UUID", ovfItem({ id: "urn:uuid:photon" }), { message: 'item "photon-5" (urn:uuid:photon) has an id that is not a UUID (urn:uuid: and 8-4-4-4-12 hex digits): "urn:uuid:photon"', item: "photon-5", itemId: "urn:uuid:photon" }],
    ["no name", ovfItem({ name: "" }), { message: 'item items[0] (urn:uuid:E1968C25-DD84-4506-8DC7-9BEACB6B688E) has no "name"', itemId: "urn:uuid:E1968C25-DD84-4506-8DC7-9BEACB6B688E" }],
    ["no version", ovfItem({ version: undefined }), { message: 'item "photon-5" (urn:uuid:E1968C25-DD84-4506-8DC7-9BEACB6B688E) has no "version" (the number a publisher raises when the item changes)', item: "photon-5", itemId: "urn:uuid:E1968C25-DD84-4506-8DC7-9BEACB6B688E" }],
    ["no files", ovfItem({ files: undefined }), { message: 'item "photon-5" (urn:uuid:E1968C25-DD84-4506-8DC7-9BEACB6B688E) has no "files" list', item: "photon-5", itemId: "urn:uuid:E1968C25-DD84-4506-8DC7-9BEACB6B688E" }],
    [
      "no descriptor",
      ovfItem({ files: [{ name: "a.vmdk", hrefs: ["a.vmdk"] }] }),
      { message: 'item "photon-5" (urn:uuid:E1968C25-DD84-4506-8DC7-9BEACB6B688E) has no .ovf file, nor a single .ova (files: a.vmdk)', item: "photon-5", itemId: "urn:uuid:E1968C25-DD84-4506-8DC7-9BEACB6B688E" },
    ],
    [
      "a descriptor above the library's folder",
      ovfItem({ files: [{ name: "photon-5.ovf", hrefs: ["../other/photon-5.ovf"] }] }),
      {
        message: `item "photon-5" (urn:uuid:E1968C25-DD84-4506-8DC7-9BEACB6B688E) file "photon-5.ovf" has the href "../other/photon-5.ovf" has a ".." segment: hrefs may not climb above the library's folder; vmimages fetches nothing outside the library's folder`,
        item: "photon-5",
        itemId: "urn:uuid:E1968C25-DD84-4506-8DC7-9BEACB6B688E",
      },
    ],
  ])("an item with %s is a problem naming it; the others are listed", (_what, bad, problem) => {
    const good = ovfItem({ id: "urn:uuid:7c2e4f0a-55b1-4d3e-9a61-0f2b8c9d1e34", name: "ok" });
    const { entries, problems } = parseItemsJson(bytes({ items: [bad, good] }), folder);
    expect(problems).toEqual([problem]);
    expect(entries.map((e) => e.item.name)).toEqual(["ok"]);
  });

  test("a listing that is not one is refused, saying what it is", () => {
    expect(() => parseItemsJson(bytes({ itemz: [] }), folder)).toThrow('is not an items listing: it has no "items" list');
    expect(() => parseItemsJson(bytes("<html></html>"), folder)).toThrow("is not an items listing: it is an HTML page");
    expect(() => parseItemsJson(bytes('{"items": [{"id": '), folder)).toThrow(/^is not an items listing: it is not valid JSON/);
  });
});
