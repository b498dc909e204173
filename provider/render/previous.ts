import { parse as parseYaml } from "yaml";
import { CatalogDiff, ChangedImage, changedPaths, comparable } from "../catalog/diff";
import { CatalogImage, catalogEntry, compareImages } from "../catalog/catalog";
import { Condition, ImageManifest } from "../image/manifest";
import { KUSTOMIZATION, manifestPath } from "./folder";

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
    // The usual file: one condition, as render/yaml.ts writes it (keys sorted, scalars plain or
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
 * What changed between the files a previous run wrote and the new manifests and their rendered
 * files. Files with the same text are unchanged without being parsed; only changed and removed
 * files are parsed, to name the changed fields and the removed images.
 */
export function diffFolder(previous: ReadonlyMap<string, string>, manifests: readonly ImageManifest[], rendered: ReadonlyMap<string, string>): CatalogDiff {
  const added: CatalogImage[] = [];
  const changed: ChangedImage[] = [];
  const current = new Set<string>();
  for (const m of manifests) {
    const rel = manifestPath(m);
    current.add(rel);
    const before = previous.get(rel);
    if (before === undefined) {
      added.push(catalogEntry(m));
      continue;
    }
    if (before === rendered.get(rel)) continue;
    const old = parseManifest(before);
    const after = catalogEntry(m);
    if (old === undefined) {
      added.push(after);
      continue;
    }
    const fields = changedPaths(comparable(catalogEntry(old)), comparable(after), "");
    if (fields.length) changed.push({ before: catalogEntry(old), after, fields });
  }
  const removed: CatalogImage[] = [];
  for (const [rel, text] of previous) {
    if (rel === KUSTOMIZATION || current.has(rel)) continue;
    const old = parseManifest(text);
    if (old) removed.push(catalogEntry(old));
  }
  return { added: added.sort(compareImages), removed: removed.sort(compareImages), changed: changed.sort((a, b) => compareImages(a.after, b.after)) };
}

function parseManifest(text: string): ImageManifest | undefined {
  try {
    const doc = parseYaml(text, { version: "1.1" }) as ImageManifest | null;
    return doc?.metadata?.name && doc.status?.conditions ? doc : undefined;
  } catch {
    return undefined;
  }
}
