import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { pack } from "tar-stream";
import { SourceError } from "../../provider/errors";
import { PublishedSource } from "../../provider/source/published/source";
import { vmimages } from "../helpers/cli";
import { CORPUS, corpusAvailable } from "../helpers/corpus";
import { EXAMPLE_LIBRARY, snapshot, tempDir, writeTree } from "../helpers/library";
import { EXAMPLE_NAMES } from "../helpers/names";
import { LibraryServer, notFound, serveFolder, startLibraryServer, vcdCatalogue } from "../helpers/vcsp-server";

jest.setTimeout(120_000);

/**
 * The `published` source against real HTTP and HTTPS servers on 127.0.0.1: folders `vmimages
 * publish` wrote (from the example library and the conformance corpus), a vCloud Director
 * catalogue, a make_vcsp folder, a library behind Basic authentication, and every fault the issue
 * names, each failing with nothing written.
 */

/** A password that would show up in any message, log or file it reached. */
const PASSWORD = "Pw-would-show-up-8c1d2f";
const PASSWORD_ENV = "VMIMAGES_TEST_PUBLISHED_PASSWORD";

/** The example library's item ids (sidecar ids, else the UUIDv5 of `<library>/<path>` worked out with Python's uuid5) and their VMI IDs (sha1sum). */
const PHOTON = "e1968c25-dd84-4506-8dc7-9beacb6b688e";
const UBUNTU = "7c2e4f0a-55b1-4d3e-9a61-0f2b8c9d1e34";
const NETBOOT = "13a16f00-cc52-5162-9cd0-6a998edf187a";
const CENTOS = "12854d3c-6011-5a3b-9f1c-fb4bbcd62346";
const EXAMPLE_FILES = [
  "cluster/vmi-0a0044d7c690bcbea.yaml",
  "cluster/vmi-dabd676841e725de7.yaml",
  "cluster/vmi-e5af9c9a7ce33bd18.yaml",
  "kustomization.yaml",
  "namespaces/team-a/vmi-d77423926a2e86b2a.yaml",
  "namespaces/team-a/vmi-efdcb079c193a98fd.yaml",
];
const LIBRARIES = "libraries:\n  - name: base-images\n    scope: cluster\n  - name: team-a\n    namespace: team-a\n";

/** The example library copied, published, and its config and publish output. */
async function publishedExample(): Promise<{ dir: string; library: string; folderConfig: string; pub: string }> {
  const dir = tempDir("vmimages-pub-");
  const library = path.join(dir, "library");
  cpSync(EXAMPLE_LIBRARY, library, { recursive: true });
  const folderConfig = path.join(dir, "folder.yaml");
  writeFileSync(folderConfig, `source:\n  directory: ./library\n${LIBRARIES}`);
  const pub = path.join(dir, "pub");
  const run = await vmimages("publish", "-c", folderConfig, "-o", pub);
  expect(run).toMatchObject({ code: 0 });
  return { dir, library, folderConfig, pub };
}

/** A configuration reading published libraries: each entry's YAML lines (after `- `). */
function publishedConfig(entries: readonly string[], libraries = LIBRARIES, extra = ""): string {
  const file = path.join(tempDir("vmimages-cfg-"), "vmimages.yaml");
  writeFileSync(file, `${extra}source:\n  published:\n${entries.map((e) => `    - ${e.split("\n").join("\n      ")}\n`).join("")}${libraries}`);
  return file;
}

/** The files of a generate output with what a published item rightly has of its own left out: its content version, the conditions' times. */
function comparable(out: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(snapshot(out)).map(([f, { content }]) => [f, content.replace(/providerContentVersion: .*/g, "providerContentVersion: V").replace(/lastTransitionTime: .*/g, "lastTransitionTime: T")]),
  );
}

function examplePublishedEntries(server: LibraryServer, extra = ""): string[] {
  return ["base-images", "team-a"].map((lib) => `url: ${server.origin}/${lib}/lib.json${extra}`);
}

