import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ContentLibraryImages, LibraryArgs } from "../../sdk";

/**
 * Published content libraries (a vCenter's, the Tanzu Kubernetes releases library, or a folder
 * `vmimages publish` wrote behind a web server), read by their lib.json URLs, as VM Operator images
 * in a GitOps folder. Config: `urls` (a JSON list of lib.json URLs), `libraries` (a JSON list of
 * `{ name, scope: "cluster" }` or `{ name, namespace }`), `password` (a secret, for HTTP Basic),
 * `thumbprint` (SHA-1 or SHA-256 of the server's certificate), `gitopsDir`.
 */
export = async () => {
  const config = new pulumi.Config();
  const password = config.getSecret("password");
  const thumbprint = config.get("thumbprint");
  const images = new ContentLibraryImages("published", {
    source: {
      published: config.requireObject<string[]>("urls").map((url) => ({ url, ...(password ? { password } : {}), ...(thumbprint ? { thumbprint } : {}) })),
    },
    libraries: config.requireObject<LibraryArgs[]>("libraries"),
    gitops: { directory: config.get("gitopsDir") ?? path.join(__dirname, "..", "out", "pulumi-published") },
  });
  await images.ready;
  return { catalog: images.catalog };
};
