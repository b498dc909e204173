import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT } from "./library";

/**
 * The fenced blocks of the project's Markdown documentation, and the conventions their info strings
 * follow (CONTRIBUTING.md, "Commands in the docs"):
 *
 * - ```` ```sh runnable ```` : run by tests/integration/docs.test.ts, in the document's workspace;
 *   ```` ```sh runnable cluster ```` also needs a Kubernetes API server (KUBECONFIG is set),
 *   ```` ```sh runnable vcenter ```` a vCenter (vcsim; VSPHERE_* and GOVC_* are set).
 * - ```` ```sh norun ```` : shown, never run; the line before it is an HTML comment saying why
 *   (`<!-- norun: … -->`) or which test runs the same commands (`<!-- tested by tests/…: … -->`).
 * - ```` ```text output ```` right after a runnable block: what that block prints on stdout.
 * - `<!-- consumer: NAME -->` before a block: a file of a user's project that a test builds from it.
 * - `<!-- file: PATH -->` before a block: the block is that file of the repository, byte for byte.
 */

/** Every Markdown file the docs tests read, relative to the project. */
export function docFiles(root: string = PROJECT): string[] {
  const docs = existsSync(path.join(root, "docs")) ? readdirSync(path.join(root, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`) : [];
  return ["README.md", "CONTRIBUTING.md", ...docs, "bench/README.md"].filter((f) => existsSync(path.join(root, f)));
}

/** The languages whose blocks are shell commands: each must say whether it is run. */
export const SHELL_LANGUAGES: ReadonlySet<string> = new Set(["sh", "bash", "shell", "console", "zsh"]);

/** What a runnable block needs besides the built CLI. */
export const CONTEXTS: ReadonlySet<string> = new Set(["cluster", "vcenter"]);

export interface FencedBlock {
  /** The document, relative to the project. */
  readonly file: string;
  /** The line of the opening fence (1-based). */
  readonly line: number;
  /** The line of the closing fence (1-based). */
  readonly end: number;
  /** The info string's words: the language first. */
  readonly info: readonly string[];
  readonly language: string;
  /** The text between the fences, with a final newline. */
  readonly body: string;
  /** The comment on the line before the fence (blank lines between allowed), without `<!--`/`-->`. */
  readonly comment?: string;
}

/** A runnable block, with the output its document states for it (the ```text output block after it). */
export interface RunnableBlock extends FencedBlock {
  readonly contexts: readonly string[];
  readonly output?: string;
}

/** The fenced blocks of one document, in order (fences may be indented, e.g. in a list item). */
export function fencedBlocks(file: string, root: string = PROJECT): FencedBlock[] {
  const lines = readFileSync(path.join(root, file), "utf8").split("\n");
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, infoText] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = new RegExp(`^ *${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`).exec(lines[j]!);
      if (close) break;
      body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!.trimStart());
    }
    if (j >= lines.length) throw new Error(`${file}:${i + 1}: a fenced block is never closed`);
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === "") k--;
    const comment = k >= 0 ? /^\s*<!--\s*([\s\S]*?)\s*-->\s*$/.exec(lines[k]!)?.[1] : undefined;
    const info = infoText.trim().split(/\s+/).filter(Boolean);
    blocks.push({ file, line: i + 1, end: j + 1, info, language: info[0] ?? "", body: body.length ? `${body.join("\n")}\n` : "", ...(comment !== undefined ? { comment } : {}) });
    i = j;
  }
  return blocks;
}

/** The runnable blocks of a document, each with the stated output that follows it, if any. */
export function runnableBlocks(file: string, root: string = PROJECT): RunnableBlock[] {
  const blocks = fencedBlocks(file, root);
  const out: RunnableBlock[] = [];
  blocks.forEach((b, i) => {
    if (!SHELL_LANGUAGES.has(b.language) || b.info[1] !== "runnable") return;
    const next = blocks[i + 1];
    const output = next && isOutputBlock(next) && followsDirectly(b, next, root) ? next.body : undefined;
    out.push({ ...b, contexts: b.info.slice(2), ...(output !== undefined ? { output } : {}) });
  });
  return out;
}

export function isOutputBlock(b: FencedBlock): boolean {
  return b.language === "text" && b.info[1] === "output";
}

/** Whether only blank lines lie between block `a`'s closing fence and block `b`'s opening one. */
export function followsDirectly(a: FencedBlock, b: FencedBlock, root: string = PROJECT): boolean {
  if (a.file !== b.file) return false;
  const lines = readFileSync(path.join(root, a.file), "utf8").split("\n");
  return lines.slice(a.end, b.line - 1).every((l) => l.trim() === "");
}

/**
 * The block after `<!-- consumer: NAME -->` in any of the docs (exactly one must have it): a file
 * of a user's project that the tests build from the documentation.
 */
export function docBlock(name: string, files: readonly string[] = docFiles()): string {
  const found = files.flatMap((f) => fencedBlocks(f).filter((b) => b.comment === `consumer: ${name}`));
  if (found.length !== 1) {
    throw new Error(`${found.length === 0 ? "no" : found.length} block(s) of ${files.join(", ")} are marked <!-- consumer: ${name} -->${found.length ? `: ${found.map((b) => `${b.file}:${b.line}`).join(", ")}` : ""}`);
  }
  return found[0]!.body;
}
