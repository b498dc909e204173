/**
 * The public API of pulumi-vmimages. Everything else is internal and may change.
 */
// First: says which Pulumi packages to install when they are missing (optional peers).
import "./peers";
export type { Catalog, CatalogImage } from "../provider/catalog/catalog";
export { buildCatalog } from "../provider/catalog/catalog";
export type { ResolveOptions } from "../provider/catalog/resolve";
export { resolveCatalogImage } from "../provider/catalog/resolve";
export { ContentLibraryImages, lookupImage, lookupSelectedImage, resolveImage, resolveImageRef, selectImage } from "./images";
export type { ContentLibraryImagesArgs, KubernetesTargetArgs, LibraryArgs, VcenterArgs, PublishedLibraryArgs, ResolveImageOptions, ImageRef, SelectImageOptions, ClusterCatalog, CatalogSource } from "./images";
export { selectCatalogImage } from "../provider/catalog/select";
export type { ImageChoice, ImageCriteria, SelectOptions } from "../provider/catalog/select";
export { VirtualMachineImage, ClusterVirtualMachineImage } from "./crds";
export type { VirtualMachineImageArgs, VirtualMachineImageSpec } from "./crds";
export type { CatalogDiff, ChangedImage } from "../provider/catalog/diff";
export { diffCatalogs, formatDiff } from "../provider/catalog/diff";
export { parseSelector, matchesSelector } from "../provider/catalog/selector";
export type { ImageManifest, ImageStatus, Condition } from "../provider/image/manifest";
export { vmiName, clitemName } from "../provider/image/naming";
export type { NamingStrategy } from "../provider/image/naming";
export { VmImagesError, ProblemsError, ConfigError, SourceError, OvfError, CatalogError, NotFoundError, AmbiguousError, MissingCapabilitiesError, OutputError } from "../provider/errors";
export type { VmImagesErrorCode, Location } from "../provider/errors";
export { SUPPORTED_API_VERSIONS, DEFAULT_API_VERSION } from "../provider/types";
export type { ApiVersion, ImageKind, ItemErrorPolicy, LibraryScope } from "../provider/types";
export type { LibrarySelection } from "../provider/types";
