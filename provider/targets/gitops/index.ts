import * as path from "node:path";
import { CatalogImage, imageKey, manifestKey } from "../../catalog/catalog";
import { CatalogDiff, diffCatalogs } from "../../catalog/diff";
import { Generated, PreviousState } from "../../pipeline/run";
import { FolderPlan, manifestPath, planFolder, renderFolder } from "./layout";
import { previousCatalog, previousConditions } from "./previous";
import { readManifestsFolder as readManifests } from "./manifests";
import { FolderLock, applyPlan, lockFolder, needsRecovery, readOwnedFiles, recoverFolder } from "./write";
import { existsSync } from "node:fs";
import { ImageManifest } from "../../image/manifest";

export { KUSTOMIZATION, manifestPath, renderFolder } from "./layout";

/**
 * Every image in the YAML files below `dir`, whoever wrote them; a folder a vmimages run left
 * behind (killed mid-write) is first brought to a whole state under its lock.
 */
export async function readManifestsFolder(dir: string): Promise<ImageManifest[]> {
  if (needsRecovery(dir)) {
    const lock = lockFolder(dir);
    try {
      recoverFolder(dir);
    } finally {
      lock.release();
    }
  }
  return readManifests(dir);
}

/** What writing a run's images into a folder did. */
export interface FolderChange {
  readonly diff: CatalogDiff;
  readonly plan: FolderPlan;
  /** Every file the folder now holds that this project owns (path → text). */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * A GitOps output folder as a target of the pipeline: the files a previous run wrote (read when it
 * is opened), what the next run needs of them, and the change a run's images make to it.
 */
export class GitopsFolder {
  private constructor(
    /** The folder, absolute. */
    readonly dir: string,
    /** The files of it this project wrote (path → text); empty for a new folder. */
    readonly files: ReadonlyMap<string, string>,
    private lock: FolderLock | undefined,
  ) {}

  /**
   * Reads what vmimages wrote into `dir`, first mending what a run killed mid-write left. With
   * `lock` (for a run that will write), the folder stays locked until `close()`, so no other run
   * writes it meanwhile; a folder that does not exist yet is locked when it is first written.
   * @throws OutputError when its kustomization.yaml is not ours, or another run holds its lock.
   */
  static open(dir: string, options: { readonly lock?: boolean } = { lock: true }): GitopsFolder {
    const absolute = path.resolve(dir);
    let lock: FolderLock | undefined;
    if (existsSync(absolute) && (options.lock !== false || needsRecovery(absolute))) {
      lock = lockFolder(absolute);
      try {
        recoverFolder(absolute);
      } catch (err) {
        lock.release();
        throw err;
      }
      if (options.lock === false) {
        lock.release();
        lock = undefined;
      }
    }
    try {
      return new GitopsFolder(absolute, readOwnedFiles(absolute).files, lock);
    } catch (err) {
      lock?.release();
      throw err;
    }
  }

  /** Releases the folder's lock, if this holds it; safe to call more than once. */
  close(): void {
    this.lock?.release();
    this.lock = undefined;
  }

  /** For the pipeline: the folder's stamp inputs and its images' earlier conditions. */
  get previous(): PreviousState {
    return { target: this.dir, files: this.files, conditions: previousConditions(this.files) };
  }

  /** What writing `generated` would change, without writing. */
  plan(generated: Generated): FolderChange {
    const rendered = renderFolder(generated.manifests);
    const images = new Map(generated.catalog.images.map((i) => [imageKey(i), i]));
    const current = new Map<string, { text: string; image: CatalogImage }>();
    for (const m of generated.manifests) {
      const rel = manifestPath(m);
      current.set(rel, { text: rendered.get(rel)!, image: images.get(manifestKey(m))! });
    }
    return { diff: diffCatalogs(previousCatalog(this.files, current), generated.catalog), plan: planFolder(this.files, rendered), files: rendered };
  }

  /** Writes `generated` into the folder: changed files, then the kustomization, then removals. */
  write(generated: Generated): FolderChange {
    const change = this.plan(generated);
    this.lock ??= lockFolder(this.dir);
    applyPlan(this.dir, change.plan);
    return change;
  }

  /** The change of a run that found the folder up to date: none. */
  unchanged(): FolderChange {
    return { diff: { added: [], changed: [], removed: [] }, plan: { write: [], remove: [], unchanged: [...this.files.keys()] }, files: this.files };
  }
}
