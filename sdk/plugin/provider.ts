import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { isRpcSecret, specialSecretSig, specialSigKey, unwrapRpcSecret } from "@pulumi/pulumi/runtime/rpc";
import { Catalog, buildCatalog } from "../../provider/catalog/catalog";
import { resolveCatalogImage } from "../../provider/catalog/resolve";
import { selectCatalogImage } from "../../provider/catalog/select";
import { ConfigError } from "../../provider/errors";
import { readClusterImages } from "../../provider/targets/cluster";
import { readManifestsFolder } from "../../provider/targets/gitops";
import { clusterImageOperations, imageOperations } from "../../provider/targets/pulumi/operations";
import { CLUSTER_IMAGE_TYPE, IMAGE_TYPE, ImageResourceKinds } from "../../provider/targets/pulumi/resources";
import { ContentLibraryImages, ContentLibraryImagesArgs } from "../images";

/**
 * The provider plugin `pulumi-resource-vmimages`: the package as every Pulumi language uses it.
 * It constructs the `ContentLibraryImages` component (the TypeScript class itself, whose image
 * resources are then this plugin's `vmimages:index:Image` and `vmimages:index:ClusterImage`),
 * serves those resources with the operations the TypeScript program's dynamic resources run, and
 * answers the functions `resolveImage` and `selectImage`. State holds only inputs and outputs.
 */

export const COMPONENT_TYPE = "vmimages:index:ContentLibraryImages";
export const RESOLVE_IMAGE = "vmimages:index:resolveImage";
export const SELECT_IMAGE = "vmimages:index:selectImage";

/** The component as the plugin constructs it: its images are the plugin's own resources. */
class PluginContentLibraryImages extends ContentLibraryImages {
  protected override imageResources(): ImageResourceKinds {
    return "plugin";
  }
}

type Props = Record<string, unknown>;

export class VmImagesProvider implements provider.Provider {
  constructor(
    readonly version: string,
    private readonly schemaText: string,
  ) {}

  async getSchema(): Promise<string> {
    return this.schemaText;
  }

  async create(urn: string, inputs: Props): Promise<provider.CreateResult> {
    const made = await operationsOf(urn).create(plain(inputs));
    return { id: made.id, outs: withSecrets(made.outs) };
  }

  async update(id: string, urn: string, olds: Props, news: Props): Promise<provider.UpdateResult> {
    const made = await operationsOf(urn).update(id, plain(olds), plain(news));
    return { outs: withSecrets(made.outs) };
  }

  async delete(id: string, urn: string, props: Props): Promise<void> {
    await operationsOf(urn).delete(id, plain(props));
  }

  async read(id: string, urn: string, props?: Props): Promise<provider.ReadResult> {
    const seen = await operationsOf(urn).read(id, plain(props ?? {}));
    return { id: seen.id, props: withSecrets(seen.props), ...(seen.inputs ? { inputs: withSecrets(seen.inputs) } : {}) };
  }

  async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<provider.ConstructResult> {
    if (type !== COMPONENT_TYPE) throw new Error(`unknown resource type ${type}: vmimages serves ${COMPONENT_TYPE}`);
    const args = await componentArgs(inputs);
    const component = new PluginContentLibraryImages(name, args, options);
    // The reading error (naming the library, item and file) is the construct's, said as it is.
    await component.ready;
    return { urn: component.urn, state: { catalog: component.catalog } };
  }

  async invoke(token: string, inputs: Props): Promise<provider.InvokeResult> {
    const args = plain(inputs) as FunctionArgs;
    if (token === RESOLVE_IMAGE) {
      if (typeof args.name !== "string") throw new ConfigError(`${RESOLVE_IMAGE}: "name" is required: the display name or VMI ID to resolve`);
      const image = resolveCatalogImage(await catalogOf(args, RESOLVE_IMAGE), args.name, args.namespace, { ...(args.strict ? { strict: true } : {}), ...(args.requireCapabilities ? { requireCapabilities: args.requireCapabilities } : {}) });
      return { outputs: { kind: image.kind, name: image.name } };
    }
    if (token === SELECT_IMAGE) {
      const choice = selectCatalogImage(
        await catalogOf(args, SELECT_IMAGE),
        {
          ...(args.selector !== undefined ? { selector: args.selector } : {}),
          ...(args.displayName !== undefined ? { name: args.displayName } : {}),
          ...(args.requireCapabilities ? { requireCapabilities: args.requireCapabilities } : {}),
          ...(args.osType !== undefined ? { osType: args.osType } : {}),
          ...(args.osVersion !== undefined ? { osVersion: args.osVersion } : {}),
          ...(args.mostRecent ? { mostRecent: true } : {}),
        },
        { ...(args.namespace !== undefined ? { namespace: args.namespace } : {}), ...(args.strict ? { strict: true } : {}) },
      );
      return { outputs: { ...choice } };
    }
    throw new Error(`unknown function ${token}: vmimages serves ${RESOLVE_IMAGE} and ${SELECT_IMAGE}`);
  }
}

/** The arguments of both functions. */
interface FunctionArgs {
  readonly name?: string;
  readonly catalog?: unknown;
  readonly manifests?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly strict?: boolean;
  readonly requireCapabilities?: string[];
  readonly selector?: string;
  readonly displayName?: string;
  readonly osType?: string;
  readonly osVersion?: string;
  readonly mostRecent?: boolean;
}

