import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ContentLibraryImages } from "../../sdk";

/**
 * The bundled example library (cluster library `base-images`, namespaced library `team-a`) as VM
 * Operator images in a Kubernetes cluster with VM Operator's CRDs and a namespace `team-a`.
 * Config: `kubeconfig` (a secret: the kubeconfig's text); optional: `context`, `library` (a path),
 * `namespace` (of the team-a library's images) and `gitopsDir` (a folder that receives the same
 * images as files too).
 */
export = async () => {
  const config = new pulumi.Config();
  const context = config.get("context");
  const images = new ContentLibraryImages("example", {
    source: { directory: config.get("library") ?? path.join(__dirname, "..", "library") },
    libraries: [
      { name: "base-images", scope: "cluster" },
      { name: "team-a", namespace: config.get("namespace") ?? "team-a" },
    ],
    kubernetes: { kubeconfig: config.requireSecret("kubeconfig"), ...(context ? { context } : {}) },
    ...(config.get("gitopsDir") ? { gitops: { directory: config.require("gitopsDir") } } : {}),
  });
  await images.ready;
  return { catalog: images.catalog, photon: images.resolve("Photon OS 5.0") };
};
