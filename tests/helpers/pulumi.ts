import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./library";

/** The passphrase of every test stack's secrets provider (test data only). */
export const TEST_PASSPHRASE = "vmimages-test-passphrase";

/**
 * Checks that a tool the integration tests drive is on PATH. `npm test` provides them
 * (scripts/tools.sh); a run without them fails with the reason instead of skipping.
 */
export function requireTool(name: string): string {
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(`${name} is not on PATH: run the tests with \`npm test\`, which provides it through scripts/tools.sh`);
  }
}

/** A local file backend and Pulumi home in a fresh temporary folder: nothing reaches a service. */
export function localBackend(): { dir: string; envVars: Record<string, string> } {
  const dir = tempDir("vmimages-pulumi-");
  mkdirSync(path.join(dir, "state"));
  mkdirSync(path.join(dir, "home"));
  return {
    dir,
    envVars: {
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_HOME: path.join(dir, "home"),
      PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
    },
  };
}
