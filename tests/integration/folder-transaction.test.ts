import { spawn } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ProcessRun, vmimagesProcess } from "../helpers/cli";
import { snapshot, tempDir, writeTree } from "../helpers/library";
import { ovf } from "../helpers/ovf";

jest.setTimeout(300_000);

/**
 * The output folder as a transaction, proven on the real `vmimages` executable: a child process is
 * killed (SIGKILL, as a crash) at chosen points of a run, and the folder is then found whole.
 */

type Run = ProcessRun;

function vmimages(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return vmimagesProcess(args, env);
}

const ITEMS = 30;

/** A library of 30 items in a cluster library and a namespaced one, and its configuration. */
function library(): { dir: string; config: string; lib: string; out: string } {
  const dir = tempDir("vmimages-tx-");
  const lib = path.join(dir, "lib");
  for (let i = 0; i < ITEMS; i++) writeTree(lib, { [`${i % 2 ? "base" : "team-a"}/item-${i}.ovf`]: ovf({ osType: "ubuntu64Guest", product: { version: `1.${i}` } }) });
  mkdirSync(path.join(lib, "team-b"));
  const config = path.join(dir, "vmimages.yaml");
  writeFileSync(config, `source:\n  directory: ./lib\nlibraries:\n  - name: base\n    scope: cluster\n  - name: team-a\n    namespace: team-a\n  - name: team-b\n    namespace: team-b\n`);
  return { dir, config, lib, out: path.join(dir, "out") };
}

/** Changes 10 items, adds 10 and removes 10. */
function change(lib: string): void {
  for (let i = 0; i < 10; i++) writeTree(lib, { [`${i % 2 ? "base" : "team-a"}/item-${i}.ovf`]: ovf({ osType: "ubuntu64Guest", product: { version: `2.${i}` } }) });
  for (let i = 10; i < 20; i++) rmSync(path.join(lib, `${i % 2 ? "base" : "team-a"}/item-${i}.ovf`));
  for (let i = 30; i < 40; i++) writeTree(lib, { [`${i % 2 ? "base" : "team-a"}/item-${i}.ovf`]: ovf({ osType: "ubuntu64Guest", product: { version: `1.${i}` } }) });
}

