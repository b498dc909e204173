import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ContentLibraryImages } from "../../sdk";

/**
 * The bundled example library (cluster library `base-images`, namespaced library `team-a`) as VM
 * Operator images, written to a GitOps folder. Config: `library` and `gitopsDir` (paths).
 */
export = async () => {
  const config = new pulumi.Config();
  const images = new ContentLibraryImages("example", {
    source: { directory: config.get("library") ?? path.join(__dirname, "..", "library") },
    libraries: [
      { name: "base-images", scope: "cluster" },
      { name: "team-a", namespace: "team-a" },
    ],
    gitops: { directory: config.get("gitopsDir") ?? path.join(__dirname, "..", "out", "pulumi-gitops") },
  });
  await images.ready;
  return { catalog: images.catalog, photon: images.resolve("Photon OS 5.0") };
};
