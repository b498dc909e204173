/**
 * The error family of pulumi-vmimages. Every error names what it concerns (library, item, file) and
 * says what to do; callers branch on `code`, never on message text.
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

/** Describes a location as `item "Photon 5" (id) in library "base" (file x.ova)` for messages. */
export function describeLocation(loc: Location): string {
  const parts: string[] = [];
  if (loc.item !== undefined) {
    parts.push(`item "${loc.item}"${loc.itemId !== undefined ? ` (${loc.itemId})` : ""}`);
  } else if (loc.itemId !== undefined) {
    parts.push(`item ${loc.itemId}`);
  }
  if (loc.library !== undefined) parts.push(`${parts.length ? "in " : ""}library "${loc.library}"`);
  if (loc.file !== undefined) parts.push(`${parts.length ? "at " : ""}${loc.file}`);
  return parts.join(" ");
}

/**
 * Several problems found in one run. A read reports every bad item at once rather than stopping at
 * the first, so a user fixes a library in one pass.
 */
export class ProblemsError extends VmImagesError {
  readonly problems: readonly VmImagesError[];

  constructor(summary: string, problems: readonly VmImagesError[]) {
    const lines = problems.map((p) => `  - ${p.message}`);
    super(problems[0]?.code ?? "source", `${summary}:\n${lines.join("\n")}`, problems[0]?.location ?? {});
    this.name = "ProblemsError";
    this.problems = problems;
  }
}

/** The message of any thrown value, for wrapping causes. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
