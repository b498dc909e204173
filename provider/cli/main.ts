import { Command, CommanderError, Option } from "commander";
import { readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { buildCatalog, CatalogImage } from "../catalog/catalog";
import { formatDiff } from "../catalog/diff";
import { resolveCatalogImage } from "../catalog/resolve";
import { selectCatalogImage } from "../catalog/select";
import { matchesSelector, parseSelector } from "../catalog/selector";
import { ConfigError, messageOf } from "../errors";
import { checkOwner, ownerLabel } from "../targets/cluster/owner";
import { printable } from "../util";
import { RunOptions, RunResult, runPipeline } from "../pipeline/run";
import { FolderChange, GitopsFolder, readManifestsFolder } from "../targets/gitops";
import { VmImagesConfig, loadConfig, sourceSpec } from "./config";
import { imageTable } from "./table";

/** Where the CLI writes; tests pass their own. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether stderr is a terminal (progress bars are drawn only there). */
  readonly tty: boolean;
}

const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  tty: Boolean(process.stderr.isTTY),
};

/** Runs the `vmimages` command line; resolves to the exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    // Our messages may span lines; nothing in them may drive the terminal (names come from libraries).
    io.err(`error: ${messageOf(err).split("\n").map(printable).join("\n")}\n`);
    return 1;
  }
}

function buildProgram(io: Io, setCode: (code: number) => void): Command {
  const program = new Command("vmimages")
    .description("vSphere Content Library items as VM Operator image manifests")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .version(packageVersion(), "-V, --version", "print the vmimages version")
    .showHelpAfterError();

  readingCommand(program, "generate", "read the libraries and write one manifest per image and a kustomization.yaml into the output folder")
    .option("-v, --verbose", "print every change, and the requests, downloads and cache hits of a vCenter read")
    .action(async (opts: ReadingOptions & { verbose?: boolean }) => {
      const config = await loadConfig(opts.config);
      const folder = GitopsFolder.open(opts.out);
      try {
        await generate(config, opts, folder, io);
      } finally {
        folder.close();
      }
    });



  readingCommand(program, "diff", "show what generate would change in the output folder, without writing")
    .option("--exit-code", "exit 3 when there are changes (for CI)")
    .action(async (opts: ReadingOptions & { exitCode?: boolean }) => {
      const config = await loadConfig(opts.config);
      const folder = GitopsFolder.open(opts.out);
      let lines: string[];
      try {
        const { generated } = await readLibraries(config, opts, folder, io, false);
        lines = generated ? formatDiff(folder.plan(generated).diff).map(printable) : [];
      } finally {
        folder.close();
      }
      io.out(lines.length ? `${lines.join("\n")}\n` : "no changes\n");
      if (opts.exitCode && lines.length) setCode(3);
    });

  program
    .command("apply")
    .description("read the libraries and make a Kubernetes cluster hold those images, status included (server-side apply, then /status)")
    .requiredOption("-c, --config <file>", "vmimages.yaml configuration")
    .option("--kubeconfig <file>", "kubeconfig (else KUBECONFIG, ~/.kube/config, or the in-cluster service account, as kubectl finds one)")
    .option("--context <name>", "kubeconfig context to use")
    .option("--owner <name>", "names this configuration's images in the cluster, so --prune touches only them (default: the config file's name)")
    .option("--dry-run", "have the server check everything and change nothing")
    .option("--prune", "delete images this configuration applied before that have vanished from the libraries")
    .option("--no-progress", "never draw a progress bar")
    .option("--cache-dir <dir>", "where parsed descriptors of vCenter items are cached", defaultCacheDir())
    .option("--no-cache", "read every descriptor again")
    .action(async (opts: { config: string; kubeconfig?: string; context?: string; owner?: string; dryRun?: boolean; prune?: boolean; progress: boolean; cache: boolean; cacheDir: string }) => {
      const config = await loadConfig(opts.config);
      const reading = progressBar(io, opts.progress, "reading {bar} {value}/{total} items");
      const run = await runPipeline({ ...configuredRun(config, opts, io), onProgress: reading.update });
      reading.stop();
      const owner = opts.owner !== undefined ? checkOwner(opts.owner, "--owner") : ownerLabel(path.basename(opts.config).replace(/\.[^.]*$/, ""));
      const { applyToCluster } = require("../targets/cluster") as typeof import("../targets/cluster");
      const applying = progressBar(io, opts.progress, "applying {bar} {value}/{total} images");
      const change = await applyToCluster(run.generated!, {
        owner,
        onProgress: applying.update,
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
        ...(opts.context ? { context: opts.context } : {}),
        dryRun: Boolean(opts.dryRun),
        prune: Boolean(opts.prune),
      }).finally(applying.stop);
      for (const c of change.created) io.out(`+ ${printable(c)}\n`);
      for (const c of change.changed) io.out(`~ ${printable(c)}\n`);
      for (const c of change.deleted) io.out(`- ${printable(c)}\n`);
      for (const c of change.conflicts) io.err(`conflict: ${printable(c)}\n`);
      io.err(
        `${opts.dryRun ? "(dry run) " : ""}${run.count} image(s): ${change.created.length} created, ${change.changed.length} changed, ${change.unchanged.length} unchanged, ` +
          `${change.deleted.length} deleted, ${change.conflicts.length} conflict(s)\n`,
      );
      if (change.conflicts.length) setCode(1);
    });

  program
    .command("resolve")
    .description("print the VMI ID a display name (or VMI ID) resolves to, namespace first, then cluster")
    .argument("<name>", "display name or vmi- ID")
    .option("-m, --manifests <dir>", "folder of image manifests (a generate output)")
    .option("--kubeconfig <file>", "read the images from the cluster of this kubeconfig instead of a folder")
    .option("--context <name>", "kubeconfig context to use")
    .option("-n, --namespace <ns>", "namespace the name is resolved in (else only cluster images)")
    .option("--strict", "also fail when the display name exists in both the namespace and the cluster")
    .option("--require-capability <cap>", "capability the image must have (repeatable)", collect, [] as string[])
    .action(async (name: string, opts: CatalogSourceOptions & { namespace?: string; strict?: boolean; requireCapability: string[] }) => {
      const catalog = await readCatalog(opts, opts.namespace);
      const image = resolveCatalogImage(catalog, name, opts.namespace, { strict: opts.strict, requireCapabilities: opts.requireCapability });
      io.out(`${image.name}\n`);
    });

  program
    .command("select")
    .description("print the VMI ID of the one image that fits the criteria (namespace first, then cluster); with --most-recent, the newest version of several")
    .option("-m, --manifests <dir>", "folder of image manifests (a generate output)")
    .option("--kubeconfig <file>", "read the images from the cluster of this kubeconfig instead of a folder")
    .option("--context <name>", "kubeconfig context to use")
    .option("-l, --selector <selector>", "label selector, e.g. os.image.vmoperator.vmware.com/type=Linux,capability.image.vmoperator.vmware.com/cloud-init")
    .option("--name <pattern>", 'display-name glob ("Ubuntu 24.04*"), or a regular expression between slashes ("/^Ubuntu 2[24]/")')
    .option("--os-type <type>", "OS family (status.osInfo.type), e.g. Linux")
    .option("--os-version <version>", "OS version (status.osInfo.version)")
    .option("--require-capability <cap>", "capability the image must have (repeatable)", collect, [] as string[])
    .option("--most-recent", "of several matches, take the newest status.productInfo.version")
    .option("-n, --namespace <ns>", "namespace whose images come first (else only cluster images)")
    .option("--strict", "also fail when images match in both the namespace and the cluster")
    .option("--expect <vmi>", "fail unless the criteria select this VMI ID (to notice a new build in CI)")
    .addOption(new Option("-o, --output <format>", "output format").choices(["name", "json"]).default("name"))
    .action(
      async (opts: CatalogSourceOptions & {
        selector?: string;
        name?: string;
        osType?: string;
        osVersion?: string;
        requireCapability: string[];
        mostRecent?: boolean;
        namespace?: string;
        strict?: boolean;
        expect?: string;
        output: string;
      }) => {
        const catalog = await readCatalog(opts, opts.namespace);
        const regex = opts.name !== undefined ? /^\/(.*)\/([a-z]*)$/s.exec(opts.name) : null;
        let name: string | RegExp | undefined = opts.name;
        if (regex) {
          try {
            name = new RegExp(regex[1]!, regex[2]);
          } catch (err) {
            throw new ConfigError(`--name ${opts.name} is not a valid regular expression: ${messageOf(err)}`, {}, { cause: err });
          }
        }
        const chosen = selectCatalogImage(
          catalog,
          {
            ...(opts.selector !== undefined ? { selector: opts.selector } : {}),
            ...(name !== undefined ? { name } : {}),
            ...(opts.osType !== undefined ? { osType: opts.osType } : {}),
            ...(opts.osVersion !== undefined ? { osVersion: opts.osVersion } : {}),
            requireCapabilities: opts.requireCapability,
            mostRecent: Boolean(opts.mostRecent),
          },
          { ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}), strict: Boolean(opts.strict) },
        );
        io.out(opts.output === "json" ? `${JSON.stringify(chosen, null, 2)}\n` : `${chosen.name}\n`);
        if (opts.expect !== undefined && opts.expect !== chosen.name) {
          throw new ConfigError(
            `the criteria now select ${chosen.name} ("${chosen.displayName}"${chosen.version !== undefined ? `, version ${chosen.version}` : ""}), not the pinned ${opts.expect}: a new build, or a changed library; update the pin once it is tested`,
          );
        }
      },
    );

  program
    .command("list")
    .description("list images as `kubectl get vmi -o wide` shows them (cluster images unless a namespace is given)")
    .option("-m, --manifests <dir>", "folder of image manifests (a generate output)")
    .option("--kubeconfig <file>", "read the images from the cluster of this kubeconfig instead of a folder")
    .option("--context <name>", "kubeconfig context to use")
    .option("-n, --namespace <ns>", "VirtualMachineImages of this namespace")
    .option("-A, --all-namespaces", "VirtualMachineImages of every namespace")
    .option("-l, --selector <selector>", "label selector, e.g. os.image.vmoperator.vmware.com/type=Linux")
    .addOption(new Option("-o, --output <format>", "output format").choices(["table", "json", "yaml"]).default("table"))
    .action(async (opts: CatalogSourceOptions & { namespace?: string; allNamespaces?: boolean; selector?: string; output: string }) => {
      if (opts.namespace && opts.allNamespaces) throw new ConfigError("use --namespace or --all-namespaces, not both");
      const selector = parseSelector(opts.selector ?? "");
      const catalog = await readCatalog(opts, opts.allNamespaces ? undefined : (opts.namespace ?? ""));
      const inScope = (i: CatalogImage) =>
        opts.allNamespaces ? i.namespace !== undefined : opts.namespace ? i.namespace === opts.namespace : i.namespace === undefined;
      const images = catalog.images.filter((i) => inScope(i) && matchesSelector(i.labels, selector));
      if (opts.output === "json") io.out(`${JSON.stringify(images, null, 2)}\n`);
      else if (opts.output === "yaml") io.out(stringify(images, { lineWidth: 0 }));
      else if (images.length === 0) io.err("No resources found\n");
      else io.out(`${imageTable(opts.allNamespaces || opts.namespace ? "VirtualMachineImage" : "ClusterVirtualMachineImage", images, Boolean(opts.allNamespaces))}\n`);
    });

  return program;
}

/** `generate` into an open folder: read, write what changed, record the stamp, and say what was done. */
async function generate(config: VmImagesConfig, opts: ReadingOptions & { verbose?: boolean }, folder: GitopsFolder, io: Io): Promise<void> {
  const run = await readLibraries(config, opts, folder, io, Boolean(opts.verbose));
  let change: FolderChange;
  if (run.generated === undefined) {
    if (opts.verbose) io.err(`${opts.out} holds what the run that wrote it read from the same items, configuration and vmimages build: nothing to build\n`);
    change = folder.unchanged();
  } else {
    change = folder.write(run.generated);
    await run.recordTarget(change.files).catch((err: unknown) => io.err(`warning: cannot update the cache in ${opts.cacheDir}: ${messageOf(err)}\n`));
    if (opts.verbose) for (const line of formatDiff(change.diff)) io.err(`${printable(line)}\n`);
  }
  const { diff, plan } = change;
  io.err(
    `${run.count} image(s) in ${opts.out}: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed; ` +
      `${plan.write.length} file(s) written, ${plan.remove.length} removed, ${plan.unchanged.length} unchanged\n`,
  );
}

