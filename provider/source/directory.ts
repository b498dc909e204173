import { createHash } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import * as path from "node:path";
import { SourceError, VmImagesError, messageOf } from "../errors";
import { ItemId, ItemType, LibraryInfo, LibraryItem } from "../types";
import { compareCodeUnits } from "../util";
import { readOvaDescriptor } from "./ova";
import { ContentLibrarySource, ListedItems } from "./source";

/** The project's namespace for UUIDv5 item ids of files without a sidecar id. Never change it. */
export const OFFLINE_ITEM_NAMESPACE = "5b1b5ef4-3c63-4f43-9a57-8f6b2f0d7c21";

const ITEM_EXTENSIONS: Readonly<Record<string, ItemType>> = { ".ovf": "ovf", ".ova": "ovf", ".iso": "iso" };

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The optional `<file without extension>.item.json` beside an item file. */
export interface Sidecar {
  readonly id?: string;
  readonly name?: string;
  readonly description?: string;
  readonly contentVersion?: string;
}

/**
 * An offline library folder: every immediate subfolder of `root` is a library named after it, and
 * every `*.ovf`, `*.ova` and `*.iso` below it is an item.
 */
export class DirectorySource implements ContentLibrarySource {
  readonly description: string;

  constructor(readonly root: string) {
    this.description = `folder ${root}`;
  }

  async listLibraries(): Promise<LibraryInfo[]> {
    let entries;
    try {
      entries = await fs.readdir(this.root, { withFileTypes: true });
    } catch (err) {
      throw new SourceError(`cannot read the library folder ${this.root}: ${messageOf(err)}`, { file: this.root }, { cause: err });
    }
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith("."))
      .map((e) => ({ id: `offline:${e.name}`, name: e.name, type: "OFFLINE" as const }))
      .sort((a, b) => compareCodeUnits(a.name, b.name));
  }

  async listItems(library: LibraryInfo): Promise<ListedItems> {
    const dir = path.join(this.root, library.name);
    const files = (await walk(dir)).filter((f) => ITEM_EXTENSIONS[path.extname(f).toLowerCase()] !== undefined);
    const items: LibraryItem[] = [];
    const problems: VmImagesError[] = [];
    for (const file of files.sort(compareCodeUnits)) {
      try {
        items.push(await describeFile(library.name, dir, file));
      } catch (err) {
        problems.push(
          err instanceof VmImagesError
            ? err
            : new SourceError(`library "${library.name}" at ${file}: ${messageOf(err)}`, { library: library.name, file }, { cause: err }),
        );
      }
    }
    return { items, problems };
  }

  async fetchDescriptor(_library: LibraryInfo, item: LibraryItem): Promise<string> {
    const file = item.location!;
    if (file.toLowerCase().endsWith(".ova")) return readOvaDescriptor(file);
    return fs.readFile(file, "utf8");
  }

  async close(): Promise<void> {}
}

async function describeFile(library: string, libraryDir: string, file: string): Promise<LibraryItem> {
  const relative = path.relative(libraryDir, file).split(path.sep).join("/");
  const ext = path.extname(file);
  const sidecarPath = file.slice(0, -ext.length) + ".item.json";
  const sidecar = await readSidecar(library, sidecarPath);
  const id = (sidecar.id ?? uuid().v5(`${library}/${relative}`, OFFLINE_ITEM_NAMESPACE)) as ItemId;
  return {
    id,
    name: sidecar.name ?? path.basename(file, ext),
    type: ITEM_EXTENSIONS[ext.toLowerCase()]!,
    contentVersion: sidecar.contentVersion ?? (await hashFile(file)),
    ...(sidecar.description !== undefined ? { description: sidecar.description } : {}),
    location: file,
  };
}

/** Reads and checks a sidecar; a missing one is an empty sidecar. */
export async function readSidecar(library: string, file: string): Promise<Sidecar> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new SourceError(`library "${library}": cannot read sidecar ${file}: ${messageOf(err)}`, { library, file }, { cause: err });
  }
  return parseSidecar(text, { library, file });
}

/** Validates a sidecar's JSON text. @throws VmImagesError naming the file and the bad field. */
export function parseSidecar(text: string, where: { library: string; file: string }): Sidecar {
  const fail = (what: string, cause?: unknown) => new SourceError(`library "${where.library}": sidecar ${where.file} ${what}`, where, cause === undefined ? undefined : { cause });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw fail(`is not valid JSON: ${messageOf(err)}`, err);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) throw fail("must be a JSON object");
  const obj = data as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of ["id", "name", "description", "contentVersion"] as const) {
    const value = obj[key];
    if (value === undefined) continue;
    if (typeof value !== "string" || (key !== "description" && value.trim() === "")) {
      throw fail(`has an invalid "${key}": ${JSON.stringify(value)} (expected a non-empty string)`);
    }
    out[key] = value;
  }
  if (out.id !== undefined) {
    // Any UUID in its canonical text form, whatever its version and variant bits (vCenter's ids
    // are not all RFC 4122 ones); compared and hashed in lower case, as vCenter writes ids.
    if (!CANONICAL_UUID.test(out.id)) throw fail(`has an invalid "id": "${out.id}" is not a UUID in its canonical form (8-4-4-4-12 hex digits, like e1968c25-dd84-4506-8dc7-9beacb6b688e)`);
    out.id = out.id.toLowerCase();
  }
  const unknown = Object.keys(obj).filter((k) => !["id", "name", "description", "contentVersion"].includes(k));
  if (unknown.length) throw fail(`has unknown field(s) ${unknown.map((k) => `"${k}"`).join(", ")} (allowed: id, name, description, contentVersion)`);
  return out;
}

/** Every file below `dir`; a link that cannot be followed is listed too, so reading it reports it. */
async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    const isDir = e.isDirectory() || (e.isSymbolicLink() && (await fs.stat(full).then((s) => s.isDirectory(), () => false)));
    if (isDir) out.push(...(await walk(full)));
    else if (e.isFile() || e.isSymbolicLink()) out.push(full);
  }
  return out;
}

/** SHA-256 of the file's bytes, streamed: an edited file gets a new content version. */
async function hashFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex").slice(0, 32)}`;
}

/** `uuid` (for UUIDv5 ids), loaded on first use: the CLI loads this module for every source, vCenter included. */
function uuid(): typeof import("uuid") {
  return require("uuid") as typeof import("uuid");
}
