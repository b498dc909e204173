import type * as K8s from "@kubernetes/client-node";
import { existsSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LineCounter, parseDocument, visit } from "yaml";
import { OutputError, messageOf } from "../../errors";
import { isRecord, printable } from "../../util";
import { ExecConfig } from "./exec";

/**
 * The kubeconfig, found and merged as kubectl does (client-go's clientcmd loading rules):
 * `--kubeconfig` alone, else every file of `KUBECONFIG` (missing ones skipped, empty ones empty), else
 * `~/.kube/config`, else the in-cluster service account. Of several files the first to define a
 * cluster, user or context by a name gives it whole, and the first `current-context` wins; a
 * relative path in an entry is relative to the file that defined it.
 *
 * A kubeconfig holds credentials, so no message about one ever quotes it: a YAML error is said by
 * its line, column and kind, never by the text there.
 */

/** Where the kubeconfig comes from: a file, a text (a Pulumi secret's value), or as kubectl finds one. */
export interface KubeconfigOptions {
  /** A kubeconfig file; absent (with no text): as kubectl finds one. */
  readonly kubeconfig?: string;
  /** A kubeconfig's text, instead of a file. */
  readonly kubeconfigText?: string;
  readonly context?: string;
}

/** A kubeconfig's entries as its YAML holds them, each named. */
export interface RawKubeconfig {
  readonly clusters: readonly NamedEntry[];
  readonly users: readonly NamedEntry[];
  readonly contexts: readonly NamedEntry[];
  readonly currentContext?: string;
}

export interface NamedEntry {
  readonly name: string;
  readonly [field: string]: unknown;
}

/** The cluster a kubeconfig's context names, ready for requests. */
export interface ClusterAccess {
  /** The client's view of the kubeconfig, its context chosen, exec plugins taken out (exec.ts runs them). */
  readonly kc: K8s.KubeConfig;
  readonly server: string;
  /** The exec credential plugin of the context's user, if it has one. */
  readonly exec?: ExecConfig & { readonly user: string };
  /** The context's namespace, if it names one. */
  readonly namespace?: string;
}

/** Where a run looks for an in-cluster service account; tests give their own. */
export interface Environment {
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly serviceAccountDir: string;
}

const DEFAULT_ENVIRONMENT: Environment = { env: process.env, home: os.homedir(), serviceAccountDir: "/var/run/secrets/kubernetes.io/serviceaccount" };

/**
 * The cluster to talk to, as kubectl would choose it.
 * @throws OutputError naming the file (never quoting it), the missing context, cluster or user, or where it looked.
 */
export function loadKubeconfig(options: KubeconfigOptions, environment: Environment = DEFAULT_ENVIRONMENT): ClusterAccess {
  const merged = options.kubeconfigText !== undefined ? readKubeconfig(options.kubeconfigText, "the kubeconfig given", undefined) : readKubeconfigFiles(options.kubeconfig, environment);
  if (merged === undefined) {
    const inCluster = inClusterAccess(environment);
    if (inCluster) return inCluster;
    throw new OutputError(
      `no kubeconfig found: looked at ${describeFiles(kubeconfigFiles(undefined, environment))} and for an in-cluster service account; give --kubeconfig, or set KUBECONFIG`,
    );
  }
  return accessOf(merged, options.context, options.kubeconfigText !== undefined ? "the kubeconfig given" : describeFiles(kubeconfigFiles(options.kubeconfig, environment)));
}

/** The files kubectl reads, in order: `--kubeconfig`, else KUBECONFIG's (without repeats), else ~/.kube/config. */
export function kubeconfigFiles(explicit: string | undefined, environment: Pick<Environment, "env" | "home">): string[] {
  if (explicit) return [explicit];
  const listed = (environment.env.KUBECONFIG ?? "").split(path.delimiter).filter((f) => f !== "");
  if (listed.length) return [...new Set(listed)];
  return [path.join(environment.home, ".kube", "config")];
}

function describeFiles(files: readonly string[]): string {
  return files.length === 1 ? files[0]! : `${files.slice(0, -1).join(", ")} and ${files[files.length - 1]}`;
}

/** The merged kubeconfig of the files kubectl reads; undefined when none of them exists. */
function readKubeconfigFiles(explicit: string | undefined, environment: Environment): RawKubeconfig | undefined {
  const configs: RawKubeconfig[] = [];
  for (const file of kubeconfigFiles(explicit, environment)) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      // A file KUBECONFIG lists but that is not there is skipped, as kubectl skips it; the one --kubeconfig names must be there.
      if ((err as NodeJS.ErrnoException).code === "ENOENT" && !explicit) continue;
      throw new OutputError(`cannot read the kubeconfig ${file}: ${messageOf(err)}`, { file }, { cause: err });
    }
    configs.push(readKubeconfig(text, file, path.dirname(path.resolve(file))));
  }
  return configs.length ? mergeKubeconfigs(configs) : undefined;
}

