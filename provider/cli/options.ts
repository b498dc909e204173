import { Command, Option } from "commander";
import * as os from "node:os";
import * as path from "node:path";
import { buildCatalog, Catalog } from "../catalog/catalog";
import { ConfigError } from "../errors";
import { RunOptions } from "../pipeline/run";
import { readManifestsFolder } from "../targets/gitops";
import { printable } from "../util";
import { VmImagesConfig, sourceSpec } from "./config";
import { Io } from "./io";

/** The options several commands share, declared once. */

/** `--config`, required by every command that reads the libraries. */
export function configOption(command: Command): Command {
  return command.requiredOption("-c, --config <file>", "vmimages.yaml configuration");
}

export interface ReadingFlags {
  readonly config: string;
  readonly progress: boolean;
  readonly cache: boolean;
  readonly cacheDir: string;
}

/** What a command that reads the libraries takes: the configuration, the cache, the progress bar. */
export function readingOptions(command: Command): Command {
  return configOption(command)
    .option("--no-progress", "never draw a progress bar")
    .option("--cache-dir <dir>", "where parsed descriptors of vCenter items (and output folders' stamps) are cached", defaultCacheDir())
    .option("--no-cache", "read every descriptor again");
}

/** `--kubeconfig` and `--context`, as kubectl takes them. */
export function kubeconfigOptions(command: Command, kubeconfigHelp: string): Command {
  return command.option("--kubeconfig <file>", kubeconfigHelp).option("--context <name>", "kubeconfig context to use");
}

export interface CatalogFlags {
  readonly manifests?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** Where `resolve`, `select` and `list` read images: a folder of manifests, or a live cluster. */
export function catalogOptions(command: Command): Command {
  return kubeconfigOptions(command.option("-m, --manifests <dir>", "folder of image manifests (a generate output)"), "read the images from the cluster of this kubeconfig instead of a folder");
}

/** `-o`/`--output` with its formats, the first the default. */
export function outputOption(command: Command, formats: readonly [string, ...string[]]): Command {
  return command.addOption(new Option("-o, --output <format>", "output format").choices(formats).default(formats[0]));
}

/** `--require-capability`, repeatable. */
export function capabilityOption(command: Command): Command {
  return command.option("--require-capability <cap>", "capability the image must have (repeatable)", (value: string, previous: string[]) => [...previous, value], [] as string[]);
}

/** The run a configuration file asks for: its source, libraries and choices, the cache, warnings on stderr. */
export function configuredRun(config: VmImagesConfig, flags: Pick<ReadingFlags, "cache" | "cacheDir">, io: Io): RunOptions {
  return {
    source: sourceSpec(config),
    libraries: config.libraries,
    apiVersion: config.apiVersion,
    naming: config.naming,
    itemErrors: config.itemErrors,
    ...(flags.cache ? { cacheDir: flags.cacheDir } : {}),
    onWarning: (m) => io.err(`warning: ${printable(m)}\n`),
  };
}

/**
 * The catalog `resolve`, `select` and `list` work on: a folder of manifests, or a live cluster's
 * images (those of `namespace` with the cluster's; all namespaces' when it is undefined).
 */
export async function readCatalog(flags: CatalogFlags, namespace: string | undefined): Promise<Catalog> {
  if ((flags.manifests === undefined) === (flags.kubeconfig === undefined)) throw new ConfigError("give either --manifests DIR (a folder of manifests) or --kubeconfig FILE (a cluster)");
  if (flags.manifests !== undefined) return buildCatalog(await readManifestsFolder(flags.manifests));
  const { readClusterImages } = require("../targets/cluster") as typeof import("../targets/cluster");
  return buildCatalog(
    await readClusterImages({ kubeconfig: flags.kubeconfig!, ...(flags.context ? { context: flags.context } : {}), ...(namespace !== undefined && namespace !== "" ? { namespace } : {}) }),
  );
}

export function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "vmimages");
}
