import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import * as path from "node:path";
import { readIfPresent, writeFileAtomically } from "../../atomic-file";
import { OutputError, messageOf } from "../../errors";
import { stampTransitionTimes } from "../../image/build";
import { ImageManifest } from "../../image/manifest";
import { nowToTheSecond } from "../../util";
import { FolderPlan, HEADER_LINE, KUSTOMIZATION, OWNED_FILE, manifestPath, planFolder, renderKustomization, renderManifest } from "./layout";
import { previousManifest } from "./previous";

/**
 * The GitOps folder as a transaction. A run writes every new file under a temporary name first;
 * only when all are written does it record what it is about to do in a journal
 * (`.vmimages-journal.json`), rename the files into place (image files first, the kustomization
 * last) and remove those of vanished images, then delete the journal. A run that fails before the
 * journal removes its temporary files and leaves the folder as it was; a run killed after it leaves a
 * journal that the next run (or `list`, `resolve`) carries out to the end. One run at a time holds
 * the folder's lock (`.vmimages.lock`); a lock whose process is gone is taken over.
 *
 * A file is vmimages' only when its first line is vmimages' header: a file a person wrote is never
 * read as a previous run's, overwritten or deleted.
 */

export const JOURNAL = ".vmimages-journal.json";
export const LOCK = ".vmimages.lock";
const TMP_SUFFIX = ".vmimages-tmp";

/** The files of a GitOps folder that a previous run wrote, path (with `/`) → content. */
export interface OwnedFiles {
  readonly files: Map<string, string>;
}

interface Journal {
  /** [temporary file, final file], paths inside the folder. */
  readonly writes: ReadonlyArray<readonly [string, string]>;
  readonly removes: readonly string[];
}

/** Whether a file's text is one vmimages wrote: its first line is the header. */
export function isOurs(text: string): boolean {
  return text.startsWith(`${HEADER_LINE}\n`);
}

/**
 * The kustomization vmimages wrote into `dir`, if there is one (undefined: there is none, or no folder).
 * @throws OutputError when `dir` has a kustomization.yaml that vmimages did not write.
 */