describe("the published example library over HTTP", () => {
  let ex: Awaited<ReturnType<typeof publishedExample>>;
  let server: LibraryServer;
  beforeAll(async () => {
    ex = await publishedExample();
    server = await startLibraryServer(serveFolder(ex.pub));
  });
  afterAll(() => server.close());

  test("generate from its URLs gives the images generate gives from the folder, byte for byte but the content versions and condition times", async () => {
    const fromFolder = path.join(ex.dir, "from-folder");
    expect((await vmimages("generate", "-c", ex.folderConfig, "-o", fromFolder)).code).toBe(0);
    const fromUrl = path.join(ex.dir, "from-url");
    const run = await vmimages("generate", "-c", publishedConfig(examplePublishedEntries(server)), "-o", fromUrl, "--no-cache");
    expect(run).toMatchObject({ code: 0, err: expect.stringContaining("5 image(s)") });
    expect(Object.keys(snapshot(fromUrl)).sort()).toEqual(EXAMPLE_FILES);
    expect(EXAMPLE_FILES).toEqual(expect.arrayContaining(Object.values(EXAMPLE_NAMES).map((n) => expect.stringContaining(n))));
    expect(comparable(fromUrl)).toEqual(comparable(fromFolder));
    // A published item's content version is its version in items.json.
    expect(readFileSync(path.join(fromUrl, "cluster/vmi-0a0044d7c690bcbea.yaml"), "utf8")).toContain('providerContentVersion: "1"');
  });

  test("only the .ovf of each OVF item is downloaded (the OVA item's too), never a disk or an ISO", async () => {
    server.reset();
    expect((await vmimages("generate", "-c", publishedConfig(examplePublishedEntries(server)), "-o", path.join(tempDir(), "out"), "--no-cache")).code).toBe(0);
    expect(server.paths().sort()).toEqual(
      [
        "/base-images/lib.json",
        "/base-images/items.json",
        `/base-images/${PHOTON}/photon-5.ovf`,
        `/base-images/${UBUNTU}/ubuntu-2404.ovf`,
        "/team-a/lib.json",
        "/team-a/items.json",
        `/team-a/${CENTOS}/centos-7-legacy.ovf`,
        "/team-a/a9ae959f-df42-56f1-a36d-56410d42b8ee/ubuntu-24.04-hardened.ovf",
      ].sort(),
    );
    expect(server.paths().join(" ")).not.toMatch(/vmdk|\.iso|\.mf/);
    expect(server.paths()).not.toContain(`/base-images/${NETBOOT}/netboot.iso`);
  });

  test("with naming: preferSourceId the names are the same (a published item is its own publisher)", async () => {
    const out = path.join(tempDir(), "out");
    expect((await vmimages("generate", "-c", publishedConfig(examplePublishedEntries(server), LIBRARIES, "naming: preferSourceId\n"), "-o", out, "--no-cache")).code).toBe(0);
    expect(Object.keys(snapshot(out)).sort()).toEqual(EXAMPLE_FILES);
  });

  test("the cache: an unchanged re-run reads lib.json and items.json only; one changed item downloads one descriptor", async () => {
    const cache = path.join(tempDir(), "cache");
    const out = path.join(tempDir(), "out");
    const config = publishedConfig(examplePublishedEntries(server));
    expect((await vmimages("generate", "-c", config, "-o", out, "--cache-dir", cache)).code).toBe(0);

    server.reset();
    const warm = await vmimages("generate", "-c", config, "-o", out, "--cache-dir", cache, "-v");
    expect(warm.code).toBe(0);
    expect(server.paths().sort()).toEqual(["/base-images/items.json", "/base-images/lib.json", "/team-a/items.json", "/team-a/lib.json"]);
    expect(warm.err).toContain("4 request(s), 0 descriptor(s) downloaded");

    // Into a new folder: every descriptor from the cache.
    server.reset();
    expect((await vmimages("generate", "-c", config, "-o", path.join(tempDir(), "fresh"), "--cache-dir", cache)).code).toBe(0);
    expect(server.paths().filter((p) => p.endsWith(".ovf"))).toEqual([]);

    // One item changes at the publisher: its version grows, and only its descriptor is read again.
    const photon = path.join(ex.library, "base-images/linux/photon-5.ovf");
    writeFileSync(photon, readFileSync(photon, "utf8").replace("<FullVersion>5.0-dde71ec57</FullVersion>", "<FullVersion>5.0-2026.12</FullVersion>"));
    expect((await vmimages("publish", "-c", ex.folderConfig, "-o", ex.pub)).code).toBe(0);
    server.reset();
    const changed = await vmimages("generate", "-c", config, "-o", out, "--cache-dir", cache, "-v");
    expect(changed.code).toBe(0);
    expect(server.paths().sort()).toEqual(["/base-images/items.json", "/base-images/lib.json", `/base-images/${PHOTON}/photon-5.ovf`, "/team-a/items.json", "/team-a/lib.json"].sort());
    expect(changed.err).toContain("~ ClusterVirtualMachineImage vmi-0a0044d7c690bcbea");
    expect(readFileSync(path.join(out, "cluster/vmi-0a0044d7c690bcbea.yaml"), "utf8")).toContain(`fullVersion: "5.0-2026.12"`);
  });

  test("libraries are chosen by their lib.json name or id; one that is not there is named with those that are", async () => {
    const byId = publishedConfig([`url: ${server.origin}/team-a/lib.json`], "libraries:\n  - name: edf21d46-a10f-54e6-b9fd-42134fd3aa35\n    namespace: team-a\n");
    const out = path.join(tempDir(), "out");
    expect((await vmimages("generate", "-c", byId, "-o", out, "--no-cache")).code).toBe(0);
    expect(Object.keys(snapshot(out)).sort()).toEqual(["kustomization.yaml", "namespaces/team-a/vmi-d77423926a2e86b2a.yaml", "namespaces/team-a/vmi-efdcb079c193a98fd.yaml"]);
    const missing = await vmimages("generate", "-c", publishedConfig([`url: ${server.origin}/team-a/lib.json`], "libraries:\n  - name: team-b\n    namespace: team-b\n"), "-o", path.join(tempDir(), "o"));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`library "team-b" does not exist in published library ${server.origin}/team-a/lib.json (libraries there: "team-a")`);
  });
});

