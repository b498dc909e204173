import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { renderResults, BEGIN, END, Results } from "../../bench/report";
import { CONTEXTS, SHELL_LANGUAGES, docBlock, docFiles, fencedBlocks, followsDirectly, isOutputBlock } from "../helpers/docs";
import { PROJECT } from "../helpers/library";

/**
 * The docs' fenced blocks keep the conventions tests/integration/docs.test.ts relies on
 * (CONTRIBUTING.md, "Commands in the docs"), so a command cannot slip into the docs untested.
 */
const FILES = docFiles();
const BLOCKS = FILES.flatMap((f) => fencedBlocks(f));
const where = (b: { file: string; line: number }) => `${b.file}:${b.line}`;

describe("the docs' fenced blocks", () => {
  test("are found in the README, CONTRIBUTING.md, bench/README.md and every file of docs/", () => {
    expect(FILES).toEqual(expect.arrayContaining(["README.md", "CONTRIBUTING.md", "bench/README.md", "docs/cli.md", "docs/cluster.md"]));
    expect(BLOCKS.filter((b) => b.info[1] === "runnable").length).toBeGreaterThan(10);
  });

  test("each names its language", () => {
    expect(BLOCKS.filter((b) => b.language === "").map(where)).toEqual([]);
  });

  test("each block of shell commands is either runnable or explicitly norun", () => {
    const unmarked = BLOCKS.filter((b) => SHELL_LANGUAGES.has(b.language) && b.info[1] !== "runnable" && b.info[1] !== "norun");
    expect(unmarked.map((b) => `${where(b)}: \`\`\`${b.info.join(" ")}`)).toEqual([]);
  });

  test("runnable blocks name only known contexts, and norun blocks nothing more", () => {
    const wrong = BLOCKS.filter(
      (b) => SHELL_LANGUAGES.has(b.language) && ((b.info[1] === "runnable" && b.info.slice(2).some((c) => !CONTEXTS.has(c))) || (b.info[1] === "norun" && b.info.length > 2)),
    );
    expect(wrong.map((b) => `${where(b)}: \`\`\`${b.info.join(" ")}`)).toEqual([]);
  });

  test("a norun block says why, or which test runs the same commands, in a comment on the line before it", () => {
    const norun = BLOCKS.filter((b) => SHELL_LANGUAGES.has(b.language) && b.info[1] === "norun");
    expect(norun.length).toBeGreaterThan(0);
    expect(norun.filter((b) => !/^(norun: |tested by )\S/.test(b.comment ?? "")).map(where)).toEqual([]);
    const missing = norun.flatMap((b) => {
      const file = /^tested by (\S+?):? /.exec(b.comment ?? "")?.[1];
      return file !== undefined && !existsSync(path.join(PROJECT, file)) ? [`${where(b)}: ${file}`] : [];
    });
    expect(missing).toEqual([]);
  });

  test("an output block follows a runnable block directly", () => {
    const stray = BLOCKS.filter((b, i) => {
      if (!isOutputBlock(b)) return false;
      const before = BLOCKS[i - 1];
      return !before || before.file !== b.file || before.info[1] !== "runnable" || !followsDirectly(before, b);
    });
    expect(stray.map(where)).toEqual([]);
  });

  test("a block marked <!-- file: PATH --> is that file of the repository", () => {
    const marked = BLOCKS.filter((b) => b.comment?.startsWith("file: "));
    expect(marked.length).toBeGreaterThan(0);
    for (const b of marked) {
      const file = b.comment!.slice("file: ".length);
      expect([where(b), b.body]).toEqual([where(b), readFileSync(path.join(PROJECT, file), "utf8")]);
    }
  });

  test("the README starts with the two commands CI runs, and stays short", () => {
    const readme = readFileSync(path.join(PROJECT, "README.md"), "utf8");
    const first = BLOCKS.find((b) => b.file === "README.md")!;
    expect(first.info).toEqual(["sh", "norun"]);
    expect(first.body).toMatch(/^npm ci && npm run example .*\nnpm ci && npm test .*\n$/);
    expect(readme.split("\n").length).toBeLessThanOrEqual(250);
  });

  test("each file a user's project is built from is in the docs exactly once, as pulumi-cli.test.ts reads it", () => {
    for (const name of ["package.json", "tsconfig.json", "Pulumi.yaml", "index.ts", "vms/Pulumi.yaml", "vms/index.ts"]) expect(docBlock(name).length).toBeGreaterThan(0);
    // The lines the tarball test rewrites (to JavaScript, to the cluster target) are there as it expects them.
    const program = docBlock("index.ts");
    expect(program).toContain('import * as pulumi from "@pulumi/pulumi";');
    expect(program).toContain('import { ContentLibraryImages } from "pulumi-vmimages";');
    expect(program).toContain("export = async");
    expect(program).toMatch(/^ *\/\/ kubernetes: \{ kubeconfig: config\.requireSecret\("kubeconfig"\) \}/m);
    expect(program).toMatch(/^ *gitops: .*\n/m);
    expect(docBlock("Pulumi.yaml")).toContain("\n  options:\n    typescript: true\n");
  });
});

describe("bench/README.md", () => {
  test("shows the results in bench/results.json (node dist/bench/report.js rewrites them)", () => {
    const readme = readFileSync(path.join(PROJECT, "bench/README.md"), "utf8");
    const results = JSON.parse(readFileSync(path.join(PROJECT, "bench/results.json"), "utf8")) as Results;
    const shown = readme.slice(readme.indexOf(BEGIN) + BEGIN.length, readme.indexOf(END));
    expect(shown.trim()).toBe(renderResults(results).trim());
  });
});
