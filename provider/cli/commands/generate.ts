import { Command } from "commander";
import { formatDiff } from "../../catalog/diff";
import { GitopsFolder } from "../../targets/gitops";
import { printable } from "../../util";
import { loadConfig } from "../config";
import { Io } from "../io";
import { ReadingFlags, readingOptions } from "../options";
import { runForFolder } from "../reading";

interface GenerateFlags extends ReadingFlags {
  readonly out: string;
  readonly verbose?: boolean;
}

/** `vmimages generate`: the libraries' images into a GitOps folder, one manifest each and a kustomization. */
export function generateCommand(io: Io): Command {
  return readingOptions(new Command("generate").description("read the libraries and write one manifest per image and a kustomization.yaml into the output folder"))
    .requiredOption("-o, --out <dir>", "GitOps output folder")
    .option("-v, --verbose", "print every change, and the requests, downloads and cache hits of a vCenter read")
    .action(async (flags: GenerateFlags) => {
      const config = await loadConfig(flags.config);
      const folder = GitopsFolder.open(flags.out, flags.cache ? { stampDir: flags.cacheDir } : {});
      try {
        const run = await runForFolder(config, flags, folder, io, Boolean(flags.verbose));
        if (run.generated === undefined && flags.verbose) io.err(`${flags.out} holds what the run that wrote it read from the same items, configuration and vmimages build: nothing to build\n`);
        const change = run.generated === undefined ? folder.unchanged() : folder.write(run.generated, run.inputs);
        for (const warning of change.warnings) io.err(`warning: ${printable(warning)}\n`);
        if (flags.verbose) for (const line of formatDiff(change.diff)) io.err(`${printable(line)}\n`);
        const { diff, plan } = change;
        io.err(
          `${run.count} image(s) in ${flags.out}: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed; ` +
            `${plan.write.length} file(s) written, ${plan.remove.length} removed, ${plan.unchanged.length} unchanged\n`,
        );
      } finally {
        folder.close();
      }
    });
}
