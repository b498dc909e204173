import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { OutputError } from "../../provider/errors";
import { readManifestsFolder } from "../../provider/targets/gitops/manifests";
import { renderYaml } from "../../provider/targets/gitops/yaml";
import { rejection } from "../helpers/failure";
import { isoImage } from "../helpers/image";
import { tempDir, writeTree } from "../helpers/library";

describe("reading a folder of manifests, whoever wrote it", () => {
  test("finds every image in the YAML files below it, multi-document files included, and nothing else", async () => {
    const dir = tempDir("vmimages-manifests-");
    const [a, b, c] = [isoImage(1), isoImage(2, "team-a"), isoImage(3)];
    writeTree(dir, {
      "cluster/a.yaml": renderYaml(a),
      "deep/er/both.yml": `${renderYaml(b)}---\n${renderYaml({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } })}---\n${renderYaml(c)}`,
      "notes.txt": renderYaml(isoImage(4)),
      "kustomization.yaml": "resources: []\n",
    });
    const found = await readManifestsFolder(dir);
    expect(found.map((m) => m.metadata.name).sort()).toEqual([a, b, c].map((m) => m.metadata.name).sort());
    expect(found.find((m) => m.metadata.name === b.metadata.name)).toEqual(JSON.parse(JSON.stringify(b)));
  });

  test("a file that is not YAML is an error naming it", async () => {
    const dir = tempDir("vmimages-manifests-");
    writeTree(dir, { "bad.yaml": "a: [unclosed\n" });
    const err = await rejection(readManifestsFolder(dir));
    expect(err).toBeInstanceOf(OutputError);
    expect(err.message).toMatch(new RegExp(`^${path.join(dir, "bad.yaml").replace(/[/.]/g, "\\$&")} is not valid YAML: `));
  });

  test("a missing folder, or a file given as the folder, is an error naming it", async () => {
    const dir = tempDir("vmimages-manifests-");
    expect((await rejection(readManifestsFolder(path.join(dir, "nope")))).message).toMatch(`cannot read the manifests folder ${path.join(dir, "nope")}: ENOENT`);
    writeFileSync(path.join(dir, "file.yaml"), "a: 1\n");
    expect((await rejection(readManifestsFolder(path.join(dir, "file.yaml")))).message).toBe(`${path.join(dir, "file.yaml")} is not a folder of manifests`);
  });

});
