import * as path from "node:path";
import { promises as fs, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError, messageOf } from "../errors";
import { ApiVersion, DEFAULT_API_VERSION, ItemErrorPolicy, LibrarySelection, NamingStrategy, SUPPORTED_API_VERSIONS, SourceSpec, VcenterConnection } from "../types";

/** The `vmimages.yaml` configuration of the CLI, checked and with paths made absolute. */
export interface VmImagesConfig {
  /** @default vmoperator.vmware.com/v1alpha5 */
  readonly apiVersion: ApiVersion;
  /** @default fromItemId */
  readonly naming: NamingStrategy;
  /** @default fail */
  readonly itemErrors: ItemErrorPolicy;
  readonly source: SourceConfig;
  readonly libraries: readonly LibrarySelection[];
}

export type SourceConfig = { readonly kind: "directory"; readonly directory: string } | VcenterSourceConfig;

/**
 * `source.vcenter`. Absent fields come from the environment vSphere tooling uses: VSPHERE_SERVER,
 * VSPHERE_USER, the variable named by `passwordEnv` (default VSPHERE_PASSWORD) and
 * VSPHERE_ALLOW_UNVERIFIED_SSL. The password itself never appears in the file.
 */
export interface VcenterSourceConfig {
  readonly kind: "vcenter";
  readonly server?: string;
  readonly username?: string;
  /** @default VSPHERE_PASSWORD */
  readonly passwordEnv: string;
  readonly insecure?: boolean;
  /** A PEM CA bundle, relative to the config file. */
  readonly caFile?: string;
  readonly thumbprint?: string;
  readonly concurrency?: number;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Parses and checks a configuration. `source.directory` is relative to the config file's folder.
 * @throws VmImagesError (code "config") naming the file and every wrong field.
 */
export function parseConfig(text: string, file: string): VmImagesConfig {
  const problems: string[] = [];
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid YAML: ${messageOf(err)}`, { file }, { cause: err });
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(`${file} must be a YAML mapping with "source" and "libraries"`, { file });
  }
  const doc = raw as Record<string, unknown>;

  const apiVersion = (doc.apiVersion ?? DEFAULT_API_VERSION) as ApiVersion;
  if (!SUPPORTED_API_VERSIONS.includes(apiVersion)) {
    problems.push(`apiVersion "${String(doc.apiVersion)}" is not supported (use one of ${SUPPORTED_API_VERSIONS.join(", ")})`);
  }
  const naming = (doc.naming ?? "fromItemId") as NamingStrategy;
  if (naming !== "fromItemId" && naming !== "preferSourceId") problems.push(`naming "${String(doc.naming)}" must be fromItemId or preferSourceId`);
  const itemErrors = (doc.itemErrors ?? "fail") as ItemErrorPolicy;
  if (itemErrors !== "fail" && itemErrors !== "notReady") {
    problems.push(`itemErrors "${String(doc.itemErrors)}" must be fail (a bad item fails the run) or notReady (its image is written with Ready=False)`);
  }

  let source: SourceConfig | undefined;
  const src = doc.source as Record<string, unknown> | undefined;
  if (src === undefined || src === null || typeof src !== "object") {
    problems.push(`"source" is missing: give source.directory (a folder of libraries) or source.vcenter`);
  } else if (src.vcenter !== undefined && src.directory !== undefined) {
    problems.push(`"source" must have either "directory" or "vcenter", not both`);
  } else if (src.vcenter !== undefined) {
    source = parseVcenter(src.vcenter, file, problems);
  } else if (typeof src.directory === "string" && src.directory.trim() !== "") {
    source = { kind: "directory", directory: path.resolve(path.dirname(file), src.directory) };
  } else {
    problems.push(`source.directory must be a folder path (relative to ${path.basename(file)}), or give source.vcenter`);
  }

  const libraries: LibrarySelection[] = [];
  if (!Array.isArray(doc.libraries) || doc.libraries.length === 0) {
    problems.push(`"libraries" must list at least one library: { name, scope: cluster } or { name, namespace }`);
  } else {
    doc.libraries.forEach((entry: unknown, i: number) => {
      const lib = (entry ?? {}) as Record<string, unknown>;
      const name = typeof lib.name === "string" ? lib.name.trim() : "";
      const label = name ? `library "${name}"` : `libraries[${i}]`;
      if (!name) return void problems.push(`${label} needs a "name"`);
      if (libraries.some((l) => l.name === name)) return void problems.push(`${label} is listed twice`);
      const ns = lib.namespace;
      if (lib.scope === "cluster" && ns === undefined) return void libraries.push({ name, scope: { kind: "cluster" } });
      if (lib.scope !== undefined && lib.scope !== "namespace") return void problems.push(`${label} has scope "${String(lib.scope)}": use scope: cluster, or a namespace`);
      if (typeof ns !== "string" || !DNS1123_LABEL.test(ns) || ns.length > 63) {
        return void problems.push(`${label} needs "scope: cluster" or a valid "namespace" (a DNS-1123 label), got ${JSON.stringify(ns)}`);
      }
      libraries.push({ name, scope: { kind: "namespace", namespace: ns } });
    });
  }
  if (problems.length || source === undefined) {
    throw new ConfigError(`${file} is not a valid vmimages configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`, { file });
  }
  return { apiVersion, naming, itemErrors, source, libraries };
}

function parseVcenter(raw: unknown, file: string, problems: string[]): VcenterSourceConfig | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    problems.push("source.vcenter must be a mapping of server, username, passwordEnv, insecure, caFile, thumbprint, concurrency");
    return undefined;
  }
  const v = raw as Record<string, unknown>;
  const known = ["server", "username", "passwordEnv", "insecure", "caFile", "thumbprint", "concurrency"];
  for (const k of Object.keys(v)) {
    if (k === "password") problems.push(`source.vcenter.password is not read from files: put the password in an environment variable and name it in passwordEnv`);
    else if (!known.includes(k)) problems.push(`source.vcenter.${k} is not a known field (known: ${known.join(", ")})`);
  }
  const str = (k: string) => {
    if (v[k] === undefined) return undefined;
    if (typeof v[k] !== "string" || (v[k] as string).trim() === "") problems.push(`source.vcenter.${k} must be a non-empty string`);
    return typeof v[k] === "string" ? (v[k] as string).trim() : undefined;
  };
  const insecure = v.insecure;
  if (insecure !== undefined && typeof insecure !== "boolean") problems.push("source.vcenter.insecure must be true or false");
  const concurrency = v.concurrency;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && (concurrency as number) >= 1 && (concurrency as number) <= 64)) {
    problems.push(`source.vcenter.concurrency must be a whole number from 1 to 64, got ${JSON.stringify(concurrency)}`);
  }
  const thumbprint = str("thumbprint");
  if (thumbprint !== undefined && thumbprint.replace(/[^0-9a-fA-F]/g, "").length !== 64) {
    problems.push("source.vcenter.thumbprint must be a SHA-256 fingerprint (64 hex digits, colons allowed)");
  }
  const caFile = str("caFile");
  const out: Record<string, unknown> = { kind: "vcenter", passwordEnv: str("passwordEnv") ?? "VSPHERE_PASSWORD" };
  for (const [k, val] of Object.entries({ server: str("server"), username: str("username"), thumbprint, insecure, concurrency })) if (val !== undefined) out[k] = val;
  if (caFile !== undefined) out.caFile = path.resolve(path.dirname(file), caFile);
  return out as unknown as VcenterSourceConfig;
}

export async function loadConfig(file: string): Promise<VmImagesConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read the configuration ${file}: ${messageOf(err)}`, { file }, { cause: err });
  }
  return parseConfig(text, file);
}

