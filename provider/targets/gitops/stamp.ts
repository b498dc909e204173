import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { writeFileAtomically } from "../../atomic-file";
import { isRecord } from "../../util";

/**
 * A GitOps folder's stamp: a digest of the inputs of the run that wrote it (`Run.inputs`: the items
 * as listed, the configuration, the build) and of the files it then held. A folder's images are a
 * function of those inputs, and its previous files contribute only condition timestamps, which an
 * unchanged condition keeps: so a run whose inputs and the folder's files give the stamp recorded
 * would write exactly the bytes already there, and can stop once it has listed the libraries.
 */
export function folderStamp(inputs: string, files: ReadonlyMap<string, string>): string {
  const hash = createHash("sha256").update(inputs);
  for (const rel of [...files.keys()].sort()) hash.update(`\0${rel}\0`).update(files.get(rel)!);
  return hash.digest("hex");
}

const FORMAT = 1;
/** Folders remembered, the most recently written last to go. */
const MAX_FOLDERS = 64;

/**
 * Where folders' stamps are kept: one small file in the cache folder (never in the GitOps folder,
 * which holds only what its repository should). An unreadable file is an empty one.
 */
export class StampStore {
  private readonly file: string;

  constructor(readonly dir: string) {
    this.file = path.join(dir, "folders.json");
  }

  /** The stamp recorded for a folder (absolute) by the last run that wrote it. */
  get(folder: string): string | undefined {
    return this.read().get(folder);
  }

  /** Records a folder's stamp. @throws when the cache folder cannot be written. */
  record(folder: string, stamp: string): void {
    const folders = this.read();
    folders.delete(folder);
    folders.set(folder, stamp);
    for (const old of folders.keys()) {
      if (folders.size <= MAX_FOLDERS) break;
      folders.delete(old);
    }
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomically(this.file, JSON.stringify({ format: FORMAT, folders: Object.fromEntries(folders) }));
  }

  private read(): Map<string, string> {
    try {
      const data = JSON.parse(readFileSync(this.file, "utf8")) as { format?: unknown; folders?: unknown } | null;
      if (data?.format !== FORMAT || !isRecord(data.folders)) return new Map();
      return new Map(Object.entries(data.folders).filter((e): e is [string, string] => typeof e[1] === "string"));
    } catch {
      return new Map();
    }
  }
}
