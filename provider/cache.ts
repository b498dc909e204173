import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { MetadataCache } from "./read";
import { LibraryItem, OvfMetadata } from "./types";

const FORMAT = 2;

interface CacheFile {
  readonly format: number;
  readonly server: string;
  readonly entries: Record<string, unknown>;
  /** Output folder (absolute path) → the stamp of the run that last wrote it (render/stamp.ts). */
  readonly folders?: Record<string, string>;
}

/** Folder stamps kept per server, the most recently written first to stay. */
const MAX_FOLDERS = 64;

/**
 * Parsed OVF metadata on disk, keyed by server, item id and content version: vCenter gives an item
 * a new content version whenever its files change, so an unchanged item needs no download.
 * One file per server, read once and written once per run (a file per item costs more to open than
 * to parse); it keeps the entries the run used. An unreadable cache is an empty one, never an error.
 * It also keeps, for each output folder, the stamp of the run that last wrote it.
 */
export class DiskMetadataCache implements MetadataCache {
  hits = 0;
  misses = 0;
  private loaded?: Promise<Map<string, unknown>>;
  private folders = new Map<string, string>();
  private readonly used = new Map<string, unknown>();
  private dirty = false;

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

  /** The stamp recorded for an output folder by the last run that wrote it. */
  async folderStamp(dir: string): Promise<string | undefined> {
    await this.entries();
    return this.folders.get(path.resolve(dir));
  }

  /** Records the stamp of an output folder just written; kept by the next `flush`. */
  async recordFolder(dir: string, stamp: string): Promise<void> {
    await this.entries();
    const key = path.resolve(dir);
    this.folders.delete(key);
    this.folders.set(key, stamp);
    for (const old of this.folders.keys()) {
      if (this.folders.size <= MAX_FOLDERS) break;
      this.folders.delete(old);
    }
    this.dirty = true;
  }

  /** Writes the entries this run used and the folder stamps, atomically; a no-op when nothing changed. */
  async flush(): Promise<void> {
    const loaded = this.loaded ? await this.loaded : undefined;
    if (!this.dirty && loaded?.size === this.used.size) return;
    const file = this.file();
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
    const body: CacheFile = { format: FORMAT, server: this.server, entries: Object.fromEntries(this.used), folders: Object.fromEntries(this.folders) };
    await fs.writeFile(tmp, JSON.stringify(body));
    await fs.rename(tmp, file);
    this.dirty = false;
  }

  private entries(): Promise<Map<string, unknown>> {
    this.loaded ??= fs.readFile(this.file(), "utf8").then(
      (text) => {
        let data: Partial<CacheFile>;
        try {
          data = JSON.parse(text) as Partial<CacheFile>;
        } catch {
          return new Map();
        }
        if (data?.format !== FORMAT || data.server !== this.server || !isRecord(data.entries)) return new Map();
        if (isRecord(data.folders)) this.folders = new Map(Object.entries(data.folders).filter((e): e is [string, string] => typeof e[1] === "string"));
        return new Map(Object.entries(data.entries));
      },
      () => new Map(),
    );
    return this.loaded;
  }

  private file(): string {
    return path.join(this.dir, `${createHash("sha256").update(this.server).digest("hex").slice(0, 24)}.json`);
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
      name: d.name,
      ...(d.capacityBytes !== undefined ? { capacityBytes: big(d.capacityBytes)! } : {}),
      ...(d.populatedBytes !== undefined ? { populatedBytes: big(d.populatedBytes)! } : {}),
    })),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