export function readOwnedKustomization(dir: string): string | undefined {
  const kustomizationPath = path.join(dir, KUSTOMIZATION);
  let kustomization: string;
  try {
    kustomization = readFileSync(kustomizationPath, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new OutputError(`cannot read ${kustomizationPath}: ${messageOf(err)}`, { file: kustomizationPath }, { cause: err });
  }
  if (!isOurs(kustomization)) {
    throw new OutputError(`${kustomizationPath} was not written by vmimages (its first line is not vmimages' header); choose an empty output folder, or remove it if the folder is vmimages' own`, {
      file: kustomizationPath,
    });
  }
  return kustomization;
}

/**
 * Reads what a previous run wrote into `dir`: its kustomization and every image file of vmimages'
 * below `cluster/` and `namespaces/<namespace>/` (the only places it writes them), listed in the
 * kustomization or not, so the plan removes one whose image is gone. A missing folder is an empty one.
 * @throws OutputError when `dir` has a kustomization.yaml that vmimages did not write.
 */
export function readOwnedFiles(dir: string): OwnedFiles {
  const files = new Map<string, string>();
  const kustomization = readOwnedKustomization(dir);
  if (kustomization === undefined) return { files };
  files.set(KUSTOMIZATION, kustomization);
  for (const rel of imageFiles(dir)) {
    if (!OWNED_FILE.test(rel)) continue;
    let text: string;
    try {
      // Synchronous reads: a run reads thousands of small files, each faster so than through a file handle.
      text = readFileSync(path.join(dir, rel), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw new OutputError(`cannot read ${path.join(dir, rel)}: ${messageOf(err)}`, { file: rel }, { cause: err });
    }
    if (isOurs(text)) files.set(rel, text);
  }
  return { files };
}

/** The paths of the files below `cluster/` and `namespaces/<ns>/`. */
function imageFiles(dir: string): string[] {
  const out: string[] = [];
  const list = (rel: string) => {
    try {
      return readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return [];
    }
  };
  for (const e of list("cluster")) if (e.isFile()) out.push(`cluster/${e.name}`);
  for (const ns of list("namespaces")) if (ns.isDirectory()) for (const e of list(`namespaces/${ns.name}`)) if (e.isFile()) out.push(`namespaces/${ns.name}/${e.name}`);
  return out;
}

/**
 * Where a kind of folder's runs write, for finding what a run that died left: the top-level folders
 * (all of them when undefined; files directly in the folder always count) and how deep below them.
 */
export interface FolderLayout {
  readonly roots?: readonly string[];
  readonly depth: number;
}

/** A GitOps folder: image files in `cluster/` and `namespaces/<namespace>/`, the kustomization at the top. */
const GITOPS_LAYOUT: FolderLayout = { roots: ["cluster", "namespaces"], depth: 2 };

/**
 * The first half of a transaction on a folder: each new file is written under a temporary name
 * beside its place, in the order they are to be renamed into place. `commit` then journals and
 * renames them (removing what the run removes); `abort` removes them and the folders it made, so
 * the folder is as it was. Every writer of a folder that vmimages owns goes through it.
 */
export class Staging {
  private readonly staged: Array<readonly [string, string]> = [];
  private readonly madeDirs: string[] = [];

  /** `mayReplace(rel, absolute)` throws when what is at a file's place may not be replaced. */
  constructor(
    readonly dir: string,
    private readonly mayReplace: (rel: string, file: string) => void,
  ) {}

  /**
   * The temporary file (absolute) to write for `rel`, whose folders are made.
   * @throws when something other than a file, or a file the run may not replace, is in its place.
   */
  next(rel: string): string {
    const target = path.join(this.dir, rel);
    const first = mkdirSync(path.dirname(target), { recursive: true });
    if (first !== undefined) this.madeDirs.push(first);
    const existing = lstatOrUndefined(target);
    if (existing && !existing.isFile()) throw new Error("something other than a file is in its place");
    if (existing) this.mayReplace(rel, target);
    const tmp = `${rel}.${randomBytes(4).toString("hex")}${TMP_SUFFIX}`;
    this.staged.push([tmp, rel]);
    return path.join(this.dir, tmp);
  }

  /** Says a staged file is written (a point where the crash tests may kill the process). */
  written(): void {
    crashPoint("write");
  }

  /** How many files are staged. */
  get size(): number {
    return this.staged.length;
  }

  /** Removes the staged files and the folders staging made: the folder is as it was. */
  abort(): void {
    for (const [tmp] of this.staged) rmSync(path.join(this.dir, tmp), { force: true });
    for (const made of [...this.madeDirs].reverse()) removeEmptyFolders(made, this.dir);
  }

  /** Records the staged files and `removes` in the journal, then carries it out (renames in staging order, then removals). */
  commit(removes: readonly string[]): void {
    writeFileAtomically(path.join(this.dir, JOURNAL), JSON.stringify({ writes: this.staged, removes } satisfies Journal));
    crashPoint("journal");
    commit(this.dir, { writes: this.staged, removes });
  }
}

/**
 * Applies a plan as one transaction (see above). Synchronous: a run makes three file-system calls
 * per file, and awaiting each in turn left the process idle for most of a large write.
 * @throws OutputError naming the file; the folder is then as it was.
 */
export function applyPlan(dir: string, plan: FolderPlan): void {
  const ordered = [...plan.write].sort(([a], [b]) => Number(a === KUSTOMIZATION) - Number(b === KUSTOMIZATION));
  const staging = new Staging(dir, (_rel, file) => {
    if (!isOurs(readFileSync(file, "utf8"))) throw new Error("a file vmimages did not write is in its place; move it away, vmimages never overwrites it");
  });
  let target = dir;
  try {
    for (const [rel, content] of ordered) {
      target = path.join(dir, rel);
      writeFileSync(staging.next(rel), content);
      staging.written();
    }
  } catch (err) {
    staging.abort();
    throw new OutputError(`cannot write ${target}: ${messageOf(err)}; nothing in ${dir} was changed`, { file: target }, { cause: err });
  }
  const removes = plan.remove.filter((rel) => {
    // Only files whose content vmimages wrote are ever removed.
    const text = readIfPresent(path.join(dir, rel));
    return text !== undefined && isOurs(text);
  });
  staging.commit(removes);
}

/**
 * Moves one image's file from where it was (`from`) to where and what it is now (`to`), and keeps
 * the kustomization listing every image file of the folder (removed once none is left): what a
 * Pulumi image resource does to its GitOps folder on create, update and delete, as one transaction
 * (applyPlan). The file is rendered as `vmimages generate` renders it: conditions that did not
 * change keep the times the file had, the others are stamped `now`. A file that holds its content
 * already is not written again.
 * @throws OutputError naming the file; the folder is then as it was.
 */
export function placeImageFile(dir: string, from: string | undefined, image: ImageManifest | undefined, now: string = nowToTheSecond()): void {
  const to = image && imageFile(dir, from, image, now);
  const listed = new Set(imageFiles(dir).filter((rel) => OWNED_FILE.test(rel)));
  const remove = from !== undefined && from !== to?.path ? [from] : [];
  for (const rel of remove) listed.delete(rel);
  const desired = new Map<string, string>();
  if (to) {
    listed.add(to.path);
    desired.set(to.path, to.content);
  }
  if (listed.size > 0) desired.set(KUSTOMIZATION, renderKustomization([...listed].sort()));
  else remove.push(KUSTOMIZATION);
  const current = new Map([...desired.keys()].flatMap((rel) => {
    const text = readIfPresent(path.join(dir, rel));
    return text === undefined ? [] : [[rel, text] as const];
  }));
  const plan = { ...planFolder(current, desired), remove: remove.filter((rel) => existsSync(path.join(dir, rel))) };
  if (plan.write.length > 0 || plan.remove.length > 0) applyPlan(dir, plan);
}

/** An image's file, with the transition times of the file it was (or is). */
function imageFile(dir: string, from: string | undefined, image: ImageManifest, now: string): { path: string; content: string } {
  const rel = manifestPath(image);
  const before = readIfPresent(path.join(dir, from ?? rel));
  const previous = before !== undefined && isOurs(before) ? previousManifest(before)?.status.conditions : undefined;
  return { path: rel, content: renderManifest(stampTransitionTimes(image, previous, now)) };
}

/** Carries out a journal: the renames it lists that are not done yet, then the removals, then drops it. */
function commit(dir: string, journal: Journal): void {
  for (const [tmp, rel] of journal.writes) {
    if (existsSync(path.join(dir, tmp))) {
      renameSync(path.join(dir, tmp), path.join(dir, rel));
      crashPoint("rename");
    }
  }
  for (const rel of journal.removes) {
    const file = path.join(dir, rel);
    if (existsSync(file)) {
      rmSync(file, { force: true });
      crashPoint("unlink");
    }
    removeEmptyFolders(path.dirname(file), dir);
  }
  rmSync(path.join(dir, JOURNAL), { force: true });
}

/**
 * Brings a folder a run left behind to a whole state: a journal is carried out to the end (every
 * new file was written before it), and temporary files of a run that died before its journal are
 * removed (the folder is then as that run found it).
 */
export function recoverFolder(dir: string, layout: FolderLayout = GITOPS_LAYOUT): void {
  const journalText = readIfPresent(path.join(dir, JOURNAL));
  if (journalText !== undefined) {
    let journal: Journal;
    try {
      journal = JSON.parse(journalText) as Journal;
    } catch (err) {
      throw new OutputError(`${path.join(dir, JOURNAL)} is not a vmimages journal (${messageOf(err)}); remove it if no vmimages run is writing ${dir}`, { file: JOURNAL }, { cause: err });
    }
    commit(dir, journal);
  }
  for (const tmp of temporaryFiles(dir, layout)) rmSync(path.join(dir, tmp), { force: true });
}

/** Whether a folder holds a run's leftovers (a journal or temporary files) that `recoverFolder` would mend. */
export function needsRecovery(dir: string, layout: FolderLayout = GITOPS_LAYOUT): boolean {
  return existsSync(path.join(dir, JOURNAL)) || temporaryFiles(dir, layout).length > 0;
}

function temporaryFiles(dir: string, layout: FolderLayout): string[] {
  const out: string[] = [];
  const walk = (rel: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isFile() && e.name.endsWith(TMP_SUFFIX)) out.push(child);
      else if (e.isDirectory() && depth < layout.depth && (rel !== "" || layout.roots === undefined || layout.roots.includes(e.name))) walk(child, depth + 1);
    }
  };
  walk("", 0);
  return out;
}

