import { ConfigError, Location } from "../errors";
import { checkSubscriptionUrl, shown } from "../source/published/urls";
import { thumbprintAlgorithm } from "../source/vcenter/tls";
import { ApiVersion, DEFAULT_API_VERSION, ItemErrorPolicy, LibrarySelection, NamingStrategy, PublishedLibraryConnection, SUPPORTED_API_VERSIONS, VcenterConnection } from "../types";
import { isRecord } from "../util";

/**
 * What a user asks a run for, read the same way from every face: `vmimages.yaml` (the CLI) and the
 * arguments of `ContentLibraryImages` (the Pulumi component) take the same fields, with the same
 * checks and the same messages, each naming the field's path.
 */

/** The choices of a run besides its source. */
export interface RunChoices {
  /** @default vmoperator.vmware.com/v1alpha5 */
  readonly apiVersion: ApiVersion;
  /** @default fromItemId */
  readonly naming: NamingStrategy;
  /** @default fail */
  readonly itemErrors: ItemErrorPolicy;
  readonly libraries: readonly LibrarySelection[];
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Reads `apiVersion`, `naming`, `itemErrors` and `libraries` (each `{ name, scope: cluster }` or
 * `{ name, namespace }`). Every problem is added to `problems`; what could be read is returned.
 */
export function readChoices(doc: Readonly<Record<string, unknown>>, problems: string[]): RunChoices {
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
  return { apiVersion, naming, itemErrors, libraries: readLibraries(doc.libraries, problems) };
}

function readLibraries(raw: unknown, problems: string[]): LibrarySelection[] {
  const libraries: LibrarySelection[] = [];
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push(`"libraries" must list at least one library: { name, scope: cluster } or { name, namespace }`);
    return libraries;
  }
  raw.forEach((entry: unknown, i: number) => {
    const lib = isRecord(entry) ? entry : {};
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
  return libraries;
}

/** The vCenter settings both faces take as they are (the password and CA each face gets its own way). */
export interface VcenterFields {
  readonly server?: string;
  readonly username?: string;
  readonly insecure?: boolean;
  readonly thumbprint?: string;
  readonly concurrency?: number;
}

/** Reads and checks `server`, `username`, `insecure`, `thumbprint` and `concurrency` of `source.vcenter`; problems go to `problems`. */
export function readVcenterFields(v: Readonly<Record<string, unknown>>, problems: string[]): VcenterFields {
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
  checkThumbprint(thumbprint, "source.vcenter.thumbprint", problems);
  const fields: Record<string, unknown> = {};
  for (const [k, val] of Object.entries({ server: str("server"), username: str("username"), thumbprint, insecure, concurrency })) if (val !== undefined) fields[k] = val;
  return fields as VcenterFields;
}

/** A thumbprint must be SHA-1 (as vCenter shows it) or SHA-256, in hex digits; anything else is a problem. */
function checkThumbprint(value: string | undefined, field: string, problems: string[]): void {
  if (value === undefined) return;
  if (/[^0-9a-fA-F:\s]/.test(value) || thumbprintAlgorithm(value) === undefined) {
    problems.push(`${field} must be a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) fingerprint, colons allowed`);
  }
}

/** Where each face tells the user to give a missing setting. */
export interface MissingHints {
  readonly server: string;
  readonly username: string;
  readonly password: string;
}

/**
 * A vCenter connection from settings read by `readVcenterFields`, with the password and CA each face
 * resolved. @throws ConfigError naming everything that is missing (never a value).
 */
export function vcenterConnection(fields: VcenterFields & { readonly password?: string; readonly ca?: string }, hints: MissingHints): VcenterConnection {
  const missing = [!fields.server && `the server (${hints.server})`, !fields.username && `the username (${hints.username})`, !fields.password && `the password (${hints.password})`].filter(Boolean);
  if (missing.length) throw new ConfigError(`vCenter source: missing ${missing.join(", ")}`);
  return {
    server: fields.server!,
    username: fields.username!,
    password: fields.password!,
    insecure: fields.insecure ?? false,
    ...(fields.ca ? { ca: fields.ca } : {}),
    ...(fields.thumbprint ? { thumbprint: fields.thumbprint } : {}),
    ...(fields.concurrency ? { concurrency: fields.concurrency } : {}),
  };
}

/** The settings of one published library both faces take as they are (the password and CA each face gets its own way). */
export interface PublishedFields {
  /** The subscription URL, checked (http or https, no credentials in it). */
  readonly url: string;
  readonly username?: string;
  readonly insecure?: boolean;
  readonly thumbprint?: string;
  readonly concurrency?: number;
}

/** Fields every face reads the same way in each entry of `source.published`. */
export const PUBLISHED_FIELDS = ["url", "username", "insecure", "thumbprint", "concurrency"] as const;

/**
 * The entries of `source.published`: a list of mappings, or one mapping taken as a list of one,
 * each with the path messages name it by (`source.published[0]`).
 */
export function publishedEntries(raw: unknown, problems: string[]): Array<{ readonly label: string; readonly entry: Readonly<Record<string, unknown>> }> {
  const list = Array.isArray(raw) ? raw : isRecord(raw) ? [raw] : undefined;
  if (list === undefined || list.length === 0) {
    problems.push("source.published must list at least one library: { url } (the URL of its lib.json), with username, password, CA, thumbprint, insecure or concurrency as it needs");
    return [];
  }
  const entries: Array<{ label: string; entry: Record<string, unknown> }> = [];
  list.forEach((entry: unknown, i: number) => {
    const label = Array.isArray(raw) ? `source.published[${i}]` : "source.published";
    if (!isRecord(entry)) problems.push(`${label} must be a mapping with at least a "url"`);
    else entries.push({ label, entry });
  });
  return entries;
}

/**
 * Reads and checks `url`, `username`, `insecure`, `thumbprint` and `concurrency` of an entry of
 * `source.published`; problems go to `problems`, naming `label` and never a password.
 */
export function readPublishedFields(v: Readonly<Record<string, unknown>>, label: string, problems: string[]): PublishedFields | undefined {
  let url: URL | undefined;
  if (typeof v.url !== "string" || v.url.trim() === "") problems.push(`${label}.url must be the URL of the library's lib.json`);
  else {
    const checked = checkSubscriptionUrl(v.url.trim());
    if ("problem" in checked) problems.push(`${label}.url ${checked.problem}`);
    else url = checked.url;
  }
  if (v.username !== undefined && typeof v.username !== "string") problems.push(`${label}.username must be a string`);
  if (v.insecure !== undefined && typeof v.insecure !== "boolean") problems.push(`${label}.insecure must be true or false`);
  const concurrency = v.concurrency;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && (concurrency as number) >= 1 && (concurrency as number) <= 64)) {
    problems.push(`${label}.concurrency must be a whole number from 1 to 64, got ${JSON.stringify(concurrency)}`);
  }
  let thumbprint: string | undefined;
  if (v.thumbprint !== undefined) {
    if (typeof v.thumbprint !== "string" || v.thumbprint.trim() === "") problems.push(`${label}.thumbprint must be a non-empty string`);
    else {
      thumbprint = v.thumbprint.trim();
      checkThumbprint(thumbprint, `${label}.thumbprint`, problems);
      if (url?.protocol === "http:") problems.push(`${label}.thumbprint pins a TLS certificate, and ${shown(url)} is plain http://: use its https:// URL`);
    }
  }
  if (url === undefined) return undefined;
  return {
    url: url.href,
    ...(typeof v.username === "string" ? { username: v.username } : {}),
    ...(typeof v.insecure === "boolean" ? { insecure: v.insecure } : {}),
    ...(thumbprint !== undefined ? { thumbprint } : {}),
    ...(typeof concurrency === "number" ? { concurrency } : {}),
  };
}

