import { readFileSync } from "node:fs";
import * as path from "node:path";
import { main } from "@pulumi/pulumi/provider";
import schema from "./schema.json";
import { VmImagesProvider } from "./provider";

/**
 * Serves the provider plugin to the Pulumi engine (bin/pulumi-resource-vmimages): the schema
 * carries the package's own version, so an SDK generated from it names the plugin it needs.
 */
export function serve(args: readonly string[]): Promise<void> {
  const version = (JSON.parse(readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version: string }).version;
  return main(new VmImagesProvider(version, JSON.stringify({ ...schema, version })), [...args]);
}
