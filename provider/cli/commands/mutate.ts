import { Command } from "commander";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { writeFileAtomically } from "../../atomic-file";
import { Catalog, buildCatalog } from "../../catalog/catalog";
import { ConfigError, messageOf } from "../../errors";
import { runPipeline } from "../../pipeline/run";
import { readManifestsFolder } from "../../targets/gitops";
import { printable } from "../../util";
import { FileMutation, VmProblem, mutateFile, virtualMachinesIn } from "../../vms/files";
import { krmOptions, mutateResourceList, readResourceList } from "../../vms/krm";
import { loadConfig } from "../config";
import { Io } from "../io";
import { KubeconfigFlags, configuredRun, connection, defaultCacheDir, kubeconfigOptions } from "../options";

interface MutateFlags extends KubeconfigFlags {
  readonly manifests?: string;
  readonly config?: string;
  readonly namespace?: string;
  readonly strict?: boolean;
  readonly check?: boolean;
  readonly krm?: boolean;
}

/**
 * `vmimages mutate`: VirtualMachine manifests in files given their images as VM Operator's mutation
 * webhook gives them in the cluster (see vms/mutation.ts); exit 1 when an image cannot be resolved,
 * and with `--check`, 3 when something would change (1 wins over 3).
 */
export function mutateCommand(io: Io, setCode: (code: number) => void): Command {
  const command = new Command("mutate")
    .description("resolve the images of VirtualMachine manifests (display names, criteria) to VMI IDs, as VM Operator's webhook does in the cluster")
    .argument("[paths...]", "YAML files, or folders of them (searched below)")
    .option("-m, --manifests <dir>", "resolve against a folder of image manifests (a generate output)")
    .option("-c, --config <file>", "resolve against the images this vmimages.yaml generates");
  return kubeconfigOptions(command, "resolve against a cluster's images (else KUBECONFIG, ~/.kube/config or in-cluster, as kubectl finds one)")
    .option("-n, --namespace <ns>", "the namespace of a VM whose manifest names none")
    .option("--strict", "refuse a display name (or criteria) found in both the VM's namespace and the cluster, as VM Operator's webhook does")
    .option("--check", "write nothing; exit 3 when a manifest would change, 1 when an image cannot be resolved")
    .option("--krm", "run as a KRM function: a ResourceList on stdin, written back on stdout (kustomize exec, kpt fn eval --exec)")
    .action(async (paths: string[], flags: MutateFlags, self: Command) => {
      if (flags.krm) return runKrm(flags, io, setCode);
      if (paths.length === 0) self.error("error: give the files or folders of VirtualMachine manifests to mutate", { exitCode: 2 });
      const files = yamlFiles(paths);
      const texts = new Map(files.map((f) => [f, readFileSync(f, "utf8")]));
      const catalog = await catalogFor(flags, namespacesOf(texts, flags.namespace), io);
      const results = [...texts].map(([file, text]) => [file, mutateFile(text, file, catalog, options(flags))] as const);
      const problems = results.flatMap(([, r]) => r.problems);
      if (problems.length) {
        for (const p of problems) io.err(`error: ${describeProblem(p)}\n`);
        io.err(`${problems.length} VirtualMachine(s) cannot be given an image; nothing was written\n`);
        return setCode(1);
      }
      report(results, io, Boolean(flags.check));
      const changed = results.filter(([file, r]) => r.text !== texts.get(file));
      if (flags.check) return setCode(changed.length ? 3 : 0);
      for (const [file, r] of changed) writeFileAtomically(file, r.text);
    });
}

function options(flags: MutateFlags) {
  return { ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}), strict: Boolean(flags.strict) };
}

/** What was (or would be) changed, and a warning for each VM whose image is now another. */
function report(results: ReadonlyArray<readonly [string, FileMutation]>, io: Io, check: boolean): void {
  let count = 0;
  for (const [, r] of results) {
    for (const c of r.changes) {
      count++;
      io.out(`${printable(`~ ${c.file}:${c.line} VirtualMachine ${c.vm}: ${c.image.kind} ${c.image.name} "${c.image.displayName}"`)}\n`);
      if (c.from !== undefined) {
        io.err(
          `warning: ${printable(`${c.file}:${c.line} VirtualMachine ${c.vm}`)} now gets ${c.image.name} instead of ${printable(c.from)}: VM Operator keeps the image of a VM that exists (spec.image and spec.imageName cannot change), so a VM already in a cluster keeps its image; recreate it to move it\n`,
        );
      }
    }
  }
  io.err(`${count} VirtualMachine(s) ${check ? "would change" : "changed"} in ${results.filter(([, r]) => r.changes.length).length} of ${results.length} file(s)\n`);
}