/** The run a configuration file asks for: its source, libraries and choices, the cache, warnings on stderr. */
function configuredRun(config: VmImagesConfig, opts: { readonly cache: boolean; readonly cacheDir: string }, io: Io): RunOptions {
  return {
    source: sourceSpec(config),
    libraries: config.libraries,
    apiVersion: config.apiVersion,
    naming: config.naming,
    itemErrors: config.itemErrors,
    ...(opts.cache ? { cacheDir: opts.cacheDir } : {}),
    onWarning: (m) => io.err(`warning: ${printable(m)}\n`),
  };
}

interface CatalogSourceOptions {
  readonly manifests?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
}

/**
 * The catalog `resolve`, `select` and `list` work on: a folder of manifests, or a live cluster's
 * images (those of `namespace` with the cluster's; all namespaces' when it is undefined).
 */
async function readCatalog(opts: CatalogSourceOptions, namespace: string | undefined) {
  if ((opts.manifests === undefined) === (opts.kubeconfig === undefined)) throw new ConfigError("give either --manifests DIR (a folder of manifests) or --kubeconfig FILE (a cluster)");
  if (opts.manifests !== undefined) return buildCatalog(await readManifestsFolder(opts.manifests));
  const { readClusterImages } = require("../targets/cluster") as typeof import("../targets/cluster");
  return buildCatalog(
    await readClusterImages({ kubeconfig: opts.kubeconfig!, ...(opts.context ? { context: opts.context } : {}), ...(namespace !== undefined && namespace !== "" ? { namespace } : {}) }),
  );
}

