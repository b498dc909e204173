import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { localBackend, requireTool } from "../helpers/pulumi";

/**
 * The toolchain scripts/tools.sh provides, proven with the real engine: the Pulumi CLI, the
 * dynamic-provider launcher, the Kubernetes plugin and Node.js 22, driven by the Automation API
 * against a local file backend.
 */
describe("the Pulumi toolchain", () => {
  test("runs on Node.js 22 or newer with the CLI and plugins on PATH", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(22);
    for (const tool of ["pulumi", "pulumi-resource-pulumi-nodejs", "pulumi-resource-kubernetes"]) expect(requireTool(tool)).toContain(tool);
  });

  test("preview, up, refresh and destroy a dynamic resource and a rendered Kubernetes resource", async () => {
    const backend = localBackend();
    const rendered = path.join(backend.dir, "rendered");
    const program = async () => {
      const stampProvider: pulumi.dynamic.ResourceProvider = {
        async create(inputs: { text: string }) {
          return { id: `stamp-${inputs.text}`, outs: inputs };
        },
      };
      class Stamp extends pulumi.dynamic.Resource {
        constructor(name: string, props: { text: string }) {
          super(stampProvider, name, props);
        }
      }
      const stamp = new Stamp("stamp", { text: "hello" });
      const provider = new k8s.Provider("render", { renderYamlToDirectory: rendered });
      const cm = new k8s.core.v1.ConfigMap("smoke", { metadata: { name: "smoke", namespace: "default" }, data: { stamp: stamp.id } }, { provider });
      return { stamp: stamp.id, configMap: cm.metadata.name };
    };
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "smoke", projectName: "vmimages-toolchain-smoke", program },
      { workDir: backend.dir, envVars: backend.envVars },
    );

    const preview = await stack.preview();
    expect(preview.changeSummary).toEqual({ create: 4 });
    expect(existsSync(rendered)).toBe(false);

    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs.stamp!.value).toBe("stamp-hello");
    expect(readdirSync(path.join(rendered, "1-manifest"))).toEqual(["v1-configmap-default-smoke.yaml"]);

    // pulumi-kubernetes refuses to read a rendered resource back "from the cluster" unless told to
    // keep unreachable resources as they are; only refresh needs it (on create it would drop inputs).
    stack.workspace.envVars.PULUMI_K8S_SKIP_UPDATE_UNREACHABLE = "true";
    const refresh = await stack.refresh();
    delete stack.workspace.envVars.PULUMI_K8S_SKIP_UPDATE_UNREACHABLE;
    expect(refresh.summary.result).toBe("succeeded");
    expect(refresh.summary.resourceChanges).toEqual({ same: 4 });

    const destroy = await stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(readdirSync(path.join(rendered, "1-manifest"))).toEqual([]);
  }, 600_000);
});
