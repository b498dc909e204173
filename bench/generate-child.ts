/**
 * Runs `vmimages <args>` in its own process and prints one JSON line with the exit code, the
 * verbose counters and the process's peak RSS, so the harness can measure memory per run.
 */
// As bin/vmimages.js does: the compile cache on before any module of the CLI is loaded, then the
// bundle `npm run build` made (dist/vmimages.cjs), which is what `vmimages` runs.
require("node:module").enableCompileCache?.();
const { main } = require("../vmimages.cjs") as typeof import("../provider/cli/main");

async function run(): Promise<void> {
  let err = "";
  const code = await main(["node", "vmimages", ...process.argv.slice(2)], { out: () => undefined, err: (t) => (err += t), tty: false });
  const num = (re: RegExp) => Number(re.exec(err)?.[1] ?? NaN);
  process.stdout.write(
    JSON.stringify({
      code,
      requests: num(/(\d+) request\(s\)/),
      downloads: num(/(\d+) descriptor\(s\) downloaded/),
      maxRssKb: process.resourceUsage().maxRSS,
      err: code === 0 ? "" : err,
    }) + "\n",
  );
}

void run();
