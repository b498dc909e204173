/**
 * OS families from vSphere guest ids (`vmw:osType`) and DMTF CIM OperatingSystem types (`ovf:id`).
 * The families are the values users select images by in `os.image.vmoperator.vmware.com/type`.
 */

export type OsFamily = "Linux" | "Windows" | "macOS" | "FreeBSD" | "Solaris" | "ESXi" | "NetWare" | "OS/2" | "DOS" | "Other";

/**
 * Every vSphere guest id (the `VirtualMachineGuestOsIdentifier` values of the vSphere API, as
 * govmomi v0.56.0 lists them), by the family of the CIM OS type vSphere maps it to
 * (govmomi's `GuestIDToCIMOSType`). Ids that vSphere maps to no specific CIM type (Unknown,
 * Other, Other 64-bit: Windows 10 and later, recent Linux releases) are filed by the OS they name.
 * A test holds this table to govmomi's list and mapping.
 */
const GUEST_IDS: Readonly<Record<OsFamily, string>> = {
  Linux:
    "almalinux_64Guest amazonlinux2_64Guest amazonlinux3_64Guest asianux3_64Guest asianux3Guest asianux4_64Guest asianux4Guest asianux5_64Guest " +
    "asianux7_64Guest asianux8_64Guest asianux9_64Guest centos64Guest centos6_64Guest centos6Guest centos7_64Guest centos7Guest centos8_64Guest " +
    "centos9_64Guest centosGuest coreos64Guest crxPod1Guest crxSys1Guest debian10_64Guest debian10Guest debian11_64Guest debian11Guest " +
    "debian12_64Guest debian12Guest debian13_64Guest debian13Guest debian4_64Guest debian4Guest debian5_64Guest debian5Guest debian6_64Guest " +
    "debian6Guest debian7_64Guest debian7Guest debian8_64Guest debian8Guest debian9_64Guest debian9Guest fedora64Guest fedoraGuest " +
    "fusionos_64Guest genericLinuxGuest kylinlinux_64Guest mandrakeGuest mandriva64Guest mandrivaGuest miraclelinux_64Guest nld9Guest oesGuest " +
    "opensuse64Guest opensuseGuest oracleLinux10_64Guest oracleLinux64Guest oracleLinux6_64Guest oracleLinux6Guest oracleLinux7_64Guest " +
    "oracleLinux7Guest oracleLinux8_64Guest oracleLinux9_64Guest oracleLinuxGuest other24xLinux64Guest other24xLinuxGuest other26xLinux64Guest " +
    "other26xLinuxGuest other3xLinux64Guest other3xLinuxGuest other4xLinux64Guest other4xLinuxGuest other5xLinux64Guest other5xLinuxGuest " +
    "other6xLinux64Guest other6xLinuxGuest other7xLinux64Guest other7xLinuxGuest otherLinux64Guest otherLinuxGuest pardus_64Guest " +
    "prolinux_64Guest redhatGuest rhel10_64Guest rhel2Guest rhel3_64Guest rhel3Guest rhel4_64Guest rhel4Guest rhel5_64Guest rhel5Guest " +
    "rhel6_64Guest rhel6Guest rhel7_64Guest rhel7Guest rhel8_64Guest rhel9_64Guest rockylinux_64Guest sjdsGuest sles10_64Guest sles10Guest " +
    "sles11_64Guest sles11Guest sles12_64Guest sles12Guest sles15_64Guest sles16_64Guest sles64Guest slesGuest suse64Guest suseGuest " +
    "turboLinux64Guest turboLinuxGuest ubuntu64Guest ubuntuGuest vmwarePhoton64Guest",
  macOS:
    "darwin10_64Guest darwin10Guest darwin11_64Guest darwin11Guest darwin12_64Guest darwin13_64Guest darwin14_64Guest darwin15_64Guest " +
    "darwin16_64Guest darwin17_64Guest darwin18_64Guest darwin19_64Guest darwin20_64Guest darwin21_64Guest darwin22_64Guest darwin23_64Guest " +
    "darwin64Guest darwinGuest",
  DOS: "dosGuest",
  "OS/2": "eComStation2Guest eComStationGuest os2Guest",
  FreeBSD:
    "freebsd11_64Guest freebsd11Guest freebsd12_64Guest freebsd12Guest freebsd13_64Guest freebsd13Guest freebsd14_64Guest freebsd14Guest " +
    "freebsd15_64Guest freebsd15Guest freebsd64Guest freebsdGuest",
  NetWare: "netware4Guest netware5Guest netware6Guest",
  Other: "openServer5Guest openServer6Guest otherGuest otherGuest64 unixWare7Guest",
  Solaris: "solaris10_64Guest solaris10Guest solaris11_64Guest solaris6Guest solaris7Guest solaris8Guest solaris9Guest",
  ESXi: "vmkernel5Guest vmkernel65Guest vmkernel6Guest vmkernel7Guest vmkernel8Guest vmkernel9Guest vmkernelGuest",
  Windows:
    "win2000AdvServGuest win2000ProGuest win2000ServGuest win31Guest win95Guest win98Guest windows11_64Guest windows12_64Guest " +
    "windows2019srv_64Guest windows2019srvNext_64Guest windows2022srvNext_64Guest windows7_64Guest windows7Guest windows7Server64Guest " +
    "windows8_64Guest windows8Guest windows8Server64Guest windows9_64Guest windows9Guest windows9Server64Guest windowsHyperVGuest " +
    "winLonghorn64Guest winLonghornGuest winMeGuest winNetBusinessGuest winNetDatacenter64Guest winNetDatacenterGuest winNetEnterprise64Guest " +
    "winNetEnterpriseGuest winNetStandard64Guest winNetStandardGuest winNetWebGuest winNTGuest winVista64Guest winVistaGuest winXPHomeGuest " +
    "winXPPro64Guest winXPProGuest",
};

