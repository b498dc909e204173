import * as path from "node:path";
import { promises as fs, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError, messageOf } from "../errors";
import {
  PUBLISHED_FIELDS,
  PublishedFields,
  RunChoices,
  VcenterFields,
  checkPublishedUrls,
  publishedConnection,
  publishedEntries,
  readChoices,
  readPublishedFields,
  readVcenterFields,
  throwProblems,
  vcenterConnection as connectionOf,
} from "../pipeline/arguments";
import { PublishedLibraryConnection, SourceSpec, VcenterConnection } from "../types";
import { isRecord } from "../util";

/** The `vmimages.yaml` configuration of the CLI, checked and with paths made absolute. */
export interface VmImagesConfig extends RunChoices {
  readonly source: SourceConfig;
}

export type SourceConfig = { readonly kind: "directory"; readonly directory: string } | VcenterSourceConfig | PublishedSourceConfig;

/** `source.published`: libraries read by their subscription URLs. */
export interface PublishedSourceConfig {
  readonly kind: "published";
  readonly libraries: readonly PublishedLibraryConfig[];
}

/**
 * One entry of `source.published`. The password comes from the environment variable `passwordEnv`
 * names, never from the file.
 */
export interface PublishedLibraryConfig extends PublishedFields {
  /** How messages name the entry: `source.published[0]`. */
  readonly label: string;
  readonly passwordEnv?: string;
  /** A PEM CA bundle, absolute (given relative to the config file). */
  readonly caFile?: string;
}

/**
 * `source.vcenter`. Absent fields come from the environment vSphere tooling uses: VSPHERE_SERVER,
 * VSPHERE_USER, the variable named by `passwordEnv` (default VSPHERE_PASSWORD) and
 * VSPHERE_ALLOW_UNVERIFIED_SSL. The password itself never appears in the file.
 */
export interface VcenterSourceConfig extends VcenterFields {
  readonly kind: "vcenter";
  /** @default VSPHERE_PASSWORD */
  readonly passwordEnv: string;
  /** A PEM CA bundle, relative to the config file. */
  readonly caFile?: string;
}

const VCENTER_FIELDS = ["server", "username", "passwordEnv", "insecure", "caFile", "thumbprint", "concurrency"];
const PUBLISHED_FILE_FIELDS: readonly string[] = [...PUBLISHED_FIELDS, "passwordEnv", "caFile"];
const SOURCE_KINDS = ["directory", "vcenter", "published"] as const;

/**
 * Parses and checks a configuration. `source.directory` is relative to the config file's folder.
 * @throws ConfigError naming the file and every wrong field.
 */
