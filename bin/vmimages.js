#!/usr/bin/env node
"use strict";
// The CLI is compiled to dist/ by `npm run build`.
require("../dist/provider/cli/main.js").main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : String(err)); process.exitCode = 1; },
);
