/**
 * `npm run stack -- <preview|up|refresh|destroy>`: runs the root program (examples/gitops, the
 * bundled library into examples/out/pulumi-gitops) with the Pulumi engine this project provides,
 * through the Automation API, which needs no Node.js language host.
 *
 * Backend: PULUMI_BACKEND_URL, else a file backend in .tools/pulumi-state. Passphrase:
 * PULUMI_CONFIG_PASSPHRASE, else a fixed one that is only fit for this example.
 */
import * as path from "node:path";
import { mkdirSync } from "node:fs";
import { LocalWorkspace } from "@pulumi/pulumi/automation";

const ROOT = path.resolve(__dirname, "../..");

async function main(op: string, stackName: string): Promise<number> {
  const tools = path.join(ROOT, ".tools");
  const workDir = path.join(tools, "stack-workspace");
  mkdirSync(path.join(tools, "pulumi-state"), { recursive: true });
  mkdirSync(workDir, { recursive: true });
  const program = (await import(path.join(ROOT, "dist/examples/gitops/index.js"))).default as () => Promise<Record<string, unknown>>;
  const stack = await LocalWorkspace.createOrSelectStack(
    { projectName: "vmimages-gitops", stackName, program },
    {
      workDir,
      envVars: {
        PULUMI_BACKEND_URL: process.env.PULUMI_BACKEND_URL ?? `file://${path.join(tools, "pulumi-state")}`,
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "vmimages-example-only",
        PULUMI_SKIP_UPDATE_CHECK: "true",
      },
    },
  );
  await stack.setAllConfig({
    library: { value: path.join(ROOT, "examples/library") },
    gitopsDir: { value: path.join(ROOT, "examples/out/pulumi-gitops") },
  });
  const onOutput = (text: string) => process.stdout.write(text);
  switch (op) {
    case "preview":
      await stack.preview({ onOutput, diff: true });
      return 0;
    case "up":
      await stack.up({ onOutput });
      return 0;
    case "refresh":
      await stack.refresh({ onOutput });
      return 0;
    case "destroy":
      await stack.destroy({ onOutput });
      return 0;
    default:
      process.stderr.write(`usage: npm run stack -- <preview|up|refresh|destroy> [stack]\n`);
      return 2;
  }
}

main(process.argv[2] ?? "", process.argv[3] ?? "dev").then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
