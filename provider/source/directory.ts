import { createHash } from "node:crypto";
import { closeSync, constants, createReadStream, Dirent, fstatSync, promises as fs, openSync, readFileSync, Stats } from "node:fs";
import * as path from "node:path";
import pLimit from "p-limit";
import { SourceError, VmImagesError, messageOf } from "../errors";
import { ItemId, ItemType, LibraryInfo, LibraryItem } from "../types";
import { compareCodeUnits } from "../util";
import { MAX_DESCRIPTOR_BYTES, readOvaDescriptor } from "./ova";
import { ContentLibrarySource, ListedItems } from "./source";

/** The project's namespace for UUIDv5 item ids of files without a sidecar id. Never change it. */
export const OFFLINE_ITEM_NAMESPACE = "5b1b5ef4-3c63-4f43-9a57-8f6b2f0d7c21";

const ITEM_EXTENSIONS: Readonly<Record<string, ItemType>> = { ".ovf": "ovf", ".ova": "ovf", ".iso": "iso" };

/** Item files described at once while listing a library. */
const LISTING_CONCURRENCY = 16;

/** At most this many bytes of descriptors read while listing are kept for their fetch; the rest are read again then. */
const KEPT_DESCRIPTOR_BYTES = 64 * 1024 * 1024;

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
  /**
   * The bytes of the OVF files the listing read to hash them, until their fetch: each descriptor
   * is read once per run, and its content version is that of the bytes parsed.
   */
  private readonly kept = new Map<string, Buffer>();
  private keptBytes = 0;

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
    // A symbolic link counts as a library too: reading it says whether it leads to a folder.
    return entries
      .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith("."))
      .map((e) => ({ id: `offline:${e.name}`, name: e.name, type: "OFFLINE" as const }))
      .sort((a, b) => compareCodeUnits(a.name, b.name));
  }

  async listItems(library: LibraryInfo): Promise<ListedItems> {
    const dir = path.join(this.root, library.name);
    const problems: VmImagesError[] = [];
    const problem = (file: string, what: string, cause?: unknown) =>
      problems.push(new SourceError(`library "${library.name}" at ${file}: ${what}`, { library: library.name, file }, cause === undefined ? undefined : { cause }));
    let top: Stats;
    try {
      top = await fs.stat(dir);
    } catch (err) {
      // A library that cannot be read is an error, never an empty library whose images look deleted.
      throw new SourceError(`library "${library.name}": cannot read its folder ${dir}: ${describeFsError(err, dir)}`, { library: library.name, file: dir }, { cause: err });
    }
    if (!top.isDirectory()) throw new SourceError(`library "${library.name}": ${dir} is not a folder`, { library: library.name, file: dir });
    const seen = new Set<string>();
    const files = (await walk(dir, { real: await fs.realpath(dir), ancestors: new Set([fileKey(top)]), problem, seen })).filter((f) => ITEM_EXTENSIONS[path.extname(f).toLowerCase()] !== undefined);
    // Several files at once (each is a sidecar lookup and a hash: waits on the disk more than work),
    // their items and problems kept in the files' order.
    const limit = pLimit(LISTING_CONCURRENCY);
    const described = await Promise.all(
      files.sort(compareCodeUnits).map((file) =>
        limit(async (): Promise<LibraryItem | VmImagesError> => {
          try {
            return await describeFile(library.name, dir, file, seen, (bytes) => this.keep(file, bytes));
          } catch (err) {
            return err instanceof VmImagesError ? err : new SourceError(`library "${library.name}" at ${file}: ${messageOf(err)}`, { library: library.name, file }, { cause: err });
          }
        }),
      ),
    );
    const items: LibraryItem[] = [];
    for (const d of described) {
      if (d instanceof VmImagesError) problems.push(d);
      else items.push(d);
    }
    return { items, problems };
  }

  async fetchDescriptor(_library: LibraryInfo, item: LibraryItem): Promise<Uint8Array> {
    const file = item.location!;
    if (file.toLowerCase().endsWith(".ova")) return readOvaDescriptor(file);
    const kept = this.kept.get(file);
    if (kept) {
      this.kept.delete(file);
      this.keptBytes -= kept.length;
      return kept;
    }
    return readRegularFile(file, MAX_DESCRIPTOR_BYTES);
  }

  private keep(file: string, bytes: Buffer): void {
    this.keptBytes -= this.kept.get(file)?.length ?? 0;
    this.kept.delete(file);
    if (this.keptBytes + bytes.length > KEPT_DESCRIPTOR_BYTES) return;
    this.kept.set(file, bytes);
    this.keptBytes += bytes.length;
  }

  async close(): Promise<void> {}
}

/**
 * An item of a file the walk found; its sidecar is looked for only where the walk saw one (`seen`:
 * every entry it met). An OVF file read to hash it is handed to `read`, for its fetch.
 */