describe("a published library over HTTPS behind Basic authentication", () => {
  let ex: Awaited<ReturnType<typeof publishedExample>>;
  let server: LibraryServer;
  beforeAll(async () => {
    ex = await publishedExample();
    server = await startLibraryServer(serveFolder(ex.pub), { tls: true, basic: { username: "vcsp", password: PASSWORD } });
    process.env[PASSWORD_ENV] = PASSWORD;
  });
  afterAll(async () => {
    delete process.env[PASSWORD_ENV];
    await server.close();
  });

  test.each([
    ["a pinned SHA-1 thumbprint (as vCenter shows it)", () => `\nthumbprint: "${server.fingerprint!.toLowerCase()}"`],
    ["a pinned SHA-256 thumbprint", () => `\nthumbprint: "${server.fingerprint256}"`],
    ["its certificate as CA", () => `\ncaFile: ${writeCa(server.cert!)}`],
  ])("is read with %s, the user vcsp and the password from the environment, which appears nowhere", async (_what, tls) => {
    server.reset();
    const out = path.join(tempDir(), "out");
    const run = await vmimages("generate", "-c", publishedConfig(examplePublishedEntries(server, `\npasswordEnv: ${PASSWORD_ENV}${tls()}`)), "-o", out, "-v", "--no-cache");
    expect(run).toMatchObject({ code: 0 });
    expect(Object.keys(snapshot(out)).sort()).toEqual(EXAMPLE_FILES);
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.every((r) => r.authorization === `Basic ${Buffer.from(`vcsp:${PASSWORD}`).toString("base64")}`)).toBe(true);
    expect(run.out + run.err).not.toContain(PASSWORD);
    expect(JSON.stringify(snapshot(out))).not.toContain(PASSWORD);
  });

  test("a thumbprint that does not match is refused before any request (so before any credential) reaches the server", async () => {
    server.reset();
    const out = path.join(tempDir(), "out");
    const run = await vmimages("generate", "-c", publishedConfig(examplePublishedEntries(server, `\npasswordEnv: ${PASSWORD_ENV}\nthumbprint: "${"AB:".repeat(19)}AB"`)), "-o", out);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`published library ${server.origin}/base-images/lib.json was refused: the server's certificate has SHA-1 thumbprint `);
    expect(run.err).toContain(`not the pinned ${"AB".repeat(20)}; nothing was sent to it`);
    expect(server.requests).toEqual([]);
    expect(existsSync(out)).toBe(false);
    expect(run.err).not.toContain(PASSWORD);
  });

  test("an untrusted certificate is refused, saying how to trust it", async () => {
    const run = await vmimages("generate", "-c", publishedConfig(examplePublishedEntries(server, `\npasswordEnv: ${PASSWORD_ENV}`)), "-o", path.join(tempDir(), "out"));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/\/base-images\/lib\.json has a TLS certificate that is not trusted \(.*\): give its CA \(caFile\), pin its thumbprint, or set insecure/);
  });

  test("401: a wrong password is refused, and a missing one asked for, naming the URL and never the password", async () => {
    process.env.VMIMAGES_TEST_WRONG = `${PASSWORD}-wrong`;
    try {
      const wrong = await vmimages("generate", "-c", publishedConfig(examplePublishedEntries(server, `\npasswordEnv: VMIMAGES_TEST_WRONG\nthumbprint: "${server.fingerprint256}"`)), "-o", path.join(tempDir(), "out"));
      expect(wrong.code).toBe(1);
      expect(wrong.err).toContain(`published library ${server.origin}/base-images/lib.json refused the credentials (HTTP 401): check username and the password`);
      expect(wrong.err).not.toContain(PASSWORD);
    } finally {
      delete process.env.VMIMAGES_TEST_WRONG;
    }
    const none = await vmimages("generate", "-c", publishedConfig(examplePublishedEntries(server, `\nthumbprint: "${server.fingerprint256}"`)), "-o", path.join(tempDir(), "out"));
    expect(none.err).toContain(`${server.origin}/base-images/lib.json needs credentials (HTTP 401, realm "vcsp"): give username and a password`);
  });
});

