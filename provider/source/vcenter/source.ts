import { SourceError, VmImagesError, messageOf } from "../../errors";
import { ItemId, ItemType, LibraryInfo, LibraryItem, SourceStats, VcenterConnection } from "../../types";
import { ContentLibrarySource, ListedItems } from "../source";
import { VcenterClient } from "./client";

const ITEM_TYPES: ReadonlySet<string> = new Set<ItemType>(["ovf", "iso", "vm-template"]);

/** Content libraries of a vCenter, read through its Automation REST API. */
export class VcenterSource implements ContentLibrarySource {
  readonly description: string;
  private readonly client: VcenterClient;

  constructor(connection: VcenterConnection) {
    this.client = new VcenterClient(connection);
    this.description = `vCenter ${this.client.origin}`;
  }

  get stats(): SourceStats {
    return this.client.stats;
  }

  /** The server's origin: its item ids and content versions are its own. */
  get cacheKey(): string {
    return this.client.origin;
  }

  async listLibraries(): Promise<LibraryInfo[]> {
    const libraries = await this.client.libraries();
    return libraries.map((l) => ({ id: l.id, name: l.name, type: l.type === "SUBSCRIBED" ? "SUBSCRIBED" : "LOCAL" }));
  }

  async listItems(library: LibraryInfo): Promise<ListedItems> {
    const problems: VmImagesError[] = [];
    const items: LibraryItem[] = [];
    for (const i of await this.client.items(library.id)) {
      const type = (i.type ?? "").toLowerCase();
      if (!ITEM_TYPES.has(type)) {
        // Plain files and other types are listed so the reader can name what it skips.
        items.push({ id: i.id as ItemId, name: i.name, type: "other", contentVersion: i.content_version ?? "" });
        continue;
      }
      if (!i.content_version) {
        problems.push(new SourceError(`item "${i.name}" (${i.id}) in library "${library.name}" has no content version`, { library: library.name, item: i.name, itemId: i.id }));
        continue;
      }
      items.push({
        id: i.id as ItemId,
        name: i.name,
        type: type as ItemType,
        contentVersion: i.content_version,
        ...(i.description ? { description: i.description } : {}),
        ...(i.source_id ? { sourceId: i.source_id as ItemId } : {}),
      });
    }
    return { items, problems };
  }

  async fetchDescriptor(library: LibraryInfo, item: LibraryItem): Promise<Uint8Array> {
    try {
      return await this.client.downloadDescriptor(item.id);
    } catch (err) {
      const where = { library: library.name, item: item.name, itemId: item.id };
      throw new SourceError(`item "${item.name}" (${item.id}) in library "${library.name}": cannot download its OVF descriptor: ${messageOf(err)}`, where, {
        cause: err,
      });
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
