import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { vmimages, vmimagesProcess } from "../helpers/cli";
import { EXAMPLE_LIBRARY, snapshot, tempDir, writeTree } from "../helpers/library";
import { ovf } from "../helpers/ovf";

jest.setTimeout(300_000);

/**
 * `vmimages publish`: what it writes for the example library, that it writes it once (byte-stable,
 * versions raised only for what changed), that it refuses what it must and then writes nothing,
 * and that a run killed mid-write leaves the folder whole.
 */

const PHOTON = "e1968c25-dd84-4506-8dc7-9beacb6b688e";
const UBUNTU = "7c2e4f0a-55b1-4d3e-9a61-0f2b8c9d1e34";
/** The UUIDv5 ids of the example's items without a sidecar id, and of its libraries (`library:<name>`), worked out with Python's uuid5 under the offline namespace. */
const NETBOOT = "13a16f00-cc52-5162-9cd0-6a998edf187a";
const CENTOS = "12854d3c-6011-5a3b-9f1c-fb4bbcd62346";
const HARDENED = "a9ae959f-df42-56f1-a36d-56410d42b8ee";
const BASE_IMAGES_ID = "880b1736-8c79-548a-a5d4-451efc6b8deb";
const TEAM_A_ID = "edf21d46-a10f-54e6-b9fd-42134fd3aa35";

function example(): { dir: string; library: string; config: string; out: string } {
  const dir = tempDir("vmimages-publish-");
  const library = path.join(dir, "library");
  cpSync(EXAMPLE_LIBRARY, library, { recursive: true });
  const config = path.join(dir, "vmimages.yaml");
  writeFileSync(config, "source:\n  directory: ./library\nlibraries:\n  - name: base-images\n    scope: cluster\n  - name: team-a\n    namespace: team-a\n");
  return { dir, library, config, out: path.join(dir, "pub") };
}

const json = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
const versions = (items: string) => Object.fromEntries((json(items).items as Array<{ id: string; version: string }>).map((i) => [i.id, i.version]));