describe("a published library over plain HTTP behind Basic authentication", () => {
  test("gets the password only when the configuration says insecure (it then crosses in clear); otherwise the run is refused before any request", async () => {
    const ex = await publishedExample();
    const server = await startLibraryServer(serveFolder(ex.pub), { basic: { username: "vcsp", password: PASSWORD } });
    process.env[PASSWORD_ENV] = PASSWORD;
    try {
      const refused = await vmimages("generate", "-c", publishedConfig(examplePublishedEntries(server, `\npasswordEnv: ${PASSWORD_ENV}`)), "-o", path.join(tempDir(), "out"));
      expect(refused.code).toBe(1);
      expect(refused.err).toContain(`source.published[0] (${server.origin}/base-images/lib.json): HTTP Basic would send the password in clear over plain http://: use the library's https:// URL, or set insecure: true to send it anyway`);
      expect(server.requests).toEqual([]);
      const out = path.join(tempDir(), "out");
      const sent = await vmimages("generate", "-c", publishedConfig(examplePublishedEntries(server, `\npasswordEnv: ${PASSWORD_ENV}\ninsecure: true`)), "-o", out, "--no-cache");
      expect(sent.code).toBe(0);
      expect(Object.keys(snapshot(out)).sort()).toEqual(EXAMPLE_FILES);
      expect(server.requests.every((r) => r.authorization !== undefined)).toBe(true);
      expect(sent.out + sent.err).not.toContain(PASSWORD);
    } finally {
      delete process.env[PASSWORD_ENV];
      await server.close();
    }
  });
});

function writeCa(cert: string): string {
  const file = path.join(tempDir(), "ca.pem");
  writeFileSync(file, cert);
  return file;
}

describe("a vCloud Director catalogue", () => {
  test("is read from /vcsp/lib/ID with itemsHref items, its file links answering 302 to another path on the same host", async () => {
    const photon = readFileSync(path.join(EXAMPLE_LIBRARY, "base-images/linux/photon-5.ovf"));
    const catalogue = vcdCatalogue("4c8f39ca-5d9a-4e5b-9c8f-0a1b2c3d4e5f", "Catalogue France", [
      { id: PHOTON, name: "Photon OS 5.0", type: "vcsp.ovf", version: "4", files: { "descriptor.ovf": photon, "descriptor.mf": Buffer.from("SHA256(descriptor.ovf)= 00\n"), "vm-1-disk-0.vmdk": Buffer.alloc(1024) } },
      { id: NETBOOT, name: "netboot", type: "vcsp.iso", version: "1", files: { "netboot.iso": Buffer.alloc(72) } },
    ]);
    const server = await startLibraryServer(catalogue, { tls: true });
    try {
      const out = path.join(tempDir(), "out");
      const config = publishedConfig([`url: ${server.origin}/vcsp/lib/4c8f39ca-5d9a-4e5b-9c8f-0a1b2c3d4e5f\nthumbprint: "${server.fingerprint}"`], "libraries:\n  - name: Catalogue France\n    scope: cluster\n");
      const run = await vmimages("generate", "-c", config, "-o", out, "--no-cache");
      expect(run).toMatchObject({ code: 0 });
      expect(Object.keys(snapshot(out)).sort()).toEqual(["cluster/vmi-0a0044d7c690bcbea.yaml", "cluster/vmi-e5af9c9a7ce33bd18.yaml", "kustomization.yaml"]);
      expect(readFileSync(path.join(out, "cluster/vmi-0a0044d7c690bcbea.yaml"), "utf8")).toContain('providerContentVersion: "4"');
      expect(server.paths()).toEqual([
        "/vcsp/lib/4c8f39ca-5d9a-4e5b-9c8f-0a1b2c3d4e5f",
        "/vcsp/lib/4c8f39ca-5d9a-4e5b-9c8f-0a1b2c3d4e5f/items",
        `/vcsp/lib/4c8f39ca-5d9a-4e5b-9c8f-0a1b2c3d4e5f/item/${PHOTON}/file/descriptor.ovf`,
        `/transfer/0474fbe8-${PHOTON}/descriptor.ovf`,
      ]);
    } finally {
      await server.close();
    }
  });
});

