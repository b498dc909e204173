import { Location, OvfError, describeLocation, messageOf } from "../errors";
import { KeyValue, OvfMetadata, OvfProperty, OsInfo, ProductInfo } from "../types";
import { readDisks } from "./disks";
import { osFamily } from "./guestos";
import { goBool, vAppPropertyType, vAppValue } from "./properties";
import { XmlError, XmlNode, attr, child, children, parseXml, text } from "./xml";

/** The OVF property whose comma-separated value lists an image's capabilities (VM Operator). */
export const CAPABILITIES_PROPERTY = "capabilities.image.vmoperator.vmware.com";
const VMWARE_SYSTEM_PREFIX = "vmware-system";

/**
 * Reads what VM Operator shows of an image from an OVF descriptor (DMTF DSP0243), the way VM
 * Operator reads it (govmomi's `Envelope.ToConfigSpec`, then `UpdateVmiWithOvfEnvelope`):
 *
 * - The first VirtualSystem (directly under the Envelope, or the first of a
 *   VirtualSystemCollection, whose ProductSections it takes when it has none of its own).
 * - The deployment configuration is the `ovf:default` one, else the first; hardware items and
 *   properties that name another configuration are left out.
 * - Only the first VirtualHardwareSection: its `vmw:Config firmware`, and its VirtualSystemType as
 *   the hardware version when that is a single `vmx-NN` (a list such as `vmx-13 vmx-11` gives none).
 * - The OS version is the OperatingSystemSection's `ovf:version` alone.
 * - Disks with the controller, bus and unit vSphere would give them (see disks.ts).
 * - OVF properties with the vApp type vSphere reports (`string(0..65535)`, `password`, …) and their
 *   defaults as vSphere normalizes them (`True`/`False` for booleans).
 *
 * @throws OvfError naming `where` when the text is not a readable OVF envelope, or when VM Operator
 *   could not read it either (a disk whose size cannot be known, a default its type refuses).
 */
export function parseOvfDescriptor(xmlText: string | Uint8Array, where: Location = {}): OvfMetadata {
  let doc: XmlNode;
  try {
    doc = parseXml(xmlText);
  } catch (err) {
    if (err instanceof XmlError) throw ovfError(where, `the OVF descriptor ${err.message}`, err);
    throw ovfError(where, `the OVF descriptor cannot be parsed: ${messageOf(err)}`, err);
  }
  const envelope = child(doc, "Envelope");
  if (envelope === undefined) {
    const root = Object.keys(doc).find((k) => !k.startsWith("@") && k !== "#text");
    throw ovfError(where, `the file is not an OVF descriptor: its root element is <${root ?? "nothing"}>, expected <Envelope>`);
  }
  const collection = child(envelope, "VirtualSystemCollection");
  const vs = child(envelope, "VirtualSystem") ?? child(collection, "VirtualSystem");
  if (vs === undefined) throw ovfError(where, "the OVF descriptor has no <VirtualSystem>");

  const config = defaultConfiguration(envelope);
  const hardware = children(vs, "VirtualHardwareSection")[0];
  const ownProducts = children(vs, "ProductSection");
  const products = ownProducts.length || child(envelope, "VirtualSystem") ? ownProducts : children(collection, "ProductSection");
  const fail = (what: string) => ovfError(where, what);
  const { ovfProperties, vmwareSystemProperties, capabilities, defaults } = readProperties(products, config, fail);

  return compact({
    firmware: readFirmware(hardware),
    hardwareVersion: readHardwareVersion(hardware),
    osInfo: readOsInfo(child(vs, "OperatingSystemSection")),
    productInfo: readProductInfo(products[0]),
    ovfProperties,
    vmwareSystemProperties,
    capabilities,
    disks: readDisks(envelope, hardware, config, defaults, fail),
  });
}

function ovfError(where: Location, what: string, cause?: unknown): OvfError {
  const loc = describeLocation(where);
  return new OvfError(`${loc ? `${loc}: ` : ""}${what}`, where, cause ? { cause } : undefined);
}

