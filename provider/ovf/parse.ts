import { VmImagesError, Location, describeLocation, messageOf, OvfError } from "../errors";
import { allocationUnitBytes } from "../quantity";
import { KeyValue, OvfDisk, OvfMetadata, OvfProperty, OsInfo, ProductInfo } from "../types";
import { osFamilyFromCimId, osFamilyFromGuestId } from "./guestos";
import { XmlError, XmlNode, attr, child, children, parseXml, text } from "./xml";

/** The OVF property whose comma-separated value lists an image's capabilities (VM Operator). */
export const CAPABILITIES_PROPERTY = "capabilities.image.vmoperator.vmware.com";
const VMWARE_SYSTEM_PREFIX = "vmware-system";
/** CIM ResourceType of a disk drive (DSP1041). */
const RESOURCE_TYPE_DISK = "17";

/**
 * Reads what VM Operator shows of an image from an OVF descriptor (DMTF DSP0243).
 *
 * Choices where the standard leaves room:
 * - The first VirtualSystem is read (directly under the Envelope or inside a VirtualSystemCollection).
 * - The hardware section read is the first whose VirtualSystemType names a `vmx-NN`, else the first.
 * - `hardwareVersion` is the highest `vmx-NN` listed: a list (`vmx-13 vmx-11`, `vmx-10,vmx-11`)
 *   says the image runs on each, and vSphere deploys it with the newest the host supports.
 * - Disks are those of the default deployment configuration (the `ovf:default` one, else the
 *   first), as vSphere deploys it; items without `ovf:configuration` belong to every configuration.
 * - Disk capacities given as `${key}` take that property's default; without one, no size is given.
 *
 * @throws VmImagesError (code "ovf") naming `where` when the text is not a readable OVF envelope.
 */
export function parseOvfDescriptor(xmlText: string, where: Location = {}): OvfMetadata {
  let doc: XmlNode;
  try {
    doc = parseXml(xmlText);
  } catch (err) {
    if (err instanceof XmlError) throw ovfError(where, `the OVF descriptor ${err.message}`);
    throw ovfError(where, `the OVF descriptor cannot be parsed: ${messageOf(err)}`, err);
  }
  const envelope = child(doc, "Envelope");
  if (envelope === undefined) {
    const root = Object.keys(doc).find((k) => !k.startsWith("@") && k !== "#text");
    throw ovfError(where, `the file is not an OVF descriptor: its root element is <${root ?? "nothing"}>, expected <Envelope>`);
  }
  const vs = child(envelope, "VirtualSystem") ?? child(child(envelope, "VirtualSystemCollection"), "VirtualSystem");
  if (vs === undefined) throw ovfError(where, "the OVF descriptor has no <VirtualSystem>");

  const hardware = pickHardwareSection(children(vs, "VirtualHardwareSection"));
  const products = children(vs, "ProductSection");
  const { ovfProperties, vmwareSystemProperties, capabilities, defaults } = readProperties(products);
  const config = defaultConfiguration(envelope);

  return compact({
    firmware: readFirmware(hardware),
    hardwareVersion: readHardwareVersion(hardware),
    osInfo: readOsInfo(child(vs, "OperatingSystemSection"), products[0]),
    productInfo: readProductInfo(products[0]),
    ovfProperties,
    vmwareSystemProperties,
    capabilities,
    disks: readDisks(envelope, hardware, config, defaults),
  });
}

function ovfError(where: Location, what: string, cause?: unknown): VmImagesError {
  const loc = describeLocation(where);
  return new OvfError(`${loc ? `${loc}: ` : ""}${what}`, where, cause ? { cause } : undefined);
}

function pickHardwareSection(sections: XmlNode[]): XmlNode | undefined {
  return sections.find((s) => /vmx-\d+/i.test(text(child(s, "System"), "VirtualSystemType") ?? "")) ?? sections[0];
}

function readFirmware(hw: XmlNode | undefined): "BIOS" | "EFI" {
  const config = children(hw, "Config").find((c) => attr(c, "key") === "firmware");
  return attr(config, "value")?.trim().toLowerCase() === "efi" ? "EFI" : "BIOS";
}

