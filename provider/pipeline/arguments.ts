import { ConfigError, Location } from "../errors";
import { ApiVersion, DEFAULT_API_VERSION, ItemErrorPolicy, LibrarySelection, NamingStrategy, SUPPORTED_API_VERSIONS, VcenterConnection } from "../types";
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
  if (thumbprint !== undefined && thumbprint.replace(/[^0-9a-fA-F]/g, "").length !== 64) {
    problems.push("source.vcenter.thumbprint must be a SHA-256 fingerprint (64 hex digits, colons allowed)");
  }
  const fields: Record<string, unknown> = {};
  for (const [k, val] of Object.entries({ server: str("server"), username: str("username"), thumbprint, insecure, concurrency })) if (val !== undefined) fields[k] = val;
  return fields as VcenterFields;
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

/** @throws ConfigError listing every problem under a heading that names where they are (a file, the component). */
export function throwProblems(problems: readonly string[], heading: string, location: Location = {}): void {
  if (problems.length) throw new ConfigError(`${heading}:\n${problems.map((p) => `  - ${p}`).join("\n")}`, location);
}
