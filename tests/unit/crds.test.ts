import * as pulumi from "@pulumi/pulumi";
import { testImage } from "../helpers/image";

/**
 * The typed CustomResource classes, registered against Pulumi's mocks: they hand the Kubernetes
 * provider exactly the manifest this project renders.
 */
const registered: Array<{ type: string; name: string; inputs: Record<string, unknown> }> = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: () => ({}),
  },
  "vmimages",
  "test",
  false,
);

// Imported after the mocks are in place, as Pulumi's mocking requires.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { VirtualMachineImage, ClusterVirtualMachineImage } = require("../../sdk") as typeof import("../../sdk");

const manifest = (cluster: boolean) => testImage({ id: "e1968c25-dd84-4506-8dc7-9beacb6b688e", name: "Photon OS 5.0", ...(cluster ? {} : { namespace: "team-a" }) });

describe("typed image resources", () => {
  test("fromManifest registers the manifest as a CustomResource of its kind", async () => {
    const m = manifest(false);
    const r = VirtualMachineImage.fromManifest(m);
    await new Promise<void>((resolve) => r.urn.apply(() => resolve()));
    const reg = registered.find((x) => x.name === m.metadata.name)!;
    expect(reg.type).toBe("kubernetes:vmoperator.vmware.com/v1alpha5:VirtualMachineImage");
    expect(reg.inputs).toMatchObject({ apiVersion: m.apiVersion, kind: "VirtualMachineImage", metadata: m.metadata, spec: m.spec });
  });

  test("a manifest of the other kind is refused", () => {
    expect(() => VirtualMachineImage.fromManifest(manifest(true))).toThrow("vmi-0a0044d7c690bcbea is a ClusterVirtualMachineImage, not a VirtualMachineImage");
    expect(() => ClusterVirtualMachineImage.fromManifest(manifest(false))).toThrow("is a VirtualMachineImage, not a ClusterVirtualMachineImage");
  });
});