/** The folder's lock while held; release it with `release()`. */
export interface FolderLock {
  release(): void;
}

/**
 * Takes the folder's lock, creating the folder if need be. A lock held by a live process on this
 * machine is refused with what holds it; one whose process is gone is taken over.
 * @throws OutputError naming the folder, the process and what to do.
 */
export function lockFolder(dir: string): FolderLock {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK);
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, mine);
      closeSync(fd);
      return { release: () => readIfPresent(file) === mine && rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw new OutputError(`cannot lock ${dir}: ${messageOf(err)}`, { file }, { cause: err });
    }
    const holder = readLock(file);
    if (holder && holder.host === hostname() && alive(holder.pid)) {
      throw new OutputError(
        `${dir} is being written by another vmimages run (process ${holder.pid}, started ${holder.started}); run again when it has finished, or remove ${file} if no such process runs`,
        { file },
      );
    }
    if (holder && holder.host !== hostname()) {
      throw new OutputError(`${dir} is locked by a vmimages run on ${holder.host} (process ${holder.pid}, started ${holder.started}); remove ${file} if it is no longer running`, { file });
    }
    // Its process is gone: the lock is stale.
    rmSync(file, { force: true });
  }
}

function readLock(file: string): { pid: number; host: string; started: string } | undefined {
  try {
    const lock = JSON.parse(readFileSync(file, "utf8")) as { pid?: unknown; host?: unknown; started?: unknown };
    return typeof lock.pid === "number" && typeof lock.host === "string" ? { pid: lock.pid, host: lock.host, started: String(lock.started) } : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * For the crash tests only: `VMIMAGES_TEST_KILL_AT=rename:3` kills this process (SIGKILL, as a
 * crash would) right after its third rename; also `write`, `journal` and `unlink`.
 */
const KILL_AT = /^(write|journal|rename|unlink):(\d+)$/.exec(process.env.VMIMAGES_TEST_KILL_AT ?? "");
const counts = new Map<string, number>();
function crashPoint(kind: string): void {
  if (!KILL_AT || KILL_AT[1] !== kind) return;
  const n = (counts.get(kind) ?? 0) + 1;
  counts.set(kind, n);
  if (n === Number(KILL_AT[2])) process.kill(process.pid, "SIGKILL");
}

/** Removes `from` and its parents while they are empty, up to (not including) `dir`. */
function removeEmptyFolders(from: string, dir: string): void {
  for (let p = from; p.startsWith(`${dir}${path.sep}`); p = path.dirname(p)) {
    try {
      rmdirSync(p);
    } catch {
      return;
    }
  }
}

function lstatOrUndefined(file: string) {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

