import { Location, OvfError, describeLocation, messageOf } from "../errors";
import { allocationUnitBytes } from "../quantity";
import { DiskControllerType, KeyValue, OvfDisk, OvfMetadata, OvfProperty, OsInfo, ProductInfo } from "../types";
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

// ---- disks -----------------------------------------------------------------------------------

/** CIM ResourceType values (DSP1041) of the devices that place disks. */
const RESOURCE = { IDE: "5", SCSI: "6", FLOPPY: "14", CD: "15", DVD: "16", DISK: "17", OTHER_STORAGE: "20", USB: "23" } as const;

const SCSI_TYPES = new Set(["buslogic", "lsilogic", "lsilogic-sas", "pvscsi", "scsi", "virtualscsi"]);
const BUS_NUMBERS = 4;

type ControllerType = DiskControllerType;

/** A device as vSphere places it: controllers by type and bus, other devices by controller and unit. */
interface Device {
  readonly id: number;
  /** Set for controllers; `type` only for those VM Operator reports (IDE, SCSI, SATA, NVMe). */
  readonly controller?: { readonly type?: ControllerType; bus: number };
  readonly controllerId?: number;
  unit?: number;
}

/**
 * The disks of the first hardware section, placed as vSphere places them when it deploys the
 * image (govmomi's device list): each controller gets the next free bus of its kind unless
 * `rasd:Address` names one; a disk or CD drive goes on its `rasd:Parent` controller at the first
 * free unit (a SCSI controller keeps unit 7 for itself) unless `rasd:AddressOnParent` names one.
 * Repeated disk names get `_1`, `_2`, ….
 */
function readDisks(envelope: XmlNode, hw: XmlNode | undefined, config: string, defaults: Map<string, string>, fail: (what: string) => OvfError): OvfDisk[] {
  const diskSection = children(child(envelope, "DiskSection"), "Disk");
  const devices: Device[] = [];
  const byInstance = new Map<string, Device>();
  const disks: Array<{ name: string; device: Device; capacityBytes: bigint; populatedBytes?: bigint }> = [];
  const nextBus = (type: ControllerType) => {
    const used = new Set(devices.filter((d) => d.controller?.type === type).map((d) => d.controller!.bus));
    for (let bus = 0; bus < BUS_NUMBERS; bus++) if (!used.has(bus)) return bus;
    return -1;
  };
  const nextUnit = (controller: Device) => {
    const used = new Set(devices.filter((d) => d.controllerId === controller.id && d.unit !== undefined).map((d) => d.unit));
    if (controller.controller?.type === "SCSI") used.add(7);
    for (let unit = 0; unit < 30; unit++) if (!used.has(unit)) return unit;
    return -1;
  };
  const add = (item: XmlNode, device: Device, instance = true): Device => {
    const address = text(item, "AddressOnParent");
    if (address !== undefined) {
      if (!/^[+-]?\d+$/.test(address)) throw fail(`hardware item "${text(item, "ElementName") ?? ""}" has an invalid AddressOnParent "${address}"`);
      device.unit = Number(address);
    }
    devices.push(device);
    if (instance) byInstance.set(text(item, "InstanceID") ?? "", device);
    return device;
  };
  const controller = (item: XmlNode, type: ControllerType | undefined, bus: number): Device => {
    const address = text(item, "Address");
    if (address !== undefined && !/^[+-]?\d+$/.test(address)) throw fail(`hardware item "${text(item, "ElementName") ?? ""}" has an invalid Address "${address}"`);
    return add(item, { id: devices.length, controller: { ...(type ? { type } : {}), bus: address !== undefined ? Number(address) : bus } });
  };
  const parentController = (item: XmlNode): Device | undefined => {
    const parent = byInstance.get(text(item, "Parent") ?? "\0");
    return parent?.controller ? parent : undefined;
  };

  for (const item of children(hw, "Item")) {
    const configuration = attr(item, "configuration");
    if (configuration !== undefined && configuration !== config) continue;
    const subtype = (text(item, "ResourceSubType") ?? "").toLowerCase();
    switch (text(item, "ResourceType")) {
      case RESOURCE.IDE:
        controller(item, "IDE", 0);
        break;
      case RESOURCE.SCSI: {
        const kind = subtype.split(/[\s,]+/).find((t) => SCSI_TYPES.has(t)) ?? subtype;
        if (kind !== "" && !SCSI_TYPES.has(kind)) throw fail(`hardware item "${text(item, "ElementName") ?? ""}" is a SCSI controller of the unknown type "${subtype}"`);
        controller(item, "SCSI", nextBus("SCSI"));
        break;
      }
      case RESOURCE.OTHER_STORAGE:
        if (subtype === "vmware.sata.ahci" || subtype === "ahci") {
          const bus = nextBus("SATA");
          if (bus < 0) throw fail(`hardware item "${text(item, "ElementName") ?? ""}": no SATA bus number is left`);
          controller(item, "SATA", bus);
        } else if (subtype === "vmware.nvme.controller") controller(item, "NVME", nextBus("NVME"));
        break;
      case RESOURCE.USB:
        if (subtype === "vmware.usb.ehci" || subtype === "vmware.usb.xhci") controller(item, undefined, 0);
        break;
      case RESOURCE.FLOPPY:
        // A floppy drive sits on its own SIO controller, which places no disk.
        add(item, { id: devices.length });
        break;
      case RESOURCE.CD:
      case RESOURCE.DVD: {
        const parent = text(item, "Parent");
        if (parent === undefined) throw fail(`CD/DVD drive "${text(item, "ElementName") ?? ""}" has no Parent controller`);
        const owner = byInstance.get(parent);
        if (owner === undefined) break;
        if (!owner.controller) throw fail(`CD/DVD drive "${text(item, "ElementName") ?? ""}" has a Parent that is not a controller`);
        add(item, { id: devices.length, controllerId: owner.id, unit: nextUnit(owner) }, false);
        break;
      }
      case RESOURCE.DISK: {
        const parent = parentController(item);
        const device = add(item, { id: devices.length, ...(parent ? { controllerId: parent.id, unit: nextUnit(parent) } : {}) }, false);
        // A disk without an ElementName is named after its disk id (VM Operator would leave it unnamed).
        const name = text(item, "ElementName") ?? /^ovf:\/disk\/(.+)$/.exec(text(item, "HostResource") ?? "")?.[1] ?? `disk-${disks.length + 1}`;
        disks.push({ name, device, ...diskSize(item, diskSection, config, defaults, fail) });
        break;
      }
      default:
        break;
    }
  }

  const used = new Map<string, number>();
  return disks.map(({ name, device, capacityBytes, populatedBytes }) => {
    const onController = device.controllerId !== undefined ? devices[device.controllerId]!.controller : undefined;
    return compact({
      name: uniqueName(name, used),
      capacityBytes,
      populatedBytes,
      controllerType: onController?.type,
      controllerBusNumber: onController?.type ? onController.bus : undefined,
      unitNumber: device.unit,
    });
  });
}

