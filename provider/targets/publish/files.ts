import { createHash } from "node:crypto";
import { constants, createReadStream, createWriteStream, promises as fs } from "node:fs";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { SourceError, describeLocation, messageOf } from "../../errors";
import { readOvfPackage } from "../../ovf/references";
import { MAX_DESCRIPTOR_BYTES } from "../../source/ova";
import { LibraryInfo, LibraryItem } from "../../types";
import { compareCodeUnits } from "../../util";
import { FileToPublish } from "./plan";

/**
 * The files of an offline folder's item as a subscriber needs them: an ISO image; an OVF
 * descriptor with the files it references and its manifest and certificate; the files an OVA holds
 * (a subscriber takes an OVF template as its descriptor and files, not as one archive).
 */

/** Where a published file's bytes come from: a file, or an entry of an OVA. */
export type FileOrigin = { readonly file: string } | { readonly ova: string; readonly entry: string };

export interface ItemFile extends FileToPublish {
  readonly origin: FileOrigin;
}

export interface ItemFiles {
  readonly files: readonly ItemFile[];
  /** An OVF whose content is a VirtualSystemCollection. */
  readonly vapp: boolean;
}

/**
 * The files to publish for an item of `library` (its `location` is the item's file), each hashed.
 * A file the descriptor references that is missing is a warning (`warn`), and the rest is published.
 * @throws SourceError naming the item and the file for what cannot be read, or is not safe to publish.
 */
export async function itemFiles(library: LibraryInfo, item: LibraryItem, warn: (message: string) => void): Promise<ItemFiles> {
  const file = item.location!;
  const where = { library: library.name, item: item.name, itemId: item.id, file };
  const fail = (what: string, cause?: unknown) => new SourceError(`${describeLocation(where)}: ${what}`, where, cause === undefined ? undefined : { cause });
  const ext = path.extname(file).toLowerCase();
  try {
    if (ext === ".iso") return { files: [await hashedFile(path.basename(file), file)], vapp: false };
    if (ext === ".ova") return await ovaFiles(file, fail);
    return await ovfFiles(file, describeLocation({ item: item.name, itemId: item.id, library: library.name }), fail, warn);
  } catch (err) {
    if (err instanceof SourceError) throw err;
    throw fail(messageOf(err), err);
  }
}

/** A descriptor, the files it references (each chunk of a chunked one), and its `.mf` and `.cert` when present. */
async function ovfFiles(descriptor: string, label: string, fail: (what: string, cause?: unknown) => Error, warn: (message: string) => void): Promise<ItemFiles> {
  const dir = path.dirname(descriptor);
  const bytes = await fs.readFile(descriptor);
  if (bytes.length > MAX_DESCRIPTOR_BYTES) throw fail(`the descriptor is ${bytes.length} bytes, more than the ${MAX_DESCRIPTOR_BYTES} allowed`);
  const pkg = readOvfPackage(bytes, {});
  const names = new Map<string, string>([[path.basename(descriptor), descriptor]]);
  for (const ref of pkg.files) {
    const name = referencedName(ref.href);
    if (name === undefined) throw fail(`its descriptor references ${JSON.stringify(ref.href)}, which is not a path inside its folder; vmimages publishes only files beside the descriptor`);
    if (ref.chunked) {
      const chunks = await chunksOf(dir, name);
      if (chunks.length === 0) warn(`${label}: its descriptor references ${name} in chunks (${name}.000000000, …), and none is in ${dir}; it is published without them (subscribers cannot deploy it until they are there)`);
      for (const chunk of chunks) names.set(chunk, path.join(dir, chunk));
      continue;
    }
    const full = path.join(dir, name);
    if (!(await isFile(full))) {
      warn(`${label}: its descriptor references ${name}, which is not in ${dir}; it is published without it (subscribers cannot deploy it until it is there)`);
      continue;
    }
    names.set(name, full);
  }
  const base = path.basename(descriptor, path.extname(descriptor));
  for (const extra of [`${base}.mf`, `${base}.cert`]) if (await isFile(path.join(dir, extra))) names.set(extra, path.join(dir, extra));
  const files = await Promise.all([...names].sort(([a], [b]) => compareCodeUnits(a, b)).map(([name, full]) => hashedFile(name, full)));
  return { files, vapp: pkg.vapp };
}

/**
 * A referenced file's name inside the descriptor's folder (a relative URI: percent-decoded once),
 * or undefined when it would leave the folder or is not a plain relative path.
 */
