import { SourceError, VmImagesError, messageOf } from "../../errors";
import { LibraryInfo, LibraryItem, PublishedLibraryConnection, SourceStats } from "../../types";
import { compareCodeUnits } from "../../util";
import { MAX_DESCRIPTOR_BYTES, readOvaDescriptorFrom } from "../ova";
import { ContentLibrarySource, ListedItems } from "../source";
import { FetchError, PublishedClient } from "./http";
import { checkSubscriptionUrl, libraryFolder, resolveHref, shown } from "./urls";
import { DescriptorRef, VcspFormatError, parseItemsJson, parseLibJson } from "./vcsp";

/** Largest `lib.json` read: a few hundred bytes in practice. */
const MAX_LIB_JSON_BYTES = 1024 * 1024;
/** Largest items listing read: 2,000 items with their files are about 3 MB. */
const MAX_ITEMS_BYTES = 64 * 1024 * 1024;
/** An OVA is read up to the end of its descriptor; the tar header before it is 512 bytes. */
const MAX_OVA_PREFIX_BYTES = MAX_DESCRIPTOR_BYTES + 64 * 1024;

interface OpenLibrary {
  readonly client: PublishedClient;
  readonly url: URL;
  readonly folder: URL;
  /** What its lib.json says, once read. */
  read?: { readonly info: LibraryInfo; readonly itemsHref: string };
  /** Each OVF item's descriptor, once its library is listed. */
  readonly descriptors: Map<string, DescriptorRef>;
}

/**
 * Content libraries read by their subscription URLs over HTTP(S), as a subscribed vCenter library
 * reads its publisher (the VMware Content Subscription Protocol): `lib.json`, then the items
 * listing, then only the `.ovf` descriptor of each OVF item (never a disk). Opening makes no request.
 */
export class PublishedSource implements ContentLibrarySource {
  readonly description: string;
  /** The libraries' URLs: their publishers' item ids and versions are their own. */
  readonly cacheKey: string;
  private readonly libraries: readonly OpenLibrary[];
  private readonly byId = new Map<string, OpenLibrary>();

  /** @throws SourceError for a URL that is not one this source reads (the arguments check them first). */
  constructor(connections: readonly PublishedLibraryConnection[]) {
    this.libraries = connections.map((conn) => {
      const checked = checkSubscriptionUrl(conn.url);
      if ("problem" in checked) throw new SourceError(`published library ${checked.problem}`);
      return { client: new PublishedClient(checked.url, conn), url: checked.url, folder: libraryFolder(checked.url), descriptors: new Map() };
    });
    const urls = this.libraries.map((l) => shown(l.url));
    this.description = `published ${urls.length === 1 ? "library" : "libraries"} ${urls.join(", ")}`;
    this.cacheKey = JSON.stringify(["published", [...urls].sort(compareCodeUnits)]);
  }

  /** What the requests of every library cost so far. */
  get stats(): SourceStats {
    const total: SourceStats = { requests: 0, downloads: 0, retries: 0, logins: 0 };
    for (const { client } of this.libraries) {
      total.requests += client.stats.requests;
      total.downloads += client.stats.downloads;
      total.retries += client.stats.retries;
    }
    return total;
  }

  /**
   * Every library's `lib.json`, read at once. @throws SourceError naming the URL when one cannot be
   * read or is not a lib.json, and when two libraries have one name (libraries are chosen by name).
   */
  async listLibraries(): Promise<LibraryInfo[]> {
    const infos = await Promise.all(
      this.libraries.map(async (lib) => {
        try {
          const { body, contentType } = await lib.client.get(lib.url, { maxBytes: MAX_LIB_JSON_BYTES });
          const parsed = parseLibJson(body, contentType);
          lib.read = { info: { id: parsed.id, name: parsed.name, type: "PUBLISHED" }, itemsHref: parsed.itemsHref };
          return lib.read.info;
        } catch (err) {
          throw new SourceError(`published library ${withUrl(err, lib.url)}`, { file: shown(lib.url) }, { cause: err });
        }
      }),
    );
    const seen = new Map<string, OpenLibrary>();
    for (const lib of this.libraries) {
      const name = lib.read!.info.name;
      const first = seen.get(name);
      if (first !== undefined) {
        throw new SourceError(`the published libraries ${shown(first.url)} and ${shown(lib.url)} are both named "${name}"; libraries are chosen by name, so give each its own name at its publisher`, {
          library: name,
        });
      }
      seen.set(name, lib);
      this.byId.set(lib.read!.info.id, lib);
    }
    return infos;
  }

