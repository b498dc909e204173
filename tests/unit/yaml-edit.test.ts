import fc from "fast-check";
import { parse, parseDocument } from "yaml";
import { Edit, applyEdits, plainSafe } from "../../provider/vms/edit";

const P = "vmimages.pulumi-vmimages.dev/";
const VMI = "vmi-0a0044d7c690bcbea";

/** The edits `mutate` makes for a VM of v1alpha3 or later, with the display name it came from. */
const vmEdits = (id: string, kind: string, from?: string): Edit[] => [
  { path: ["spec", "imageName"], value: id },
  { path: ["spec", "image", "kind"], value: kind, after: "imageName" },
  { path: ["spec", "image", "name"], value: id },
  ...(from !== undefined ? [{ path: ["metadata", "annotations", `${P}image-name`], value: from }] : []),
];

const MIXED = [
  "# Leading comment for the whole file",
  "",
  "apiVersion: v1",
  "kind: ConfigMap",
  "metadata:",
  "  name: cfg   # trailing comment",
  "data:",
  "  b: \"double \\u00e9 quoted\"",
  "  c: {x: 1, y: [1,2,  3]}",
  "  e: >-",
  "    folded",
  "    text",
  "---",
  "apiVersion: vmoperator.vmware.com/v1alpha6",
  "kind: VirtualMachine",
  "metadata:",
  "  name: web-1",
  "  labels: {app: web}   # flow labels",
  "spec:",
  "  className: best-effort-small",
  "",
  "  # the image we want",
  '  imageName: "Photon OS 5.0"   # display name',
  "  powerState: PoweredOn",
  "...",
  "---",
  "- one",
  "-   two",
  "",
].join("\n");

