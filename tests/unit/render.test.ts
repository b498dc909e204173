import fc from "fast-check";
import { parse } from "yaml";
import { KUSTOMIZATION, manifestPath, planFolder, renderFolder, renderKustomization, renderedKustomizationResources } from "../../provider/targets/gitops/layout";
import { renderYaml } from "../../provider/targets/gitops/yaml";
import { conditionsOf } from "../../provider/targets/gitops/previous";
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

  test("reads back as the same data in YAML 1.1 and 1.2, for any JSON data", () => {
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

  test("reads back the files its own kustomization lists without a YAML parser, and declines any other text", () => {
    const kustomization = renderFolder([b, a]).get(KUSTOMIZATION)!;
    expect(renderedKustomizationResources(kustomization)).toEqual([manifestPath(a), manifestPath(b)]);
    expect(renderedKustomizationResources(renderKustomization([]))).toBeUndefined();
    expect(renderedKustomizationResources(kustomization.replace("resources:\n", "resources: # mine\n"))).toBeUndefined();
    expect(renderedKustomizationResources(kustomization + "  - extra.yaml # hand-added\n")).toBeUndefined();
    expect(renderedKustomizationResources(kustomization.replace(/\n$/, ""))).toBeUndefined();
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

describe("reading a previous run's conditions", () => {
  const base = manifest("e1968c25-dd84-4506-8dc7-9beacb6b688e");
  test.each([
    ["the usual Ready condition", base.status.conditions],
    ["a message with quotes, colons and a newline", [{ ...base.status.conditions[0]!, message: 'disk "a": gone\nreally', reason: "Not:Ready" }]],
    ["two conditions (read through the YAML parser)", [...base.status.conditions, { ...base.status.conditions[0]!, type: "Other" }]],
  ])("gives back %s exactly", (_what, conditions) => {
    const text = renderYaml({ ...base, status: { ...base.status, conditions } });
    expect(conditionsOf(text)).toEqual(conditions);
  });

  test("a file without conditions has none", () => {
    expect(conditionsOf("apiVersion: v1\nkind: K\n")).toBeUndefined();
  });
});
