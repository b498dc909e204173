import { ContentLibrarySource, ListedItems } from "../../provider/source/source";
import { ItemId, LibraryInfo, LibraryItem, SourceStats } from "../../provider/types";
import { ovf } from "./ovf";

/** A source held in memory, to exercise the reader's and the pipeline's rules without I/O. */
export class MemorySource implements ContentLibrarySource {
  readonly description = "memory";
  readonly stats: SourceStats = { requests: 0, downloads: 0, retries: 0, logins: 0 };
  closed = 0;
  constructor(
    private readonly libs: Record<string, LibraryItem[]>,
    /** Given: the source's reads are cached and stamped under this key. */
    readonly cacheKey?: string,
    /** Each item's descriptor; @default a small Ubuntu descriptor with one 2 GiB disk. */
    private readonly descriptor: (item: LibraryItem) => string = () => ovf({ osType: "ubuntu64Guest", disks: [{ id: "d", capacity: "2", units: "byte * 2^30", name: "disk" }] }),
  ) {}
  get fetches(): number {
    return this.stats.downloads;
  }
  async listLibraries(): Promise<LibraryInfo[]> {
    return Object.keys(this.libs).map((name) => ({ id: `lib-${name}`, name, type: "LOCAL" as const }));
  }
  async listItems(library: LibraryInfo): Promise<ListedItems> {
    return { items: this.libs[library.name]!, problems: [] };
  }
  async fetchDescriptor(_library: LibraryInfo, item: LibraryItem): Promise<string> {
    this.stats.downloads++;
    return this.descriptor(item);
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

/** Item number `n` (1–9) of a library, of the given type. */
export function memoryItem(n: number, type: LibraryItem["type"], name = `item-${n}`, contentVersion = "1"): LibraryItem {
  return { id: `00000000-0000-4000-8000-00000000000${n}` as ItemId, name, type, contentVersion };
}
