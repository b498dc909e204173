import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import gitopsProgram from "../../examples/gitops";
import vmStackProgram from "../../examples/vm-stack";
import { main } from "../../provider/cli/main";
import { crdErrors } from "../helpers/crd";
import { EXAMPLE_LIBRARY, snapshot, tempDir, writeTree } from "../helpers/library";
import { ovf } from "../helpers/ovf";
import { localBackend, requireTool } from "../helpers/pulumi";
import { compiled, runStackOp } from "../helpers/stack-op";

jest.setTimeout(600_000);

/**
 * The Pulumi package end to end with the real engine (Automation API, local file backend): the
 * gitops example, then the vm-stack example reading its catalog through a StackReference.
 */
describe("ContentLibraryImages with the Pulumi engine", () => {
  requireTool("pulumi");
  const backend = localBackend();
  const library = path.join(backend.dir, "library");
  const gitops = path.join(backend.dir, "gitops");
  const rendered = path.join(backend.dir, "rendered");
  let images: Stack;
  /** Each stack gets its own workspace folder: an inline workspace writes its project file there. */
  const workspace = (name: string) => {
    const dir = path.join(backend.dir, `workspace-${name}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  /**
   * One operation on an example's stack in a process of its own (a failing program ends it), on
   * this test's backend and workspace; used for the runs that must fail.
   */
  const exampleOp = (example: "gitops" | "vm-stack", op: "preview" | "up", config: Record<string, string>) =>
    runStackOp({
      program: compiled(path.resolve(__dirname, `../../examples/${example}/index.ts`)),
      projectName: `vmimages-${example}`,
      stackName: "dev",
      workDir: workspace(example === "gitops" ? "images" : "vms"),
      envVars: backend.envVars,
      config,
      op,
    });

  beforeAll(async () => {
    cpSync(EXAMPLE_LIBRARY, library, { recursive: true });
    writeTree(library, {
      "team-a/dup1.ovf": ovf({ osType: "ubuntu64Guest" }),
      "team-a/dup1.item.json": `{"name": "Duplicate"}`,
      "team-a/dup2.ovf": ovf({ osType: "ubuntu64Guest" }),
      "team-a/dup2.item.json": `{"name": "Duplicate"}`,
    });
    writeTree(gitops, { "README.md": "written by a person\n" });
    images = await LocalWorkspace.createOrSelectStack(
      { stackName: "dev", projectName: "vmimages-gitops", program: gitopsProgram },
      { workDir: workspace("images"), envVars: backend.envVars },
    );
    await images.setAllConfig({ library: { value: library }, gitopsDir: { value: gitops } });
  });

  /** Runs `vmimages generate` on a copy of what Pulumi wrote: it must find nothing to change. */
  async function cliAgrees(): Promise<void> {
    const copy = tempDir("vmimages-cmp-");
    cpSync(gitops, copy, { recursive: true });
    const config = path.join(backend.dir, "vmimages.yaml");
    writeFileSync(config, `source:\n  directory: ${library}\nlibraries:\n  - name: base-images\n    scope: cluster\n  - name: team-a\n    namespace: team-a\n`);
    let err = "";
    const code = await main(["node", "vmimages", "generate", "-c", config, "-o", copy], { out: () => undefined, err: (t) => (err += t), tty: false });
    expect(code).toBe(0);
    expect(err).toMatch(/ 0 file\(s\) written, 0 removed/);
    expect(snapshot(copy)).toEqual(Object.fromEntries(Object.entries(snapshot(gitops)).map(([k, v]) => [k, { ...v, mtimeMs: expect.any(Number) }])));
  }

  function changes(events: EngineEvent[]): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const e of events) {
      const m = e.resourcePreEvent?.metadata;
      if (m && m.op !== "same" && m.type.includes("vmimages")) out[`${m.op} ${m.urn.split("::").pop()}`] = [...(m.diffs ?? []), ...Object.keys(m.detailedDiff ?? {})];
    }
    return out;
  }

  test("up creates one resource per image and writes the same files as vmimages generate", async () => {
    const up = await images.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toEqual({ create: 9 });
    const catalog = up.outputs.catalog!.value as { images: Array<{ name: string; displayName: string }> };
    expect(catalog.images).toHaveLength(7);
    expect(up.outputs.photon!.value).toBe("vmi-0a0044d7c690bcbea");
    expect(parse(readFileSync(path.join(gitops, "kustomization.yaml"), "utf8")).resources).toHaveLength(7);
    await cliAgrees();
  });

  test("a second preview with nothing changed reports no changes", async () => {
    const preview = await images.preview();
    expect(preview.changeSummary).toEqual({ same: 9 });
  });

  test("a changed, an added and a deleted item preview as one update naming the field, one create and one delete", async () => {
    const photon = path.join(library, "base-images/linux/photon-5.ovf");
    writeFileSync(photon, readFileSync(photon, "utf8").replace("<FullVersion>5.0-dde71ec57</FullVersion>", "<FullVersion>5.0-2025.11</FullVersion>"));
    writeTree(library, { "team-a/rocky-9.ovf": ovf({ osType: "rockylinux_64Guest", systemType: "vmx-21" }) });
    rmSync(path.join(library, "team-a/centos-7-legacy.ovf"));
    const before = snapshot(gitops);
    const events: EngineEvent[] = [];
    const preview = await images.preview({ onEvent: (e) => events.push(e) });
    expect(preview.changeSummary).toEqual({ same: 7, update: 1, create: 1, delete: 1 });
    const ops = changes(events);
    expect(Object.keys(ops).sort()).toEqual(["create " + Object.keys(ops).find((k) => k.startsWith("create"))!.slice(7), "delete " + Object.keys(ops).find((k) => k.startsWith("delete"))!.slice(7), "update vmi-0a0044d7c690bcbea"].sort());
    expect(ops["update vmi-0a0044d7c690bcbea"]).toEqual(expect.arrayContaining(["image.status.productInfo.fullVersion"]));
    expect(snapshot(gitops)).toEqual(before);

    const up = await images.up();
    expect(up.summary.resourceChanges).toEqual({ same: 7, update: 1, create: 1, delete: 1 });
    expect(parse(readFileSync(path.join(gitops, "cluster/vmi-0a0044d7c690bcbea.yaml"), "utf8")).status.productInfo.fullVersion).toBe("5.0-2025.11");
    await cliAgrees();
  });

  test("refresh finds no drift", async () => {
    const refresh = await images.refresh();
    expect(refresh.summary.result).toBe("succeeded");
    expect(Object.keys(refresh.summary.resourceChanges ?? {})).toEqual(["same"]);
  });

  describe("the vm-stack example", () => {
    let vms: Stack;
    beforeAll(async () => {
      vms = await LocalWorkspace.createOrSelectStack({ stackName: "dev", projectName: "vmimages-vm-stack", program: vmStackProgram }, { workDir: workspace("vms"), envVars: backend.envVars });
      await vms.setAllConfig({ imagesStack: { value: "organization/vmimages-gitops/dev" }, renderDir: { value: rendered } });
    });

    test("resolves a display name through the StackReference, namespace first, and renders a valid VirtualMachine", async () => {
      const up = await vms.up();
      expect(up.summary.result).toBe("succeeded");
      const catalog = (await images.outputs()).catalog!.value as { images: Array<{ name: string; displayName: string; namespace?: string }> };
      const teamUbuntu = catalog.images.find((i) => i.displayName === "Ubuntu 24.04 LTS" && i.namespace === "team-a")!;
      expect(up.outputs.image!.value).toBe(teamUbuntu.name);
      expect(up.outputs.imageKind!.value).toBe("VirtualMachineImage");
      expect(up.outputs.clusterPhoton!.value).toBe("vmi-0a0044d7c690bcbea");
      const files = readdirSync(path.join(rendered, "1-manifest"));
      expect(files).toHaveLength(1);
      const vm = parse(readFileSync(path.join(rendered, "1-manifest", files[0]!), "utf8"));
      expect(vm.spec.imageName).toBe(teamUbuntu.name);
      expect(crdErrors(vm)).toEqual([]);
    });

    test.each([
      ["Duplicate", /the display name "Duplicate" is ambiguous in namespace "team-a": 2 images have it: vmi-[0-9a-f]{17} \(namespace team-a\), vmi-[0-9a-f]{17} \(namespace team-a\)/],
      ["Windows Server 2022", /no image named "Windows Server 2022" in namespace "team-a" or the cluster/],
    ])("fails the deployment for %s with the CLI's message", async (name, message) => {
      const result = await exampleOp("vm-stack", "preview", { imagesStack: "organization/vmimages-gitops/dev", renderDir: rendered, image: name });
      expect(result.ok).toBe(false);
      expect(result.message).toMatch(message);
    });

    afterAll(async () => {
      await vms.destroy();
    });
  });

  test("a malformed OVF fails preview and up naming the item, and leaves files and state untouched", async () => {
    writeTree(library, { "team-a/broken.ovf": "<Envelope><VirtualSystem>" });
    const files = snapshot(gitops);
    const resources = async () =>
      ((await images.exportStack()).deployment.resources as Array<{ urn: string; inputs?: unknown; outputs?: unknown }>).map(({ urn, inputs, outputs }) => ({ urn, inputs, outputs }));
    const state = await resources();
    for (const op of ["preview", "up"] as const) {
      const result = await exampleOp("gitops", op, { library, gitopsDir: gitops });
      expect(result.ok).toBe(false);
      expect(result.message).toMatch(/item "broken" \([0-9a-f-]{36}\) in library "team-a" at .*broken\.ovf: the OVF descriptor is not well-formed XML/);
    }
    expect(snapshot(gitops)).toEqual(files);
    expect(await resources()).toEqual(state);
    rmSync(path.join(library, "team-a/broken.ovf"));
  });

  test("destroy removes every file it wrote and nothing else", async () => {
    const destroy = await images.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(Object.keys(snapshot(gitops))).toEqual(["README.md"]);
  });
});
