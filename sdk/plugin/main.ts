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
  const v8Stacks = Error.prepareStackTrace;
  const serving = main(new VmImagesProvider(version, JSON.stringify({ ...schema, version })), [...args]);
  // main() installs source-map-support before its first await. The SDK takes a stack for every
  // promise and resource it tracks, and source-map-support maps each one through the source maps:
  // a large part of a preview's time in this process, for stacks that would name .ts files the
  // package does not ship. V8's own stacks name the installed .js files a user has.
  Error.prepareStackTrace = v8Stacks;
  return serving;
}
