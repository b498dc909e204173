import * as path from "node:path";
import * as ts from "typescript";
import schema from "../../sdk/plugin/schema.json";
import { PROJECT } from "../helpers/library";

/**
 * The provider plugin's schema.json, from which every other language's SDK is generated, against
 * the TypeScript API it serves: every input of the component and of the functions is in both, with
 * the same type. A field added to one and not the other fails here.
 */

interface SchemaProperty {
  readonly type?: string;
  readonly $ref?: string;
  readonly items?: SchemaProperty;
  readonly properties?: Record<string, SchemaProperty>;
}

type Shape = "string" | "boolean" | "number" | "array" | "object" | "any";

const program = ts.createProgram([path.join(PROJECT, "sdk/index.ts")], { strict: true, skipLibCheck: true, noEmit: true });
const checker = program.getTypeChecker();
const sdk = program.getSourceFile(path.join(PROJECT, "sdk/images.ts"))!;
const select = program.getSourceFile(path.join(PROJECT, "provider/catalog/select.ts"))!;

function declared(file: ts.SourceFile, name: string): ts.Type {
  const declaration = file.statements.find((s): s is ts.InterfaceDeclaration | ts.TypeAliasDeclaration => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name.text === name);
  if (!declaration) throw new Error(`${name} is not declared in ${file.fileName}`);
  return checker.getTypeAtLocation(declaration.name);
}

/** The properties of a type, a union's merged (an argument that is one of several shapes). */
function propertiesOf(type: ts.Type): Map<string, ts.Type> {
  const members = type.isUnion() ? type.types : [type];
  const props = new Map<string, ts.Type>();
  for (const member of members) for (const p of checker.getPropertiesOfType(member)) props.set(p.name, checker.getNonNullableType(checker.getTypeOfSymbol(p)));
  return props;
}