/** The source a configuration names, with vCenter settings it leaves out taken from `env`. */
export function sourceSpec(config: VmImagesConfig, env: NodeJS.ProcessEnv = process.env): SourceSpec {
  return config.source.kind === "directory" ? config.source : { kind: "vcenter", connection: vcenterConnection(config.source, env) };
}

/**
 * A vCenter connection from `source.vcenter` and the usual environment (VSPHERE_SERVER, VSPHERE_USER,
 * the password variable, VSPHERE_ALLOW_UNVERIFIED_SSL). @throws ConfigError naming what is missing.
 */
export function vcenterConnection(cfg: VcenterSourceConfig, env: NodeJS.ProcessEnv): VcenterConnection {
  const server = cfg.server ?? env.VSPHERE_SERVER;
  const username = cfg.username ?? env.VSPHERE_USER;
  const password = env[cfg.passwordEnv];
  const missing = [
    !server && "the server (source.vcenter.server or VSPHERE_SERVER)",
    !username && "the username (source.vcenter.username or VSPHERE_USER)",
    !password && `the password (environment variable ${cfg.passwordEnv})`,
  ].filter(Boolean);
  if (missing.length) throw new ConfigError(`vCenter source: missing ${missing.join(", ")}`);
  let ca: string | undefined;
  if (cfg.caFile) {
    try {
      ca = readFileSync(cfg.caFile, "utf8");
    } catch (err) {
      throw new ConfigError(`vCenter source: cannot read caFile ${cfg.caFile}: ${messageOf(err)}`, { file: cfg.caFile }, { cause: err });
    }
  }
  const insecureEnv = /^(1|true|yes)$/i.test(env.VSPHERE_ALLOW_UNVERIFIED_SSL ?? "");
  return {
    server: server!,
    username: username!,
    password: password!,
    insecure: cfg.insecure ?? insecureEnv,
    ...(ca ? { ca } : {}),
    ...(cfg.thumbprint ? { thumbprint: cfg.thumbprint } : {}),
    ...(cfg.concurrency ? { concurrency: cfg.concurrency } : {}),
  };
}
