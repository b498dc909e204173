import { Command } from "commander";
import { formatDiff } from "../../catalog/diff";
import { runPipeline } from "../../pipeline/run";
import { checkApplySetName } from "../../targets/cluster/applyset";
import { printable } from "../../util";
import { loadConfig } from "../config";
import { Io, printLines, progressBar } from "../io";
import { KubeconfigFlags, ReadingFlags, configuredRun, connection, kubeconfigOptions, readingOptions } from "../options";
import { packageVersion } from "../version";

interface ApplyFlags extends ReadingFlags, KubeconfigFlags {
  readonly applyset?: string;
  readonly namespace?: string;
  readonly dryRun?: boolean;
  readonly prune?: boolean;
}

/** `vmimages apply`: the libraries' images into a cluster, status included. */
export function applyCommand(io: Io, setCode: (code: number) => void): Command {
  const command = readingOptions(new Command("apply").description("read the libraries and make a Kubernetes cluster hold those images, status included (server-side apply, then /status)"));
  return kubeconfigOptions(command, "kubeconfig (else KUBECONFIG, ~/.kube/config, or the in-cluster service account, as kubectl finds one)")
    .option("--applyset <name>", "the ApplySet the images belong to: the name of its parent Secret (an image of another set is a conflict; --prune needs one)")
    .option("-n, --namespace <ns>", "the namespace of the ApplySet's parent Secret (default: the images' namespace, when they are all in one)")
    .option("--dry-run", "have the server check everything and change nothing")
    .option("--prune", "delete the ApplySet's images that have vanished from the libraries")
    .action(async (flags: ApplyFlags, command: Command) => {
      if (flags.prune && flags.applyset === undefined) {
        command.error("error: --prune deletes the images of an ApplySet that vanished from the libraries: name the set with --applyset NAME (its parent Secret), so that no other configuration's images are touched", { exitCode: 2 });
      }
      const config = await loadConfig(flags.config);
      const applySet = flags.applyset !== undefined ? { name: checkApplySetName(flags.applyset, "--applyset"), ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}) } : undefined;
      const reading = progressBar(io, flags.progress, "reading {bar} {value}/{total} items");
      const generated = await runPipeline({ ...configuredRun(config, flags, io), onProgress: reading.update }).finally(reading.stop);
      const { applyToCluster } = require("../../targets/cluster") as typeof import("../../targets/cluster");
      const applying = progressBar(io, flags.progress, "applying {bar} {value}/{total} images");
      const change = await applyToCluster(generated, {
        ...connection(flags),
        ...(applySet ? { applySet } : {}),
        version: packageVersion(),
        onProgress: applying.update,
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
