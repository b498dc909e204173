#!/usr/bin/env node
"use strict";
// A CLI run is short, and loading its modules is a large part of it (bench/ measures every run):
// `npm run build` bundles the CLI and its dependencies into one file, dist/vmimages.cjs, so Node
// resolves and reads one file instead of over a hundred (116 in a warm run), and keeps its compiled code in
// the compile cache (the OS temp folder; NODE_COMPILE_CACHE moves it,
// NODE_DISABLE_COMPILE_CACHE=1 turns it off).
// An older Node.js fails deep inside a dependency (a zlib function it lacks; the Kubernetes
// client's undici needs 22.19): say what is needed instead.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  console.error(`error: vmimages needs Node.js 22.19 or later; this is Node.js ${process.versions.node}`);
  process.exit(1);
}
require("node:module").enableCompileCache?.();
let cli;
try {
  cli = require("../dist/vmimages.cjs");
} catch (err) {
  if (err && err.code === "MODULE_NOT_FOUND" && String(err.message).includes("vmimages.cjs")) {
    console.error("error: dist/vmimages.cjs is missing: run `npm run build` in the pulumi-vmimages folder first");
    process.exit(1);
  }
  throw err;
}
cli.main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : String(err)); process.exitCode = 1; },
);
