/**
 * OS families from vSphere guest ids (`vmw:osType`) and DMTF CIM OperatingSystem types (`ovf:id`).
 * The families are the values users select images by in `os.image.vmoperator.vmware.com/type`.
 */

export type OsFamily = "Linux" | "Windows" | "macOS" | "FreeBSD" | "Solaris" | "ESXi" | "NetWare" | "OS/2" | "DOS" | "Other";

// Guest ids of Linux distributions that do not contain the word "linux".
const LINUX_GUEST_PREFIXES = [
  "ubuntu", "debian", "rhel", "centos", "sles", "suse", "opensuse", "oracle", "fedora", "mandrake",
  "mandriva", "turbo", "redhat", "asianux", "vmwarephoton", "coreos", "almalinux", "rockylinux",
  "amazonlinux", "crxpod", "crxsys", "nld", "oes", "sjds", "pardus", "fusionos", "prolinux",
];

/** The OS family of a vSphere guest id, e.g. `ubuntu64Guest` → Linux; undefined for an empty id. */
export function osFamilyFromGuestId(guestId: string | undefined): OsFamily | undefined {
  if (guestId === undefined || guestId.trim() === "") return undefined;
  const id = guestId.trim().toLowerCase();
  if (id.startsWith("win")) return "Windows";
  if (id.startsWith("darwin")) return "macOS";
  if (id.startsWith("freebsd")) return "FreeBSD";
  if (id.startsWith("solaris")) return "Solaris";
  if (id.startsWith("vmkernel")) return "ESXi";
  if (id.startsWith("netware")) return "NetWare";
  if (id.startsWith("os2") || id.startsWith("ecomstation")) return "OS/2";
  if (id.startsWith("dos")) return "DOS";
  if (id.includes("linux") || LINUX_GUEST_PREFIXES.some((p) => id.startsWith(p))) return "Linux";
  return "Other";
}

// DMTF CIM_OperatingSystem.OSType values (CIM schema 2.x), grouped by family.
const CIM_FAMILIES: ReadonlyArray<readonly [OsFamily, readonly number[]]> = [
  ["Linux", [36, 79, 80, 82, 83, 84, 85, 86, 87, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 106, 107, 108, 109]],
  ["Windows", [15, 16, 17, 18, 19, 58, 63, 67, 69, 70, 71, 72, 73, 74, 75, 76, 77, 103, 105, 111, 112, 113, 114, 115, 116]],
  ["macOS", [2]],
  ["FreeBSD", [42, 78]],
  ["Solaris", [29, 30, 81]],
  ["ESXi", [104]],
  ["NetWare", [21]],
  ["OS/2", [12, 110]],
  ["DOS", [14]],
];

/** The OS family of a CIM OSType number given as text (`"36"` → Linux); undefined when unknown. */
export function osFamilyFromCimId(cimId: string | undefined): OsFamily | undefined {
  if (cimId === undefined || !/^\d+$/.test(cimId.trim())) return undefined;
  const n = Number(cimId.trim());
  if (n === 0) return undefined;
  for (const [family, ids] of CIM_FAMILIES) if (ids.includes(n)) return family;
  return "Other";
}