describe("vmimages publish on the example library", () => {
  test("writes each configured library as a published library: lib.json, items.json, a folder per item id with item.json and its files", async () => {
    const ex = example();
    const run = await vmimages("publish", "-c", ex.config, "-o", ex.out);
    expect(run.code).toBe(0);
    expect(run.out).toBe(`${path.join(ex.out, "base-images/lib.json")}\n${path.join(ex.out, "team-a/lib.json")}\n`);
    // The example's descriptors reference disks the folder does not have: each is named, and the rest is published.
    for (const [item, id, disk] of [["Photon OS 5.0", PHOTON, "photon-5-disk1.vmdk"], ["centos-7-legacy", CENTOS, "centos-7-disk1.vmdk"], ["Ubuntu 24.04 LTS", HARDENED, "ubuntu-2404-team-a-disk1.vmdk"]]) {
      expect(run.err).toContain(`warning: item "${item}" (${id}) in library "${item === "Photon OS 5.0" ? "base-images" : "team-a"}": its descriptor references ${disk}, which is not in `);
    }
    expect(Object.keys(snapshot(ex.out)).sort()).toEqual(
      [
        ".vmimages-publish.json",
        "base-images/lib.json",
        "base-images/items.json",
        `base-images/${NETBOOT}/item.json`,
        `base-images/${NETBOOT}/netboot.iso`,
        `base-images/${PHOTON}/item.json`,
        `base-images/${PHOTON}/photon-5.ovf`,
        // The OVA, as the descriptor and files it holds.
        `base-images/${UBUNTU}/item.json`,
        `base-images/${UBUNTU}/ubuntu-2404-disk1.vmdk`,
        `base-images/${UBUNTU}/ubuntu-2404.mf`,
        `base-images/${UBUNTU}/ubuntu-2404.ovf`,
        "team-a/lib.json",
        "team-a/items.json",
        `team-a/${CENTOS}/centos-7-legacy.ovf`,
        `team-a/${CENTOS}/item.json`,
        `team-a/${HARDENED}/item.json`,
        `team-a/${HARDENED}/ubuntu-24.04-hardened.ovf`,
      ].sort(),
    );
    expect(json(path.join(ex.out, "base-images/lib.json"))).toMatchObject({ vcspVersion: "2", version: "1", name: "base-images", id: `urn:uuid:${BASE_IMAGES_ID}`, itemsHref: "items.json" });
    expect(json(path.join(ex.out, "team-a/lib.json"))).toMatchObject({ name: "team-a", id: `urn:uuid:${TEAM_A_ID}` });
    const photon = json(path.join(ex.out, `base-images/${PHOTON}/item.json`));
    expect(photon).toMatchObject({
      id: `urn:uuid:${PHOTON}`,
      name: "Photon OS 5.0",
      description: "Photon OS 5 with cloud-init, EFI",
      version: "1",
      type: "vcsp.ovf",
      selfHref: `${PHOTON}/item.json`,
      files: [{ name: "photon-5.ovf", size: readFileSync(path.join(EXAMPLE_LIBRARY, "base-images/linux/photon-5.ovf")).length, hrefs: [`${PHOTON}/photon-5.ovf`] }],
    });
    expect((photon.files as Array<{ etag: string }>)[0]!.etag).toMatch(/^\d{1,19}$/);
    expect(json(path.join(ex.out, `base-images/${NETBOOT}/item.json`))).toMatchObject({ name: "netboot", type: "vcsp.iso" });
    expect(json(path.join(ex.out, `base-images/${NETBOOT}/item.json`)).metadata).toBeUndefined();
    // items.json holds the item objects themselves.
    expect((json(path.join(ex.out, "base-images/items.json")).items as unknown[]).find((i) => (i as { id: string }).id === `urn:uuid:${PHOTON}`)).toEqual(photon);
    // The files are the folder's bytes.
    expect(readFileSync(path.join(ex.out, `base-images/${NETBOOT}/netboot.iso`))).toEqual(readFileSync(path.join(EXAMPLE_LIBRARY, "base-images/isos/netboot.iso")));
  });

  test("a second run on unchanged input writes nothing: every byte and time is as it was", async () => {
    const ex = example();
    expect((await vmimages("publish", "-c", ex.config, "-o", ex.out)).code).toBe(0);
    const before = snapshot(ex.out);
    const again = await vmimages("publish", "-c", ex.config, "-o", ex.out);
    expect(again.code).toBe(0);
    expect(again.err).toContain(": 0 file(s) written, 0 removed");
    expect(snapshot(ex.out)).toEqual(before);
  });

  test("one changed item raises its version and the library's; the other items and libraries are untouched", async () => {
    const ex = example();
    expect((await vmimages("publish", "-c", ex.config, "-o", ex.out)).code).toBe(0);
    const before = snapshot(ex.out);
    const photon = path.join(ex.library, "base-images/linux/photon-5.ovf");
    writeFileSync(photon, readFileSync(photon, "utf8").replace("<FullVersion>5.0-dde71ec57</FullVersion>", "<FullVersion>5.0-2026.12</FullVersion>"));
    const run = await vmimages("publish", "-c", ex.config, "-o", ex.out);
    expect(run.code).toBe(0);
    expect(run.err).toContain('library "base-images" version 2: 3 item(s), 0 added, 1 changed, 0 removed');
    expect(run.err).toContain('library "team-a" version 1: 2 item(s), 0 added, 0 changed, 0 removed');
    expect(versions(path.join(ex.out, "base-images/items.json"))).toEqual({ [`urn:uuid:${NETBOOT}`]: "1", [`urn:uuid:${PHOTON}`]: "2", [`urn:uuid:${UBUNTU}`]: "1" });
    const after = snapshot(ex.out);
    const touched = Object.keys(after).filter((f) => JSON.stringify(after[f]) !== JSON.stringify(before[f])).sort();
    expect(touched).toEqual(["base-images/items.json", "base-images/lib.json", `base-images/${PHOTON}/item.json`, `base-images/${PHOTON}/photon-5.ovf`].sort());
  });

  test("a removed item's folder goes; published again, its version is above any it had", async () => {
    const ex = example();
    expect((await vmimages("publish", "-c", ex.config, "-o", ex.out)).code).toBe(0);
    const centos = path.join(ex.library, "team-a/centos-7-legacy.ovf");
    const text = readFileSync(centos);
    rmSync(centos);
    expect((await vmimages("publish", "-c", ex.config, "-o", ex.out)).err).toContain('library "team-a" version 2: 1 item(s), 0 added, 0 changed, 1 removed');
    expect(Object.keys(snapshot(ex.out)).filter((f) => f.includes(CENTOS))).toEqual([]);
    writeFileSync(centos, text);
    expect((await vmimages("publish", "-c", ex.config, "-o", ex.out)).code).toBe(0);
    expect(versions(path.join(ex.out, "team-a/items.json"))).toEqual({ [`urn:uuid:${CENTOS}`]: "3", [`urn:uuid:${HARDENED}`]: "1" });
  });

  test("an item name longer than vCenter's 80 characters is published with a warning", async () => {
    const ex = example();
    const long = `Ubuntu ${"x".repeat(80)}`;
    writeTree(ex.library, { "team-a/long.ovf": ovf({ osType: "ubuntu64Guest" }), "team-a/long.item.json": JSON.stringify({ name: long }) });
    const run = await vmimages("publish", "-c", ex.config, "-o", ex.out);
    expect(run.code).toBe(0);
    expect(run.err).toContain(`its name is 87 characters; vCenter refuses item names longer than 80, so a subscribing vCenter may not sync it`);
    expect(readFileSync(path.join(ex.out, "team-a/items.json"), "utf8")).toContain(long);
  });
});

