import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { Catalog, buildCatalog, withoutTimestamps } from "../provider/catalog/catalog";
import { ResolveOptions, resolveCatalogImage } from "../provider/catalog/resolve";
import { ImageChoice, ImageCriteria, SelectOptions, selectCatalogImage } from "../provider/catalog/select";
import { ConfigError } from "../provider/errors";
import { checkPublishedUrls, publishedConnection, publishedEntries, readChoices, readPublishedFields, readVcenterFields, throwProblems, vcenterConnection } from "../provider/pipeline/arguments";
import { runPipeline } from "../provider/pipeline/run";
import { prepareFolder } from "../provider/targets/gitops";
import { checkOwner, ownerLabel } from "../provider/targets/cluster/owner";
import { registerImages } from "../provider/targets/pulumi";
import { ImageResourceKinds } from "../provider/targets/pulumi/resources";
import { ApiVersion, ItemErrorPolicy, NamingStrategy, PublishedLibraryConnection, SourceSpec } from "../provider/types";

/** Where a library's images go. */
export type LibraryArgs = { readonly name: string; readonly scope: "cluster" } | { readonly name: string; readonly namespace: string };

/** A vCenter to read at deploy time. The password should be a Pulumi secret; it never reaches state. */
export interface VcenterArgs {
  readonly server: string;
  readonly username: string;
  readonly password: pulumi.Input<string>;
  /** @default false */
  readonly insecure?: boolean;
  /** PEM CA bundle to trust. */
  readonly ca?: string;
  /** Certificate thumbprint to pin: SHA-1 (40 hex digits, as vCenter shows it) or SHA-256 (64). */
  readonly thumbprint?: string;
  /** @default 8 */
  readonly concurrency?: number;
  /** Where parsed descriptors are cached. @default no cache */
  readonly cacheDir?: string;
}

/**
 * A published content library, read by its subscription URL as a subscribed vCenter library reads
 * it (VMware Content Subscription Protocol): a vCenter's published library, the Tanzu Kubernetes
 * releases library, or a folder `vmimages publish` wrote behind any web server.
 */
export interface PublishedLibraryArgs {
  /** The URL of its `lib.json` (`https://vc/cls/vcsp/lib/ID/lib.json`), or vCloud Director's `https://host/vcsp/lib/ID`. */
  readonly url: string;
  /** The HTTP Basic user. @default vcsp, when a password is given */
  readonly username?: string;
  /**
   * The HTTP Basic password; it should be a Pulumi secret, and never reaches state. Over plain
   * http:// it is sent only with `insecure: true` (it then crosses the network in clear).
   */
  readonly password?: pulumi.Input<string>;
  /** PEM CA bundle to trust. */
  readonly ca?: string;
  /** Certificate thumbprint to pin: SHA-1 (40 hex digits, as vCenter shows it) or SHA-256 (64). */
  readonly thumbprint?: string;
  /** Skip certificate verification; allow the password over plain http://. @default false */
  readonly insecure?: boolean;
  /** @default 8 */
  readonly concurrency?: number;
  /** Where parsed descriptors are cached (one folder for every library of the source). @default no cache */
  readonly cacheDir?: string;
}

export interface ContentLibraryImagesArgs {
  /** An offline library folder, a vCenter, or published libraries by URL. */
  readonly source: { readonly directory: string } | { readonly vcenter: VcenterArgs } | { readonly published: readonly PublishedLibraryArgs[] };
  readonly libraries: readonly LibraryArgs[];
  /** @default vmoperator.vmware.com/v1alpha5 */
  readonly apiVersion?: ApiVersion;
  /** @default fromItemId */
  readonly naming?: NamingStrategy;
  /**
   * An item whose descriptor VM Operator could not read either: `fail` the deployment (the
   * default), or emit its image `notReady` (`Ready=False`, reason VirtualMachineImageNotSynced)
   * with a warning, as VM Operator does, so one bad item does not hold back the others.
   */
  readonly itemErrors?: ItemErrorPolicy;
  /**
   * A GitOps folder that receives the same files as `vmimages generate`, byte for byte: written on
   * `up`, removed on `destroy`, untouched by `preview`.
   */
  readonly gitops?: { readonly directory: string };
  /**
   * A Kubernetes cluster that holds every image, status included, as `vmimages apply` applies them:
   * `up` creates and updates each image (server-side apply, then its `/status`), `destroy` and a
   * vanished item delete it, `refresh` reads it back and shows a label or status someone changed
   * there as drift. An image of the same name that vmimages does not manage is never touched: its
   * resource fails.
   */
  readonly kubernetes?: KubernetesTargetArgs;
}

