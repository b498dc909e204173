import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { lookupImage, resolveImage, selectImage } from "../../sdk";

/**
 * A VM stack: takes the images stack's catalog through a StackReference, resolves a display name to
 * a VMI ID (namespace first, then cluster), and declares a VM Operator VirtualMachine, rendered to
 * YAML so it runs without a cluster. Config: `imagesStack` (organization/<project>/<stack> on a file
 * backend), `image` (display name), `renderDir`.
 */
export = async () => {
  const config = new pulumi.Config();
  const images = new pulumi.StackReference(config.require("imagesStack"));
  // Resolved while the program runs: an unknown or ambiguous name fails the deployment at once.
  const image = await lookupImage(images, config.get("image") ?? "Ubuntu 24.04 LTS", { namespace: "team-a", requireCapabilities: ["cloud-init"] });
  const provider = new k8s.Provider("render", { renderYamlToDirectory: config.get("renderDir") ?? path.join(__dirname, "..", "out", "vm-stack") });
  /** A VM Operator VirtualMachine in team-a of an image. */
  const virtualMachine = (name: string, ref: pulumi.Input<{ kind: string; name: string }>) =>
    new k8s.apiextensions.CustomResource(
      name,
      {
        apiVersion: "vmoperator.vmware.com/v1alpha5",
        kind: "VirtualMachine",
        metadata: { name, namespace: "team-a" },
        spec: {
          className: "best-effort-small",
          image: pulumi.output(ref).apply((r) => ({ kind: r.kind, name: r.name })),
          imageName: pulumi.output(ref).name,
          powerState: "PoweredOn",
          storageClass: "vsan-default-storage-policy",
        },
      },
      { provider },
    );
  const vm = virtualMachine("web-1", image);
  // The same resolution as an Output, for programs that pass it on without awaiting it.
  const clusterPhoton = resolveImage(images, "Photon OS 5.0", { namespace: "team-a", requireCapabilities: ["cloud-init"] });
  // The newest cluster build of Ubuntu 24.04, chosen by what it is (as getAmi({ mostRecent: true })):
  // when a newer build lands in the library, `pulumi preview` here shows web-2 moving to it.
  const newestUbuntu = selectImage(images, { name: "Ubuntu 24.04*", selector: "os.image.vmoperator.vmware.com/type=Linux", mostRecent: true });
  const web2 = virtualMachine("web-2", newestUbuntu);
  return { image: image.name, imageKind: image.kind, vm: vm.metadata.name, clusterPhoton, newestUbuntu, web2: web2.metadata.name };
};
