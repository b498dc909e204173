import { ovf, property } from "../tests/helpers/ovf";

const OSES = [
  { osType: "ubuntu64Guest", cimId: "94", product: "Ubuntu Server" },
  { osType: "vmwarePhoton64Guest", cimId: "100", product: "Photon OS" },
  { osType: "windows2019srv_64Guest", cimId: "112", product: "Windows Server" },
  { osType: "rhel9_64Guest", cimId: "80", product: "Red Hat Enterprise Linux" },
  { osType: "centos7_64Guest", cimId: "107", product: "CentOS" },
];

/** A valid, varied OVF descriptor for item `i` (OS, hardware, disks, properties, capabilities vary). */
export function syntheticOvf(i: number, revision = 0): string {
  const os = OSES[i % OSES.length]!;
  const disks = Array.from({ length: 1 + (i % 3) }, (_, d) => ({
    id: `disk${d}`,
    capacity: String(8 + ((i * 7 + d * 13) % 120)),
    units: "byte * 2^30",
    populated: String((1 + ((i + d) % 5)) * 512 * 1024 * 1024),
    name: `Hard disk ${d + 1}`,
  }));
  const props = [
    property("hostname", { userConfigurable: true, value: `host-${i}` }),
    property("user-data", { userConfigurable: true }),
    property(`custom.setting-${i % 11}`, { userConfigurable: true, value: String(i % 97) }),
    property("vmware-system.image.revision", { value: String(revision) }),
    ...(i % 2 === 0 ? [property("capabilities.image.vmoperator.vmware.com", { value: i % 4 === 0 ? "cloud-init,nvidia-vgpu" : "cloud-init" })] : []),
  ].join("");
  return ovf({
    osType: os.osType,
    cimId: os.cimId,
    osVersion: `${10 + (i % 15)}.${i % 4}`,
    systemType: i % 3 === 0 ? "vmx-19 vmx-17" : `vmx-${13 + (i % 9)}`,
    firmware: i % 2 === 0 ? "efi" : undefined,
    product: { product: os.product, vendor: "Example Corp", version: `${1 + (i % 9)}.${revision}`, fullVersion: `${1 + (i % 9)}.${revision}.${i}` },
    properties: props,
    disks,
  });
}