describe("editing a YAML file in place", () => {
  test("changes only the VM's fields of a multi-document file: comments, quoting, folding and the other documents stay byte for byte", () => {
    const out = applyEdits(MIXED, 1, vmEdits(VMI, "VirtualMachineImage", "Photon OS 5.0"));
    const expected = MIXED.replace("  labels: {app: web}   # flow labels\n", `  labels: {app: web}   # flow labels\n  annotations:\n    ${P}image-name: Photon OS 5.0\n`).replace(
      '  imageName: "Photon OS 5.0"   # display name\n',
      `  imageName: "${VMI}"   # display name\n  image:\n    kind: VirtualMachineImage\n    name: ${VMI}\n`,
    );
    expect(out).toBe(expected);
    expect(applyEdits(out, 1, vmEdits(VMI, "VirtualMachineImage", "Photon OS 5.0"))).toBe(out);
  });

  test("keeps CRLF line endings and the file's own indentation step", () => {
    const src = "apiVersion: vmoperator.vmware.com/v1alpha3\r\nkind: VirtualMachine\r\nmetadata:\r\n  name: crlf\r\n  annotations:\r\n    keep: \"yes\"\r\nspec:\r\n    className: small\r\n    imageName: ubuntu-22.04   # x\r\n";
    const out = applyEdits(src, 0, vmEdits(VMI, "ClusterVirtualMachineImage", "ubuntu-22.04"));
    expect(out).toBe(
      "apiVersion: vmoperator.vmware.com/v1alpha3\r\nkind: VirtualMachine\r\nmetadata:\r\n  name: crlf\r\n  annotations:\r\n    keep: \"yes\"\r\n" +
        `    ${P}image-name: ubuntu-22.04\r\nspec:\r\n    className: small\r\n    imageName: ${VMI}   # x\r\n    image:\r\n        kind: ClusterVirtualMachineImage\r\n        name: ${VMI}\r\n`,
    );
    expect(out).not.toMatch(/[^\r]\n/);
  });

  test("writes into flow maps as flow, keeps a single-quoted scalar single-quoted, and a last line without a line ending", () => {
    const src = "apiVersion: vmoperator.vmware.com/v1alpha6\nkind: VirtualMachine\nmetadata:\n  name: a\n  annotations: {team: x}\nspec:\n  image: {kind: VirtualMachineImage, name: vmi-old}\n  imageName: 'Photon OS 5.0'";
    expect(applyEdits(src, 0, vmEdits(VMI, "VirtualMachineImage", "Photon OS 5.0"))).toBe(
      `apiVersion: vmoperator.vmware.com/v1alpha6\nkind: VirtualMachine\nmetadata:\n  name: a\n  annotations: {team: x, ${P}image-name: Photon OS 5.0}\nspec:\n  image: {kind: VirtualMachineImage, name: ${VMI}}\n  imageName: '${VMI}'`,
    );
  });

  test("gives a null annotations a map, keeping its comment, and leaves a document end marker", () => {
    const src = "---\napiVersion: vmoperator.vmware.com/v1alpha2\nkind: VirtualMachine\nmetadata:\n  name: b\n  annotations: ~  # none yet\nspec:\n  imageName: ubuntu\n...\n";
    const edits: Edit[] = [
      { path: ["spec", "imageName"], value: VMI },
      { path: ["metadata", "annotations", `${P}image-name`], value: "ubuntu" },
    ];
    expect(applyEdits(src, 0, edits)).toBe(`---\napiVersion: vmoperator.vmware.com/v1alpha2\nkind: VirtualMachine\nmetadata:\n  name: b\n  annotations:  # none yet\n    ${P}image-name: ubuntu\nspec:\n  imageName: ${VMI}\n...\n`);
  });

  test("replaces a block scalar by a plain one and puts new keys before a trailing comment", () => {
    const src = "kind: VirtualMachine\nmetadata:\n  name: d\nspec:\n  imageName: |-\n    Photon OS 5.0\n  # comment about status\nstatus: {}\n";
    expect(applyEdits(src, 0, vmEdits(VMI, "VirtualMachineImage"))).toBe(
      `kind: VirtualMachine\nmetadata:\n  name: d\nspec:\n  imageName: ${VMI}\n  image:\n    kind: VirtualMachineImage\n    name: ${VMI}\n  # comment about status\nstatus: {}\n`,
    );
  });

  test("fills in a missing kind after the name that is there, key order kept", () => {
    const src = `kind: VirtualMachine\nspec:\n  image:\n    name: ${VMI}  # pinned\n  className: small\n`;
    expect(applyEdits(src, 0, [{ path: ["spec", "image", "kind"], value: "VirtualMachineImage" }])).toBe(`kind: VirtualMachine\nspec:\n  image:\n    name: ${VMI}  # pinned\n    kind: VirtualMachineImage\n  className: small\n`);
  });

  test("a value already there gives back the very same string", () => {
    expect(applyEdits(MIXED, 1, [{ path: ["spec", "imageName"], value: "Photon OS 5.0" }])).toBe(MIXED);
  });

  test("refuses to write into something that is not a map, saying where", () => {
    expect(() => applyEdits("kind: VirtualMachine\nspec: [a]\n", 0, [{ path: ["spec", "imageName"], value: VMI }])).toThrow("spec is not a map");
  });

  test("any string set reads back as itself in YAML 1.2 and 1.1, in block and flow maps alike", () => {
    const awkward = fc.constantFrom("yes", "on", "1.0", "0x1F", "~", "null", "a: b", "#x", "x #y", "- x", "[x]", "it's", 'say "hi"', " pad", "", "1_000", "2024-01-01", "ünï", "@x", "a\u0085b", "\u2028");
    fc.assert(
      fc.property(fc.oneof(fc.string(), awkward), fc.boolean(), (value, flow) => {
        const src = flow ? "kind: VirtualMachine\nmetadata: {name: q}\n" : "kind: VirtualMachine\nmetadata:\n  name: q\n";
        const out = applyEdits(src, 0, [{ path: ["metadata", "annotations", "k"], value }]);
        for (const version of ["1.2", "1.1"] as const) expect((parse(out, { version }) as { metadata: { annotations: { k: string } } }).metadata.annotations.k).toBe(value);
      }),
      { numRuns: 400 },
    );
  });

  test("a plain scalar is written only where YAML 1.1 readers read the same string", () => {
    expect(plainSafe("Photon OS 5.0", false)).toBe(true);
    for (const s of ["yes", "on", "1_000", "0755", "2026-01-01", "a: b"]) expect(plainSafe(s, false)).toBe(false);
    expect(parseDocument("x: 1").errors).toEqual([]);
  });
});