  /**
   * The library's items from its items listing. @throws SourceError when the listing cannot be read
   * (a library that cannot be listed is an error, never an empty library whose images look deleted).
   */
  async listItems(library: LibraryInfo): Promise<ListedItems> {
    const lib = this.open(library);
    const where = { library: library.name };
    let itemsUrl: URL;
    try {
      itemsUrl = resolveHref(lib.folder, lib.read!.itemsHref);
    } catch (err) {
      throw new SourceError(`library "${library.name}" (${shown(lib.url)}): its itemsHref ${messageOf(err)}; vmimages fetches nothing outside the library's folder`, where, { cause: err });
    }
    let parsed;
    try {
      const { body, contentType } = await lib.client.get(itemsUrl, { maxBytes: MAX_ITEMS_BYTES });
      parsed = parseItemsJson(body, lib.folder, contentType);
    } catch (err) {
      throw new SourceError(`library "${library.name}": its items listing ${withUrl(err, itemsUrl)}`, { ...where, file: shown(itemsUrl) }, { cause: err });
    }
    lib.descriptors.clear();
    const items: LibraryItem[] = [];
    for (const { item, descriptor } of parsed.entries) {
      items.push(item);
      if (descriptor) lib.descriptors.set(item.id, descriptor);
    }
    const problems: VmImagesError[] = parsed.problems.map(
      (p) =>
        new SourceError(`library "${library.name}" (${shown(itemsUrl)}): ${p.message}`, {
          ...where,
          file: shown(itemsUrl),
          ...(p.item !== undefined ? { item: p.item } : {}),
          ...(p.itemId !== undefined ? { itemId: p.itemId } : {}),
        }),
    );
    return { items, problems };
  }

  /** The `.ovf` descriptor of an item, or the one at the start of its OVA. */
  async fetchDescriptor(library: LibraryInfo, item: LibraryItem): Promise<Uint8Array> {
    const lib = this.open(library);
    const ref = lib.descriptors.get(item.id);
    const where = { library: library.name, item: item.name, itemId: item.id, ...(ref ? { file: shown(ref.url) } : {}) };
    const fail = (what: string, cause?: unknown) =>
      new SourceError(`item "${item.name}" (${item.id}) in library "${library.name}": its OVF descriptor ${what}`, where, cause === undefined ? undefined : { cause });
    if (ref === undefined) throw fail("is not in the library's listing");
    if (!ref.archive && ref.size !== undefined && ref.size > MAX_DESCRIPTOR_BYTES) throw fail(`${shown(ref.url)} is ${ref.size} bytes by the listing, more than the ${MAX_DESCRIPTOR_BYTES} a descriptor may have; it is not downloaded`);
    try {
      const bytes = ref.archive
        ? await lib.client.stream(ref.url, (body) => readOvaDescriptorFrom(body, MAX_OVA_PREFIX_BYTES))
        : (await lib.client.get(ref.url, { maxBytes: MAX_DESCRIPTOR_BYTES, ...(ref.size !== undefined ? { expectSize: ref.size } : {}) })).body;
      lib.client.stats.downloads++;
      return bytes;
    } catch (err) {
      throw fail(withUrl(err, ref.url), err);
    }
  }

  async close(): Promise<void> {
    for (const { client } of this.libraries) client.close();
  }

  private open(library: LibraryInfo): OpenLibrary {
    const lib = this.byId.get(library.id);
    if (lib === undefined) throw new SourceError(`library "${library.name}" is not one of ${this.description}`, { library: library.name });
    return lib;
  }
}

/** A failure said of the URL it concerns: `<url> was not found (HTTP 404)`, `<url> is not a lib.json: …`. */
function withUrl(err: unknown, url: URL): string {
  if (err instanceof FetchError) return err.message;
  if (err instanceof VcspFormatError) return `${shown(url)} ${err.message}`;
  return `${shown(url)} cannot be read: ${messageOf(err)}`;
}