export function referencedName(href: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith("/") || href.includes("\\")) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(href);
  } catch {
    return undefined;
  }
  if (decoded.includes("\\") || /[\u0000-\u001f]/.test(decoded) || decoded.startsWith("/")) return undefined;
  const segments = decoded.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return undefined;
  return segments.join("/");
}

async function chunksOf(dir: string, name: string): Promise<string[]> {
  const folder = path.join(dir, path.dirname(name));
  const base = path.basename(name);
  const entries = await fs.readdir(folder).catch(() => [] as string[]);
  const prefix = path.dirname(name) === "." ? "" : `${path.dirname(name)}/`;
  return entries
    .filter((e) => e.startsWith(`${base}.`) && /^\d{9}$/.test(e.slice(base.length + 1)))
    .sort(compareCodeUnits)
    .map((e) => `${prefix}${e}`);
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** A file's size and SHA-256, read once. @throws when it is not a regular file. */
async function hashedFile(name: string, file: string): Promise<ItemFile> {
  const stat = await fs.stat(file);
  if (!stat.isFile()) throw new Error(`${file} is not a regular file`);
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { name, size, sha256: hash.digest("hex"), origin: { file } };
}

/** The entries of an OVA, each hashed; the first `.ovf` is its descriptor. Only plain, distinct file names are published. */
async function ovaFiles(ova: string, fail: (what: string, cause?: unknown) => Error): Promise<ItemFiles> {
  const files: ItemFile[] = [];
  let descriptor: Buffer | undefined;
  await readTar(ova, async (header, stream) => {
    const name = header.name;
    if (header.type !== "file") throw fail(`it holds ${JSON.stringify(name)}, a ${header.type ?? "special"} entry; an OVA holds plain files only`);
    if (name.includes("/") || name.includes("\\") || name === "." || name === ".." || name === "" || /[\u0000-\u001f]/.test(name)) {
      throw fail(`it holds an entry named ${JSON.stringify(name)}; an OVA's entries are plain file names`);
    }
    if (files.some((f) => f.name === name)) throw fail(`it holds two entries named ${JSON.stringify(name)}`);
    const keep = descriptor === undefined && name.toLowerCase().endsWith(".ovf") && (header.size ?? 0) <= MAX_DESCRIPTOR_BYTES;
    const hash = createHash("sha256");
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (keep) chunks.push(chunk as Buffer);
    }
    if (keep) descriptor = Buffer.concat(chunks);
    files.push({ name, size, sha256: hash.digest("hex"), origin: { ova, entry: name } });
  }).catch((err: unknown) => {
    if (err instanceof SourceError) throw err;
    throw fail(`it is not a readable OVA (tar) archive: ${messageOf(err)}`, err);
  });
  if (descriptor === undefined) throw fail("it contains no .ovf descriptor");
  return { files: files.sort((a, b) => compareCodeUnits(a.name, b.name)), vapp: readOvfPackage(descriptor).vapp };
}

interface TarHeader {
  readonly name: string;
  readonly type?: string | null;
  readonly size?: number;
}

/** Calls `each` for every entry of a tar file in order, its stream read by `each` before the next. */
async function readTar(file: string, each: (header: TarHeader, stream: AsyncIterable<unknown>) => Promise<void>): Promise<void> {
  const extract = (require("tar-stream") as typeof import("tar-stream")).extract();
  const source = createReadStream(file);
  source.pipe(extract);
  source.on("error", (e) => extract.destroy(e));
  try {
    for await (const entry of extract) {
      await each(entry.header, entry);
    }
  } finally {
    source.destroy();
  }
}

/** Copies a file to `to` (a clone where the file system can: never a link, so a later edit of the source cannot change what was published under an old etag). */
export async function copyFile(from: string, to: string): Promise<void> {
  await fs.copyFile(from, to, constants.COPYFILE_FICLONE);
}

/** Writes entries of an OVA to files (entry name → file), reading the OVA once. */
export async function extractEntries(ova: string, targets: ReadonlyMap<string, string>): Promise<void> {
  const written = new Set<string>();
  await readTar(ova, async (header, stream) => {
    const to = targets.get(header.name);
    if (to === undefined || written.has(header.name)) {
      for await (const _ of stream) {
        // Another entry: read past it.
      }
      return;
    }
    written.add(header.name);
    await pipeline(stream as NodeJS.ReadableStream, createWriteStream(to));
  });
  const missing = [...targets.keys()].filter((e) => !written.has(e));
  if (missing.length) throw new Error(`${missing.join(", ")} no longer in ${ova} (it changed during the run)`);
}