/**
 * A kubeconfig's text as entries, relative paths made absolute against `dir`.
 * @throws OutputError naming `where`, the line and column and the kind of YAML error, never the text.
 */
export function readKubeconfig(text: string, where: string, dir: string | undefined): RawKubeconfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter, uniqueKeys: true });
  const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED");
  if (problem) {
    const { line, col } = lineCounter.linePos(problem.pos[0]);
    throw new OutputError(`${where} is not valid YAML at line ${line}, column ${col} (${YAML_PROBLEMS[problem.code] ?? "a YAML error"})`);
  }
  let alias: number | undefined;
  visit(doc, { Alias: (_key, node) => void (alias ??= node.range?.[0]) });
  if (alias !== undefined) {
    const { line, col } = lineCounter.linePos(alias);
    throw new OutputError(`${where} is not a kubeconfig vmimages reads: it uses a YAML alias at line ${line}, column ${col}; write the value out`);
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return { clusters: [], users: [], contexts: [] };
  if (!isRecord(value)) throw new OutputError(`${where} is not a kubeconfig: it is not a YAML mapping of clusters, users and contexts`);
  const list = (key: "clusters" | "users" | "contexts") => {
    const entries = value[key] ?? [];
    if (!Array.isArray(entries)) throw new OutputError(`${where} is not a kubeconfig: its ${key} are not a list`);
    return entries.map((e: unknown, i: number) => {
      if (!isRecord(e) || typeof e.name !== "string" || e.name === "") throw new OutputError(`${where} is not a kubeconfig: ${key}[${i}] has no name`);
      return dir === undefined ? (e as NamedEntry) : withAbsolutePaths(e as NamedEntry, key, dir);
    });
  };
  const current = value["current-context"];
  return { clusters: list("clusters"), users: list("users"), contexts: list("contexts"), ...(typeof current === "string" && current !== "" ? { currentContext: current } : {}) };
}

/** What each kind of YAML error is, in words that quote nothing of the text. */
const YAML_PROBLEMS: Readonly<Record<string, string>> = {
  ALIAS_PROPS: "an alias with properties",
  BAD_ALIAS: "a bad alias",
  BAD_DIRECTIVE: "a bad directive",
  BAD_DQ_ESCAPE: "a bad escape in a double-quoted string",
  BAD_INDENT: "bad indentation",
  BAD_PROP_ORDER: "properties in the wrong order",
  BAD_SCALAR_START: "a value that cannot start so",
  BLOCK_AS_IMPLICIT_KEY: "bad indentation of a mapping entry",
  BLOCK_IN_FLOW: "a block inside a flow collection",
  DUPLICATE_KEY: "a key that appears twice",
  IMPOSSIBLE: "an impossible construct",
  MISSING_CHAR: "a missing character",
  MULTILINE_IMPLICIT_KEY: "a key over several lines",
  MULTIPLE_ANCHORS: "several anchors on one node",
  MULTIPLE_DOCS: "several documents",
  MULTIPLE_TAGS: "several tags on one node",
  NON_STRING_KEY: "a key that is not a string",
  RESOURCE_EXHAUSTION: "too many aliases",
  TAB_AS_INDENT: "a tab in the indentation",
  TAG_RESOLVE_FAILED: "an unknown tag",
  UNEXPECTED_TOKEN: "something unexpected",
  BAD_COLLECTION_TYPE: "a collection of the wrong type",
};

/** The fields of each kind of entry that hold a file path kubectl reads relative to the kubeconfig. */
const PATH_FIELDS: Readonly<Record<"clusters" | "users" | "contexts", readonly string[]>> = {
  clusters: ["certificate-authority"],
  users: ["client-certificate", "client-key", "tokenFile", "token-file"],
  contexts: [],
};

/** An entry with its relative file paths resolved against `dir`, and a relative exec command too when it holds a path separator (a bare name is looked up on PATH). */
export function withAbsolutePaths(entry: NamedEntry, kind: "clusters" | "users" | "contexts", dir: string): NamedEntry {
  const inner = kind === "clusters" ? "cluster" : kind === "users" ? "user" : "context";
  const body = entry[inner];
  if (!isRecord(body)) return entry;
  const fixed: Record<string, unknown> = { ...body };
  for (const field of PATH_FIELDS[kind]) {
    const v = fixed[field];
    if (typeof v === "string" && v !== "" && !path.isAbsolute(v)) fixed[field] = path.join(dir, v);
  }
  const exec = fixed.exec;
  if (isRecord(exec) && typeof exec.command === "string" && !path.isAbsolute(exec.command) && /[\\/]/.test(exec.command)) {
    fixed.exec = { ...exec, command: path.join(dir, exec.command) };
  }
  return { ...entry, [inner]: fixed };
}

