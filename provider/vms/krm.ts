import { Catalog } from "../catalog/catalog";
import { ConfigError } from "../errors";
import { isRecord } from "../util";
import { Edit } from "./edit";
import { MutateOptions, mutationOf, virtualMachineOf } from "./mutation";

/**
 * `vmimages mutate --krm`: a KRM function (a `config.kubernetes.io/v1` ResourceList on standard input,
 * written back on standard output), so kustomize (`exec` functions) and kpt (`fn eval --exec`) run it.
 * Every item comes back, every annotation the orchestrator put on one stays; the VirtualMachines get
 * their image; `results` says what was done and what could not be.
 */

/** Where the catalog comes from and how to resolve, as a function's configuration gives it. */
export interface KrmOptions extends MutateOptions {
  readonly manifests?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly config?: string;
}

/** A KRM function result (kyaml's `framework.Result`). */
export interface KrmResult {
  readonly message: string;
  readonly severity: "error" | "warning" | "info";
  readonly resourceRef?: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly namespace?: string };
  readonly field?: { readonly path: string; readonly proposedValue?: string };
  readonly file?: { readonly path: string; readonly index?: number };
}

export interface ResourceList {
  readonly apiVersion: string;
  readonly kind: "ResourceList";
  readonly items: readonly unknown[];
  readonly functionConfig?: unknown;
  readonly results?: readonly KrmResult[];
}

/** Our typed function configuration: `apiVersion: vmimages.pulumi-vmimages.dev/v1alpha1, kind: MutateOptions`. */
export const OPTIONS_KIND = { apiVersion: "vmimages.pulumi-vmimages.dev/v1alpha1", kind: "MutateOptions" } as const;

/**
 * The ResourceList read from a function's input.
 * @throws ConfigError when it is no ResourceList
 */
export function readResourceList(value: unknown): ResourceList {
  if (!isRecord(value) || value.kind !== "ResourceList" || !Array.isArray(value.items)) {
    throw new ConfigError("standard input is not a KRM ResourceList (kind: ResourceList, with items): vmimages mutate --krm runs as a kustomize or kpt function");
  }
  return value as unknown as ResourceList;
}

/**
 * The options a function configuration gives: a ConfigMap's `data` (kustomize's config object, or
 * kpt's `function-input`), or our MutateOptions' fields. Booleans are the string "true" or a boolean.
 * @throws ConfigError naming a field that is not one
 */
export function krmOptions(functionConfig: unknown): KrmOptions {
  if (functionConfig === undefined || functionConfig === null) return {};
  if (!isRecord(functionConfig)) throw new ConfigError("the function configuration is not a mapping");
  const fields = functionConfig.kind === "ConfigMap" ? functionConfig.data : functionConfig.kind === OPTIONS_KIND.kind ? functionConfig : undefined;
  if (fields === undefined) throw new ConfigError(`the function configuration must be a ConfigMap or a ${OPTIONS_KIND.apiVersion} ${OPTIONS_KIND.kind}, not a ${String(functionConfig.kind)}`);
  if (!isRecord(fields)) return {};
  const known = ["namespace", "strict", "manifests", "kubeconfig", "context", "config"];
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (["apiVersion", "kind", "metadata"].includes(key)) continue;
    if (!known.includes(key)) throw new ConfigError(`the function configuration has the field "${key}", which vmimages mutate does not know (known: ${known.join(", ")})`);
    if (key === "strict") options.strict = value === true || value === "true";
    else if (typeof value === "string" && value !== "") options[key] = value;
    else throw new ConfigError(`the function configuration's ${key} must be a non-empty string`);
  }
  return options as KrmOptions;
}

/** The ResourceList with its VirtualMachines given their images, and a result for each change and problem. */
export function mutateResourceList(list: ResourceList, catalog: Catalog, options: MutateOptions): { readonly list: ResourceList; readonly errors: number } {
  const results: KrmResult[] = [];
  const items = list.items.map((item) => {
    const vm = virtualMachineOf(item);
    if (!vm || !isRecord(item)) return item;
    const metadata = isRecord(item.metadata) ? item.metadata : {};
    const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
    const path = annotations["internal.config.kubernetes.io/path"] ?? annotations["config.kubernetes.io/path"];
    const index = annotations["internal.config.kubernetes.io/index"] ?? annotations["config.kubernetes.io/index"];
    const where = {
      resourceRef: { apiVersion: vm.apiVersion, kind: "VirtualMachine", name: vm.name, ...(vm.namespace ? { namespace: vm.namespace } : {}) },
      ...(typeof path === "string" ? { file: { path, ...(typeof index === "string" && /^\d+$/.test(index) ? { index: Number(index) } : {}) } } : {}),
    };
    const mutation = mutationOf(vm, catalog, options);
    if (mutation.kind === "problem") {
      results.push({ message: `VirtualMachine ${vm.namespace ?? options.namespace ?? "?"}/${vm.name}: ${mutation.reason}`, severity: "error", ...where, field: { path: "spec.imageName" } });
      return item;
    }
    if (mutation.kind !== "change") return item;
    results.push({ message: `spec.imageName and spec.image: ${mutation.image.name} ("${mutation.image.displayName}", ${mutation.image.kind})`, severity: "info", ...where, field: { path: "spec.image", proposedValue: mutation.image.name } });
    return withEdits(item, mutation.edits);
  });
  const errors = results.filter((r) => r.severity === "error").length;
  return { list: { ...list, items, results: [...(list.results ?? []), ...results] }, errors };
}

/** A copy of an object with each edit's path set to its value, maps made on the way. */
function withEdits(item: Record<string, unknown>, edits: readonly Edit[]): Record<string, unknown> {
  const out = structuredClone(item);
  for (const { path, value } of edits) {
    let node: Record<string, unknown> = out;
    for (const key of path.slice(0, -1)) {
      if (!isRecord(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  return out;
}