describe("a folder VMware's make_vcsp wrote", () => {
  test("is read with its repeated and empty etags, no metadata on the ISO, and its OVA item read only up to its descriptor", async () => {
    const root = tempDir("vmimages-makevcsp-");
    const ova = readFileSync(path.join(EXAMPLE_LIBRARY, "base-images/linux/ubuntu-24.04.ova"));
    const iso = readFileSync(path.join(EXAMPLE_LIBRARY, "base-images/isos/netboot.iso"));
    const photon = readFileSync(path.join(EXAMPLE_LIBRARY, "base-images/linux/photon-5.ovf"));
    const item = (folder: string, id: string, type: string, files: Array<[string, number, string]>, metadata: boolean) => ({
      created: "2026-12-03T09:28Z",
      description: "",
      version: "2",
      files: files.map(([name, size, etag]) => ({ name, size, etag, hrefs: [`${folder}/${name}`] })),
      id: `urn:uuid:${id}`,
      name: folder,
      ...(metadata ? { metadata: [{ key: "type-metadata", value: "{}", type: "String", domain: "SYSTEM", visibility: "READONLY" }] } : {}),
      properties: {},
      selfHref: `${folder}/item.json`,
      type,
    });
    writeTree(root, {
      "Demo/lib.json": JSON.stringify({ vcspVersion: "2", version: "1", contentVersion: "1", name: "Demo", id: "urn:uuid:e3a4f385-e234-4465-af87-4e461766d511", created: "2026-12-03T09:28Z", capabilities: { transferIn: ["httpGet"], transferOut: ["httpGet"] }, itemsHref: "items.json" }),
      "Demo/items.json": JSON.stringify(
        {
          items: [
            item("ubuntu-ova", UBUNTU, "vcsp.ovf", [["ubuntu-24.04.ova", ova.length, ""]], true),
            item("photon-5", PHOTON, "vcsp.ovf", [["photon-5-disk1.vmdk", 1000, "23ad1a61"], ["photon-5.ovf", photon.length, "23ad1a61"], ["photon-5.mf", 24, "23ad1a61"]], true),
            item("netboot", NETBOOT, "vcsp.iso", [["netboot.iso", iso.length, "c6eb89f0"]], false),
          ],
        },
        null,
        2,
      ),
      "Demo/ubuntu-ova/ubuntu-24.04.ova": ova,
      "Demo/photon-5/photon-5.ovf": photon,
      "Demo/netboot/netboot.iso": iso,
    });
    const server = await startLibraryServer(serveFolder(root));
    try {
      const out = path.join(tempDir(), "out");
      const run = await vmimages("generate", "-c", publishedConfig([`url: ${server.origin}/Demo/lib.json`], "libraries:\n  - name: Demo\n    scope: cluster\n"), "-o", out, "--no-cache");
      expect(run).toMatchObject({ code: 0 });
      expect(Object.keys(snapshot(out)).sort()).toEqual(["cluster/vmi-0a0044d7c690bcbea.yaml", "cluster/vmi-dabd676841e725de7.yaml", "cluster/vmi-e5af9c9a7ce33bd18.yaml", "kustomization.yaml"]);
      expect(readFileSync(path.join(out, "cluster/vmi-dabd676841e725de7.yaml"), "utf8")).toContain("osInfo:");
    } finally {
      await server.close();
    }
  });

  test("an OVA item's disks are never downloaded: the transfer stops once its descriptor is read", async () => {
    const descriptor = readFileSync(path.join(EXAMPLE_LIBRARY, "base-images/linux/photon-5.ovf"));
    let sent = 0;
    let closed = false;
    const server = await startLibraryServer((req, res) => {
      const json = (v: unknown) => res.end(JSON.stringify(v));
      if (req.url === "/big/lib.json") return json({ vcspVersion: "2", version: "1", name: "big", id: "urn:uuid:e3a4f385-e234-4465-af87-4e461766d511", itemsHref: "items.json" });
      if (req.url === "/big/items.json") {
        return json({ items: [{ id: `urn:uuid:${PHOTON}`, name: "big", version: "1", type: "vcsp.ovf", files: [{ name: "big.ova", size: 64 * 1024 ** 3, hrefs: ["x/big.ova"] }] }] });
      }
      if (req.url !== "/big/x/big.ova") return notFound(res);
      // An OVA whose descriptor comes first, then a disk without end.
      const tar = pack();
      tar.entry({ name: "big.ovf" }, descriptor);
      const disk = tar.entry({ name: "big-disk1.vmdk", size: 64 * 1024 ** 3 });
      const zeros = Buffer.alloc(1024 * 1024);
      const more = () => {
        while (!closed && disk.write(zeros)) sent += zeros.length;
      };
      disk.on("drain", more);
      more();
      res.on("close", () => (closed = true));
      // The client closing the connection mid-disk is the point: the streams' errors then are expected.
      tar.on("error", () => undefined);
      disk.on("error", () => undefined);
      tar.pipe(res);
    });
    try {
      const out = path.join(tempDir(), "out");
      const run = await vmimages("generate", "-c", publishedConfig([`url: ${server.origin}/big/lib.json`], "libraries:\n  - name: big\n    scope: cluster\n"), "-o", out, "--no-cache");
      expect(run).toMatchObject({ code: 0 });
      expect(Object.keys(snapshot(out)).sort()).toEqual(["cluster/vmi-0a0044d7c690bcbea.yaml", "kustomization.yaml"]);
      await waitFor(() => closed);
      expect(sent).toBeLessThan(256 * 1024 * 1024);
    } finally {
      await server.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("the condition did not hold in time");
    await new Promise((r) => setImmediate(r));
  }
}

describe("the conformance corpus published, then read by URL", () => {
  const here = corpusAvailable();
  (here ? test : test.skip)("gives the images the corpus folder gives, byte for byte but the content versions and condition times", async () => {
    const dir = tempDir("vmimages-corpus-");
    const libraries = "libraries:\n  - name: ova\n    scope: cluster\n  - name: ovf\n    namespace: corpus\n";
    const folderConfig = path.join(dir, "folder.yaml");
    writeFileSync(folderConfig, `source:\n  directory: ${CORPUS}\n${libraries}`);
    const pub = path.join(dir, "pub");
    const published = await vmimages("publish", "-c", folderConfig, "-o", pub);
    expect(published).toMatchObject({ code: 0 });
    // The descriptors' disks are not in the corpus: each is named, and the rest is published.
    expect(published.err).toContain("its descriptor references nsx-unified-appliance.vmdk, which is not in");
    const server = await startLibraryServer(serveFolder(pub));
    try {
      const fromFolder = path.join(dir, "from-folder");
      expect((await vmimages("generate", "-c", folderConfig, "-o", fromFolder)).code).toBe(0);
      const fromUrl = path.join(dir, "from-url");
      const run = await vmimages("generate", "-c", publishedConfig([`url: ${server.origin}/ova/lib.json`, `url: ${server.origin}/ovf/lib.json`], libraries), "-o", fromUrl, "--no-cache");
      expect(run).toMatchObject({ code: 0 });
      expect(Object.keys(snapshot(fromUrl))).toHaveLength(3 + 11 + 1);
      expect(comparable(fromUrl)).toEqual(comparable(fromFolder));
    } finally {
      await server.close();
    }
  });
});

describe("faults: each names the URL (and the item), and nothing is written", () => {
  let ex: Awaited<ReturnType<typeof publishedExample>>;
  let good: LibraryServer;
  let faulty: LibraryServer;
  let out: string;
  let before: ReturnType<typeof snapshot>;
  /** What each fault serves, by the first segment of the path; the rest comes from the published example. */
  const faults = new Map<string, http.RequestListener>();

  beforeAll(async () => {
    ex = await publishedExample();
    good = await startLibraryServer(serveFolder(ex.pub));
    const files = serveFolder(ex.pub);
    faulty = await startLibraryServer((req, res) => {
      const [, fault, ...rest] = (req.url ?? "").split("/");
      const handler = faults.get(fault ?? "");
      const inner = Object.assign(req, { url: `/${rest.join("/")}` });
      if (handler) handler(inner, res);
      else files(inner, res);
    });
    // A folder holding what a good run wrote, which a failed run must leave as it is.
    out = path.join(ex.dir, "out");
    expect((await vmimages("generate", "-c", publishedConfig(examplePublishedEntries(good)), "-o", out, "--no-cache")).code).toBe(0);
    before = snapshot(out);
  });
  afterAll(async () => {
    await good.close();
    await faulty.close();
  });

  /** The example's two libraries, base-images from the faulty server under `/<fault>`. */
  const entries = (fault: string, extra = "") => [`url: ${faulty.origin}/${fault}/base-images/lib.json${extra}`, `url: ${good.origin}/team-a/lib.json`];
  const items = () => JSON.parse(readFileSync(path.join(ex.pub, "base-images/items.json"), "utf8")) as { items: Array<{ id: string; files: Array<{ name: string; size: number; hrefs: string[] }> }> };
  const json = (value: unknown): http.RequestListener => (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(typeof value === "string" ? value : JSON.stringify(value));
  };
  /** Serves the example's base-images with its items listing changed by `edit`. */
  const withItems = (edit: (doc: ReturnType<typeof items>) => void): http.RequestListener => {
    const files = serveFolder(ex.pub);
    return (req, res) => {
      if (req.url !== "/base-images/items.json") return files(req, res);
      const doc = items();
      edit(doc);
      json(doc)(req, res);
    };
  };
  const photonFile = (doc: ReturnType<typeof items>) => doc.items.find((i) => i.id === `urn:uuid:${PHOTON}`)!.files.find((f) => f.name === "photon-5.ovf")!;

  async function fails(config: string, ...messages: Array<string | RegExp>): Promise<string> {
    const run = await vmimages("generate", "-c", config, "-o", out);
    expect(run.code).toBe(1);
    for (const m of messages) expect(run.err).toEqual(typeof m === "string" ? expect.stringContaining(m) : expect.stringMatching(m));
    expect(run.err).toContain("error:");
    expect(snapshot(out)).toEqual(before);
    return run.err;
  }

  test("an unreachable server, after the policy's retries", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await fails(publishedConfig([`url: http://127.0.0.1:${port}/base-images/lib.json`, `url: ${good.origin}/team-a/lib.json`]), `published library http://127.0.0.1:${port}/base-images/lib.json cannot be reached (ECONNREFUSED`, "after 4 attempt(s)");
  });

  test.each([
    ["403", (_req: http.IncomingMessage, res: http.ServerResponse) => void res.writeHead(403).end(), "/base-images/lib.json refused access (HTTP 403 Forbidden)"],
    ["html", json("<!DOCTYPE html><html><body>Sign in</body></html>"), "/base-images/lib.json is not a lib.json: it is an HTML page (a login page, a folder listing or a proxy's error?), not JSON"],
    ["version", json({ vcspVersion: "9", name: "base-images", id: "urn:uuid:880b1736-8c79-548a-a5d4-451efc6b8deb", itemsHref: "items.json" }), '/base-images/lib.json has vcspVersion "9"; vmimages reads VCSP versions 1 and 2'],
    ["truncated", json('{"vcspVersion": "2", "name": "base-im'), "/base-images/lib.json is not a lib.json: it is not valid JSON ("],
  ])("lib.json: %s", async (fault, handler, message) => {
    faults.set(fault, handler);
    await fails(publishedConfig(entries(fault)), `published library ${faulty.origin}/${fault}${message}`);
  });

  test("404 for items.json", async () => {
    faults.set("noitems", (req, res) => (req.url === "/base-images/items.json" ? notFound(res) : serveFolder(ex.pub)(req, res)));
    await fails(publishedConfig(entries("noitems")), `library "base-images": its items listing ${faulty.origin}/noitems/base-images/items.json was not found (HTTP 404)`);
  });

  test("404 for a descriptor names the item", async () => {
    faults.set("nodescriptor", (req, res) => (req.url === `/base-images/${PHOTON}/photon-5.ovf` ? notFound(res) : serveFolder(ex.pub)(req, res)));
    await fails(publishedConfig(entries("nodescriptor")), `item "Photon OS 5.0" (${PHOTON}) in library "base-images": its OVF descriptor ${faulty.origin}/nodescriptor/base-images/${PHOTON}/photon-5.ovf was not found (HTTP 404)`);
  });

  test("a malformed descriptor fails the run naming the item; with itemErrors: notReady its image is Ready=False", async () => {
    faults.set("malformed", (req, res) => (req.url === `/base-images/${PHOTON}/photon-5.ovf` ? void res.end("<Envelope><VirtualSystem>") : withItems((d) => void (photonFile(d).size = "<Envelope><VirtualSystem>".length))(req, res)));
    await fails(publishedConfig(entries("malformed")), `item "Photon OS 5.0" (${PHOTON}) in library "base-images" at ${faulty.origin}/malformed/base-images/${PHOTON}/photon-5.ovf: the OVF descriptor is not well-formed XML`);
    const notReady = path.join(tempDir(), "out");
    const run = await vmimages("generate", "-c", publishedConfig(entries("malformed"), LIBRARIES, "itemErrors: notReady\n"), "-o", notReady, "--no-cache");
    expect(run.code).toBe(0);
    expect(run.err).toContain("its image is written with Ready=False");
    expect(readFileSync(path.join(notReady, "cluster/vmi-0a0044d7c690bcbea.yaml"), "utf8")).toMatch(/reason: VirtualMachineImageNotSynced/);
  });

  test("a descriptor cut short (fewer bytes than the listing gives), after the policy's retries", async () => {
    faults.set("short", (req, res) => (req.url === `/base-images/${PHOTON}/photon-5.ovf` ? void res.end("<Envelope>") : serveFolder(ex.pub)(req, res)));
    await fails(publishedConfig(entries("short")), `${faulty.origin}/short/base-images/${PHOTON}/photon-5.ovf answered 10 bytes, not the `, "its listing gives (cut short?)");
  });

  test("a redirect loop, too many redirects, and redirects to another host or from HTTPS to HTTP", async () => {
    faults.set("loop", (req, res) => void res.writeHead(302, { location: req.url === "/base-images/lib.json" ? "/loop/base-images/again.json" : "/loop/base-images/lib.json" }).end());
    await fails(publishedConfig(entries("loop")), `published library ${faulty.origin}/loop/base-images/lib.json redirects in a loop (${faulty.origin}/loop/base-images/again.json redirects back to ${faulty.origin}/loop/base-images/lib.json)`);
    faults.set("chain", (req, res) => void res.writeHead(302, { location: `/chain/base-images/${Number(/(\d+)/.exec(req.url ?? "")?.[1] ?? 0) + 1}.json` }).end());
    await fails(publishedConfig(entries("chain")), `published library ${faulty.origin}/chain/base-images/lib.json redirects more than 5 times`);
    faults.set("elsewhere", (_req, res) => void res.writeHead(301, { location: `http://localhost:${good.port}/base-images/lib.json` }).end());
    await fails(publishedConfig(entries("elsewhere")), `published library ${faulty.origin}/elsewhere/base-images/lib.json redirects to another host (localhost:${good.port}, not 127.0.0.1:${faulty.port}): http://localhost:${good.port}/base-images/lib.json; vmimages follows redirects on the library's host only`);
    const secure = await startLibraryServer((_req, res) => void res.writeHead(302, { location: `http://127.0.0.1:${good.port}/base-images/lib.json` }).end(), { tls: true });
    try {
      await fails(publishedConfig([`url: ${secure.origin}/base-images/lib.json\nthumbprint: "${secure.fingerprint256}"`, `url: ${good.origin}/team-a/lib.json`]), `published library ${secure.origin}/base-images/lib.json redirects from HTTPS to plain HTTP: http://127.0.0.1:${good.port}/base-images/lib.json`);
    } finally {
      await secure.close();
    }
    expect(good.paths().filter((p) => p === "/base-images/lib.json")).toHaveLength(1);
  });

  test.each([
    ["another host", `http://localhost:0/x/photon-5.ovf`, "leaves the library's origin"],
    ["another host, scheme-relative", "//localhost/x/photon-5.ovf", "names another host (it starts with //)"],
    ["above the folder", "../team-a/x.ovf", 'has a ".." segment: hrefs may not climb above the library\'s folder'],
    ["above the folder, percent-encoded", "%2e%2e/team-a/x.ovf", 'has a "%2e%2e" segment'],
    ["an encoded slash", "..%2fteam-a%2fx.ovf", 'holds an encoded "/"'],
    ["an absolute path outside the folder", "/hrefs/team-a/x.ovf", "is outside the library's folder"],
  ])("an href leaving the library (%s) is refused before any request", async (_what, href, message) => {
    const key = `href${Math.random().toString(16).slice(2, 8)}`;
    faults.set(key, withItems((d) => void (photonFile(d).hrefs = [href.replace("localhost:0", `localhost:${good.port}`)])));
    faulty.reset();
    good.reset();
    await fails(publishedConfig(entries(key)), `library "base-images" (${faulty.origin}/${key}/base-images/items.json): item "Photon OS 5.0" (urn:uuid:${PHOTON}) file "photon-5.ovf" has the href`, message, "vmimages fetches nothing outside the library's folder");
    expect(faulty.paths().filter((p) => !p.startsWith(`/${key}/base-images/`))).toEqual([]);
    expect(good.paths().filter((p) => p.startsWith("/base-images") || p.includes("x.ovf"))).toEqual([]);
  });

  test("an itemsHref above the library's folder is refused before any request", async () => {
    faults.set("itemshref", (req, res) =>
      req.url === "/base-images/lib.json" ? json({ vcspVersion: "2", version: "1", name: "base-images", id: "urn:uuid:880b1736-8c79-548a-a5d4-451efc6b8deb", itemsHref: "%2e%2e/team-a/items.json" })(req, res) : serveFolder(ex.pub)(req, res),
    );
    faulty.reset();
    await fails(publishedConfig(entries("itemshref")), `library "base-images" (${faulty.origin}/itemshref/base-images/lib.json): its itemsHref "%2e%2e/team-a/items.json" has a "%2e%2e" segment`);
    expect(faulty.paths()).toEqual(["/itemshref/base-images/lib.json"]);
  });

  test("responses over the limits: a lib.json over 1 MiB, a descriptor said to be over 32 MiB", async () => {
    faults.set("biglib", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(`{"vcspVersion": "2", "name": "${"x".repeat(2 * 1024 * 1024)}`);
    });
    await fails(publishedConfig(entries("biglib")), `${faulty.origin}/biglib/base-images/lib.json answered more than the 1048576 bytes allowed`);
    faults.set("bigovf", (req, res) => {
      if (req.url !== `/base-images/${PHOTON}/photon-5.ovf`) return serveFolder(ex.pub)(req, res);
      res.writeHead(200, { "content-length": String(40 * 1024 * 1024) });
      res.write("<Envelope>");
    });
    await fails(publishedConfig(entries("bigovf")), `${faulty.origin}/bigovf/base-images/${PHOTON}/photon-5.ovf answered 41943040 bytes, more than the 33554432 allowed`);
    faults.set("bigsize", withItems((d) => void (photonFile(d).size = 40 * 1024 * 1024)));
    faulty.reset();
    await fails(publishedConfig(entries("bigsize")), `its OVF descriptor ${faulty.origin}/bigsize/base-images/${PHOTON}/photon-5.ovf is 41943040 bytes by the listing, more than the 33554432 a descriptor may have; it is not downloaded`);
    expect(faulty.paths().some((p) => p.endsWith("photon-5.ovf"))).toBe(false);
  });

  test("a server that never answers fails at the time limit, naming the URL", async () => {
    const silent = await startLibraryServer(() => undefined);
    const source = new PublishedSource([{ url: `${silent.origin}/base-images/lib.json`, timeoutMs: 300, retries: 1 }]);
    try {
      const err = await source.listLibraries().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceError);
      expect((err as Error).message).toBe(`published library ${silent.origin}/base-images/lib.json gave no answer within 300 ms (2 attempt(s))`);
      expect(silent.requests).toHaveLength(2);
    } finally {
      await source.close();
      await silent.close();
    }
  });

  test("storage URLs in the configuration are refused before anything is read", async () => {
    await fails(publishedConfig(["url: nfs://server/path/mylibrary/lib.json?version=4"]), 'source.published[0].url "nfs://server/path/mylibrary/lib.json?version=4" names an NFS share (nfs://)');
  });
});