function readFirmware(hw: XmlNode | undefined): "BIOS" | "EFI" {
  const config = children(hw, "Config").find((c) => attr(c, "key") === "firmware");
  return attr(config, "value")?.trim().toLowerCase() === "efi" ? "EFI" : "BIOS";
}

/** vSphere's `ParseHardwareVersion`: `vmx-NN` (or a bare number) names one version; anything else names none. */
function readHardwareVersion(hw: XmlNode | undefined): number | undefined {
  const type = text(child(hw, "System"), "VirtualSystemType") ?? "";
  const m = /^(?:vmx-)?(\d+)$/.exec(type);
  const n = m ? Number(m[1]) : 0;
  return n > 0 && n <= 0x7fffffff ? n : undefined;
}

function readOsInfo(os: XmlNode | undefined): OsInfo {
  const guestId = nonEmpty(attr(os, "osType"));
  return compact({ id: guestId, type: osFamily(guestId, attr(os, "id")), version: nonEmpty(attr(os, "version")) });
}

function readProductInfo(product: XmlNode | undefined): ProductInfo {
  return compact({
    product: text(product, "Product"),
    vendor: text(product, "Vendor"),
    version: text(product, "Version"),
    fullVersion: text(product, "FullVersion"),
  });
}

interface Properties {
  ovfProperties: OvfProperty[];
  vmwareSystemProperties: KeyValue[];
  capabilities: string[];
  /** The default of every property of the configuration by key, for `${key}` disk capacities. */
  defaults: Map<string, string>;
}

/**
 * The properties of every ProductSection that belong to the configuration, in document order
 * (categories only group them), each with the default that configuration gives it.
 */
function readProperties(products: XmlNode[], config: string, fail: (what: string) => OvfError): Properties {
  const out: Properties = { ovfProperties: [], vmwareSystemProperties: [], capabilities: [], defaults: new Map() };
  const caps = new Set<string>();
  for (const product of products) {
    for (const p of children(product, "Property")) {
      const configuration = attr(p, "configuration");
      if (configuration !== undefined && configuration !== config) continue;
      const key = attr(p, "key") ?? "";
      const perConfiguration = children(p, "Value").find((v) => attr(v, "configuration") === undefined || attr(v, "configuration") === config);
      const raw = (perConfiguration ? (attr(perConfiguration, "value") ?? "") : (attr(p, "value") ?? "")).trim();
      out.defaults.set(key, raw);
      const type = vAppPropertyType({ type: attr(p, "type") ?? "", password: attr(p, "password"), qualifiers: attr(p, "qualifiers") });
      let value: string;
      try {
        value = vAppValue(type, raw, attr(p, "qualifiers"));
      } catch (err) {
        throw fail(`property "${key}" has a default that its type ${type} does not allow: ${messageOf(err)}`);
      }
      if (key === CAPABILITIES_PROPERTY) {
        for (const c of value.split(",")) if (c.trim()) caps.add(c.trim());
      }
      if (key.startsWith(VMWARE_SYSTEM_PREFIX)) {
        out.vmwareSystemProperties.push(compact({ key, value: value || undefined }));
      } else if (goBool(attr(p, "userConfigurable")) === true) {
        out.ovfProperties.push(compact({ key, type, default: value || undefined }));
      }
    }
  }
  out.capabilities = [...caps].sort();
  return out;
}

/** The `ovf:default` configuration, else the first; "" when the descriptor has none. */
function defaultConfiguration(envelope: XmlNode): string {
  const configs = children(child(envelope, "DeploymentOptionSection"), "Configuration");
  const chosen = configs.find((c) => goBool(attr(c, "default")) === true) ?? configs[0];
  return attr(chosen, "id") ?? "";
}

function nonEmpty(s: string | undefined): string | undefined {
  const t = s?.trim();
  return t ? t : undefined;
}

/** Drops undefined fields so absent values are left out, never written as empty. */
function compact<T extends object>(obj: T): T {
  for (const k of Object.keys(obj) as (keyof T)[]) if (obj[k] === undefined) delete obj[k];
  return obj;
}
