import { createHash } from "node:crypto";
import { ListedItem } from "../types";

export interface FolderStampInputs {
  /** Which build of vmimages ran (see `buildIdentity`). */
  readonly build: string;
  readonly apiVersion: string;
  readonly naming: string;
  readonly itemErrors: string;
  /** Every item read, with its library's scope, in any order (vCenter lists items in no fixed order). */
  readonly items: readonly ListedItem[];
  /** The folder's files this project owns (path → text), in any order. */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * A digest of what a `generate` run read and of its output folder's files. The images are a
 * function of the items as listed (an item's descriptor is fixed by its id and content version),
 * the configuration and the build; the previous files contribute only condition timestamps, which
 * an unchanged condition keeps. So when a run's stamp equals the one recorded after the run that
 * last wrote the folder, it would write exactly the bytes already there, and it can stop after
 * reading the source.
 */
export function folderStamp(inputs: FolderStampInputs): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify([inputs.build, inputs.apiVersion, inputs.naming, inputs.itemErrors]));
  const lines = inputs.items.map(({ library, scope, item }) => JSON.stringify([library.id, library.name, scope, item]));
  for (const line of lines.sort()) hash.update(`\n${line}`);
  for (const rel of [...inputs.files.keys()].sort()) hash.update(`\0${rel}\0`).update(inputs.files.get(rel)!);
  return hash.digest("hex");
}
