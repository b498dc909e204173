import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { MetadataCache } from "./read";
import { LibraryItem, OvfMetadata } from "./types";

const FORMAT = 1;

/**
 * Parsed OVF metadata on disk, keyed by server, item id and content version: vCenter gives an item
 * a new content version whenever its files change, so an unchanged item needs no download.
 * Unreadable entries are misses, never errors.
 */
export class DiskMetadataCache implements MetadataCache {
  hits = 0;
  misses = 0;

  constructor(
    readonly dir: string,
    private readonly server: string,
  ) {}

  async get(item: LibraryItem): Promise<OvfMetadata | undefined> {
    try {
      const entry = JSON.parse(await fs.readFile(this.file(item), "utf8")) as { format: number; metadata: OvfMetadata };
      if (entry.format !== FORMAT) throw new Error("old format");
      this.hits++;
      return reviveBigints(entry.metadata);
    } catch {
      this.misses++;
      return undefined;
    }
  }

  async put(item: LibraryItem, metadata: OvfMetadata): Promise<void> {
    const file = this.file(item);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
    await fs.writeFile(tmp, JSON.stringify({ format: FORMAT, metadata }, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)));
    await fs.rename(tmp, file);
  }

  private file(item: LibraryItem): string {
    const key = createHash("sha256").update(`${this.server}\n${item.id}\n${item.contentVersion}`).digest("hex");
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }
}

function reviveBigints(m: OvfMetadata): OvfMetadata {
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