function readHardwareVersion(hw: XmlNode | undefined): number | undefined {
  const types = text(child(hw, "System"), "VirtualSystemType") ?? "";
  const versions = types
    .split(/[\s,]+/)
    .map((t) => /^vmx-(\d+)$/i.exec(t)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number)
    .filter((n) => n > 0 && n <= 0x7fffffff);
  return versions.length ? Math.max(...versions) : undefined;
}

function readOsInfo(os: XmlNode | undefined, firstProduct: XmlNode | undefined): OsInfo {
  const guestId = nonEmpty(attr(os, "osType"));
  const type = osFamilyFromGuestId(guestId) ?? osFamilyFromCimId(attr(os, "id"));
  const version = nonEmpty(attr(os, "version")) ?? text(firstProduct, "Version");
  return compact({ id: guestId, type, version });
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
  /** Default value of every property by key, for `${key}` references. */
  defaults: Map<string, string>;
}

function readProperties(products: XmlNode[]): Properties {
  const out: Properties = { ovfProperties: [], vmwareSystemProperties: [], capabilities: [], defaults: new Map() };
  const caps = new Set<string>();
  for (const product of products) {
    for (const p of children(product, "Property")) {
      const key = attr(p, "key")?.trim();
      if (!key) continue;
      const value = attr(p, "value") ?? text(p, "Value");
      if (value !== undefined && !out.defaults.has(key)) out.defaults.set(key, value);
      if (key === CAPABILITIES_PROPERTY) {
        for (const c of (value ?? "").split(",")) if (c.trim()) caps.add(c.trim());
      }
      if (key.startsWith(VMWARE_SYSTEM_PREFIX)) {
        out.vmwareSystemProperties.push(compact({ key, value: nonEmpty(value) }));
      } else if (attr(p, "userConfigurable")?.trim().toLowerCase() === "true") {
        out.ovfProperties.push(compact({ key, type: attr(p, "type")?.trim() || "string", default: nonEmpty(value) }));
      }
    }
  }
  out.capabilities = [...caps].sort();
  return out;
}

function defaultConfiguration(envelope: XmlNode): string | undefined {
  const configs = children(child(envelope, "DeploymentOptionSection"), "Configuration");
  const chosen = configs.find((c) => attr(c, "default")?.trim().toLowerCase() === "true") ?? configs[0];
  return attr(chosen, "id");
}

function inConfiguration(item: XmlNode, config: string | undefined): boolean {
  const configs = attr(item, "configuration")?.trim();
  if (!configs || config === undefined) return true;
  return configs.split(/\s+/).includes(config);
}

function readDisks(envelope: XmlNode, hw: XmlNode | undefined, config: string | undefined, defaults: Map<string, string>): OvfDisk[] {
  const diskById = new Map<string, XmlNode>();
  for (const d of children(child(envelope, "DiskSection"), "Disk")) {
    const id = attr(d, "diskId");
    if (id !== undefined) diskById.set(id, d);
  }
  const taken = new Set<string>();
  const disks: OvfDisk[] = [];
  for (const item of children(hw, "Item")) {
    if (text(item, "ResourceType") !== RESOURCE_TYPE_DISK || !inConfiguration(item, config)) continue;
    const hostResource = text(item, "HostResource") ?? "";
    const diskId = /^ovf:\/disk\/(.+)$/.exec(hostResource)?.[1];
    const disk = diskId !== undefined ? diskById.get(diskId) : undefined;
    const base = text(item, "ElementName") ?? diskId ?? `disk-${disks.length + 1}`;
    disks.push(
      compact({
        name: uniqueName(base, taken),
        capacityBytes: diskBytes(attr(disk, "capacity"), attr(disk, "capacityAllocationUnits"), defaults),
        populatedBytes: diskBytes(attr(disk, "populatedSize"), undefined, defaults),
      }),
    );
  }
  return disks;
}

/** Gives repeated disk names a numeric suffix (`Hard disk`, `Hard disk-2`) so each is a map key. */
function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

function diskBytes(amount: string | undefined, units: string | undefined, defaults: Map<string, string>): bigint | undefined {
  let value = amount?.trim();
  if (!value) return undefined;
  const ref = /^\$\{([^}]+)\}$/.exec(value);
  if (ref) value = defaults.get(ref[1]!)?.trim();
  if (!value || !/^\d+$/.test(value)) return undefined;
  const unit = allocationUnitBytes(units);
  return unit === undefined ? undefined : BigInt(value) * unit;
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
