import { Location, OvfError, describeLocation, messageOf } from "../errors";
import { XmlError, attr, child, children, parseXml } from "./xml";

/** A file an OVF descriptor's References section names (DSP0243 §7.1). */
export interface OvfFileReference {
  /** `ovf:href` as written: relative to the descriptor's folder. */
  readonly href: string;
  /** `ovf:chunkSize`: the file is then stored as `href.000000000`, `href.000000001`, … */
  readonly chunked: boolean;
}

/** What publishing an OVF item needs of its descriptor: the files it references, and whether it is a vApp. */
export interface OvfPackage {
  readonly files: readonly OvfFileReference[];
  /** Its content is a VirtualSystemCollection (a vApp) rather than one VirtualSystem. */
  readonly vapp: boolean;
}

/**
 * The files an OVF descriptor references and whether it describes a vApp.
 * @throws OvfError naming `where` when the text is not an OVF envelope.
 */
export function readOvfPackage(xmlText: string | Uint8Array, where: Location = {}): OvfPackage {
  let envelope;
  try {
    envelope = child(parseXml(xmlText), "Envelope");
  } catch (err) {
    const loc = describeLocation(where);
    throw new OvfError(`${loc ? `${loc}: ` : ""}the OVF descriptor ${err instanceof XmlError ? err.message : `cannot be parsed: ${messageOf(err)}`}`, where, { cause: err });
  }
  if (envelope === undefined) {
    const loc = describeLocation(where);
    throw new OvfError(`${loc ? `${loc}: ` : ""}the file is not an OVF descriptor: it has no <Envelope>`, where);
  }
  const files = children(child(envelope, "References"), "File")
    .map((f) => ({ href: attr(f, "href") ?? "", chunked: (attr(f, "chunkSize") ?? "").trim() !== "" }))
    .filter((f) => f.href !== "");
  return { files, vapp: child(envelope, "VirtualSystemCollection") !== undefined };
}
