import { Command, CommanderError, Option } from "commander";
import { stringify } from "yaml";
import { buildCatalog, CatalogImage } from "../catalog/catalog";
import { formatDiff } from "../catalog/diff";
import { diffFolder, previousConditions } from "../render/previous";
import { resolveImage } from "../catalog/resolve";
import { matchesSelector, parseSelector } from "../catalog/selector";
import { loadConfig, VmImagesConfig } from "../config";
import { VmImagesError, messageOf } from "../errors";
import { buildManifests, Generated } from "../generate";
import { listLibraries, Listing, ReadOptions, readDescriptors, ReadResult } from "../read";
import { buildIdentity } from "../build-identity";
import { folderStamp } from "../render/stamp";
import { FolderPlan, planFolder, renderFolder } from "../render/folder";
import { readManifestsFolder } from "../render/manifests";
import { applyPlan, readOwnedFiles } from "../render/write";
import { DiskMetadataCache } from "../cache";
import { openSource } from "../source/open";
import { VcenterSource } from "../source/vcenter/source";
import { readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
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
    io.err(`error: ${messageOf(err)}\n`);
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
    .action(async (opts: RunOptions & { out: string; verbose?: boolean }) => {
      const config = await loadConfig(opts.config);
      const owned = readOwnedFiles(opts.out);
      const { generated, items, recordWritten } = await readImages(config, io, opts, Boolean(opts.verbose), { dir: opts.out, files: owned.files });
      const summary = (diff: { readonly [k in "added" | "changed" | "removed"]: readonly unknown[] }, plan: FolderPlan) =>
        io.err(
          `${items} image(s) in ${opts.out}: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed; ` +
            `${plan.write.length} file(s) written, ${plan.remove.length} removed, ${plan.unchanged.length} unchanged\n`,
        );
      if (generated === undefined) {
        if (opts.verbose) io.err(`${opts.out} holds what the run that wrote it read from the same items, configuration and vmimages build: nothing to build\n`);
        summary({ added: [], changed: [], removed: [] }, { write: [], remove: [], unchanged: [...owned.files.keys()] });
        return;
      }
      const rendered = renderFolder(generated.manifests);
      const plan = planFolder(owned.files, rendered);
      applyPlan(opts.out, plan);
      await recordWritten(rendered);
      const diff = diffFolder(owned.files, generated.manifests, rendered);
      if (opts.verbose) for (const line of formatDiff(diff)) io.err(`${line}\n`);
      summary(diff, plan);
    });

  readingCommand(program, "diff", "show what generate would change in the output folder, without writing")
    .option("--exit-code", "exit 3 when there are changes (for CI)")
    .action(async (opts: RunOptions & { out: string; exitCode?: boolean }) => {
      const config = await loadConfig(opts.config);
      const owned = readOwnedFiles(opts.out);
      const { generated } = await readImages(config, io, opts, false, { dir: opts.out, files: owned.files });
      const lines = generated ? formatDiff(diffFolder(owned.files, generated.manifests, renderFolder(generated.manifests))) : [];
      io.out(lines.length ? `${lines.join("\n")}\n` : "no changes\n");
      if (opts.exitCode && lines.length) setCode(3);
    });

  program
    .command("resolve")
    .description("print the VMI ID a display name (or VMI ID) resolves to, namespace first, then cluster")
    .argument("<name>", "display name or vmi- ID")
    .requiredOption("-m, --manifests <dir>", "folder of image manifests (a generate output)")
    .option("-n, --namespace <ns>", "namespace the name is resolved in (else only cluster images)")
    .option("--strict", "also fail when the display name exists in both the namespace and the cluster")
    .option("--require-capability <cap>", "capability the image must have (repeatable)", collect, [] as string[])
    .action(async (name: string, opts: { manifests: string; namespace?: string; strict?: boolean; requireCapability: string[] }) => {
      const catalog = buildCatalog(await readManifestsFolder(opts.manifests));
      const image = resolveImage(catalog, name, opts.namespace, { strict: opts.strict, requireCapabilities: opts.requireCapability });
      io.out(`${image.name}\n`);
    });

  program
    .command("list")
    .description("list images as `kubectl get vmi -o wide` shows them (cluster images unless a namespace is given)")
    .requiredOption("-m, --manifests <dir>", "folder of image manifests (a generate output)")
    .option("-n, --namespace <ns>", "VirtualMachineImages of this namespace")
    .option("-A, --all-namespaces", "VirtualMachineImages of every namespace")
    .option("-l, --selector <selector>", "label selector, e.g. os.image.vmoperator.vmware.com/type=Linux")
    .addOption(new Option("-o, --output <format>", "output format").choices(["table", "json", "yaml"]).default("table"))
    .action(async (opts: { manifests: string; namespace?: string; allNamespaces?: boolean; selector?: string; output: string }) => {
      if (opts.namespace && opts.allNamespaces) throw new VmImagesError("config", "use --namespace or --all-namespaces, not both");
      const selector = parseSelector(opts.selector ?? "");
      const catalog = buildCatalog(await readManifestsFolder(opts.manifests));
      const inScope = (i: CatalogImage) =>
        opts.allNamespaces ? i.namespace !== undefined : opts.namespace ? i.namespace === opts.namespace : i.namespace === undefined;
      const images = catalog.images.filter((i) => inScope(i) && matchesSelector(i.labels, selector));
      if (opts.output === "json") io.out(`${JSON.stringify(images, null, 2)}\n`);
      else if (opts.output === "yaml") io.out(stringify(images, { lineWidth: 0 }));
      else if (images.length === 0) io.err("No resources found\n");
      else io.out(`${imageTable(images, Boolean(opts.allNamespaces))}\n`);
    });

  return program;
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

interface RunOptions {
  readonly config: string;
  readonly progress: boolean;
  readonly cache: boolean;
  readonly cacheDir: string;
}

interface SourceRead {
  /** The images read; undefined when the folder already holds what they would make (nothing to build). */
  readonly generated?: Generated;
  /** How many images the source has. */
  readonly items: number;
  /** Records that the folder now holds `files`, made from what was read. */
  recordWritten(files: ReadonlyMap<string, string>): Promise<void>;
}

/**
 * Reads the configured source for an output folder and builds its images, keeping the folder's
 * unchanged conditions (their transition times). A vCenter read is stamped (render/stamp.ts):
 * its items carry content versions and its descriptors are cached. When the folder holds what a
 * run of this build wrote from the same items and configuration, no descriptor is read.
 */
async function readImages(config: VmImagesConfig, io: Io, opts: RunOptions, verbose: boolean, folder: { dir: string; files: ReadonlyMap<string, string> }): Promise<SourceRead> {
  const source = openSource(config);
  const cache = source instanceof VcenterSource && opts.cache ? new DiskMetadataCache(opts.cacheDir, source.server) : undefined;
  // Loaded only for a terminal: every module loaded costs each run's start, CI runs included.
  const progress = opts.progress && io.tty ? (require("cli-progress") as typeof import("cli-progress")) : undefined;
  const bar = progress ? new progress.SingleBar({ stream: process.stderr, clearOnComplete: true, format: "reading {bar} {value}/{total} items" }, progress.Presets.shades_classic) : undefined;
  const options: ReadOptions = {
    ...(cache ? { cache } : {}),
    onWarning: (m) => io.err(`warning: ${m}\n`),
    onProgress: (done, total) => {
      if (!bar) return;
      if (done === 1) bar.start(total, 0);
      bar.update(done);
    },
  };
  let build: string | undefined;
  const stamp = (listing: Listing, files: ReadonlyMap<string, string>) =>
    folderStamp({ build: (build ??= buildIdentity()), apiVersion: config.apiVersion, naming: config.naming, items: listing.items, files });
  let listing: Listing | undefined;
  let read: ReadResult | undefined;
  try {
    listing = await listLibraries(source, config.libraries, options);
    const upToDate = cache !== undefined && listing.problems.length === 0 && folder.files.size > 0 && (await cache.folderStamp(folder.dir)) === stamp(listing, folder.files);
    if (!upToDate) read = await readDescriptors(source, listing, options);
  } finally {
    bar?.stop();
    await source.close();
    if (verbose && source instanceof VcenterSource) {
      const s = source.stats;
      io.err(`${source.description}: ${s.requests} request(s), ${s.downloads} descriptor(s) downloaded, ${s.retries} retried, ${s.logins} login(s)` +
        `${cache ? `; cache: ${cache.hits} hit(s), ${cache.misses} miss(es)` : ""}\n`);
    }
  }
  const listed = listing;
  const generated = read && buildManifests(read, { apiVersion: config.apiVersion, naming: config.naming, previousConditions: previousConditions(folder.files) });
  return {
    ...(generated ? { generated } : {}),
    items: generated?.manifests.length ?? listed.items.length,
    recordWritten: async (files) => {
      if (!cache) return;
      try {
        await cache.recordFolder(folder.dir, stamp(listed, files));
        await cache.flush();
      } catch (err) {
        io.err(`warning: cannot update the cache in ${opts.cacheDir}: ${messageOf(err)}\n`);
      }
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
