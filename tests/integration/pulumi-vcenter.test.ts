import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { ContentLibraryImages } from "../../sdk";
import { copyFileSync } from "node:fs";
import { CORPUS } from "../helpers/corpus";
import { tempDir } from "../helpers/library";
import { localBackend } from "../helpers/pulumi";
import { startVcsim, Vcsim } from "../helpers/vcsim";

jest.setTimeout(300_000);

describe("ContentLibraryImages reading vcsim with the Pulumi engine", () => {
  let vc: Vcsim;
  const password = "pulumi-vcsim-s3cret-value";
  beforeAll(async () => {
    vc = await startVcsim({ username: "admin", password });
    const dir = tempDir("vmimages-pvc-");
    copyFileSync(path.join(CORPUS, "ova/ttylinux-pc_i486-16.1.ova"), path.join(dir, "ttylinux.ova"));
    await vc.govc("library.create", "-ds", "LocalDS_0", "base");
    await vc.govc("library.import", "base", path.join(dir, "ttylinux.ova"));
  });
  afterAll(() => vc?.stop());

  test("the vCenter password, given as a secret, appears nowhere in state, outputs or the engine's output", async () => {
    const backend = localBackend();
    const workDir = path.join(backend.dir, "workspace");
    mkdirSync(workDir);
    const program = async () => {
      const config = new pulumi.Config();
      const images = new ContentLibraryImages("vc", {
        source: { vcenter: { server: vc.origin, username: "admin", password: config.requireSecret("vcPassword"), thumbprint: await vc.thumbprint() } },
        libraries: [{ name: "base", scope: "cluster" }],
      });
      await images.ready;
      return { catalog: images.catalog };
    };
    const stack = await LocalWorkspace.createOrSelectStack({ projectName: "vmimages-vcenter", stackName: "dev", program }, { workDir, envVars: backend.envVars });
    await stack.setConfig("vcPassword", { value: password, secret: true });
    let log = "";
    const up = await stack.up({ onOutput: (t) => (log += t) });
    expect(up.summary.result).toBe("succeeded");
    const catalog = up.outputs.catalog!.value as { images: Array<{ displayName: string }> };
    expect(catalog.images.map((i) => i.displayName)).toEqual(["ttylinux"]);
    // The checkpoint on disk (exportStack would decrypt secrets for display).
    const checkpoints = readdirSync(backend.envVars.PULUMI_BACKEND_URL!.replace("file://", ""), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".json"))
      .map((e) => readFileSync(path.join(e.parentPath, e.name), "utf8"));
    expect(checkpoints.join("\n")).toContain("vmi-");
    for (const text of checkpoints) expect(text).not.toContain(password);
    expect(JSON.stringify(up.outputs)).not.toContain(password);
    expect(log).not.toContain(password);
    await stack.destroy();
  });
});
