import { existsSync } from "node:fs";
import * as path from "node:path";
import { projectRoot } from "./root";

/** The shared conformance corpus, read in place (never copied into the project). */
export const CORPUS = path.resolve(projectRoot(), "../shared/conformance");

/**
 * Whether the corpus is here. Under CI=true its absence is a failure, never a silent skip;
 * elsewhere the corpus tests are skipped with a note.
 */
export function corpusAvailable(): boolean {
  if (existsSync(CORPUS)) return true;
  if (process.env.CI === "true") throw new Error(`the conformance corpus is missing at ${CORPUS}; CI runs need it beside the project`);
  console.warn(`conformance corpus not found at ${CORPUS}: corpus tests skipped`);
  return false;
}
