import { execFile } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { docFiles, fencedBlocks, runnableBlocks, RunnableBlock } from "../helpers/docs";
import { Cluster, startCluster } from "../helpers/kube";
import { PROJECT, tempDir, writeTree } from "../helpers/library";
import { ovf, property } from "../helpers/ovf";
import { requireTool } from "../helpers/pulumi";
import { Vcsim, startVcsim } from "../helpers/vcsim";

jest.setTimeout(300_000);

/**
 * Every runnable command block of the docs (```sh runnable [cluster|vcenter]), run as a reader
 * following the document would: the blocks of one document in order, in one workspace that is a
 * copy of examples/ (so `vmimages.yaml` and `library/` are there), with the built CLI on PATH as
 * `vmimages`. Each must exit 0, and print what the ```text output block after it says, if any.
 * A block that needs a tool that is missing fails, as every integration test does (CONTRIBUTING.md).
 */
const BIN = path.join(PROJECT, "bin/vmimages.js");
const DOCS = docFiles()
  .map((file) => ({ file, blocks: runnableBlocks(file) }))
  .filter((d) => d.blocks.length > 0);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile("bash", ["-euo", "pipefail", "-c", script], { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0, stdout, stderr }),
    );
  });
}

/** A copy of examples/ (without anything a run left in examples/out) and a `vmimages` on PATH that runs the build. */
function workspace(): { dir: string; env: NodeJS.ProcessEnv } {
  if (!existsSync(path.join(PROJECT, "dist/vmimages.cjs"))) throw new Error("dist/vmimages.cjs is missing: run `npm run -s build` before the docs test");
  const root = tempDir("vmimages-docs-");
  const dir = path.join(root, "work");
  cpSync(path.join(PROJECT, "examples"), dir, { recursive: true, filter: (src) => path.relative(path.join(PROJECT, "examples"), src) !== "out" });
  const bin = path.join(root, "bin");
  mkdirSync(bin);
  writeFileSync(path.join(bin, "vmimages"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(path.join(bin, "vmimages"), 0o755);
  const home = path.join(root, "home");
  mkdirSync(home);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, HOME: home };
  // Nothing of the machine's: no cluster, cache or vCenter but the ones a block is given.
  for (const name of ["KUBECONFIG", "XDG_CACHE_HOME", "VSPHERE_SERVER", "VSPHERE_USER", "VSPHERE_PASSWORD", "VSPHERE_ALLOW_UNVERIFIED_SSL", "GOVC_URL", "GOVC_USERNAME", "GOVC_PASSWORD", "GOVC_INSECURE"]) delete env[name];
  return { dir, env };
}

/** vcsim holding the library `base-images` (an OVF item "Photon OS 5.0" and an ISO item "netboot"). */
async function filledVcsim(dir: string): Promise<Vcsim> {
  const vc = await startVcsim();
  const items = tempDir("vmimages-docs-vc-");
  writeTree(items, {
    "photon-5.ovf": ovf({
      osType: "vmwarePhoton64Guest",
      osVersion: "5.0",
      systemType: "vmx-19",
      firmware: "efi",
      product: { product: "Photon OS", vendor: "VMware", version: "5.0" },
      properties: property("capabilities.image.vmoperator.vmware.com", { value: "cloud-init" }),
      disks: [{ id: "d1", capacity: "16", units: "byte * 2^30", name: "Hard disk 1" }],
    }),
    "netboot.iso": "not really an ISO",
  });
  await vc.govc("library.create", "-ds", "LocalDS_0", "base-images");
  await vc.govc("library.import", "-n", "Photon OS 5.0", "base-images", path.join(items, "photon-5.ovf"));
  await vc.govc("library.import", "-n", "netboot", "base-images", path.join(items, "netboot.iso"));
  writeTree(dir, { "certs/vcenter-ca.pem": await vc.certificatePem() });
  return vc;
}

/** The block's name in the test list: where it is and its first command. */
function title(b: RunnableBlock): string {
  const first = b.body.split("\n").find((l) => l.trim() !== "" && !l.trimStart().startsWith("#")) ?? "";
  return `${b.file}:${b.line} ${first.length > 70 ? `${first.slice(0, 67)}...` : first}`;
}

/** Output as the document states it: lines without trailing blanks, no trailing empty lines. */
function normalized(text: string): string {
  return text
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .replace(/\n+$/, "");
}

test("the docs have runnable blocks, including ones that need a cluster and a vCenter", () => {
  const contexts = new Set(DOCS.flatMap((d) => d.blocks.flatMap((b) => b.contexts)));
  expect(DOCS.map((d) => d.file)).toEqual(expect.arrayContaining(["README.md", "docs/cli.md"]));
  expect([...contexts].sort()).toEqual(["cluster", "vcenter"]);
});

describe.each(DOCS)("$file", ({ file, blocks }) => {
  const files = fencedBlocks(file).flatMap((b) => {
    const name = /^consumer: ([\w.-]+\.(?:yaml|yml|json))$/.exec(b.comment ?? "")?.[1];
    return name ? [{ name, body: b.body }] : [];
  });
  let ws: { dir: string; env: NodeJS.ProcessEnv };
  let cluster: Cluster | undefined;
  let vcsim: Vcsim | undefined;
  beforeAll(() => {
    ws = workspace();
    // A document's files (`<!-- consumer: rbac-cluster.yaml -->` before a block) are where its commands expect them.
    for (const b of files) writeFileSync(path.join(ws.dir, b.name), b.body);
  });
  afterAll(async () => {
    await cluster?.stop();
    await vcsim?.stop();
  });

  test.each(blocks.map((b) => [title(b), b] as const))("%s", async (_title, block) => {
    const env: NodeJS.ProcessEnv = { ...ws.env };
    if (block.contexts.includes("cluster")) {
      requireTool("kubectl");
      cluster ??= await startCluster();
      env.KUBECONFIG = cluster.adminKubeconfig;
    }
    if (block.contexts.includes("vcenter")) {
      requireTool("govc");
      vcsim ??= await filledVcsim(ws.dir);
      Object.assign(env, {
        VSPHERE_SERVER: vcsim.origin,
        VSPHERE_USER: vcsim.username,
        VSPHERE_PASSWORD: vcsim.password,
        GOVC_URL: `${vcsim.origin}/sdk`,
        GOVC_USERNAME: vcsim.username,
        GOVC_PASSWORD: vcsim.password,
        GOVC_INSECURE: "1",
      });
    }
    const run = await bash(block.body, ws.dir, env);
    if (run.code !== 0) {
      throw new Error(`${block.file}:${block.line}: the block exited ${run.code}\n--- block\n${block.body}--- stdout\n${run.stdout}--- stderr\n${run.stderr}`);
    }
    if (block.output !== undefined) expect(normalized(run.stdout)).toBe(normalized(block.output));
  });
});
