import { Command, InvalidArgumentError, Option } from "commander";
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

export interface KubeconfigFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Seconds. */
  readonly execTimeout: number;
}

/** `--kubeconfig` and `--context`, as kubectl takes them, and how long an exec credential plugin may take. */
export function kubeconfigOptions(command: Command, kubeconfigHelp: string): Command {
  return command
    .option("--kubeconfig <file>", kubeconfigHelp)
    .option("--context <name>", "kubeconfig context to use")
    .addOption(new Option("--exec-timeout <seconds>", "how long the kubeconfig user's exec credential plugin may take").default(60).argParser(seconds("--exec-timeout")));
}

/** What `--kubeconfig`, `--context` and `--exec-timeout` give a cluster target. */
export function connection(flags: KubeconfigFlags): { kubeconfig?: string; context?: string; execTimeoutMs: number } {
  return { ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}), ...(flags.context !== undefined ? { context: flags.context } : {}), execTimeoutMs: flags.execTimeout * 1000 };
}

function seconds(option: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${option} takes a number of seconds above 0, not "${value}"`);
    return n;
  };
}

export interface CatalogFlags extends KubeconfigFlags {
  readonly manifests?: string;
  readonly apiVersion?: string;
}

/** Where `resolve`, `select` and `list` read images: a folder of manifests, or a live cluster. */
export function catalogOptions(command: Command): Command {
  return kubeconfigOptions(
    command.option("-m, --manifests <dir>", "read the images from a folder of manifests (a generate output) instead of a cluster"),
    "the cluster's kubeconfig (else KUBECONFIG, ~/.kube/config, or the in-cluster service account, as kubectl finds one)",
  ).option("--api-version <version>", "the VM Operator API version to read a cluster's images in (default: the one it prefers)");
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

/** The images a command reads: the cluster's, and the VirtualMachineImages of a namespace or (`*`) of every one. */
export interface Scopes {
  readonly cluster: boolean;
  readonly namespace?: string | "*";
}

/**
 * The catalog `resolve`, `select` and `list` work on: a folder of manifests, or (as kubectl, without
 * one) a live cluster's images in the scopes the command needs, so a user who may read only those can run it.
 */
export async function readCatalog(flags: CatalogFlags, scopes: Scopes): Promise<Catalog> {
  if (flags.manifests !== undefined) {
    if (flags.kubeconfig !== undefined || flags.context !== undefined) throw new ConfigError("give either --manifests DIR (a folder of manifests) or a cluster (--kubeconfig, --context), not both");
    return buildCatalog(await readManifestsFolder(flags.manifests));
  }
  const { readClusterImages } = require("../targets/cluster") as typeof import("../targets/cluster");
  return buildCatalog(await readClusterImages({ ...connection(flags), scopes, ...(flags.apiVersion !== undefined ? { apiVersion: qualified(flags.apiVersion) } : {}) }));
}

/** `v1alpha5` or `vmoperator.vmware.com/v1alpha5`, as the group's. */
function qualified(version: string): string {
  return version.includes("/") ? version : `vmoperator.vmware.com/${version}`;
}

export function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "vmimages");
}