export function parseConfig(text: string, file: string): VmImagesConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid YAML: ${messageOf(err)}`, { file }, { cause: err });
  }
  if (!isRecord(raw)) throw new ConfigError(`${file} must be a YAML mapping with "source" and "libraries"`, { file });
  const problems: string[] = [];
  const choices = readChoices(raw, problems);
  const source = readSource(raw.source, file, problems);
  throwProblems(problems, `${file} is not a valid vmimages configuration`, { file });
  return { ...choices, source: source! };
}

function readSource(src: unknown, file: string, problems: string[]): SourceConfig | undefined {
  if (!isRecord(src)) {
    problems.push(`"source" is missing: give source.directory (a folder of libraries), source.vcenter or source.published`);
    return undefined;
  }
  const given = SOURCE_KINDS.filter((k) => src[k] !== undefined);
  if (given.length > 1) {
    problems.push(`"source" must have one of ${SOURCE_KINDS.map((k) => `"${k}"`).join(", ")}, not ${given.map((k) => `"${k}"`).join(" and ")}`);
    return undefined;
  }
  if (src.vcenter !== undefined) return readVcenter(src.vcenter, file, problems);
  if (src.published !== undefined) return readPublished(src.published, file, problems);
  if (typeof src.directory === "string" && src.directory.trim() !== "") return { kind: "directory", directory: path.resolve(path.dirname(file), src.directory) };
  problems.push(`source.directory must be a folder path (relative to ${path.basename(file)}), or give source.vcenter or source.published`);
  return undefined;
}

function readPublished(raw: unknown, file: string, problems: string[]): PublishedSourceConfig | undefined {
  const libraries: PublishedLibraryConfig[] = [];
  for (const { label, entry } of publishedEntries(raw, problems)) {
    for (const k of Object.keys(entry)) {
      if (k === "password") problems.push(`${label}.password is not read from files: put the password in an environment variable and name it in passwordEnv`);
      else if (!PUBLISHED_FILE_FIELDS.includes(k)) problems.push(`${label}.${k} is not a known field (known: ${PUBLISHED_FILE_FIELDS.join(", ")})`);
    }
    const fields = readPublishedFields(entry, label, problems);
    const text = (k: "passwordEnv" | "caFile") => {
      const v = entry[k];
      if (v === undefined) return undefined;
      if (typeof v !== "string" || v.trim() === "") problems.push(`${label}.${k} must be a non-empty string`);
      return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
    };
    const passwordEnv = text("passwordEnv");
    const caFile = text("caFile");
    if (fields === undefined) continue;
    libraries.push({ ...fields, label, ...(passwordEnv !== undefined ? { passwordEnv } : {}), ...(caFile !== undefined ? { caFile: path.resolve(path.dirname(file), caFile) } : {}) });
  }
  checkPublishedUrls(libraries, problems);
  return { kind: "published", libraries };
}

function readVcenter(raw: unknown, file: string, problems: string[]): VcenterSourceConfig | undefined {
  if (!isRecord(raw)) {
    problems.push(`source.vcenter must be a mapping of ${VCENTER_FIELDS.join(", ")}`);
    return undefined;
  }
  for (const k of Object.keys(raw)) {
    if (k === "password") problems.push(`source.vcenter.password is not read from files: put the password in an environment variable and name it in passwordEnv`);
    else if (!VCENTER_FIELDS.includes(k)) problems.push(`source.vcenter.${k} is not a known field (known: ${VCENTER_FIELDS.join(", ")})`);
  }
  const fileField = (k: "passwordEnv" | "caFile") => {
    const v = raw[k];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v.trim() === "") problems.push(`source.vcenter.${k} must be a non-empty string`);
    return typeof v === "string" ? v.trim() : undefined;
  };
  const passwordEnv = fileField("passwordEnv") ?? "VSPHERE_PASSWORD";
  const caFile = fileField("caFile");
  return { kind: "vcenter", passwordEnv, ...readVcenterFields(raw, problems), ...(caFile !== undefined ? { caFile: path.resolve(path.dirname(file), caFile) } : {}) };
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
  switch (config.source.kind) {
    case "directory":
      return config.source;
    case "vcenter":
      return { kind: "vcenter", connection: vcenterConnection(config.source, env) };
    case "published":
      return { kind: "published", libraries: config.source.libraries.map((lib) => publishedLibraryConnection(lib, env)) };
  }
}

/**
 * A published library's connection from its entry, the password from the variable `passwordEnv`
 * names. @throws ConfigError when that variable is not set, or the CA file cannot be read.
 */
export function publishedLibraryConnection(cfg: PublishedLibraryConfig, env: NodeJS.ProcessEnv): PublishedLibraryConnection {
  const { label, passwordEnv, caFile, ...fields } = cfg;
  const password = passwordEnv !== undefined ? env[passwordEnv] : undefined;
  if (passwordEnv !== undefined && (password === undefined || password === "")) {
    throw new ConfigError(`${label} (${fields.url}): the environment variable ${passwordEnv}, which passwordEnv names, is not set`);
  }
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile, "utf8");
    } catch (err) {
      throw new ConfigError(`${label} (${fields.url}): cannot read caFile ${caFile}: ${messageOf(err)}`, { file: caFile }, { cause: err });
    }
  }
  return publishedConnection({ ...fields, ...(password !== undefined ? { password } : {}), ...(ca !== undefined ? { ca } : {}) }, label);
}

/**
 * A vCenter connection from `source.vcenter` and the usual environment (VSPHERE_SERVER, VSPHERE_USER,
 * the password variable, VSPHERE_ALLOW_UNVERIFIED_SSL). @throws ConfigError naming what is missing.
 */
export function vcenterConnection(cfg: VcenterSourceConfig, env: NodeJS.ProcessEnv): VcenterConnection {
  const { kind: _kind, passwordEnv, caFile, ...fields } = cfg;
  const server = fields.server ?? env.VSPHERE_SERVER;
  const username = fields.username ?? env.VSPHERE_USER;
  const connection = connectionOf(
    {
      ...fields,
      ...(server ? { server } : {}),
      ...(username ? { username } : {}),
      ...(env[passwordEnv] ? { password: env[passwordEnv] } : {}),
      insecure: fields.insecure ?? /^(1|true|yes)$/i.test(env.VSPHERE_ALLOW_UNVERIFIED_SSL ?? ""),
    },
    { server: "source.vcenter.server or VSPHERE_SERVER", username: "source.vcenter.username or VSPHERE_USER", password: `environment variable ${passwordEnv}` },
  );
  if (!caFile) return connection;
  try {
    return { ...connection, ca: readFileSync(caFile, "utf8") };
  } catch (err) {
    throw new ConfigError(`vCenter source: cannot read caFile ${caFile}: ${messageOf(err)}`, { file: caFile }, { cause: err });
  }
}