/** Guest id, lower-cased → family. */
const BY_GUEST_ID: ReadonlyMap<string, OsFamily> = new Map(
  (Object.entries(GUEST_IDS) as Array<[OsFamily, string]>).flatMap(([family, ids]) => ids.split(" ").map((id) => [id.toLowerCase(), family] as const)),
);

/** Every guest id the table knows, as vSphere spells them. */
export function knownGuestIds(): string[] {
  return Object.values(GUEST_IDS).flatMap((ids) => ids.split(" "));
}

/** The OS family of a vSphere guest id (`ubuntu64Guest` → Linux); undefined for an empty or unknown id. */
export function osFamilyFromGuestId(guestId: string | undefined): OsFamily | undefined {
  const id = guestId?.trim();
  return id ? BY_GUEST_ID.get(id.toLowerCase()) : undefined;
}

// DMTF CIM_OperatingSystem.OSType values (CIM schema 2.x), grouped by family.
const CIM_FAMILIES: ReadonlyArray<readonly [OsFamily, readonly number[]]> = [
  ["Linux", [36, 79, 80, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 106, 107, 108, 109]],
  ["Windows", [15, 16, 17, 18, 19, 58, 63, 67, 69, 70, 71, 72, 73, 74, 75, 76, 77, 103, 105, 111, 112, 113, 114, 115]],
  ["macOS", [2]],
  ["FreeBSD", [42, 78]],
  ["Solaris", [29, 30, 81]],
  ["ESXi", [104]],
  ["NetWare", [21]],
  ["OS/2", [12, 110]],
  ["DOS", [14]],
];

/** The OS family of a CIM OSType number given as text (`"36"` → Linux); undefined when unknown (0) or not a number. */
export function osFamilyFromCimId(cimId: string | undefined): OsFamily | undefined {
  if (cimId === undefined || !/^\d+$/.test(cimId.trim())) return undefined;
  const n = Number(cimId.trim());
  if (n === 0) return undefined;
  for (const [family, ids] of CIM_FAMILIES) if (ids.includes(n)) return family;
  return "Other";
}

/**
 * The family of an image's OS: that of its guest id when vSphere knows the id, else that of its CIM
 * type (the documentation's own example: `photon64Guest` is no vSphere guest id, and `ovf:id="100"`,
 * Linux 2.6.x 64-bit, makes it Linux).
 */
export function osFamily(guestId: string | undefined, cimId: string | undefined): OsFamily | undefined {
  return osFamilyFromGuestId(guestId) ?? osFamilyFromCimId(cimId) ?? (guestId?.trim() ? "Other" : undefined);
}
