import { OvfError } from "../errors";
import { allocationUnitBytes } from "../quantity";
import { DiskControllerType, OvfDisk } from "../types";
import { XmlNode, attr, child, children, text } from "./xml";

/** CIM ResourceType values (DSP1041) of the devices that place disks. */
const RESOURCE = { IDE: "5", SCSI: "6", FLOPPY: "14", CD: "15", DVD: "16", DISK: "17", OTHER_STORAGE: "20", USB: "23" } as const;

const SCSI_TYPES = new Set(["buslogic", "lsilogic", "lsilogic-sas", "pvscsi", "scsi", "virtualscsi"]);
const BUS_NUMBERS = 4;
/** A SCSI controller keeps this unit for itself. */
const SCSI_CONTROLLER_UNIT = 7;
const UNITS = 30;

type Fail = (what: string) => OvfError;

/** A device as vSphere places it: controllers by type and bus, other devices by controller and unit. */
interface Device {
  readonly id: number;
  /** Set for controllers; `type` only for those VM Operator reports (IDE, SCSI, SATA, NVMe). */
  readonly controller?: { readonly type?: DiskControllerType; readonly bus: number };
  readonly controllerId?: number;
  readonly unit?: number;
}

/**
 * The devices of a hardware section in the order vSphere adds them (govmomi's device list): each
 * controller takes the next free bus of its kind unless its item names one, each device on a
 * controller the first free unit unless its item names one.
 */
class DeviceLayout {
  private readonly devices: Device[] = [];
  /** Controllers (and floppy drives) by the `InstanceID` of their item, for the `Parent` of other devices. */
  private readonly byInstance = new Map<string, Device>();

  constructor(private readonly fail: Fail) {}

  controller(item: XmlNode, type: DiskControllerType | undefined, bus: number): Device {
    const address = this.number(item, "Address");
    const device = this.add(item, { id: this.devices.length, controller: { ...(type ? { type } : {}), bus: address ?? bus } });
    this.byInstance.set(text(item, "InstanceID") ?? "", device);
    return device;
  }

  /** A device on the controller its item's `Parent` names, or on none (a parent that is no controller, or not there). */
  onParent(item: XmlNode): Device {
    const parent = this.parentOf(item);
    return this.add(item, { id: this.devices.length, ...(parent?.controller ? { controllerId: parent.id, unit: this.nextUnit(parent) } : {}) });
  }

  /** A device on no controller (a floppy drive sits on its own SIO controller, which places no disk). */
  standalone(item: XmlNode): Device {
    const device = this.add(item, { id: this.devices.length });
    this.byInstance.set(text(item, "InstanceID") ?? "", device);
    return device;
  }

  /** The controller or drive its item's `Parent` names. */
  parentOf(item: XmlNode): Device | undefined {
    return this.byInstance.get(text(item, "Parent") ?? "\0");
  }

  /** The lowest bus number no controller of the type has yet; -1 when all are taken. */
  nextBus(type: DiskControllerType): number {
    const used = new Set(this.devices.flatMap((d) => (d.controller?.type === type ? [d.controller.bus] : [])));
    for (let bus = 0; bus < BUS_NUMBERS; bus++) if (!used.has(bus)) return bus;
    return -1;
  }

  controllerOf(device: Device): Device["controller"] {
    return device.controllerId !== undefined ? this.devices[device.controllerId]!.controller : undefined;
  }

  private nextUnit(controller: Device): number {
    const used = new Set(this.devices.flatMap((d) => (d.controllerId === controller.id && d.unit !== undefined ? [d.unit] : [])));
    if (controller.controller?.type === "SCSI") used.add(SCSI_CONTROLLER_UNIT);
    for (let unit = 0; unit < UNITS; unit++) if (!used.has(unit)) return unit;
    return -1;
  }

  /** Adds a device, at the unit its item's `AddressOnParent` names if it names one. */
  private add(item: XmlNode, device: Device): Device {
    const unit = this.number(item, "AddressOnParent");
    const placed = unit !== undefined ? { ...device, unit } : device;
    this.devices.push(placed);
    return placed;
  }

  private number(item: XmlNode, field: "Address" | "AddressOnParent"): number | undefined {
    const value = text(item, field);
    if (value === undefined) return undefined;
    if (!/^[+-]?\d+$/.test(value)) throw this.fail(`hardware item "${text(item, "ElementName") ?? ""}" has an invalid ${field} "${value}"`);
    return Number(value);
  }
}

/** What a disk item says, before its name is made unique. */
interface DiskEntry {
  readonly name: string;
  readonly device: Device;
  readonly capacityBytes: bigint;
  readonly populatedBytes?: bigint;
}

