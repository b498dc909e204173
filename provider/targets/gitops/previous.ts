import { parse as parseYaml } from "yaml";
import { Catalog, CatalogImage, catalogEntry, compareImages } from "../../catalog/catalog";
import { Condition, ImageManifest } from "../../image/manifest";
import { KUSTOMIZATION, manifestPath } from "./layout";

/**
 * What a previous run's files say, read without parsing every file: unchanged images are the
 * bulk of a run, and their files are compared as text.
 */

/**
 * The conditions of a manifest file this project wrote, parsed from its `conditions:` block alone.
 * Undefined when the file has none or cannot be read.
 */
export function conditionsOf(text: string): Condition[] | undefined {
  const start = text.indexOf("\n  conditions:\n");
  if (start < 0) return undefined;
  const single = SINGLE_CONDITION.exec(text.slice(start));
  if (single) {
    // The usual file: one condition, as yaml.ts writes it (keys sorted, scalars plain or
    // JSON-quoted); read without a YAML parser, which costs more than everything else per file.
    const [, lastTransitionTime, message, reason, status, type] = single.map((v) => (v?.startsWith('"') ? (JSON.parse(v) as string) : v));
    return [{ lastTransitionTime: lastTransitionTime!, message: message!, reason: reason!, status: status as Condition["status"], type: type! }];
  }
  const next = /\n {2}[^ -]/g;
  next.lastIndex = start + 15;
  const end = next.exec(text)?.index ?? text.length;
  try {
    const block = parseYaml(text.slice(start + 1, end).replace(/^ {2}/gm, ""), { version: "1.1" }) as { conditions?: unknown };
    return Array.isArray(block?.conditions) ? (block.conditions as Condition[]) : undefined;
  } catch {
    return undefined;
  }
}

const SCALAR = `("(?:[^"\\\\]|\\\\.)*"|[^"\\n][^\\n]*)`;
const SINGLE_CONDITION = new RegExp(
  `^\\n  conditions:\\n    - lastTransitionTime: ${SCALAR}\\n      message: ${SCALAR}\\n      reason: ${SCALAR}\\n      status: ${SCALAR}\\n      type: ${SCALAR}\\n  [^ -]`,
);

/** The previous conditions of each image, by its file path, for `keepTransitionTimes`. */
export function previousConditions(files: ReadonlyMap<string, string>): (m: ImageManifest) => readonly Condition[] | undefined {
  return (m) => {
    const text = files.get(manifestPath(m));
    return text === undefined ? undefined : conditionsOf(text);
  };
}

/**
 * The catalog of the images a previous run wrote, for the catalog's diff against a new run. A file
 * whose text is what the new run renders is the new run's image (`current`, by path), taken without
 * parsing: unchanged images are the bulk of a run, and the diff skips an image that is the same
 * object on both sides. Only changed and removed files are parsed; one that cannot be read as an
 * image counts as absent.
 */
export function previousCatalog(previous: ReadonlyMap<string, string>, current: ReadonlyMap<string, { readonly text: string; readonly image: CatalogImage }>): Catalog {
  const images: CatalogImage[] = [];
  for (const [rel, text] of previous) {
    if (rel === KUSTOMIZATION) continue;
    const now = current.get(rel);
    if (now !== undefined && now.text === text) {
      images.push(now.image);
      continue;
    }
    const old = parseManifest(text);
    if (old) images.push(catalogEntry(old));
  }
  return { images: images.sort(compareImages) };
}

function parseManifest(text: string): ImageManifest | undefined {
  try {
    const doc = parseYaml(text, { version: "1.1" }) as ImageManifest | null;
    return doc?.metadata?.name && doc.status?.conditions ? doc : undefined;
  } catch {
    return undefined;
  }
}
