import { execFile } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { vmimages } from "../helpers/cli";
import { EXAMPLE_LIBRARY, PROJECT, snapshot, tempDir, writeTree } from "../helpers/library";
import { imageNames } from "../helpers/names";
import { ovf } from "../helpers/ovf";
import { CliRun, CliStack, cliStack, imageChanges } from "../helpers/pulumi-cli";
import { localBackend, requireTool } from "../helpers/pulumi";

jest.setTimeout(900_000);

/**
 * The package from Python, Go and YAML programs, as a user of each language installs it: the
 * provider plugin `pulumi-resource-vmimages` on PATH (what `npm install -g pulumi-vmimages
 * @pulumi/pulumi` gives), and for Python and Go the SDK `pulumi package add` generates from it. Each
 * example folder is copied, as a user copies it, and run with the real CLI and language host.
 */

const PLUGIN_BIN = path.join(PROJECT, "bin");
const PLUGIN = path.join(PLUGIN_BIN, "pulumi-resource-vmimages");
/** The plugin on PATH, as a global npm install puts it there. */
const ENV = { PATH: `${PLUGIN_BIN}${path.delimiter}${process.env.PATH ?? ""}` };

function run(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A copy of an example project with the package added as its README says: `pulumi package add` of the plugin (not for YAML, which names the plugin's types). */
async function userProject(language: "python" | "go" | "yaml"): Promise<string> {
  const project = path.join(tempDir(`vmimages-${language}-`), language);
  cpSync(path.join(PROJECT, "examples", language), project, { recursive: true, filter: (f) => !/[/\\](sdks|venv|__pycache__)$/.test(f) });
  if (language !== "yaml") {
    const added = await run(requireTool("pulumi"), ["package", "add", PLUGIN], project, { ...localBackend().envVars, ...ENV });
    if (added.code !== 0) throw new Error(`pulumi package add ${PLUGIN} in ${project} failed:\n${added.stdout}\n${added.stderr}`);
  }
  return project;
}

/** A copy of the example library and a GitOps folder holding a file a person wrote. */
function workspace(): { library: string; gitops: string } {
  const dir = tempDir("vmimages-lang-");
  const library = path.join(dir, "library");
  cpSync(EXAMPLE_LIBRARY, library, { recursive: true });
  const gitops = path.join(dir, "gitops");
  writeTree(gitops, { "README.md": "written by a person\n" });
  return { library, gitops };
}

/** `vmimages generate` on a copy of what Pulumi wrote finds nothing to change: the same files, byte for byte. */
async function cliAgrees(gitops: string, library: string): Promise<void> {
  const copy = tempDir("vmimages-cmp-");
  cpSync(gitops, copy, { recursive: true });
  const config = path.join(tempDir("vmimages-cfg-"), "vmimages.yaml");
  writeFileSync(config, `source:\n  directory: ${library}\nlibraries:\n  - name: base-images\n    scope: cluster\n  - name: team-a\n    namespace: team-a\n`);
  const generated = await vmimages("generate", "-c", config, "-o", copy);
  expect(generated.code).toBe(0);
  expect(generated.err).toMatch(/ 0 file\(s\) written, 0 removed/);
}

describe.each(["python", "go", "yaml"] as const)("examples/%s with the Pulumi CLI and the provider plugin", (language) => {
  let stack: CliStack;

  test("up writes the files vmimages generate writes and resolves a display name; previews show each changed, added and vanished item; an unknown name fails with the CLI's message; destroy removes only what it wrote", async () => {
    requireTool(`pulumi-language-${language}`);
    const project = await userProject(language);
    const { library, gitops } = workspace();
    const names = imageNames(library);
    stack = await cliStack(project, { env: ENV });
    await stack.ok("config", "set", "library", library);
    await stack.ok("config", "set", "gitopsDir", gitops);

    expect(imageChanges(await stack.previewJson())).toEqual(Object.values(names).map((n) => `create ${n}`).sort());
    expect(Object.keys(snapshot(gitops))).toEqual(["README.md"]);

    await stack.ok("up", "--yes");
    expect(parse(readFileSync(path.join(gitops, "kustomization.yaml"), "utf8")).resources).toHaveLength(Object.keys(names).length);
    await cliAgrees(gitops, library);
    // "Photon OS 5.0" is a cluster image: team-a has none of that name.
    expect((await stack.outputs()).photon).toBe(names["base-images/linux/photon-5.ovf"]);
    expect((await stack.pulumi("preview", "--expect-no-changes")).code).toBe(0);

    const photon = path.join(library, "base-images/linux/photon-5.ovf");
    writeFileSync(photon, readFileSync(photon, "utf8").replace("<FullVersion>5.0-dde71ec57</FullVersion>", "<FullVersion>5.0-2025.11</FullVersion>"));
    writeTree(library, { "team-a/rocky-9.ovf": ovf({ osType: "rockylinux_64Guest", systemType: "vmx-21" }) });
    rmSync(path.join(library, "team-a/centos-7-legacy.ovf"));
    const changed = await stack.previewJson();
    expect(imageChanges(changed)).toEqual(
      [`update ${names["base-images/linux/photon-5.ovf"]}`, `create ${imageNames(library)["team-a/rocky-9.ovf"]}`, `delete ${names["team-a/centos-7-legacy.ovf"]}`].sort(),
    );
    expect(Object.keys(changed.steps.find((s) => s.op === "update")!.detailedDiff ?? {})).toContain("image.status.productInfo.fullVersion");
    await stack.ok("up", "--yes");
    await cliAgrees(gitops, library);

    await stack.ok("config", "set", "image", "No Such Image");
    const unknown = await stack.pulumi("up", "--yes");
    expect(unknown.code).not.toBe(0);
    expect(`${unknown.stdout}${unknown.stderr}`).toMatch(/no image named \\?"No Such Image\\?" in namespace \\?"team-a\\?" or the cluster/);
    await stack.ok("config", "rm", "image");

    await stack.ok("destroy", "--yes");
    expect(Object.keys(snapshot(gitops))).toEqual(["README.md"]);
  });
});