/** A cluster as a target of {@link ContentLibraryImages}. */
export interface KubernetesTargetArgs {
  /**
   * The kubeconfig's text (not a path), e.g. `new pulumi.Config().requireSecret("kubeconfig")`. It
   * is kept as a secret in state whether or not it is given as one, and never logged.
   */
  readonly kubeconfig: pulumi.Input<string>;
  /** A context of the kubeconfig. @default its current context */
  readonly context?: string;
  /**
   * The value of the `vmimages.pulumi-vmimages.dev/config` label on each image, naming whose images
   * they are (so `vmimages apply --prune` of another configuration leaves them alone).
   * @default `<project>.<stack>.<component name>`, made a valid label value
   */
  readonly owner?: string;
}

/** Options of {@link ContentLibraryImages.resolve} and {@link resolveImage}. */
export interface ResolveImageOptions extends ResolveOptions {
  /** The namespace the name is resolved in; without one only cluster images count. */
  readonly namespace?: string;
}

/**
 * The images of vSphere content libraries as VM Operator resources. The libraries are read while
 * the program runs, so `pulumi preview` knows every image: a new item shows as a create, a changed
 * one as an update naming the changed fields, a vanished one as a delete. One child resource per
 * image, named by its VMI ID.
 */
export class ContentLibraryImages extends pulumi.ComponentResource<{ catalog: Catalog }> {
  /** Every image: see {@link Catalog}. Condition timestamps are left out so outputs only move with the images. */
  readonly catalog: pulumi.Output<Catalog>;
  /**
   * Settles once the libraries are read and every image is registered; rejects with the reading
   * error (naming the library, item and file). Await it in the program to fail the deployment with
   * that message rather than an unhandled rejection.
   */
  readonly ready: Promise<void>;

  constructor(name: string, args: ContentLibraryImagesArgs, opts?: pulumi.ComponentResourceOptions) {
    // The component's inputs are stored in state: they go without the credentials (the password,
    // the kubeconfig), which reach initialize under a symbol key (never serialized).
    super("vmimages:index:ContentLibraryImages", name, { ...withoutCredentials(args), [FULL_ARGS]: { args, name } } as unknown as pulumi.Inputs, opts);
    const data = this.getData();
    this.ready = data.then(() => undefined);
    // Whoever awaits `ready` (or uses `catalog`) sees the error; nothing else may report it twice.
    this.ready.catch(() => undefined);
    this.catalog = pulumi.output(this.ready.then(() => data)).apply((d) => d.catalog);
  }

  /** The VMI ID a display name (or VMI ID) resolves to, with the CLI's rules and errors. */
  resolve(nameOrId: pulumi.Input<string>, options: ResolveImageOptions = {}): pulumi.Output<string> {
    return resolveImage(this.catalog, nameOrId, options);
  }

  /** The resources the images get: dynamic ones in a TypeScript program; the provider plugin's own when it constructs the component. */
  protected imageResources(): ImageResourceKinds {
    return "dynamic";
  }