/** The folder's files, with condition timestamps left out (a new condition gets the run's time). */
function contents(out: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshot(out)).map(([f, { content }]) => [f, content.replace(/lastTransitionTime: "[^"]+"/g, "lastTransitionTime: T")]));
}

/** What makes a folder whole: no leftovers, and the kustomization lists exactly the image files there. */
function expectWhole(out: string): void {
  const files = Object.keys(snapshot(out));
  expect(files.filter((f) => f.endsWith(".vmimages-tmp") || f.startsWith(".vmimages"))).toEqual([]);
  const listed = (parse(readFileSync(path.join(out, "kustomization.yaml"), "utf8")) as { resources: string[] }).resources;
  expect(files.filter((f) => f !== "kustomization.yaml").sort()).toEqual([...listed].sort());
}

describe("a run killed mid-write leaves the folder whole: as before, or as after once mended", () => {
  /** The folder before the change, and the folder a run that is not killed makes after it. */
  async function beforeAndAfter() {
    const ex = library();
    expect((await vmimages(["generate", "-c", ex.config, "-o", ex.out])).code).toBe(0);
    const before = contents(ex.out);
    const reference = path.join(tempDir("vmimages-txref-"), "out");
    cpSync(ex.out, reference, { recursive: true });
    change(ex.lib);
    expect((await vmimages(["generate", "-c", ex.config, "-o", reference])).code).toBe(0);
    return { ex, before, after: contents(reference) };
  }

  test.each([
    ["while it writes the new files (the 5th)", "write:5", "before"],
    ["right after it recorded its journal", "journal:1", "after"],
    ["between two renames (the 5th)", "rename:5", "after"],
    ["right after the kustomization was replaced, before removals", "rename:21", "after"],
    ["while it removes files of vanished images (the first)", "unlink:1", "after"],
  ] as const)("killed %s: %s", async (_when, killAt, whole) => {
    const { ex, before, after } = await beforeAndAfter();
    const killed = await vmimages(["generate", "-c", ex.config, "-o", ex.out], { VMIMAGES_TEST_KILL_AT: killAt });
    expect(killed.signal).toBe("SIGKILL");
    // The next reader mends what the run left: `list` sees a whole folder.
    const list = await vmimages(["list", "-A", "-o", "json", "--manifests", ex.out]);
    expect(list.code).toBe(0);
    expectWhole(ex.out);
    expect(contents(ex.out)).toEqual(whole === "before" ? before : after);
    // And the next run finishes the job.
    const next = await vmimages(["generate", "-c", ex.config, "-o", ex.out]);
    expect(next.code).toBe(0);
    expectWhole(ex.out);
    expect(contents(ex.out)).toEqual(after);
  });
});

describe("two runs into one folder", () => {
  test("the second refuses while the first holds the folder, naming its process; a lock whose process is gone is taken over", async () => {
    const ex = library();
    expect((await vmimages(["generate", "-c", ex.config, "-o", ex.out])).code).toBe(0);
    const before = snapshot(ex.out);
    // A live process holds the lock, as a run in progress does.
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    writeFileSync(path.join(ex.out, ".vmimages.lock"), JSON.stringify({ pid: holder.pid, host: hostname(), started: "2026-12-01T00:00:00Z" }));
    change(ex.lib);
    const refused = await vmimages(["generate", "-c", ex.config, "-o", ex.out]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`${ex.out} is being written by another vmimages run (process ${holder.pid}, started 2026-12-01T00:00:00Z)`);
    expect(Object.keys(snapshot(ex.out)).sort()).toEqual([...Object.keys(before), ".vmimages.lock"].sort());
    holder.kill("SIGKILL");
    await new Promise((r) => holder.once("exit", r));
    const taken = await vmimages(["generate", "-c", ex.config, "-o", ex.out]);
    expect(taken.code).toBe(0);
    expectWhole(ex.out);
  });
});

describe("a run that fails leaves the folder as it was", () => {
  test("a failure after some new files were written (a new namespace's folder cannot be made) changes nothing", async () => {
    const ex = library();
    expect((await vmimages(["generate", "-c", ex.config, "-o", ex.out])).code).toBe(0);
    // Every item changes, and team-b gets its first image, whose folder is blocked by a file.
    change(ex.lib);
    writeTree(ex.lib, { "team-b/new.ovf": ovf({ osType: "ubuntu64Guest" }) });
    writeTree(ex.out, { "namespaces/team-b": "a file in the way\n" });
    const before = snapshot(ex.out);
    const run = await vmimages(["generate", "-c", ex.config, "-o", ex.out]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/cannot write .*namespaces\/team-b\/vmi-[0-9a-f]{17}\.yaml: .*; nothing in .* was changed/);
    expect(snapshot(ex.out)).toEqual(before);
  });

  test("a library subfolder that is a link to a folder that is gone fails the run and removes nothing", async () => {
    const ex = library();
    const moved = path.join(ex.dir, "elsewhere");
    mkdirSync(moved);
    writeTree(ex.lib, { "base/linux/extra.ovf": ovf({ osType: "ubuntu64Guest" }) });
    cpSync(path.join(ex.lib, "base/linux"), moved, { recursive: true });
    expect((await vmimages(["generate", "-c", ex.config, "-o", ex.out])).code).toBe(0);
    const before = snapshot(ex.out);
    rmSync(path.join(ex.lib, "base/linux"), { recursive: true });
    symlinkSync(path.join(ex.dir, "gone"), path.join(ex.lib, "base/linux"));
    const run = await vmimages(["generate", "-c", ex.config, "-o", ex.out]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`library "base" at ${path.join(ex.lib, "base/linux")}: is a symbolic link to ${path.join(ex.dir, "gone")}, which cannot be followed`);
    expect(snapshot(ex.out)).toEqual(before);
  });
});

describe("ownership", () => {
  test("a kustomization a person wrote is not taken for vmimages', even when it mentions the header; nothing it lists is deleted", async () => {
    const ex = library();
    writeTree(ex.out, {
      "kustomization.yaml": "# not Generated by vmimages (pulumi-vmimages). Do not edit: regenerate instead.\nresources:\n  - cluster/vmi-00000000000000000.yaml\n",
      "cluster/vmi-00000000000000000.yaml": "# mine\nkind: ConfigMap\n",
    });
    const before = snapshot(ex.out);
    const run = await vmimages(["generate", "-c", ex.config, "-o", ex.out]);
    expect(run.code).toBe(1);
    expect(run.err).toContain("kustomization.yaml was not written by vmimages (its first line is not vmimages' header)");
    expect(snapshot(ex.out)).toEqual(before);
  });

  test("an image file a person replaced is neither read as vmimages', nor overwritten, nor deleted", async () => {
    const ex = library();
    expect((await vmimages(["generate", "-c", ex.config, "-o", ex.out])).code).toBe(0);
    const listed = (parse(readFileSync(path.join(ex.out, "kustomization.yaml"), "utf8")) as { resources: string[] }).resources;
    const replaced = listed[0]!;
    writeFileSync(path.join(ex.out, replaced), "# my own image, keep it\nkind: ClusterVirtualMachineImage\n");
    // Its item goes away: vmimages would remove its file, were it vmimages'.
    expect(readdirSync(path.join(ex.lib, "base")).length + readdirSync(path.join(ex.lib, "team-a")).length).toBe(ITEMS);
    for (const lib of ["base", "team-a"]) rmSync(path.join(ex.lib, lib), { recursive: true });
    mkdirSync(path.join(ex.lib, "base"));
    mkdirSync(path.join(ex.lib, "team-a"));
    const run = await vmimages(["generate", "-c", ex.config, "-o", ex.out]);
    expect(run.code).toBe(0);
    expect(readFileSync(path.join(ex.out, replaced), "utf8")).toBe("# my own image, keep it\nkind: ClusterVirtualMachineImage\n");
  });
});
