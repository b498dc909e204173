import { VmImagesError } from "../errors";
import { LibraryInfo, LibraryItem, SourceStats } from "../types";

/**
 * Where content libraries come from: a vCenter, or an offline folder. The pipeline sees only this
 * narrow interface, so a source can be swapped without touching parsing, naming or rendering.
 */
export interface ContentLibrarySource {
  /** For messages: `folder examples/library`, `vCenter https://vc.example.com`, `published library https://…/lib.json`. */
  readonly description: string;
  /**
   * What identifies this source's items across runs, for the descriptor cache and `Run.inputs`
   * (a vCenter: its origin, whose item ids and content versions are its own). Absent: nothing it
   * reads is cached or stamped (an offline folder hashes its files on every run anyway).
   */
  readonly cacheKey?: string;
  /** What reading has cost so far (requests, downloads, …), for `--verbose`; absent for sources without requests. */
  readonly stats?: SourceStats;
  listLibraries(): Promise<LibraryInfo[]>;
  /** The library's items; items that cannot be described are returned as problems, not thrown. */
  listItems(library: LibraryInfo): Promise<ListedItems>;
  /** The OVF descriptor of an `ovf` item: its bytes (decoded as XML says), or text already decoded. */
  fetchDescriptor(library: LibraryInfo, item: LibraryItem): Promise<Uint8Array | string>;
  /** Releases sessions and connections; safe to call more than once. */
  close(): Promise<void>;
}

export interface ListedItems {
  readonly items: readonly LibraryItem[];
  readonly problems: readonly VmImagesError[];
}