  protected override async initialize(argsIn: pulumi.Inputs): Promise<{ catalog: Catalog }> {
    const { args, name } = (argsIn as unknown as Record<symbol, { args: ContentLibraryImagesArgs; name: string }>)[FULL_ARGS]!;
    // Keep the program alive until every child is registered.
    const done = pulumi.runtime.rpcKeepAlive();
    try {
      const problems: string[] = [];
      const choices = readChoices(args as unknown as Record<string, unknown>, problems);
      const source = await sourceSpec(args, problems);
      const cacheDir = sourceCacheDir(args, problems);
      throwProblems(problems, `the arguments of ContentLibraryImages "${name}" are not valid`);
      const generated = await runPipeline({
        ...choices,
        source: source!,
        ...(cacheDir ? { cacheDir } : {}),
        onWarning: (m) => void pulumi.log.warn(m, this),
      });
      // Mended if an interrupted write left it so, and refused if it is not ours, before any image
      // resource writes it: the resources write the files themselves (keeping the folder's
      // kustomization), so a preview shows exactly the images that appear, change or go away.
      const folder = args.gitops ? prepareFolder(args.gitops.directory) : undefined;
      const cluster = args.kubernetes && {
        kubeconfig: args.kubernetes.kubeconfig,
        ...(args.kubernetes.context ? { context: args.kubernetes.context } : {}),
        owner: args.kubernetes.owner !== undefined ? checkOwner(args.kubernetes.owner, "kubernetes.owner") : ownerLabel(`${pulumi.getProject()}.${pulumi.getStack()}.${name}`),
      };
      registerImages(generated, { parent: this, kinds: this.imageResources(), ...(folder ? { gitops: { dir: folder } } : {}), ...(cluster ? { cluster } : {}) });
      return { catalog: { images: generated.catalog.images.map(withoutTimestamps) } };
    } finally {
      done();
    }
  }
}

/**
 * Resolves a display name (or VMI ID) to a VMI ID against a catalog: a catalog value, an Output of
 * one, or a StackReference whose stack exports it (as `catalog`, or `outputName`). Fails the
 * deployment with the CLI's messages when the name is unknown, ambiguous or lacks a capability.
 */
export function resolveImage(
  source: CatalogSource,
  nameOrId: pulumi.Input<string>,
  options: ResolveImageOptions & { readonly outputName?: string } = {},
): pulumi.Output<string> {
  return resolveImageRef(source, nameOrId, options).name;
}

/** An image reference as a VirtualMachine's `spec.image` takes it. */
export interface ImageRef {
  readonly kind: "VirtualMachineImage" | "ClusterVirtualMachineImage";
  readonly name: string;
}

/** Like {@link resolveImage}, with the image's kind too, for a VirtualMachine's `spec.image`. */
export function resolveImageRef(
  source: CatalogSource,
  nameOrId: pulumi.Input<string>,
  options: ResolveImageOptions & { readonly outputName?: string } = {},
): pulumi.Output<ImageRef> {
  return pulumi.all([catalogOutput(source, options.outputName), nameOrId]).apply(([catalog, name]) => {
    const image = resolveCatalogImage(catalog, name, options.namespace, options);
    return { kind: image.kind, name: image.name };
  });
}

/**
 * Resolves a display name (or VMI ID) now, while the program runs, to a plain {@link ImageRef}:
 * the program fails at once with the CLI's message, before any resource is declared. Takes a catalog
 * or a StackReference whose stack exports it (as `catalog`, or `outputName`).
 */
export async function lookupImage(
  source: Catalog | pulumi.StackReference | ClusterCatalog,
  nameOrId: string,
  options: ResolveImageOptions & { readonly outputName?: string } = {},
): Promise<ImageRef> {
  const image = resolveCatalogImage(await catalogNow(source, options.outputName, options.namespace), nameOrId, options.namespace, options);
  return { kind: image.kind, name: image.name };
}

/**
 * A live cluster as a catalog: the images VM Operator (or `vmimages apply`) made there. The
 * kubeconfig's text should be a Pulumi secret; it is used while the program runs, never kept in state.
 */
export interface ClusterCatalog {
  readonly kubeconfig: pulumi.Input<string>;
  readonly context?: string;
}

/** Where images are resolved against: a catalog (or an Output of one), a StackReference exporting one, or a live cluster. */
export type CatalogSource = pulumi.Input<Catalog> | pulumi.StackReference | ClusterCatalog;

/** Options of {@link selectImage}: where to look, as for names. */
export interface SelectImageOptions extends SelectOptions {
  /** The stack output holding the catalog, for a StackReference. @default catalog */
  readonly outputName?: string;
}

