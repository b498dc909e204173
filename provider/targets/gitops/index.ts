import * as path from "node:path";
import { CatalogImage, imageKey, manifestKey } from "../../catalog/catalog";
import { CatalogDiff, diffCatalogs } from "../../catalog/diff";
import { Generated, PreviousState } from "../../pipeline/run";
import { FolderPlan, manifestPath, planFolder, renderFolder } from "./layout";
import { previousCatalog, previousConditions } from "./previous";
import { applyPlan, readOwnedFiles } from "./write";

export { KUSTOMIZATION, manifestPath, renderFolder } from "./layout";
export { readManifestsFolder } from "./manifests";

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
  ) {}

  /** Reads what vmimages wrote into `dir`. @throws OutputError when its kustomization.yaml is not ours. */
  static open(dir: string): GitopsFolder {
    const absolute = path.resolve(dir);
    return new GitopsFolder(absolute, readOwnedFiles(absolute).files);
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
    applyPlan(this.dir, change.plan);
    return change;
  }

  /** The change of a run that found the folder up to date: none. */
  unchanged(): FolderChange {
    return { diff: { added: [], changed: [], removed: [] }, plan: { write: [], remove: [], unchanged: [...this.files.keys()] }, files: this.files };
  }
}
