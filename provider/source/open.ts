import { SourceSpec } from "../types";
import { DirectorySource } from "./directory";
import { PublishedSource } from "./published/source";
import { ContentLibrarySource } from "./source";
import { VcenterSource } from "./vcenter/source";

/** The source a spec names. Opening makes no request: a vCenter logs in, a published library is read, at the first read. */
export function openSource(spec: SourceSpec): ContentLibrarySource {
  switch (spec.kind) {
    case "directory":
      return new DirectorySource(spec.directory);
    case "vcenter":
      return new VcenterSource(spec.connection);
    case "published":
      return new PublishedSource(spec.libraries);
  }
}
