import { SourceSpec } from "../types";
import { DirectorySource } from "./directory";
import { ContentLibrarySource } from "./source";
import { VcenterSource } from "./vcenter/source";

/** The source a spec names. Opening makes no request: a vCenter logs in at its first read. */
export function openSource(spec: SourceSpec): ContentLibrarySource {
  return spec.kind === "directory" ? new DirectorySource(spec.directory) : new VcenterSource(spec.connection);
}
