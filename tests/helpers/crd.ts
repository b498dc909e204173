import Ajv, { ValidateFunction } from "ajv";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CORPUS } from "./corpus";

const FILES: Record<string, string> = {
  VirtualMachineImage: "vmoperator.vmware.com_virtualmachineimages.yaml",
  ClusterVirtualMachineImage: "vmoperator.vmware.com_clustervirtualmachineimages.yaml",
  VirtualMachine: "vmoperator.vmware.com_virtualmachines.yaml",
};

const cache = new Map<string, ValidateFunction>();

/**
 * A validator for one kind and version of VM Operator's real CRDs. Objects that declare
 * `properties` reject unknown fields (the API server would silently prune them, losing data).
 */
export function crdValidator(kind: string, apiVersion: string): ValidateFunction {
  const version = apiVersion.split("/")[1]!;
  const key = `${kind}/${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const crd = parse(readFileSync(path.join(CORPUS, "crds", FILES[kind]!), "utf8")) as {
    spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> };
  };
  const schema = crd.spec.versions.find((v) => v.name === version)?.schema.openAPIV3Schema;
  if (!schema) throw new Error(`${kind} CRD has no version ${version}`);
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat("date-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  ajv.addFormat("byte", true);
  // The VirtualMachine CRD's biosUUID and instanceUUID, as the API server checks them.
  ajv.addFormat("uuid", /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);
  const validate = ajv.compile(closeObjects(schema) as object);
  cache.set(key, validate);
  return validate;
}

function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === "properties" ? mapValues(v as Record<string, unknown>, closeObjects) : closeObjects(v);
  if (out.properties && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) out.additionalProperties = false;
  return out;
}

function mapValues(obj: Record<string, unknown>, f: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, f(v)]));
}

/** Validates a manifest (as plain JSON) and returns the errors as readable lines. */
export function crdErrors(manifest: { kind: string; apiVersion: string }): string[] {
  const validate = crdValidator(manifest.kind, manifest.apiVersion);
  const json = JSON.parse(JSON.stringify(manifest));
  return validate(json) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}