async function describeFile(library: string, libraryDir: string, file: string, seen: ReadonlySet<string>, read: (bytes: Buffer) => void): Promise<LibraryItem> {
  const relative = path.relative(libraryDir, file).split(path.sep).join("/");
  const ext = path.extname(file);
  const sidecarPath = file.slice(0, -ext.length) + ".item.json";
  const sidecar = seen.has(sidecarPath) ? await readSidecar(library, sidecarPath) : {};
  const id = (sidecar.id ?? uuid().v5(`${library}/${relative}`, OFFLINE_ITEM_NAMESPACE)) as ItemId;
  return {
    id,
    name: sidecar.name ?? path.basename(file, ext),
    type: ITEM_EXTENSIONS[ext.toLowerCase()]!,
    contentVersion: sidecar.contentVersion ?? (await contentVersionOf(file, ext.toLowerCase() === ".ovf" ? read : undefined)),
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

interface Walk {
  /** The library folder's real path: a link that leads outside it is not followed. */
  readonly real: string;
  /** Device and inode of the folders on the way down: a link back to one of them is a loop. */
  readonly ancestors: ReadonlySet<string>;
  readonly problem: (file: string, what: string, cause?: unknown) => void;
  /** Every entry met on the way (files, folders, links, anything else), by path. */
  readonly seen: Set<string>;
}

/**
 * Every regular file below `dir`, following symbolic links that stay inside the library. What
 * cannot be read, or is not what it seems, is a problem naming it (so the run fails and nothing
 * is removed), never a silent gap: a folder that cannot be read, a dangling link, a link that leads
 * outside the library folder, a link back to a folder above it (a loop), and an item that is no
 * regular file (a FIFO, a device).
 */
async function walk(dir: string, ctx: Walk): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    ctx.problem(dir, `cannot read the folder: ${describeFsError(err, dir)}`, err);
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    ctx.seen.add(full);
    // The folder's listing says a regular file is one; a folder needs its device and inode, a link its target.
    if (e.isFile()) {
      out.push(full);
      continue;
    }
    let stat: Stats;
    try {
      stat = e.isSymbolicLink() ? await fs.stat(full) : await fs.lstat(full);
    } catch (err) {
      if (e.isSymbolicLink()) ctx.problem(full, `is a symbolic link to ${await fs.readlink(full).catch(() => "?")}, which cannot be followed (${describeFsError(err, full)})`, err);
      else ctx.problem(full, `cannot be read: ${describeFsError(err, full)}`, err);
      continue;
    }
    if (e.isSymbolicLink()) {
      const target = await fs.realpath(full).catch(() => full);
      if (target !== ctx.real && !target.startsWith(`${ctx.real}${path.sep}`)) {
        ctx.problem(full, `is a symbolic link to ${target}, outside the library folder ${ctx.real}; vmimages follows only links that stay inside it`);
        continue;
      }
    }
    if (stat.isDirectory()) {
      if (ctx.ancestors.has(fileKey(stat))) {
        ctx.problem(full, "is a symbolic link to a folder above it (a loop); vmimages does not follow it");
        continue;
      }
      out.push(...(await walk(full, { ...ctx, ancestors: new Set([...ctx.ancestors, fileKey(stat)]) })));
    } else if (stat.isFile()) {
      out.push(full);
    } else if (ITEM_EXTENSIONS[path.extname(full).toLowerCase()] !== undefined) {
      ctx.problem(full, "is not a regular file (a FIFO, a socket or a device); items are read from regular files only");
    }
  }
  return out;
}

function fileKey(stat: Stats): string {
  return `${stat.dev}:${stat.ino}`;
}

/** An error's code and message without the path again (Node ends the message with it). */
function describeFsError(err: unknown, _file: string): string {
  return messageOf(err).replace(/, \w+ '[^']*'$/, "");
}

/**
 * The bytes of a regular file of at most `limit` bytes. Opened without blocking and checked
 * before reading, so a FIFO or a device that replaced the file since it was listed never hangs the run.
 * Read synchronously: a descriptor is a local file of kilobytes, and the round trips of an
 * asynchronous open, stat, read and close would be most of the time it takes.
 */
export async function readRegularFile(file: string, limit: number): Promise<Buffer> {
  const bytes = readSmallFile(file, limit);
  if (typeof bytes === "number") throw new Error(`it is ${bytes} bytes, more than the ${limit} a descriptor may have`);
  return bytes;
}

/** The file's bytes, or its size when that is over `limit`. @throws when it is no regular file. */
function readSmallFile(file: string, limit: number): Buffer | number {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error("it is not a regular file; descriptors are read from regular files only");
    return stat.size > limit ? stat.size : readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The content version of an item file: SHA-256 of its bytes, so an edited file gets a new one. A
 * file of a descriptor's size is read whole (and handed to `read`, if given); a larger one (an ISO
 * image, an OVA) is streamed.
 */
async function contentVersionOf(file: string, read?: (bytes: Buffer) => void): Promise<string> {
  const hash = createHash("sha256");
  const bytes = read && readSmallFile(file, MAX_DESCRIPTOR_BYTES);
  if (bytes instanceof Buffer) {
    hash.update(bytes);
    read?.(bytes);
  } else {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  }
  return `sha256:${hash.digest("hex").slice(0, 32)}`;
}

/** `uuid` (for UUIDv5 ids), loaded on first use: the CLI loads this module for every source, vCenter included. */
function uuid(): typeof import("uuid") {
  return require("uuid") as typeof import("uuid");
}
