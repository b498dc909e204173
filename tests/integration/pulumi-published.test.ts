import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { vmimages } from "../helpers/cli";
import { EXAMPLE_LIBRARY, PROJECT, snapshot, tempDir, writeTree } from "../helpers/library";
import { cliStack, imageChanges } from "../helpers/pulumi-cli";
import { LibraryServer, serveFolder, startLibraryServer } from "../helpers/vcsp-server";

jest.setTimeout(900_000);

/**
 * ContentLibraryImages with a `published` source through the real Pulumi CLI (TypeScript,
 * examples/published): the example library published, served over HTTPS behind Basic
 * authentication with a pinned thumbprint, its password a Pulumi secret.
 */

const PASSWORD = "Pulumi-pw-would-show-up-31f7";
/** The example library's VMI IDs (sha1sum of the item ids without hyphens; see tests/helpers/names.ts). */
const IMAGES = ["vmi-0a0044d7c690bcbea", "vmi-dabd676841e725de7", "vmi-e5af9c9a7ce33bd18", "vmi-d77423926a2e86b2a", "vmi-efdcb079c193a98fd"];
const PHOTON_IMAGE = "vmi-0a0044d7c690bcbea";

describe("examples/published with the Pulumi CLI", () => {
  let server: LibraryServer;
  let dir: string;
  let folderConfig: string;
  beforeAll(async () => {
    dir = tempDir("vmimages-pulumi-pub-");
    cpSync(EXAMPLE_LIBRARY, path.join(dir, "library"), { recursive: true });
    folderConfig = path.join(dir, "folder.yaml");
    writeFileSync(folderConfig, "source:\n  directory: ./library\nlibraries:\n  - name: base-images\n    scope: cluster\n  - name: team-a\n    namespace: team-a\n");
    expect((await vmimages("publish", "-c", folderConfig, "-o", path.join(dir, "pub"))).code).toBe(0);
    server = await startLibraryServer(serveFolder(path.join(dir, "pub")), { tls: true, basic: { username: "vcsp", password: PASSWORD } });
  });
  afterAll(() => server?.close());

  test("preview, up, nothing to do when nothing changed, an update when the publisher changes an item, destroy; the password nowhere", async () => {
    const gitops = path.join(dir, "gitops");
    writeTree(gitops, { "README.md": "written by a person\n" });
    const urls = [`${server.origin}/base-images/lib.json`, `${server.origin}/team-a/lib.json`];
    const stack = await cliStack(path.join(PROJECT, "examples/published"));
    await stack.ok("config", "set", "urls", JSON.stringify(urls));
    await stack.ok("config", "set", "libraries", JSON.stringify([{ name: "base-images", scope: "cluster" }, { name: "team-a", namespace: "team-a" }]));
    await stack.ok("config", "set", "thumbprint", server.fingerprint!);
    await stack.ok("config", "set", "gitopsDir", gitops);
    await stack.ok("config", "set", "--secret", "password", PASSWORD);
    const logs: string[] = [];

    const first = await stack.previewJson();
    expect(imageChanges(first)).toEqual(IMAGES.map((n) => `create ${n}`).sort());
    const up = await stack.ok("up", "--yes");
    logs.push(up.stdout, up.stderr);
    expect(Object.keys(snapshot(gitops)).filter((f) => f.endsWith(".yaml")).length).toBe(IMAGES.length + 1);
    const catalog = (await stack.outputs()).catalog as { images: Array<{ name: string }> };
    expect(catalog.images.map((i) => i.name).sort()).toEqual([...IMAGES].sort());
    expect(server.requests.every((r) => r.authorization === `Basic ${Buffer.from(`vcsp:${PASSWORD}`).toString("base64")}`)).toBe(true);

    // The CLI reading the same URLs finds the folder as it would write it.
    process.env.VMIMAGES_TEST_PULUMI_PW = PASSWORD;
    try {
      const cliConfig = path.join(dir, "published.yaml");
      writeFileSync(
        cliConfig,
        `source:\n  published:\n${urls.map((u) => `    - url: ${u}\n      passwordEnv: VMIMAGES_TEST_PULUMI_PW\n      thumbprint: "${server.fingerprint}"\n`).join("")}libraries:\n  - name: base-images\n    scope: cluster\n  - name: team-a\n    namespace: team-a\n`,
      );
      const copy = tempDir("vmimages-cmp-");
      cpSync(gitops, copy, { recursive: true });
      const agree = await vmimages("generate", "-c", cliConfig, "-o", copy, "--no-cache");
      expect(agree.code).toBe(0);
      expect(agree.err).toMatch(/ 0 file\(s\) written, 0 removed/);
    } finally {
      delete process.env.VMIMAGES_TEST_PULUMI_PW;
    }

    const again = await stack.pulumi("preview", "--expect-no-changes");
    logs.push(again.stdout, again.stderr);
    expect(again.code).toBe(0);

    // The publisher changes one item: its version grows, and the preview shows that image's update.
    const photon = path.join(dir, "library/base-images/linux/photon-5.ovf");
    writeFileSync(photon, readFileSync(photon, "utf8").replace("<FullVersion>5.0-dde71ec57</FullVersion>", "<FullVersion>5.0-2026.12</FullVersion>"));
    expect((await vmimages("publish", "-c", folderConfig, "-o", path.join(dir, "pub"))).code).toBe(0);
    const changed = await stack.previewJson();
    expect(imageChanges(changed)).toEqual([`update ${PHOTON_IMAGE}`]);
    const diff = await stack.ok("preview", "--diff");
    logs.push(diff.stdout, diff.stderr);
    expect(diff.stdout).toMatch(/fullVersion\s*:\s*"5\.0-dde71ec57" => "5\.0-2026\.12"/);
    expect(diff.stdout).toMatch(/providerContentVersion\s*:\s*"1" => "2"/);
    const updated = await stack.ok("up", "--yes");
    logs.push(updated.stdout, updated.stderr);

    // The password: nowhere in state (the backend's files), outputs, or what the engine printed.
    const stateFiles = readdirSync(stack.backendDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(stateFiles.some((e) => e.name.endsWith(".json") && readFileSync(path.join(e.parentPath, e.name), "utf8").includes(PHOTON_IMAGE))).toBe(true);
    for (const e of stateFiles) expect(readFileSync(path.join(e.parentPath, e.name), "utf8")).not.toContain(PASSWORD);
    expect(JSON.stringify(await stack.outputs())).not.toContain(PASSWORD);
    expect((await stack.ok("stack", "export")).stdout).not.toContain(PASSWORD);
    for (const log of logs) expect(log).not.toContain(PASSWORD);

    await stack.ok("destroy", "--yes");
    expect(Object.keys(snapshot(gitops))).toEqual(["README.md"]);
  });

  test("a thumbprint that does not match fails preview naming the URL, before any request reaches the server", async () => {
    const stack = await cliStack(path.join(PROJECT, "examples/published"));
    await stack.ok("config", "set", "urls", JSON.stringify([`${server.origin}/base-images/lib.json`]));
    await stack.ok("config", "set", "libraries", JSON.stringify([{ name: "base-images", scope: "cluster" }]));
    await stack.ok("config", "set", "thumbprint", "AB".repeat(20));
    await stack.ok("config", "set", "gitopsDir", path.join(tempDir(), "gitops"));
    await stack.ok("config", "set", "--secret", "password", PASSWORD);
    server.reset();
    const run = await stack.pulumi("preview");
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain(`published library ${server.origin}/base-images/lib.json was refused: the server's certificate has SHA-1 thumbprint`);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    expect(server.requests).toEqual([]);
  });
});