function describeProblem(p: VmProblem): string {
  return printable(`${p.file}:${p.line}${p.vm ? ` VirtualMachine ${p.vm}` : ""}: ${p.reason}`);
}

/** The YAML files of the paths: files as given, folders searched below (sorted). */
function yamlFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let stat;
    try {
      stat = statSync(p);
    } catch (err) {
      throw new ConfigError(`cannot read ${p}: ${messageOf(err)}`, { file: p }, { cause: err });
    }
    if (!stat.isDirectory()) out.push(p);
    else for (const rel of readdirSync(p, { recursive: true, encoding: "utf8" }).sort()) if (/\.ya?ml$/i.test(rel) && statSync(path.join(p, rel)).isFile()) out.push(path.join(p, rel));
  }
  return [...new Set(out)];
}

/** The namespaces the VMs of the files are in, for reading only those of a cluster. */
function namespacesOf(texts: ReadonlyMap<string, string>, fallback: string | undefined): string[] {
  const found = new Set<string>();
  for (const text of texts.values()) {
    try {
      for (const { vm } of virtualMachinesIn(text)) {
        const ns = vm.namespace ?? fallback;
        if (ns !== undefined) found.add(ns);
      }
    } catch {
      // The file's YAML error is reported with the others.
    }
  }
  return [...found].sort();
}

/** The catalog to resolve against: a folder of manifests, the images a configuration generates, or a cluster's (its images and the VMs' namespaces'). */
async function catalogFor(flags: MutateFlags, namespaces: readonly string[], io: Io): Promise<Catalog> {
  const given = [flags.manifests !== undefined, flags.config !== undefined, flags.kubeconfig !== undefined || flags.context !== undefined].filter(Boolean).length;
  if (given > 1) throw new ConfigError("give one of --manifests DIR, --config FILE, or a cluster (--kubeconfig, --context), not several");
  if (flags.manifests !== undefined) return buildCatalog(await readManifestsFolder(flags.manifests));
  if (flags.config !== undefined) {
    const config = await loadConfig(flags.config);
    return (await runPipeline(configuredRun(config, { cache: true, cacheDir: defaultCacheDir() }, io))).catalog;
  }
  const { readClusterImages } = require("../../targets/cluster") as typeof import("../../targets/cluster");
  const images = [...(await readClusterImages({ ...connection(flags), scopes: { cluster: true } }))];
  for (const namespace of namespaces) images.push(...(await readClusterImages({ ...connection(flags), scopes: { cluster: false, namespace } })));
  return buildCatalog(images);
}

/** The KRM function: a ResourceList in, the same ResourceList out with its VMs' images and `results`; an error also on stderr (kustomize shows only that) and exit 1. */
async function runKrm(flags: MutateFlags, io: Io, setCode: (code: number) => void): Promise<void> {
  const input = io.stdin ? await io.stdin() : "";
  let value: unknown;
  try {
    value = parseYaml(input);
  } catch (err) {
    throw new ConfigError(`standard input is not YAML or JSON: ${messageOf(err).split("\n")[0]}`, {}, { cause: err });
  }
  const list = readResourceList(value);
  const fromConfig = krmOptions(list.functionConfig);
  const merged: MutateFlags = { ...fromConfig, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) } as MutateFlags;
  const namespaces = [...new Set(list.items.flatMap((i) => {
    const ns = (i as { metadata?: { namespace?: unknown } }).metadata?.namespace;
    return typeof ns === "string" ? [ns] : merged.namespace !== undefined ? [merged.namespace] : [];
  }))];
  const catalog = await catalogFor(merged, namespaces, io);
  const { list: out, errors } = mutateResourceList(list, catalog, options(merged));
  io.out(`${JSON.stringify(out, null, 2)}\n`);
  for (const r of out.results ?? []) if (r.severity === "error") io.err(`error: ${printable(r.message)}\n`);
  if (errors) setCode(1);
}
