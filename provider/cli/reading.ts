import { Generated, RunOptions, openRun } from "../pipeline/run";
import { GitopsFolder } from "../targets/gitops";
import { VmImagesConfig } from "./config";
import { Io, progressBar } from "./io";
import { ReadingFlags, configuredRun } from "./options";

/** What a run for an output folder read: the images, unless the folder already holds them. */
export interface FolderRun {
  readonly count: number;
  /** The run's inputs (`Run.inputs`), for the folder's stamp. */
  readonly inputs?: string;
  /** Undefined when the folder holds what the run would generate: nothing was built. */
  readonly generated?: Generated;
}

/**
 * One pipeline run for `generate` and `diff`: the configured libraries are listed, and their images
 * built unless the folder already holds them; a progress bar on a terminal, and with `verbose` what
 * reading cost.
 */
export async function runForFolder(config: VmImagesConfig, flags: ReadingFlags, folder: GitopsFolder, io: Io, verbose: boolean): Promise<FolderRun> {
  const bar = progressBar(io, flags.progress, "reading {bar} {value}/{total} items");
  const options: RunOptions = {
    ...configuredRun(config, flags, io),
    onProgress: bar.update,
    onStats: ({ source, requests, cache }) => {
      bar.stop();
      if (!verbose || requests === undefined) return;
      io.err(
        `${source}: ${requests.requests} request(s), ${requests.downloads} descriptor(s) downloaded, ${requests.retries} retried, ${requests.logins} login(s)` +
          `${cache ? `; cache: ${cache.hits} hit(s), ${cache.misses} miss(es)` : ""}\n`,
      );
    },
  };
  const run = await openRun(options);
  try {
    const inputs = run.inputs !== undefined ? { inputs: run.inputs } : {};
    if (folder.holds(run.inputs)) return { count: run.count, ...inputs };
    return { count: run.count, ...inputs, generated: await run.generate() };
  } finally {
    await run.close();
  }
}
