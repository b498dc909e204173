import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { writeFileAtomically } from "../../provider/atomic-file";
import { tempDir } from "../helpers/library";

describe("writing a file atomically", () => {
  test("creates the file, and replaces an existing one with the new content", () => {
    const dir = tempDir("vmimages-atomic-");
    const file = path.join(dir, "a.yaml");
    writeFileAtomically(file, "first\n");
    expect(readFileSync(file, "utf8")).toBe("first\n");
    writeFileAtomically(file, "second\n");
    expect(readFileSync(file, "utf8")).toBe("second\n");
    expect(readdirSync(dir)).toEqual(["a.yaml"]);
  });

  test("a write that fails leaves the old file as it was and no temporary file", () => {
    const dir = tempDir("vmimages-atomic-");
    const file = path.join(dir, "a.yaml");
    writeFileSync(file, "old\n");
    // A folder where the file should be: the rename over it fails (even for root).
    const blocked = path.join(dir, "blocked");
    mkdirSync(path.join(blocked, "inside"), { recursive: true });
    expect(() => writeFileAtomically(blocked, "new\n")).toThrow();
    expect(readdirSync(dir).sort()).toEqual(["a.yaml", "blocked"]);
    expect(readFileSync(file, "utf8")).toBe("old\n");
  });

  test("a file in a folder that does not exist fails and leaves nothing", () => {
    const dir = tempDir("vmimages-atomic-");
    expect(() => writeFileAtomically(path.join(dir, "missing", "a.yaml"), "x")).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
