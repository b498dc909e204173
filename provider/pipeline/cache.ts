import { createHash } from "node:crypto";
import { mkdirSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { writeFileAtomically } from "../atomic-file";
import { LibraryItem, MetadataCache, OvfMetadata } from "../types";
import { isRecord } from "../util";

const FORMAT = 3;

/** Either file of a server: `format` and `server` guard against reading another's. */
interface CacheFile {
  readonly format: number;
  readonly server: string;
  readonly [field: string]: unknown;
}

/** Folder stamps kept per server, the most recently written first to stay. */
const MAX_FOLDERS = 64;

/**
 * Parsed OVF metadata on disk, keyed by server, item id and content version: vCenter gives an item
 * a new content version whenever its files change, so an unchanged item needs no download.
 * One file per server, read once and written once per run (a file per item costs more to open than
 * to parse); it keeps the entries the run used. An unreadable cache is an empty one, never an error.
 *
 * A second, small file per server keeps each output folder's stamp (pipeline/stamp.ts): a run that
 * finds its folder up to date needs no descriptor, so it never reads the large file.
 */
export class DiskMetadataCache implements MetadataCache {
  hits = 0;
  misses = 0;
  private loaded?: Promise<Map<string, unknown>>;
  private loadedFolders?: Promise<Map<string, string>>;
  private readonly used = new Map<string, unknown>();
  private dirty = false;
  private foldersDirty = false;

  constructor(
    readonly dir: string,
    private readonly server: string,
  ) {}

  async get(item: LibraryItem): Promise<OvfMetadata | undefined> {
    const entry = (await this.entries()).get(key(item));
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.used.set(key(item), entry);
    return revive(entry as OvfMetadata);
  }

  async put(item: LibraryItem, metadata: OvfMetadata): Promise<void> {
    const stored = JSON.parse(JSON.stringify(metadata, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))) as unknown;
    (await this.entries()).set(key(item), stored);
    this.used.set(key(item), stored);
    this.dirty = true;
  }

  /** The stamp recorded for a target (an output folder) by the last run that wrote it. */
  async stampOf(target: string): Promise<string | undefined> {
    return (await this.folders()).get(path.resolve(target));
  }

  /** Records the stamp of a target (an output folder) just written; kept by the next `flush`. */
  async recordStamp(target: string, stamp: string): Promise<void> {
    const folders = await this.folders();
    const key = path.resolve(target);
    folders.delete(key);
    folders.set(key, stamp);
    for (const old of folders.keys()) {
      if (folders.size <= MAX_FOLDERS) break;
      folders.delete(old);
    }
    this.foldersDirty = true;
  }

  /** Writes the entries this run used and the folder stamps, atomically; a no-op when nothing changed. */
  async flush(): Promise<void> {
    const loaded = this.loaded ? await this.loaded : undefined;
    if (this.dirty || (loaded !== undefined && loaded.size !== this.used.size)) {
      this.write(this.file("json"), { entries: Object.fromEntries(this.used) });
      this.dirty = false;
    }
    if (this.foldersDirty) {
      this.write(this.file("folders.json"), { folders: Object.fromEntries(await this.folders()) });
      this.foldersDirty = false;
    }
  }

  private entries(): Promise<Map<string, unknown>> {
    this.loaded ??= this.read(this.file("json"), "entries").then((r) => new Map(Object.entries(r)));
    return this.loaded;
  }

  private folders(): Promise<Map<string, string>> {
    this.loadedFolders ??= this.read(this.file("folders.json"), "folders").then(
      (r) => new Map(Object.entries(r).filter((e): e is [string, string] => typeof e[1] === "string")),
    );
    return this.loadedFolders;
  }

  /** The record `field` of one of the server's files; empty when the file is missing, unreadable or another's. */
  private async read(file: string, field: string): Promise<Record<string, unknown>> {
    try {
      const data = JSON.parse(await fs.readFile(file, "utf8")) as Partial<CacheFile> | null;
      const record = data?.[field];
      return data?.format === FORMAT && data.server === this.server && isRecord(record) ? record : {};
    } catch {
      return {};
    }
  }

  private write(file: string, body: Record<string, unknown>): void {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomically(file, JSON.stringify({ format: FORMAT, server: this.server, ...body }));
  }

  private file(ext: "json" | "folders.json"): string {
    return path.join(this.dir, `${createHash("sha256").update(this.server).digest("hex").slice(0, 24)}.${ext}`);
  }
}

function key(item: LibraryItem): string {
  return `${item.id}@${item.contentVersion}`;
}

function revive(m: OvfMetadata): OvfMetadata {
  const big = (v: unknown) => (typeof v === "string" && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : undefined);
  return {
    ...m,
    disks: m.disks.map((d) => ({
      ...d,
      ...(d.capacityBytes !== undefined ? { capacityBytes: big(d.capacityBytes)! } : {}),
      ...(d.populatedBytes !== undefined ? { populatedBytes: big(d.populatedBytes)! } : {}),
    })),
  };
}