/** `disk`, `disk_1`, `disk_2`, …: each name once, so a disk can be told from its namesakes. */
function uniqueName(base: string, used: Map<string, number>): string {
  let n = used.get(base);
  if (n === undefined) {
    used.set(base, 0);
    return base;
  }
  let name: string;
  do name = `${base}_${++n}`;
  while (used.has(name));
  used.set(base, n);
  used.set(name, 0);
  return name;
}

/** A disk's capacity (and populated size): from its DiskSection entry, or from the item itself when it names none. */
function diskSize(
  item: XmlNode,
  diskSection: XmlNode[],
  config: string,
  defaults: Map<string, string>,
  fail: (what: string) => OvfError,
): { capacityBytes: bigint; populatedBytes?: bigint } {
  const label = text(item, "ElementName") ?? "";
  const hostResources = children(item, "HostResource");
  if (hostResources.length > 1) throw fail(`disk "${label}" has more than one HostResource`);
  if (hostResources.length === 0) {
    const quantity = text(item, "VirtualQuantity");
    return { capacityBytes: unitBytes(text(item, "AllocationUnits")) * (quantity !== undefined && /^\d+$/.test(quantity) ? BigInt(quantity) : 1n) };
  }
  const ref = text(hostResources[0]) ?? "";
  const id = ref.startsWith("ovf:/disk/") ? ref.slice("ovf:/disk/".length) : undefined;
  const disk = (id !== undefined ? diskSection.find((d) => attr(d, "diskId") === id) : undefined) ?? diskSection.find((d) => ref.endsWith(attr(d, "diskId") ?? "\0"));
  if (disk === undefined) throw fail(`disk "${label}" refers to ${ref}, which the DiskSection does not have`);
  let amount = (attr(disk, "capacity") ?? "").trim();
  const property = /^\$\{(.*)\}$/.exec(amount);
  if (property) {
    const key = property[1]!.trim();
    const value = defaults.get(key);
    if (!value) throw fail(`disk "${label}" takes its capacity from the property "${key}", which has no value${config ? ` in the configuration "${config}"` : ""}`);
    amount = value;
  }
  if (amount !== "" && !/^\d+$/.test(amount)) throw fail(`disk "${label}" has the capacity "${amount}", which is not a whole number`);
  const capacityBytes = unitBytes(attr(disk, "capacityAllocationUnits")) * (amount === "" ? 1n : BigInt(amount));
  if (capacityBytes > 0x7fffffffffffffffn) throw fail(`disk "${label}" is larger than vSphere allows (${capacityBytes} bytes)`);
  const populated = attr(disk, "populatedSize")?.trim();
  return { capacityBytes, ...(populated && /^\d+$/.test(populated) ? { populatedBytes: BigInt(populated) } : {}) };
}

/** Bytes in one allocation unit; a unit vSphere cannot read counts as 0 bytes, as it does. */
function unitBytes(units: string | undefined): bigint {
  return allocationUnitBytes(units) ?? 0n;
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
