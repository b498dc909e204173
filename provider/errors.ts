import { printable } from "./util";

/**
 * The error family of pulumi-vmimages. Every error names what it concerns (library, item, file) and
 * says what to do. There is one class per thing a caller can act on (a configuration to fix, a
 * source to reach, a descriptor to mend, a name to disambiguate, …); each also carries `code`, so
 * callers that cross a serialization boundary can still switch on it. A wrapped lower error is
 * kept as `cause`.
 */

/** What went wrong, as a string-literal union so callers can switch on it. */
export type VmImagesErrorCode =
  | "config"
  | "source"
  | "ovf"
  | "catalog"
  | "not-found"
  | "ambiguous"
  | "missing-capabilities"
  | "output";

/** Where a problem was found. Every field is optional; the message names what is known. */
export interface Location {
  readonly library?: string;
  readonly item?: string;
  readonly itemId?: string;
  readonly file?: string;
}

export class VmImagesError extends Error {
  readonly code: VmImagesErrorCode;
  readonly location: Location;

  constructor(code: VmImagesErrorCode, message: string, location: Location = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "VmImagesError";
    this.code = code;
    this.location = location;
  }
}

/** The constructor every specific error class shares: message, where, and the cause it wraps. */
function errorKind<C extends VmImagesErrorCode>(code: C, name: string) {
  return class extends VmImagesError {
    declare readonly code: C;
    constructor(message: string, location: Location = {}, options?: { cause?: unknown }) {
      super(code, message, location, options);
      this.name = name;
    }
  };
}

/** A configuration (file, CLI option or component argument) is wrong: fix it. */
export class ConfigError extends errorKind("config", "ConfigError") {}
/** A library, item or the source itself cannot be read or listed: check the source. */
export class SourceError extends errorKind("source", "SourceError") {}
/** An OVF descriptor is not one VM Operator can read: fix the item. */
export class OvfError extends errorKind("ovf", "OvfError") {}
/** The items make an impossible catalog (two images of one name): give an item another id. */
export class CatalogError extends errorKind("catalog", "CatalogError") {}
/** No image has the name asked for. */
export class NotFoundError extends errorKind("not-found", "NotFoundError") {}
/** Several images answer to the name asked for: use a VMI ID or a stricter scope. */
export class AmbiguousError extends errorKind("ambiguous", "AmbiguousError") {}
/** The image found lacks a capability that was required. */
export class MissingCapabilitiesError extends errorKind("missing-capabilities", "MissingCapabilitiesError") {}
/** The output (a GitOps folder, a folder of manifests) cannot be read or written. */
export class OutputError extends errorKind("output", "OutputError") {}

/** Describes a location as `item "Photon 5" (id) in library "base" (file x.ova)` for messages. */
export function describeLocation(loc: Location): string {
  const parts: string[] = [];
  if (loc.item !== undefined) {
    parts.push(`item "${printable(loc.item)}"${loc.itemId !== undefined ? ` (${printable(loc.itemId)})` : ""}`);
  } else if (loc.itemId !== undefined) {
    parts.push(`item ${printable(loc.itemId)}`);
  }
  if (loc.library !== undefined) parts.push(`${parts.length ? "in " : ""}library "${printable(loc.library)}"`);
  if (loc.file !== undefined) parts.push(`${parts.length ? "at " : ""}${printable(loc.file)}`);
  return parts.join(" ");
}

/**
 * Several problems found in one run. A read reports every bad item at once rather than stopping at
 * the first, so a user fixes a library in one pass.
 */
export class ProblemsError extends VmImagesError {
  readonly problems: readonly VmImagesError[];

  constructor(summary: string, problems: readonly VmImagesError[]) {
    // One line per problem, whatever a name in it holds: a name cannot start a line of its own.
    const lines = problems.map((p) => `  - ${printable(p.message)}`);
    // The problems are the causes, each kept in `problems` (a single `cause` would print one of them twice).
    super(problems[0]?.code ?? "source", `${summary}:\n${lines.join("\n")}`, problems[0]?.location ?? {});
    this.name = "ProblemsError";
    this.problems = problems;
  }
}

/** The message of any thrown value, for wrapping causes (also of errors from another realm, such as a VM context). */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  const message = typeof err === "object" && err !== null ? (err as { message?: unknown }).message : undefined;
  return typeof message === "string" ? message : String(err);
}