/**
 * The image that fits the criteria, the way `aws.ec2.getAmi({ mostRecent: true, filters })` picks an
 * AMI: a label selector, a display-name pattern, capabilities, the OS, and `mostRecent`. The
 * namespace's images come first, then the cluster's; exactly one match is the answer, and with
 * `mostRecent` the newest version of several. The result is the reference for a VirtualMachine's
 * `spec.image` with the chosen image's display name and version, so a stack can export what it
 * picked; when a newer build lands in the library, `pulumi preview` of the VM stack shows the change.
 * Fails the deployment with the CLI's messages (`vmimages select`).
 */
export function selectImage(source: CatalogSource, criteria: ImageCriteria, options: SelectImageOptions = {}): pulumi.Output<ImageChoice> {
  return catalogOutput(source, options.outputName).apply((catalog) => selectCatalogImage(catalog, criteria, options));
}

/** {@link selectImage} now, while the program runs, to a plain value: the twin of {@link lookupImage}. */
export async function lookupSelectedImage(source: Catalog | pulumi.StackReference | ClusterCatalog, criteria: ImageCriteria, options: SelectImageOptions = {}): Promise<ImageChoice> {
  return selectCatalogImage(await catalogNow(source, options.outputName, options.namespace), criteria, options);
}

/** The catalog a source gives, as an Output: a catalog, an Output of one, or a StackReference's output. */
function catalogOutput(source: CatalogSource, outputName = "catalog"): pulumi.Output<Catalog> {
  const fromStack = pulumi.StackReference.isInstance(source);
  const value: pulumi.Output<unknown> = fromStack ? (source as pulumi.StackReference).requireOutput(outputName) : pulumi.output(source as pulumi.Input<Catalog>);
  return value.apply((c) => {
    if (!isCatalog(c)) throw new ConfigError(`the ${fromStack ? `stack output "${outputName}"` : "value"} is not a pulumi-vmimages catalog`);
    return c;
  });
}

/** The catalog a source gives, now; of a cluster, its images and those of `namespace` (the scopes resolution reads). */
async function catalogNow(source: Catalog | pulumi.StackReference | ClusterCatalog, outputName = "catalog", namespace?: string): Promise<Catalog> {
  if (isClusterCatalog(source)) {
    const kubeconfig = await new Promise<string>((resolve) => pulumi.output(source.kubeconfig).apply((k) => resolve(k)));
    return clusterCatalog(kubeconfig, source.context, namespace);
  }
  let catalog: unknown = source;
  if (pulumi.StackReference.isInstance(source)) {
    const details = await source.getOutputDetails(outputName);
    catalog = details.value ?? details.secretValue;
    if (catalog === undefined) throw new ConfigError(`the referenced stack exports no "${outputName}" output; export the ContentLibraryImages catalog under that name`);
  }
  if (!isCatalog(catalog)) throw new ConfigError("the value is not a pulumi-vmimages catalog");
  return catalog;
}

const FULL_ARGS = Symbol("vmimages.fullArgs");

