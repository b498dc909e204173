import * as path from "node:path";
import { promises as fs } from "node:fs";
import { parse as parseYaml } from "yaml";
import { VmImagesError, messageOf } from "./errors";
import { NamingStrategy } from "./image/naming";
import { LibrarySelection } from "./read";
import { ApiVersion, DEFAULT_API_VERSION, SUPPORTED_API_VERSIONS } from "./types";

/** The `vmimages.yaml` configuration of the CLI, checked and with paths made absolute. */
export interface VmImagesConfig {
  /** @default vmoperator.vmware.com/v1alpha5 */
  readonly apiVersion: ApiVersion;
  /** @default fromItemId */
  readonly naming: NamingStrategy;
  readonly source: SourceConfig;
  readonly libraries: readonly LibrarySelection[];
}

export type SourceConfig = { readonly kind: "directory"; readonly directory: string };

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
    throw new VmImagesError("config", `${file} is not valid YAML: ${messageOf(err)}`, { file });
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new VmImagesError("config", `${file} must be a YAML mapping with "source" and "libraries"`, { file });
  }
  const doc = raw as Record<string, unknown>;

  const apiVersion = (doc.apiVersion ?? DEFAULT_API_VERSION) as ApiVersion;
  if (!SUPPORTED_API_VERSIONS.includes(apiVersion)) {
    problems.push(`apiVersion "${String(doc.apiVersion)}" is not supported (use one of ${SUPPORTED_API_VERSIONS.join(", ")})`);
  }
  const naming = (doc.naming ?? "fromItemId") as NamingStrategy;
  if (naming !== "fromItemId" && naming !== "preferSourceId") problems.push(`naming "${String(doc.naming)}" must be fromItemId or preferSourceId`);

  let source: SourceConfig | undefined;
  const src = doc.source as Record<string, unknown> | undefined;
  if (src === undefined || src === null || typeof src !== "object") {
    problems.push(`"source" is missing: give source.directory (a folder of libraries)`);
  } else if (typeof src.directory === "string" && src.directory.trim() !== "") {
    source = { kind: "directory", directory: path.resolve(path.dirname(file), src.directory) };
  } else {
    problems.push(`source.directory must be a folder path (relative to ${path.basename(file)})`);
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
    throw new VmImagesError("config", `${file} is not a valid vmimages configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`, { file });
  }
  return { apiVersion, naming, source, libraries };
}

export async function loadConfig(file: string): Promise<VmImagesConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    throw new VmImagesError("config", `cannot read the configuration ${file}: ${messageOf(err)}`, { file });
  }
  return parseConfig(text, file);
}
