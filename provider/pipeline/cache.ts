import { createHash } from "node:crypto";
import { mkdirSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { writeFileAtomically } from "../atomic-file";
import { LibraryItem, MetadataCache, OvfMetadata } from "../types";
import { isRecord } from "../util";

const FORMAT = 3;

/** A server's file: `format` and `server` guard against reading another's. */
interface CacheFile {
  readonly format: number;
  readonly server: string;
  readonly [field: string]: unknown;
}

/**
 * Parsed OVF metadata on disk, keyed by source (`cacheKey`), item id and content version (or
 * `cacheVersion`): vCenter gives an item a new content version whenever its files change, and a
 * publisher a new version (or its descriptor a new etag), so an unchanged item needs no download.
 * One file per server, read once and written once per run (a file per item costs more to open than
 * to parse); it keeps the entries the run used. An unreadable cache is an empty one, never an error.
 */
export class DiskMetadataCache implements MetadataCache {
  hits = 0;
  misses = 0;
  private loaded?: Promise<Map<string, unknown>>;
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

  /** Writes the entries this run used, atomically; a no-op when nothing changed. */
  async flush(): Promise<void> {
    const loaded = this.loaded ? await this.loaded : undefined;
    if (this.dirty || (loaded !== undefined && loaded.size !== this.used.size)) {
      mkdirSync(this.dir, { recursive: true });
      writeFileAtomically(this.file(), JSON.stringify({ format: FORMAT, server: this.server, entries: Object.fromEntries(this.used) }));
      this.dirty = false;
    }
  }

  private entries(): Promise<Map<string, unknown>> {
    this.loaded ??= this.read().then((r) => new Map(Object.entries(r)));
    return this.loaded;
  }

  /** The entries of the server's file; empty when the file is missing, unreadable or another's. */
  private async read(): Promise<Record<string, unknown>> {
    try {
      const data = JSON.parse(await fs.readFile(this.file(), "utf8")) as Partial<CacheFile> | null;
      const record = data?.entries;
      return data?.format === FORMAT && data.server === this.server && isRecord(record) ? record : {};
    } catch {
      return {};
    }
  }

  private file(): string {
    return path.join(this.dir, `${createHash("sha256").update(this.server).digest("hex").slice(0, 24)}.json`);
  }
}

/** An item's descriptor: its id and what identifies its content (a published item's version, etag and size). */
function key(item: LibraryItem): string {
  return `${item.id}@${item.cacheVersion ?? item.contentVersion}`;
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