/** The arguments without their credentials (the vCenter's and published libraries' passwords, the kubeconfig). */
function withoutCredentials(args: ContentLibraryImagesArgs): object {
  const { kubernetes, ...rest } = args;
  const kept = kubernetes ? { ...rest, kubernetes: { ...(kubernetes.context ? { context: kubernetes.context } : {}), ...(kubernetes.owner ? { owner: kubernetes.owner } : {}) } } : rest;
  const source = args.source as unknown;
  if (isObject(source) && isObject(source.vcenter)) {
    const { password: _password, ...vcenter } = source.vcenter;
    return { ...kept, source: { vcenter } };
  }
  if (isObject(source) && source.published !== undefined) {
    const list = Array.isArray(source.published) ? source.published : [source.published];
    return { ...kept, source: { published: list.map((p: unknown) => (isObject(p) ? (({ password: _password, ...rest }) => rest)(p) : p)) } };
  }
  return kept;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The cache folder the source's arguments name: a vCenter's, or the one every published library that names one agrees on. */
function sourceCacheDir(args: ContentLibraryImagesArgs, problems: string[]): string | undefined {
  const source = args.source as unknown;
  if (!isObject(source)) return undefined;
  if (isObject(source.vcenter)) return typeof source.vcenter.cacheDir === "string" ? source.vcenter.cacheDir : undefined;
  const list = Array.isArray(source.published) ? source.published : isObject(source.published) ? [source.published] : [];
  const dirs = [...new Set(list.filter(isObject).map((p) => p.cacheDir).filter((d): d is string => typeof d === "string" && d !== ""))];
  if (dirs.length > 1) problems.push(`source.published names several cacheDir (${dirs.join(", ")}): the descriptors of a run are cached in one folder, so give the same one (or one entry's)`);
  return dirs[0];
}

function isClusterCatalog(value: unknown): value is ClusterCatalog {
  return typeof value === "object" && value !== null && "kubeconfig" in value && !pulumi.StackReference.isInstance(value);
}

async function clusterCatalog(kubeconfig: string, context: string | undefined, namespace: string | undefined): Promise<Catalog> {
  const { readClusterImages } = require("../provider/targets/cluster") as typeof import("../provider/targets/cluster");
  return buildCatalog(await readClusterImages({ kubeconfigText: kubeconfig, ...(context ? { context } : {}), scopes: { cluster: true, ...(namespace !== undefined ? { namespace } : {}) } }));
}

function isCatalog(value: unknown): value is Catalog {
  return typeof value === "object" && value !== null && Array.isArray((value as Catalog).images);
}

/**
 * The source the component's arguments name, checked as `vmimages.yaml`'s is; a vCenter password
 * is awaited only here, while the program runs. Problems go to `problems`.
 */
async function sourceSpec(args: ContentLibraryImagesArgs, problems: string[]): Promise<SourceSpec | undefined> {
  const source = args.source as unknown;
  if (typeof source === "object" && source !== null && "directory" in source && typeof source.directory === "string") return { kind: "directory", directory: path.resolve(source.directory) };
  if (isObject(source) && source.published !== undefined) return publishedSpec(source.published, problems);
  if (typeof source !== "object" || source === null || !("vcenter" in source) || typeof source.vcenter !== "object" || source.vcenter === null) {
    problems.push(`"source" must be { directory } (a folder of libraries), { vcenter } or { published }`);
    return undefined;
  }
  const vc = source.vcenter as VcenterArgs;
  const fields = readVcenterFields(vc as unknown as Record<string, unknown>, problems);
  const password = await new Promise<string>((resolve) => pulumi.output(vc.password).apply((p) => resolve(p)));
  return {
    kind: "vcenter",
    connection: vcenterConnection({ ...fields, password, ...(vc.ca ? { ca: vc.ca } : {}) }, { server: "source.vcenter.server", username: "source.vcenter.username", password: "source.vcenter.password" }),
  };
}

/** The published libraries the arguments name, checked as `vmimages.yaml`'s are; each password awaited only here. */
async function publishedSpec(raw: unknown, problems: string[]): Promise<SourceSpec | undefined> {
  const read: Array<{ label: string; url: string; fields: NonNullable<ReturnType<typeof readPublishedFields>>; args: PublishedLibraryArgs }> = [];
  const known = ["url", "username", "password", "ca", "thumbprint", "insecure", "concurrency", "cacheDir"];
  for (const { label, entry } of publishedEntries(raw, problems)) {
    for (const k of Object.keys(entry)) if (!known.includes(k)) problems.push(`${label}.${k} is not a known field (known: ${known.join(", ")})`);
    if (entry.ca !== undefined && (typeof entry.ca !== "string" || entry.ca.trim() === "")) problems.push(`${label}.ca must be a PEM CA bundle (text)`);
    const fields = readPublishedFields(entry, label, problems);
    if (fields !== undefined) read.push({ label, url: fields.url, fields, args: entry as unknown as PublishedLibraryArgs });
  }
  checkPublishedUrls(read, problems);
  if (problems.length) return undefined;
  const libraries: PublishedLibraryConnection[] = [];
  for (const { label, fields, args } of read) {
    const password = args.password === undefined ? undefined : await new Promise<string | undefined>((resolve) => pulumi.output(args.password!).apply((p) => resolve(p)));
    libraries.push(publishedConnection({ ...fields, ...(password !== undefined && password !== "" ? { password } : {}), ...(args.ca ? { ca: args.ca } : {}) }, label));
  }
  return { kind: "published", libraries };
}
