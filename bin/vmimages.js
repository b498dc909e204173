#!/usr/bin/env node
"use strict";
// A CLI run is short, and compiling its modules is a large part of it (about 40 ms of every run
// measured in bench/): Node keeps their compiled code in its compile cache (the OS temp folder;
// NODE_COMPILE_CACHE moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off).
require("node:module").enableCompileCache?.();
// The CLI is compiled to dist/ by `npm run build`.
require("../dist/provider/cli/main.js").main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : String(err)); process.exitCode = 1; },
);