/** The catalog a function is asked about: a catalog value, a manifests folder, or a live cluster (its images and the namespace's). */
async function catalogOf(args: FunctionArgs, fn: string): Promise<Catalog> {
  const given = (["catalog", "manifests", "kubeconfig"] as const).filter((k) => args[k] !== undefined);
  if (given.length !== 1) throw new ConfigError(`${fn}: give exactly one of catalog (a catalog output), manifests (a folder) or kubeconfig (a live cluster)${given.length ? `, not ${given.join(" and ")}` : ""}`);
  if (args.catalog !== undefined) {
    const catalog = args.catalog as Catalog;
    if (typeof catalog !== "object" || catalog === null || !Array.isArray(catalog.images)) throw new ConfigError(`${fn}: "catalog" is not a pulumi-vmimages catalog (the catalog output of a ContentLibraryImages)`);
    return catalog;
  }
  if (args.manifests !== undefined) return buildCatalog(await readManifestsFolder(path.resolve(args.manifests)));
  return buildCatalog(
    await readClusterImages({ kubeconfigText: args.kubeconfig!, ...(args.context ? { context: args.context } : {}), scopes: { cluster: true, ...(args.namespace !== undefined ? { namespace: args.namespace } : {}) } }),
  );
}

/**
 * What the plugin does for one of its resource types, over the props the engine hands it. These
 * are the inputs and outputs the plugin's own resources were given and returned (the component
 * registers them, operations.ts returns them), so each type's operations take them as their own.
 */
interface ResourceOperations {
  create(inputs: Props): Promise<{ id: string; outs: object }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs: object }>;
  delete(id: string, olds: Props): Promise<void>;
  read(id: string, props: Props): Promise<{ id: string; props: object; inputs?: object }>;
}

function asResourceOperations<I, O extends object>(ops: {
  create(inputs: I): Promise<{ id: string; outs: O }>;
  update(id: string, olds: Partial<O>, news: I): Promise<{ outs: O }>;
  delete(id: string, olds: Partial<O>): Promise<void>;
  read(id: string, props?: Partial<O>): Promise<{ id: string; props: object; inputs?: object }>;
}): ResourceOperations {
  return {
    create: (inputs) => ops.create(inputs as I),
    update: (id, olds, news) => ops.update(id, olds as Partial<O>, news as I),
    delete: (id, olds) => ops.delete(id, olds as Partial<O>),
    read: (id, props) => ops.read(id, props as Partial<O>),
  };
}

const OPERATIONS: Readonly<Record<string, ResourceOperations>> = {
  [IMAGE_TYPE]: asResourceOperations(imageOperations),
  [CLUSTER_IMAGE_TYPE]: asResourceOperations(clusterImageOperations),
};

function operationsOf(urn: string): ResourceOperations {
  // urn:pulumi:STACK::PROJECT::PARENT-TYPE$TYPE::NAME
  const type = urn.split("::")[2]?.split("$").pop() ?? "";
  const ops = OPERATIONS[type];
  if (ops === undefined) throw new Error(`unknown resource type ${type}: vmimages serves ${IMAGE_TYPE} and ${CLUSTER_IMAGE_TYPE}`);
  return ops;
}

/** Props as the engine sent them, their secrets unwrapped (the plugin accepts secrets; withSecrets marks them again). */
function plain(value: unknown): Props {
  return plainValue(value) as Props;
}

function plainValue(value: unknown): unknown {
  if (isRpcSecret(value)) return plainValue(unwrapRpcSecret(value));
  if (Array.isArray(value)) return value.map(plainValue);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  return value;
}

/** Outputs with the kubeconfig marked secret again: it is one wherever it goes. */
function withSecrets<T extends object>(outs: T): T {
  const kubeconfig = (outs as { kubeconfig?: unknown }).kubeconfig;
  return kubeconfig === undefined ? outs : { ...outs, kubeconfig: { [specialSigKey]: specialSecretSig, value: kubeconfig } };
}

/**
 * The component's inputs as the TypeScript class takes them: plain values, but for the credentials
 * (the vCenter's and published libraries' passwords, the kubeconfig), which go in as secrets
 * whatever the program sent, so no face of the package keeps one in plain text.
 */
async function componentArgs(inputs: pulumi.Inputs): Promise<ContentLibraryImagesArgs> {
  const args = (await known(inputs)) as Record<string, unknown>;
  const record = (v: unknown): Record<string, unknown> | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const secretField = (o: Record<string, unknown> | undefined, field: string) => (o && o[field] !== undefined ? { ...o, [field]: pulumi.secret(o[field] as string) } : o);
  const source = record(args.source);
  const kubernetes = record(args.kubernetes);
  return {
    ...args,
    ...(source
      ? {
          source: {
            ...source,
            ...(record(source.vcenter) ? { vcenter: secretField(record(source.vcenter), "password") } : {}),
            ...(Array.isArray(source.published) ? { published: source.published.map((p) => secretField(record(p), "password") ?? p) } : {}),
          },
        }
      : {}),
    ...(kubernetes ? { kubernetes: secretField(kubernetes, "kubeconfig") } : {}),
  } as unknown as ContentLibraryImagesArgs;
}

/** A value with every Output in it replaced by its value. @throws ConfigError for a value not known yet (in a preview) */
async function known(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const output = value as unknown as { isKnown: Promise<boolean>; promise(): Promise<unknown> };
    if (!(await output.isKnown)) throw new ConfigError(`the arguments of ${COMPONENT_TYPE} must be known while the program runs: the libraries are read then (an argument computed from another resource's output is not known in a preview)`);
    return known(await output.promise());
  }
  if (isRpcSecret(value)) return known(unwrapRpcSecret(value));
  if (Array.isArray(value)) return Promise.all(value.map(known));
  if (typeof value === "object" && value !== null) return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await known(v)] as const)));
  return value;
}