describe("vmimages publish refuses, and then writes nothing", () => {
  test("a configuration whose source is not a folder", async () => {
    const dir = tempDir();
    const config = path.join(dir, "vmimages.yaml");
    writeFileSync(config, "source:\n  published:\n    - url: https://h/lib.json\nlibraries:\n  - name: a\n    scope: cluster\n");
    const run = await vmimages("publish", "-c", config, "-o", path.join(dir, "pub"));
    expect(run.code).toBe(1);
    expect(run.err).toBe(`error: vmimages publish publishes libraries of an offline folder: the source of ${config} must be source.directory, not source.published\n`);
    expect(snapshot(path.join(dir, "pub"))).toEqual({});
  });

  test.each([
    ["a descriptor that references a file above its folder", { "team-a/escape.ovf": ovf({ osType: "ubuntu64Guest" }).replace("<References/>", '<References><File ovf:href="../../secret.vmdk" ovf:id="f1"/></References>') }, /item "escape" \([0-9a-f-]{36}\) in library "team-a" at .*escape\.ovf: its descriptor references "\.\.\/\.\.\/secret\.vmdk", which is not a path inside its folder/],
    ["a malformed descriptor", { "team-a/broken.ovf": "<Envelope><VirtualSystem>" }, /item "broken" .* the OVF descriptor is not well-formed XML/],
    ["a library that does not exist", {}, /library "team-b" does not exist in folder .* \(libraries there: "base-images", "team-a"\)/],
  ])("%s", async (what, files, message) => {
    const ex = example();
    expect((await vmimages("publish", "-c", ex.config, "-o", ex.out)).code).toBe(0);
    const before = snapshot(ex.out);
    writeTree(ex.library, files);
    if (what === "a library that does not exist") writeFileSync(ex.config, `${readFileSync(ex.config, "utf8")}  - name: team-b\n    namespace: team-b\n`);
    const run = await vmimages("publish", "-c", ex.config, "-o", ex.out);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(message);
    expect(run.err).toContain("nothing was published");
    expect(snapshot(ex.out)).toEqual(before);
  });

  test("a library folder in the output that vmimages publish did not write is never written into", async () => {
    const ex = example();
    writeTree(ex.out, { "team-a/index.html": "a person's page\n" });
    const run = await vmimages("publish", "-c", ex.config, "-o", ex.out);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`${path.join(ex.out, "team-a")} was not written by vmimages publish (${path.join(ex.out, ".vmimages-publish.json")} does not name it); choose another --out, or move it away`);
    expect(Object.keys(snapshot(ex.out))).toEqual(["team-a/index.html"]);
  });

  test("a previous output it cannot read (its versions would go back)", async () => {
    const ex = example();
    expect((await vmimages("publish", "-c", ex.config, "-o", ex.out)).code).toBe(0);
    writeFileSync(path.join(ex.out, "team-a/items.json"), "{ cut short");
    const before = snapshot(ex.out);
    const run = await vmimages("publish", "-c", ex.config, "-o", ex.out);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`the previous output in ${path.join(ex.out, "team-a")} is not valid JSON`);
    expect(run.err).toContain("restore it, or publish into a new folder");
    expect(snapshot(ex.out)).toEqual(before);
  });
});

describe("a vmimages publish killed mid-write leaves the folder whole", () => {
  test.each(["write:3", "journal:1", "rename:4", "unlink:1"])("killed at %s, the next run finishes it and gives what an uninterrupted run gives", async (at) => {
    const ex = example();
    const reference = example();
    for (const e of [ex, reference]) expect((await vmimagesProcess(["publish", "-c", e.config, "-o", e.out])).code).toBe(0);
    // A change that writes, removes and adds: the photon descriptor edited, centos removed, a new item.
    for (const e of [ex, reference]) {
      const photon = path.join(e.library, "base-images/linux/photon-5.ovf");
      writeFileSync(photon, readFileSync(photon, "utf8").replace("<FullVersion>5.0-dde71ec57</FullVersion>", "<FullVersion>5.0-2026.12</FullVersion>"));
      rmSync(path.join(e.library, "team-a/centos-7-legacy.ovf"));
      mkdirSync(path.join(e.library, "team-a/new"));
      writeTree(e.library, { "team-a/new/rocky.ovf": ovf({ osType: "rockylinux_64Guest" }), "team-a/new/rocky.item.json": `{"id": "0b0b0b0b-0000-4000-8000-000000000000"}` });
    }
    const killed = await vmimagesProcess(["publish", "-c", ex.config, "-o", ex.out], { VMIMAGES_TEST_KILL_AT: at });
    expect(killed.signal).toBe("SIGKILL");
    expect((await vmimagesProcess(["publish", "-c", ex.config, "-o", ex.out])).code).toBe(0);
    expect((await vmimagesProcess(["publish", "-c", reference.config, "-o", reference.out])).code).toBe(0);
    const contents = (dir: string) => Object.fromEntries(Object.entries(snapshot(dir)).map(([f, { content }]) => [f, content.replace(/"created": "[^"]+"/g, '"created": T')]));
    expect(contents(ex.out)).toEqual(contents(reference.out));
    expect(Object.keys(snapshot(ex.out)).filter((f) => f.includes("vmimages-tmp") || f.includes("journal") || f.endsWith(".lock"))).toEqual([]);
  });
});
