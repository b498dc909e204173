import { Command } from "commander";
import * as path from "node:path";
import { formatDiff } from "../../catalog/diff";
import { runPipeline } from "../../pipeline/run";
import { checkOwner, ownerLabel } from "../../targets/cluster/owner";
import { printable } from "../../util";
import { loadConfig } from "../config";
import { Io, printLines, progressBar } from "../io";
import { ReadingFlags, configuredRun, kubeconfigOptions, readingOptions } from "../options";

interface ApplyFlags extends ReadingFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly owner?: string;
  readonly dryRun?: boolean;
  readonly prune?: boolean;
}

/** `vmimages apply`: the libraries' images into a cluster, status included. */
export function applyCommand(io: Io, setCode: (code: number) => void): Command {
  const command = readingOptions(new Command("apply").description("read the libraries and make a Kubernetes cluster hold those images, status included (server-side apply, then /status)"));
  return kubeconfigOptions(command, "kubeconfig (else KUBECONFIG, ~/.kube/config, or the in-cluster service account, as kubectl finds one)")
    .option("--owner <name>", "names this configuration's images in the cluster, so --prune touches only them (default: the config file's name)")
    .option("--dry-run", "have the server check everything and change nothing")
    .option("--prune", "delete images this configuration applied before that have vanished from the libraries")
    .action(async (flags: ApplyFlags) => {
      const config = await loadConfig(flags.config);
      const owner = flags.owner !== undefined ? checkOwner(flags.owner, "--owner") : ownerLabel(path.basename(flags.config).replace(/\.[^.]*$/, ""));
      const reading = progressBar(io, flags.progress, "reading {bar} {value}/{total} items");
      const generated = await runPipeline({ ...configuredRun(config, flags, io), onProgress: reading.update }).finally(reading.stop);
      const { applyToCluster } = require("../../targets/cluster") as typeof import("../../targets/cluster");
      const applying = progressBar(io, flags.progress, "applying {bar} {value}/{total} images");
      const change = await applyToCluster(generated, {
        owner,
        onProgress: applying.update,
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.context ? { context: flags.context } : {}),
        dryRun: Boolean(flags.dryRun),
        prune: Boolean(flags.prune),
      }).finally(applying.stop);
      printLines(io, formatDiff(change.diff));
      for (const c of change.conflicts) io.err(`conflict: ${printable(c)}\n`);
      const { added, changed, removed } = change.diff;
      io.err(
        `${flags.dryRun ? "(dry run) " : ""}${generated.manifests.length} image(s): ${added.length} created, ${changed.length} changed, ${change.unchanged} unchanged, ` +
          `${removed.length} deleted, ${change.conflicts.length} conflict(s)\n`,
      );
      if (change.conflicts.length) setCode(1);
    });
}