/**
 * The disks of the first hardware section, placed as vSphere places them when it deploys the
 * image: each controller on the next free bus of its kind unless `rasd:Address` names one; a disk
 * or CD drive on its `rasd:Parent` controller at the first free unit (a SCSI controller keeps unit
 * 7 for itself) unless `rasd:AddressOnParent` names one. Repeated disk names get `_1`, `_2`, ….
 */
export function readDisks(envelope: XmlNode, hw: XmlNode | undefined, config: string, defaults: Map<string, string>, fail: Fail): OvfDisk[] {
  const diskSection = children(child(envelope, "DiskSection"), "Disk");
  const layout = new DeviceLayout(fail);
  const disks: DiskEntry[] = [];
  for (const item of children(hw, "Item")) {
    const configuration = attr(item, "configuration");
    if (configuration !== undefined && configuration !== config) continue;
    const device = placeItem(layout, item, fail);
    if (device !== undefined) disks.push({ name: diskName(item, disks.length), device, ...diskSize(item, diskSection, config, defaults, fail) });
  }
  const used = new Map<string, number>();
  return disks.map(({ name, device, capacityBytes, populatedBytes }) => {
    const controller = layout.controllerOf(device);
    return compact({
      name: uniqueName(name, used),
      capacityBytes,
      populatedBytes,
      controllerType: controller?.type,
      controllerBusNumber: controller?.type ? controller.bus : undefined,
      unitNumber: device.unit,
    });
  });
}

/** Places one hardware item in the layout; returns its device when the item is a disk. */
function placeItem(layout: DeviceLayout, item: XmlNode, fail: Fail): Device | undefined {
  const subtype = (text(item, "ResourceSubType") ?? "").toLowerCase();
  const name = text(item, "ElementName") ?? "";
  switch (text(item, "ResourceType")) {
    case RESOURCE.IDE:
      layout.controller(item, "IDE", 0);
      return undefined;
    case RESOURCE.SCSI: {
      const kind = subtype.split(/[\s,]+/).find((t) => SCSI_TYPES.has(t)) ?? subtype;
      if (kind !== "" && !SCSI_TYPES.has(kind)) throw fail(`hardware item "${name}" is a SCSI controller of the unknown type "${subtype}"`);
      layout.controller(item, "SCSI", layout.nextBus("SCSI"));
      return undefined;
    }
    case RESOURCE.OTHER_STORAGE:
      if (subtype === "vmware.sata.ahci" || subtype === "ahci") {
        const bus = layout.nextBus("SATA");
        if (bus < 0) throw fail(`hardware item "${name}": no SATA bus number is left`);
        layout.controller(item, "SATA", bus);
      } else if (subtype === "vmware.nvme.controller") layout.controller(item, "NVME", layout.nextBus("NVME"));
      return undefined;
    case RESOURCE.USB:
      if (subtype === "vmware.usb.ehci" || subtype === "vmware.usb.xhci") layout.controller(item, undefined, 0);
      return undefined;
    case RESOURCE.FLOPPY:
      layout.standalone(item);
      return undefined;
    case RESOURCE.CD:
    case RESOURCE.DVD: {
      const parent = text(item, "Parent");
      if (parent === undefined) throw fail(`CD/DVD drive "${name}" has no Parent controller`);
      // A drive whose parent is not there is not placed; one whose parent is no controller is an error.
      const owner = layout.parentOf(item);
      if (owner === undefined) return undefined;
      if (!owner.controller) throw fail(`CD/DVD drive "${name}" has a Parent that is not a controller`);
      layout.onParent(item);
      return undefined;
    }
    case RESOURCE.DISK:
      return layout.onParent(item);
    default:
      return undefined;
  }
}

/** A disk's name: its ElementName, else its disk id (VM Operator would leave it unnamed), else its position. */
function diskName(item: XmlNode, before: number): string {
  return text(item, "ElementName") ?? /^ovf:\/disk\/(.+)$/.exec(text(item, "HostResource") ?? "")?.[1] ?? `disk-${before + 1}`;
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
function diskSize(item: XmlNode, diskSection: XmlNode[], config: string, defaults: Map<string, string>, fail: Fail): { capacityBytes: bigint; populatedBytes?: bigint } {
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

/** Drops undefined fields so absent values are left out, never written as empty. */
function compact<T extends object>(obj: T): T {
  for (const k of Object.keys(obj) as (keyof T)[]) if (obj[k] === undefined) delete obj[k];
  return obj;
}
