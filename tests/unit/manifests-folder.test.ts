import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { OutputError } from "../../provider/errors";
import { readManifestsFolder } from "../../provider/targets/gitops/manifests";
import { renderYaml } from "../../provider/yaml";
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


  test.each([
    ["an image without a status", "apiVersion: vmoperator.vmware.com/v1alpha5\nkind: VirtualMachineImage\nmetadata:\n  name: vmi-x\n", "a VirtualMachineImage (vmi-x) without a status"],
    ["an image whose name is a list", "kind: ClusterVirtualMachineImage\nmetadata:\n  name: [a, b]\nstatus:\n  name: x\n", "a ClusterVirtualMachineImage without a metadata.name that is a string"],
    ["an image whose labels are not strings", "kind: ClusterVirtualMachineImage\nmetadata:\n  name: a\n  labels:\n    x: [1]\nstatus:\n  name: x\n", "(a) whose metadata.labels are not a map of strings"],
    ["a map with a key twice", "kind: ConfigMap\nmetadata:\n  name: a\n  name: b\n", 'the key "name" appears twice in one map'],
  ])("%s is an error naming the file", async (_what, yamlText, message) => {
    const dir = tempDir("vmimages-manifests-");
    writeTree(dir, { "x.yaml": yamlText });
    const err = await rejection(readManifestsFolder(dir));
    expect(err).toBeInstanceOf(OutputError);
    expect(err.message).toContain(path.join(dir, "x.yaml"));
    expect(err.message).toContain(message);
  });

  test("a YAML alias bomb is refused naming the file, without expanding it", async () => {
    const dir = tempDir("vmimages-manifests-");
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    writeTree(dir, { "bomb.yaml": `${levels.join("\n")}\n` });
    const err = await rejection(readManifestsFolder(dir));
    expect(err.message).toMatch(new RegExp(`^${path.join(dir, "bomb.yaml").replace(/[/.]/g, "\\$&")} cannot be read: .*alias`, "i"));
  });

  test("reads a single map of 100,000 keys (the parser's own duplicate check was quadratic)", async () => {
    const dir = tempDir("vmimages-manifests-");
    writeTree(dir, { "big.yaml": `${Array.from({ length: 100_000 }, (_, i) => `k${i}: ${i}`).join("\n")}\n`, "a.yaml": renderYaml(isoImage(1)) });
    expect((await readManifestsFolder(dir)).map((m) => m.metadata.name)).toEqual([isoImage(1).metadata.name]);
  });
});