/** Two entries of `source.published` with one URL are a problem: each library is read once. */
export function checkPublishedUrls(fields: ReadonlyArray<{ readonly label: string; readonly url: string }>, problems: string[]): void {
  const seen = new Map<string, string>();
  for (const { label, url } of fields) {
    const first = seen.get(url);
    if (first !== undefined) problems.push(`${label}.url is ${first}'s too (${url}): list each library once`);
    else seen.set(url, label);
  }
}

/**
 * A published library's connection from fields read by `readPublishedFields`, with the password
 * and CA each face resolved. Credentials never cross plain HTTP unless `insecure` says to send
 * them anyway. @throws ConfigError naming the entry (never the password).
 */
export function publishedConnection(fields: PublishedFields & { readonly password?: string; readonly ca?: string }, label: string): PublishedLibraryConnection {
  const http = new URL(fields.url).protocol === "http:";
  if (fields.password !== undefined && http && fields.insecure !== true) {
    throw new ConfigError(`${label} (${fields.url}): HTTP Basic would send the password in clear over plain http://: use the library's https:// URL, or set insecure: true to send it anyway`);
  }
  if (fields.ca !== undefined && http) throw new ConfigError(`${label} (${fields.url}): a CA is for https:// URLs, and this one is plain http://`);
  if (fields.username !== undefined && fields.password === undefined) throw new ConfigError(`${label} (${fields.url}): a username is given without a password`);
  return {
    url: fields.url,
    ...(fields.password !== undefined ? { username: fields.username ?? "vcsp", password: fields.password } : {}),
    insecure: fields.insecure ?? false,
    ...(fields.ca !== undefined ? { ca: fields.ca } : {}),
    ...(fields.thumbprint !== undefined ? { thumbprint: fields.thumbprint } : {}),
    ...(fields.concurrency !== undefined ? { concurrency: fields.concurrency } : {}),
  };
}

/** @throws ConfigError listing every problem under a heading that names where they are (a file, the component). */
export function throwProblems(problems: readonly string[], heading: string, location: Location = {}): void {
  if (problems.length) throw new ConfigError(`${heading}:\n${problems.map((p) => `  - ${p}`).join("\n")}`, location);
}
