import { Command } from "commander";
import { formatDiff } from "../../catalog/diff";
import { GitopsFolder } from "../../targets/gitops";
import { loadConfig } from "../config";
import { Io, printLines } from "../io";
import { ReadingFlags, readingOptions } from "../options";
import { runForFolder } from "../reading";

interface DiffFlags extends ReadingFlags {
  readonly out: string;
  readonly exitCode?: boolean;
}

/** `vmimages diff`: what `generate` would change in a folder, without writing. */
export function diffCommand(io: Io, setCode: (code: number) => void): Command {
  return readingOptions(new Command("diff").description("show what generate would change in the output folder, without writing"))
    .requiredOption("-o, --out <dir>", "GitOps output folder")
    .option("--exit-code", "exit 3 when there are changes (for CI)")
    .action(async (flags: DiffFlags) => {
      const config = await loadConfig(flags.config);
      const folder = GitopsFolder.open(flags.out, flags.cache ? { stampDir: flags.cacheDir } : {});
      let lines: string[];
      try {
        const { generated } = await runForFolder(config, flags, folder, io, false);
        lines = generated ? formatDiff(folder.plan(generated).diff) : [];
      } finally {
        folder.close();
      }
      if (lines.length === 0) io.out("no changes\n");
      printLines(io, lines);
      if (flags.exitCode && lines.length) setCode(3);
    });
}