/** Several kubeconfigs as one, as kubectl merges them: the first entry of each name wins whole, and the first current-context. */
export function mergeKubeconfigs(configs: readonly RawKubeconfig[]): RawKubeconfig {
  const firstOfEach = (kind: "clusters" | "users" | "contexts") => {
    const seen = new Map<string, NamedEntry>();
    for (const config of configs) for (const e of config[kind]) if (!seen.has(e.name)) seen.set(e.name, e);
    return [...seen.values()];
  };
  const currentContext = configs.find((c) => c.currentContext !== undefined)?.currentContext;
  return { clusters: firstOfEach("clusters"), users: firstOfEach("users"), contexts: firstOfEach("contexts"), ...(currentContext !== undefined ? { currentContext } : {}) };
}

type Client = typeof import("./client");

/** The Kubernetes client, loaded only here: every module loaded costs each CLI run's start, `generate`'s included. */
function client(): Client {
  return require("./client") as Client;
}

/**
 * The access the context gives: its cluster and user checked, the user's exec plugin taken out.
 * @throws OutputError naming the context, cluster or user that is missing, and the files read.
 */
function accessOf(raw: RawKubeconfig, wanted: string | undefined, files: string): ClusterAccess {
  const name = wanted ?? raw.currentContext;
  if (name === undefined) throw new OutputError(`the kubeconfig (${files}) has no current-context: give --context, one of ${contextNames(raw)}`);
  const context = raw.contexts.find((c) => c.name === name);
  if (!context) throw new OutputError(`the context "${printable(name)}" is not in the kubeconfig (${files}); its contexts: ${contextNames(raw)}`);
  const body = isRecord(context.context) ? context.context : {};
  const clusterName = typeof body.cluster === "string" ? body.cluster : "";
  const userName = typeof body.user === "string" ? body.user : "";
  const cluster = raw.clusters.find((c) => c.name === clusterName);
  if (!cluster) throw new OutputError(`the context "${printable(name)}" names the cluster "${printable(clusterName)}", which is not in the kubeconfig (${files})`);
  const user = userName === "" ? undefined : raw.users.find((u) => u.name === userName);
  if (userName !== "" && !user) throw new OutputError(`the context "${printable(name)}" names the user "${printable(userName)}", which is not in the kubeconfig (${files})`);
  const userBody = user && isRecord(user.user) ? user.user : {};
  const { exec, ...withoutExec } = userBody;
  const kc = new (client().KubeConfig)();
  const source = {
    clusters: [cluster],
    users: user ? [{ ...user, user: withoutExec }] : [],
    contexts: [{ name, context: body }],
    "current-context": name,
  };
  try {
    // JSON is YAML the client reads without any surprise; the entries were checked above.
    kc.loadFromString(JSON.stringify(source));
  } catch (err) {
    // The client's checks name a field (`clusters[0].cluster.server is missing`), never a value.
    throw new OutputError(`the kubeconfig (${files}) cannot be used: ${messageOf(err).split("\n")[0]}`);
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new OutputError(`the cluster "${printable(clusterName)}" of the kubeconfig (${files}) has no server`);
  const namespace = typeof body.namespace === "string" && body.namespace !== "" ? body.namespace : undefined;
  return { kc, server, ...(isRecord(exec) ? { exec: { ...(exec as unknown as ExecConfig), user: userName } } : {}), ...(namespace ? { namespace } : {}) };
}

function contextNames(raw: RawKubeconfig): string {
  return raw.contexts.length ? raw.contexts.map((c) => `"${printable(c.name)}"`).join(", ") : "none";
}

/** The in-cluster service account, as client-go finds it: the service's host and port in the environment, and its token file. */
function inClusterAccess(environment: Environment): ClusterAccess | undefined {
  const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port } = environment.env;
  const token = path.join(environment.serviceAccountDir, "token");
  if (!host || !port || !existsSync(token)) return undefined;
  const kc = new (client().KubeConfig)();
  kc.loadFromOptions({
    clusters: [{ name: "in-cluster", server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`, caFile: path.join(environment.serviceAccountDir, "ca.crt"), skipTLSVerify: false }],
    users: [{ name: "in-cluster", authProvider: { name: "tokenFile", config: { tokenFile: token } } }],
    contexts: [{ name: "in-cluster", cluster: "in-cluster", user: "in-cluster" }],
    currentContext: "in-cluster",
  });
  const namespaceFile = path.join(environment.serviceAccountDir, "namespace");
  const namespace = environment.env.POD_NAMESPACE || (existsSync(namespaceFile) ? readFileSync(namespaceFile, "utf8").trim() : undefined);
  return { kc, server: kc.getCurrentCluster()!.server, ...(namespace ? { namespace } : {}) };
}