/** A subcommand that reads the configured libraries into an output folder: the options they share. */
function readingCommand(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .requiredOption("-c, --config <file>", "vmimages.yaml configuration")
    .requiredOption("-o, --out <dir>", "GitOps output folder")
    .option("--no-progress", "never draw a progress bar")
    .option("--cache-dir <dir>", "where parsed descriptors of vCenter items are cached", defaultCacheDir())
    .option("--no-cache", "read every descriptor again");
}

interface ReadingOptions {
  readonly config: string;
  readonly out: string;
  readonly progress: boolean;
  readonly cache: boolean;
  readonly cacheDir: string;
}

/**
 * One pipeline run for an output folder: the configured libraries, the folder's earlier state
 * (its stamp and conditions), a progress bar on a terminal, and with `verbose` what reading cost.
 */
async function readLibraries(config: VmImagesConfig, opts: ReadingOptions, folder: GitopsFolder, io: Io, verbose: boolean): Promise<RunResult> {
  const bar = progressBar(io, opts.progress, "reading {bar} {value}/{total} items");
  const options: RunOptions = {
    ...configuredRun(config, opts, io),
    previous: folder.previous,
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
  return runPipeline(options);
}

/**
 * A progress bar on stderr, drawn only on a terminal and unless `--no-progress`; it starts with
 * the first step done and clears itself once stopped (stopping twice is harmless).
 */
function progressBar(io: Io, enabled: boolean, format: string): { update: (done: number, total: number) => void; stop: () => void } {
  // Loaded only for a terminal: every module loaded costs each run's start, CI runs included.
  const progress = enabled && io.tty ? (require("cli-progress") as typeof import("cli-progress")) : undefined;
  const bar = progress ? new progress.SingleBar({ stream: process.stderr, clearOnComplete: true, format }, progress.Presets.shades_classic) : undefined;
  let started = false;
  return {
    update: (done, total) => {
      if (!bar) return;
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop: () => {
      if (started) bar?.stop();
      started = false;
    },
  };
}

/** The version in package.json: one folder up from the bundle (dist/vmimages.cjs), two from the sources, three from dist/provider/cli. */
function packageVersion(): string {
  for (const up of ["..", "../..", "../../.."]) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(__dirname, up, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pulumi-vmimages" && pkg.version) return pkg.version;
    } catch {
      // Not at this level: try the next.
    }
  }
  return "unknown";
}

function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "vmimages");
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