/** What a TypeScript type is, as the schema can say it: `pulumi.Input<string>` is a string, an enum of strings too. */
function shapeOf(type: ts.Type): Shape {
  const parts = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
  const shapes = new Set(
    parts.map((t): Shape => {
      if (t.flags & (ts.TypeFlags.String | ts.TypeFlags.StringLiteral)) return "string";
      if (t.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return "boolean";
      if (t.flags & ts.TypeFlags.Number) return "number";
      if (checker.isArrayType(t) || checker.isTupleType(t)) return "array";
      const name = t.getSymbol()?.name ?? t.aliasSymbol?.name;
      // pulumi.Input<T> is T | Promise<T> | OutputInstance<T>: the wrappers carry T.
      if (name === "Promise" || name === "OutputInstance" || name === "Output" || name === "RegExp") return "any";
      return "object";
    }),
  );
  shapes.delete("any");
  if (shapes.size !== 1) throw new Error(`${checker.typeToString(type)} has no one schema type (${[...shapes].join(", ")})`);
  return [...shapes][0]!;
}

function schemaShape(p: SchemaProperty): Shape {
  if (p.$ref === "pulumi.json#/Any") return "any";
  if (p.$ref !== undefined) return "object";
  return p.type === "integer" ? "number" : (p.type as Shape);
}

function schemaType(ref: string): SchemaProperty {
  return (schema.types as Record<string, SchemaProperty>)[ref.replace("#/types/", "")]!;
}

/** Every property of `type` against the schema's, recursing into objects and arrays: `where` → [TypeScript shape, schema shape]. */
function compare(type: ts.Type, properties: Record<string, SchemaProperty>, where: string, renamed: Record<string, string> = {}): Map<string, [Shape | "missing", Shape | "missing"]> {
  const found = new Map<string, [Shape | "missing", Shape | "missing"]>();
  const ours = propertiesOf(type);
  for (const [name, t] of ours) {
    const key = renamed[name] ?? name;
    const p = properties[key];
    const shape = shapeOf(t);
    found.set(`${where}.${key}`, [shape, p ? schemaShape(p) : "missing"]);
    if (!p) continue;
    if (shape === "object" && p.$ref?.startsWith("#/types/")) for (const [k, v] of compare(t, schemaType(p.$ref).properties ?? {}, `${where}.${key}`)) found.set(k, v);
    if (shape === "array" && p.items?.$ref?.startsWith("#/types/")) {
      const element = checker.getIndexTypeOfType(t, ts.IndexKind.Number) ?? (t as ts.TypeReference).typeArguments?.[0];
      if (element) for (const [k, v] of compare(element, schemaType(p.items.$ref).properties ?? {}, `${where}.${key}[]`)) found.set(k, v);
    }
  }
  for (const key of Object.keys(properties)) if (![...ours.keys()].some((n) => (renamed[n] ?? n) === key)) found.set(`${where}.${key}`, ["missing", schemaShape(properties[key]!)]);
  return found;
}

function mismatches(found: Map<string, [Shape | "missing", Shape | "missing"]>, onlyInSchema: readonly string[] = []): string[] {
  return [...found].filter(([key, [a, b]]) => a !== b && b !== "any" && !(a === "missing" && onlyInSchema.includes(key))).map(([key, [a, b]]) => `${key}: TypeScript ${a}, schema ${b}`);
}

describe("the provider plugin's schema", () => {
  test("names the package vmimages and its component and functions by the tokens every language uses", () => {
    expect(schema.name).toBe("vmimages");
    expect(Object.keys(schema.resources)).toEqual(["vmimages:index:ContentLibraryImages"]);
    expect(Object.keys(schema.functions).sort()).toEqual(["vmimages:index:resolveImage", "vmimages:index:selectImage"]);
    expect(schema.language.python.packageName).toBe("pulumi_vmimages");
  });

  test("has every argument of ContentLibraryImages, with its type, and no other", () => {
    const component = schema.resources["vmimages:index:ContentLibraryImages"];
    expect(mismatches(compare(declared(sdk, "ContentLibraryImagesArgs"), component.inputProperties as Record<string, SchemaProperty>, "ContentLibraryImages"))).toEqual([]);
  });

  test("has the credentials as secrets", () => {
    const types = schema.types as Record<string, { properties: Record<string, { secret?: boolean }> }>;
    expect(types["vmimages:index:Vcenter"]!.properties.password!.secret).toBe(true);
    expect(types["vmimages:index:PublishedLibrary"]!.properties.password!.secret).toBe(true);
    expect(types["vmimages:index:KubernetesTarget"]!.properties.kubeconfig!.secret).toBe(true);
  });

  test("has every option of resolveImage and selectImage, where the catalog is a catalog, a manifests folder or a cluster's kubeconfig", () => {
    const where = { catalog: "any", manifests: "string", kubeconfig: "string", context: "string" } as const;
    const resolve = schema.functions["vmimages:index:resolveImage"].inputs.properties as Record<string, SchemaProperty>;
    // In TypeScript a StackReference is a catalog source of its own (outputName); in other languages its output is the catalog.
    const resolveOptions = compare(declared(sdk, "ResolveImageOptions"), resolve, "resolveImage");
    expect(mismatches(resolveOptions, ["resolveImage.name", ...Object.keys(where).map((k) => `resolveImage.${k}`)])).toEqual([]);
    expect(schemaShape(resolve.name!)).toBe("string");

    const selectInputs = schema.functions["vmimages:index:selectImage"].inputs.properties as Record<string, SchemaProperty>;
    const criteria = compare(declared(select, "ImageCriteria"), selectInputs, "selectImage", { name: "displayName" });
    const options = compare(declared(select, "SelectOptions"), selectInputs, "selectImage");
    const both = new Map([...criteria, ...options].filter(([, [a]]) => a !== "missing"));
    expect(mismatches(both)).toEqual([]);
    // And nothing in the schema that neither has, but the catalog's source.
    const known = new Set([...both.keys()].map((k) => k.replace("selectImage.", "")));
    expect(Object.keys(selectInputs).filter((k) => !known.has(k) && !(k in where))).toEqual([]);
    for (const [k, shape] of Object.entries(where)) {
      expect([k, schemaShape(resolve[k]!)]).toEqual([k, shape]);
      expect([k, schemaShape(selectInputs[k]!)]).toEqual([k, shape]);
    }
  });
});
