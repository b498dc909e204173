import fc from "fast-check";
import { parse } from "yaml";
import { KUSTOMIZATION, manifestPath, planFolder, renderFolder } from "../../provider/targets/gitops/layout";
import { previousManifest } from "../../provider/targets/gitops/previous";
import { readOwnYaml, readRendered, renderYaml } from "../../provider/yaml";
import { testImage } from "../helpers/image";

const manifest = (id: string, ns?: string) => testImage({ id, name: `image ${id.slice(0, 4)}`, contentVersion: "yes", ...(ns ? { namespace: ns } : {}) });

describe("YAML rendering", () => {
  test("puts apiVersion, kind, metadata, spec, status first and sorts every other key", () => {
    const text = renderYaml({ status: { b: 1, a: 2 }, kind: "K", zz: 1, metadata: { name: "img" }, apiVersion: "v1" });
    expect(text).toBe("apiVersion: v1\nkind: K\nmetadata:\n  name: img\nstatus:\n  a: 2\n  b: 1\nzz: 1\n");
  });

  test("quotes strings a YAML 1.1 reader (kubectl, Argo CD) would take for a timestamp, boolean or number", () => {
    const text = renderYaml({ a: "2026-01-02T03:04:05Z", b: "yes", c: "on", d: "5.0", e: "True" });
    expect(text).toBe('a: "2026-01-02T03:04:05Z"\nb: "yes"\nc: "on"\nd: "5.0"\ne: "True"\n');
  });

  test("escapes control characters YAML readers refuse or read as line breaks (DEL, C1 with NEL, separators, BOM), and gives the same string back", () => {
    const nasty = "a\u007fb\u0085c\u2028d\u2029e\ufeff\u001bf\u009bg";
    const text = renderYaml({ name: nasty });
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/);
    expect(text).toBe('name: "a\\u007fb\\u0085c\\u2028d\\u2029e\\ufeff\\u001bf\\u009bg"\n');
    expect(parse(text, { version: "1.1" })).toEqual({ name: nasty });
    expect(parse(text, { version: "1.2" })).toEqual({ name: nasty });
  });

  test("never folds long strings", () => {
    const long = "x ".repeat(100).trim();
    expect(renderYaml({ long }).split("\n")).toHaveLength(2);
  });

  test("reads back as the same data in YAML 1.1 and 1.2, and through the project's own reader, for any JSON data", () => {
    const key = fc.string({ minLength: 1 }).filter((k) => k !== "__proto__");
    const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constantFrom("yes", "on", "0755", "2026-01-01", "1e3", "E0", "e-5", "~", "null", ".inf", "- x", "a: b", "#c", " lead", "trail ", "<<", "="));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(key, tie("node"), { maxKeys: 4 })),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (doc) => {
        const text = renderYaml(doc);
        expect(parse(text, { version: "1.1" })).toEqual(doc);
        expect(parse(text, { version: "1.2" })).toEqual(doc);
        expect(readRendered(text)).toEqual(doc);
        const list = renderYaml([doc, [], [doc], "x"]);
        expect(parse(list)).toEqual([doc, [], [doc], "x"]);
        expect(readRendered(list)).toEqual([doc, [], [doc], "x"]);
      }),
      { numRuns: 1000 },
    );
  });

  test("renders the same bytes for the same manifest, and parses back to it", () => {
    const m = manifest("e1968c25-dd84-4506-8dc7-9beacb6b688e");
    expect(renderYaml(m)).toBe(renderYaml(JSON.parse(JSON.stringify(m))));
    expect(parse(renderYaml(m))).toEqual(m);
  });
});

describe("the GitOps folder", () => {
  const a = manifest("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
  const b = manifest("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", "team-a");

  test("puts cluster images under cluster/ and namespaced ones under namespaces/<ns>/", () => {
    expect(manifestPath(a)).toBe(`cluster/${a.metadata.name}.yaml`);
    expect(manifestPath(b)).toBe(`namespaces/team-a/${b.metadata.name}.yaml`);
  });

  test("lists every image file in a kustomization.yaml, sorted", () => {
    const files = renderFolder([b, a]);
    expect([...files.keys()]).toEqual([manifestPath(a), KUSTOMIZATION, manifestPath(b)]);
    expect(parse(files.get(KUSTOMIZATION)!)).toEqual({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: [manifestPath(a), manifestPath(b)],
    });
  });

  test("plans writes only for changed files and removes files of vanished images", () => {
    const before = renderFolder([a, b]);
    const after = renderFolder([a]);
    const plan = planFolder(before, after);
    expect(plan.write.map(([p]) => p)).toEqual([KUSTOMIZATION]);
    expect(plan.remove).toEqual([manifestPath(b)]);
    expect(plan.unchanged).toEqual([manifestPath(a)]);
  });

  test("an unchanged folder plans nothing", () => {
    const files = renderFolder([a, b]);
    expect(planFolder(files, renderFolder([a, b]))).toEqual({ write: [], remove: [], unchanged: [...files.keys()] });
  });
});

describe("reading back what the project wrote", () => {
  const base = manifest("e1968c25-dd84-4506-8dc7-9beacb6b688e");
  test.each([
    ["the usual Ready condition", base.status.conditions],
    ["a message with quotes, colons and a newline", [{ ...base.status.conditions[0]!, message: 'disk "a": gone\nreally', reason: "Not:Ready" }]],
    ["two conditions", [...base.status.conditions, { ...base.status.conditions[0]!, type: "Other" }]],
  ])("gives back a manifest with %s exactly, header and all", (_what, conditions) => {
    const image = { ...base, status: { ...base.status, conditions } };
    expect(readRendered(renderYaml(image, "Generated by vmimages.\nDo not edit."))).toEqual(image);
    expect(previousManifest(renderYaml(image, "Generated by vmimages."))).toEqual(image);
  });

  test.each([
    ["a comment after a value", "a: b # note\n"],
    ["flow style", "a: {b: 1}\n"],
    ["a single-quoted string", "a: 'b'\n"],
    ["an indent of four", "a:\n    b: 1\n"],
    ["no final newline", "a: b"],
    ["a string YAML 1.1 reads as a boolean", "a: yes\n"],
    ["a block scalar", "a: |\n  b\n"],
  ])("declines a text with %s, which the general reader then reads", (_what, text) => {
    expect(readRendered(text)).toBeUndefined();
    expect(readOwnYaml(text)).toEqual(parse(text, { version: "1.1" }));
  });

  test("a file that no longer reads as an image has none", () => {
    expect(previousManifest("apiVersion: v1\nkind: K\n")).toBeUndefined();
    expect(previousManifest("a: [\n")).toBeUndefined();
  });
});
