import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, isSeq, parseAllDocuments } from "yaml";
import { OutputError, messageOf } from "../../errors";
import { ImageManifest } from "../../image/manifest";
import { isRecord } from "../../util";

const IMAGE_KINDS = new Set(["VirtualMachineImage", "ClusterVirtualMachineImage"]);

/**
 * Every VirtualMachineImage and ClusterVirtualMachineImage in the YAML files below `dir`
 * (multi-document files included), whoever wrote them.
 * @throws OutputError naming the file that cannot be read or parsed.
 */
export async function readManifestsFolder(dir: string): Promise<ImageManifest[]> {
  let stat;
  try {
    stat = statSync(dir);
  } catch (err) {
    throw new OutputError(`cannot read the manifests folder ${dir}: ${messageOf(err)}`, { file: dir }, { cause: err });
  }
  if (!stat.isDirectory()) throw new OutputError(`${dir} is not a folder of manifests`, { file: dir });
  const out: ImageManifest[] = [];
  // Synchronous reads: a folder holds thousands of small files, and awaiting each in turn leaves the process idle.
  for (const file of yamlFiles(dir).sort()) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new OutputError(`cannot read ${file}: ${messageOf(err)}`, { file }, { cause: err });
    }
    // Duplicate keys are checked below in one pass: the parser's own check compares every key with
    // every other, quadratic in the keys of a map, which a hostile file can make huge.
    for (const doc of parseAllDocuments(text, { uniqueKeys: false })) {
      if (doc.errors.length) throw new OutputError(`${file} is not valid YAML: ${doc.errors[0]!.message}`, { file });
      const duplicate = duplicateKey(doc.contents);
      if (duplicate !== undefined) throw new OutputError(`${file} is not valid YAML: the key ${JSON.stringify(duplicate)} appears twice in one map`, { file });
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (err) {
        throw new OutputError(`${file} cannot be read: ${messageOf(err)}`, { file }, { cause: err });
      }
      const image = imageDocument(value, file);
      if (image) out.push(image);
    }
  }
  return out;
}

/**
 * The document as an image manifest when it is one (kind VirtualMachineImage or
 * ClusterVirtualMachineImage), undefined for any other document.
 * @throws OutputError naming the file when it claims to be an image but is not a readable one.
 */
function imageDocument(value: unknown, file: string): ImageManifest | undefined {
  if (!isRecord(value) || typeof value.kind !== "string" || !IMAGE_KINDS.has(value.kind)) return undefined;
  const bad = (what: string) => new OutputError(`${file}: a ${value.kind} ${what}`, { file });
  const metadata = value.metadata;
  if (!isRecord(metadata) || typeof metadata.name !== "string" || metadata.name === "") throw bad("without a metadata.name that is a string");
  const name = metadata.name;
  if (metadata.namespace !== undefined && typeof metadata.namespace !== "string") throw bad(`(${name}) whose metadata.namespace is not a string`);
  if (metadata.labels !== undefined && !(isRecord(metadata.labels) && Object.values(metadata.labels).every((v) => typeof v === "string"))) {
    throw bad(`(${name}) whose metadata.labels are not a map of strings`);
  }
  const status = value.status;
  if (!isRecord(status)) throw bad(`(${name}) without a status: its display name, type and OS are unknown`);
  if (typeof status.name !== "string") throw bad(`(${name}) without status.name, its display name`);
  if (status.conditions !== undefined && !Array.isArray(status.conditions)) throw bad(`(${name}) whose status.conditions is not a list`);
  if (status.capabilities !== undefined && !(Array.isArray(status.capabilities) && status.capabilities.every((c) => typeof c === "string"))) {
    throw bad(`(${name}) whose status.capabilities is not a list of strings`);
  }
  return { ...value, status: { ...status, conditions: status.conditions ?? [] } } as unknown as ImageManifest;
}

/** A key that appears twice in one map anywhere in the document, in one pass over it. */
function duplicateKey(node: unknown): string | undefined {
  const stack = [node];
  while (stack.length) {
    const n = stack.pop();
    if (isMap(n)) {
      const seen = new Set<string>();
      for (const pair of n.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(pair.key);
        if (seen.has(key)) return key;
        seen.add(key);
        stack.push(pair.value);
      }
    } else if (isSeq(n)) stack.push(...n.items);
  }
  return undefined;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(full));
    else if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push(full);
  }
  return out;
}
