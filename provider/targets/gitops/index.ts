import { existsSync } from "node:fs";
import * as path from "node:path";
import { CatalogImage, imageKey, manifestKey } from "../../catalog/catalog";
import { CatalogDiff, diffCatalogs } from "../../catalog/diff";
import { messageOf } from "../../errors";
import { ImageManifest } from "../../image/manifest";
import { Generated } from "../../pipeline/run";
import { FolderPlan, manifestPath, planFolder, renderFolder } from "./layout";
import { readManifestsFolder as readManifests } from "./manifests";
import { keepFileTimes, previousCatalog } from "./previous";
import { StampStore, folderStamp } from "./stamp";
import { FolderLock, applyPlan, lockFolder, needsRecovery, readOwnedFiles, readOwnedKustomization, recoverFolder } from "./write";

export { KUSTOMIZATION, manifestPath, renderFolder } from "./layout";

/**
 * Every image in the YAML files below `dir`, whoever wrote them; a folder a vmimages run left
 * behind (killed mid-write) is first brought to a whole state under its lock.
 */
export async function readManifestsFolder(dir: string): Promise<ImageManifest[]> {
  recoverIfLeft(dir);
  return readManifests(dir);
}

/** Mends, under the folder's lock, what a run killed mid-write left in `dir` (nothing when it left nothing, or there is no folder). */
function recoverIfLeft(dir: string): void {
  if (!existsSync(dir) || !needsRecovery(dir)) return;
  const lock = lockFolder(dir);
  try {
    recoverFolder(dir);
  } finally {
    lock.release();
  }
}

/**
 * Readies `dir` for writers that place its files one image at a time (the Pulumi image resources):
 * mends what a run killed mid-write left, under the folder's lock, and refuses a folder that is not
 * vmimages'. It reads no image file: each writer reads only its own.
 * @returns the folder, absolute
 * @throws OutputError when its kustomization.yaml is not ours, or another run holds its lock.
 */
export function prepareFolder(dir: string): string {
  const absolute = path.resolve(dir);
  recoverIfLeft(absolute);
  readOwnedKustomization(absolute);
  return absolute;
}

/** What writing a run's images into a folder did (or would do). */
export interface FolderChange {
  readonly diff: CatalogDiff;
  readonly plan: FolderPlan;
  /** Every file the folder holds afterwards that this project owns (path → text). */
  readonly files: ReadonlyMap<string, string>;
  /** What went wrong besides the folder, which is whole: its stamp could not be recorded. */
  readonly warnings: readonly string[];
}

export interface OpenOptions {
  /** Hold the folder's lock until `close()`, for a run that will write it. @default true */
  readonly lock?: boolean;
  /** The cache folder where the folder's stamp is kept; without one, a run always builds. */
  readonly stampDir?: string;
}

/**
 * A GitOps output folder as a target of the pipeline: the files a previous run wrote (read when it
 * is opened), and the change a run's images make to it. It keeps what it needs of its own past: the
 * conditions' transition times in its files, and its stamp (stamp.ts).
 */
export class GitopsFolder {
  private constructor(
    /** The folder, absolute. */
    readonly dir: string,
    /** The files of it this project wrote (path → text); empty for a new folder. */
    readonly files: ReadonlyMap<string, string>,
    private lock: FolderLock | undefined,
    private readonly stamps: StampStore | undefined,
  ) {}

  /**
   * Reads what vmimages wrote into `dir`, first mending what a run killed mid-write left. With
   * `lock` (for a run that will write), the folder stays locked until `close()`, so no other run
   * writes it meanwhile; a folder that does not exist yet is locked when it is first written.
   * @throws OutputError when its kustomization.yaml is not ours, or another run holds its lock.
   */
  static open(dir: string, options: OpenOptions = {}): GitopsFolder {
    const absolute = path.resolve(dir);
    const keepLock = options.lock ?? true;
    let lock: FolderLock | undefined;
    if (existsSync(absolute) && (keepLock || needsRecovery(absolute))) {
      lock = lockFolder(absolute);
      try {
        recoverFolder(absolute);
      } catch (err) {
        lock.release();
        throw err;
      }
      if (!keepLock) {
        lock.release();
        lock = undefined;
      }
    }
    try {
      const stamps = options.stampDir !== undefined ? new StampStore(options.stampDir) : undefined;
      return new GitopsFolder(absolute, readOwnedFiles(absolute).files, lock, stamps);
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

  /**
   * Whether the folder holds what a run with these inputs (`Run.inputs`) writes: the last run that
   * wrote it had the same inputs, and its files are still as that run left them.
   */
  holds(inputs: string | undefined): boolean {
    return inputs !== undefined && this.stamps !== undefined && this.files.size > 0 && this.stamps.get(this.dir) === folderStamp(inputs, this.files);
  }

  /** The folder's files for `generated` (path → text), conditions that did not change keeping their times. */
  render(generated: Generated): Map<string, string> {
    return renderFolder(generated.manifests.map((m) => keepFileTimes(m, this.files)));
  }

  /** What writing `generated` would change, without writing. */
  plan(generated: Generated): FolderChange {
    const rendered = this.render(generated);
    const images = new Map(generated.catalog.images.map((i) => [imageKey(i), i]));
    const current = new Map<string, { text: string; image: CatalogImage }>();
    for (const m of generated.manifests) {
      const rel = manifestPath(m);
      current.set(rel, { text: rendered.get(rel)!, image: images.get(manifestKey(m))! });
    }
    return { diff: diffCatalogs(previousCatalog(this.files, current), generated.catalog), plan: planFolder(this.files, rendered), files: rendered, warnings: [] };
  }

  /**
   * Writes `generated` into the folder (changed files, then the kustomization, then removals), then
   * records the folder's stamp for a run with `inputs`.
   */
  write(generated: Generated, inputs?: string): FolderChange {
    const change = this.plan(generated);
    this.lock ??= lockFolder(this.dir);
    applyPlan(this.dir, change.plan);
    if (inputs === undefined || this.stamps === undefined) return change;
    try {
      this.stamps.record(this.dir, folderStamp(inputs, change.files));
      return change;
    } catch (err) {
      return { ...change, warnings: [`cannot record the folder's stamp in ${this.stamps.dir} (the next run builds every image again): ${messageOf(err)}`] };
    }
  }

  /** The change of a run that found the folder up to date: none. */
  unchanged(): FolderChange {
    return { diff: { added: [], changed: [], removed: [] }, plan: { write: [], remove: [], unchanged: [...this.files.keys()] }, files: this.files, warnings: [] };
  }
}
