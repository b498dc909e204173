import { VmImagesError } from "../errors";
import { LibraryInfo, LibraryItem } from "../types";

/**
 * Where content libraries come from: a vCenter, or an offline folder. The pipeline sees only this
 * narrow interface, so a source can be swapped without touching parsing, naming or rendering.
 */
export interface ContentLibrarySource {
  /** For messages: `folder examples/library`, `vCenter https://vc.example.com`. */
  readonly description: string;
  listLibraries(): Promise<LibraryInfo[]>;
  /** The library's items; items that cannot be described are returned as problems, not thrown. */
  listItems(library: LibraryInfo): Promise<ListedItems>;
  /** The OVF descriptor (XML text) of an `ovf` item. */
  fetchDescriptor(library: LibraryInfo, item: LibraryItem): Promise<string>;
  /** Releases sessions and connections; safe to call more than once. */
  close(): Promise<void>;
}

export interface ListedItems {
  readonly items: readonly LibraryItem[];
  readonly problems: readonly VmImagesError[];
}
