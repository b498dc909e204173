import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT } from "../helpers/library";

/**
 * Data flows one way through the engine's stages: each stage may import the ground floor and the
 * stages before it, never one after it. The faces (CLI and SDK) come last.
 */
const STAGES: ReadonlyArray<readonly [stage: string, rank: number]> = [
  ["provider/source", 1],
  ["provider/ovf", 1],
  ["provider/image", 2],
  ["provider/catalog", 3],
  ["provider/pipeline", 4],
  ["provider/targets", 5],
  ["provider/vms", 5],
  ["provider/cli", 6],
  ["sdk", 6],
];

/** The stage of a module and its rank; the modules directly in provider/ are the ground floor (0). */
function stageOf(file: string): readonly [string, number] {
  const rel = path.relative(PROJECT, file).split(path.sep).join("/");
  return STAGES.find(([stage]) => rel.startsWith(`${stage}/`)) ?? ["provider", 0];
}

function modules(dir: string): string[] {
  return readdirSync(path.join(PROJECT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(PROJECT, dir, f));
}

const imports = [...modules("provider"), ...modules("sdk")].flatMap((file) =>
  [...readFileSync(file, "utf8").matchAll(/^(?:import|export)\b[^;]*?from "(\.[^"]+)"/gms)].map((m) => {
    const target = path.resolve(path.dirname(file), m[1]!);
    return { from: path.relative(PROJECT, file), to: path.relative(PROJECT, target), fromStage: stageOf(file), toStage: stageOf(`${target}.ts`) };
  }),
);

describe("the engine's layers", () => {
  test("are found in the code (the check below sees imports)", () => {
    expect(imports.length).toBeGreaterThan(50);
    expect(imports).toContainEqual(expect.objectContaining({ from: "provider/cli/reading.ts", to: "provider/pipeline/run" }));
  });

  test("no module imports a stage after its own", () => {
    const upward = imports
      .filter(({ fromStage, toStage }) => fromStage[0] !== toStage[0] && toStage[1] >= fromStage[1])
      .map(({ from, to }) => `${from} -> ${to}`);
    expect(upward).toEqual([]);
  });

  test("the ground floor imports no stage", () => {
    expect(imports.filter(({ fromStage, toStage }) => fromStage[1] === 0 && toStage[1] > 0).map(({ from, to }) => `${from} -> ${to}`)).toEqual([]);
  });

  test("each face runs the engine through the pipeline and its targets (and resolves through the catalog), never a stage below them", () => {
    const faces = imports.filter(({ from }) => from.startsWith("provider/cli/") || from === "sdk/images.ts");
    expect(faces.map(({ to }) => to)).toEqual(expect.arrayContaining(["provider/pipeline/run", "provider/targets/gitops"]));
    const below = faces.filter(({ toStage }) => toStage[1] > 0 && toStage[1] < 3).map(({ from, to }) => `${from} -> ${to}`);
    expect(below).toEqual([]);
  });
});
