import { parseOvfDescriptor } from "../../provider/ovf/parse";
import { VmImagesError } from "../../provider/errors";
import { failure } from "../helpers/failure";
import { ovf, property } from "../helpers/ovf";

const where = { library: "base", item: "Photon 5", itemId: "e1968c25-dd84-4506-8dc7-9beacb6b688e", file: "base/photon.ovf" };

describe("firmware", () => {
  test.each([
    ["efi", "EFI"],
    ["EFI", "EFI"],
    ["Efi", "EFI"],
    ["bios", "BIOS"],
    [undefined, "BIOS"],
  ])("vmw:Config firmware=%s gives %s", (value, firmware) => {
    expect(parseOvfDescriptor(ovf({ firmware: value })).firmware).toBe(firmware);
  });
});

describe("hardware version", () => {
  test.each([
    ["vmx-19", 19],
    ["vmx-13 vmx-11 vmx-10", 13],
    ["vmx-10,vmx-11", 11],
    ["vmx-09", 9],
    ["virtualbox-2.2 vmx-07", 7],
    ["xen-3", undefined],
    [undefined, undefined],
  ])("VirtualSystemType %j gives the highest vmx number listed: %s", (type, version) => {
    const meta = parseOvfDescriptor(ovf({ systemType: type }));
    expect(meta.hardwareVersion).toBe(version);
    if (version === undefined) expect("hardwareVersion" in meta).toBe(false);
  });
});

describe("OS info", () => {
  test("takes the guest id from vmw:osType, the family from it, the version from ovf:version", () => {
    expect(parseOvfDescriptor(ovf({ osType: "ubuntu64Guest", cimId: "94", osVersion: "24.04" })).osInfo).toEqual({
      id: "ubuntu64Guest",
      type: "Linux",
      version: "24.04",
    });
  });

  test.each([
    ["windows2019srv_64Guest", "Windows"],
    ["vmwarePhoton64Guest", "Linux"],
    ["other3xLinux64Guest", "Linux"],
    ["rhel9_64Guest", "Linux"],
    ["vmkernel8Guest", "ESXi"],
    ["darwin21_64Guest", "macOS"],
    ["freebsd13_64Guest", "FreeBSD"],
    ["otherGuest64", "Other"],
  ])("guest id %s is of the %s family", (osType, family) => {
    expect(parseOvfDescriptor(ovf({ osType })).osInfo.type).toBe(family);
  });

  test("without a guest id, derives the family from the CIM ovf:id", () => {
    expect(parseOvfDescriptor(ovf({ cimId: "103" })).osInfo).toEqual({ type: "Windows" });
    expect(parseOvfDescriptor(ovf({ cimId: "36" })).osInfo).toEqual({ type: "Linux" });
  });

  test("falls back to the first product section's Version when the OS section has none", () => {
    expect(parseOvfDescriptor(ovf({ osType: "otherLinuxGuest", osVersion: "", product: { version: "3.0" } })).osInfo.version).toBe("3.0");
  });
});

describe("product info", () => {
  test("comes from the first ProductSection, leaving out fields without a value", () => {
    const meta = parseOvfDescriptor(
      ovf({
        product: { product: "Photon OS", vendor: "VMware", version: "5.0" },
        extraProductSections: `<ProductSection><Info>second</Info><Product>Other</Product><FullVersion>9</FullVersion></ProductSection>`,
      }),
    );
    expect(meta.productInfo).toEqual({ product: "Photon OS", vendor: "VMware", version: "5.0" });
  });
});

describe("OVF properties", () => {
  const props = [
    property("hostname", { userConfigurable: true, value: "photon" }),
    property("password", { userConfigurable: true, type: "password", value: "" }),
    property("internal", { userConfigurable: false, value: "x" }),
    property("implicit", { value: "not configurable by default" }),
    property("vmware-system.tkr.os-version", { value: "1.15" }),
    property("vmware-system.empty", {}),
    property("capabilities.image.vmoperator.vmware.com", { value: " nvidia-vgpu,cloud-init , cloud-init,," }),
  ].join("");
  const meta = parseOvfDescriptor(ovf({ properties: props, extraProductSections: `<ProductSection><Info>2</Info>${property("later", { userConfigurable: true })}</ProductSection>` }));

  test("lists user-configurable properties in document order, with a default only when non-empty", () => {
    expect(meta.ovfProperties).toEqual([
      { key: "hostname", type: "string", default: "photon" },
      { key: "password", type: "password" },
      { key: "later", type: "string" },
    ]);
  });

  test("lists vmware-system properties with their default as the value", () => {
    expect(meta.vmwareSystemProperties).toEqual([{ key: "vmware-system.tkr.os-version", value: "1.15" }, { key: "vmware-system.empty" }]);
  });

  test("reads capabilities trimmed, de-duplicated and sorted", () => {
    expect(meta.capabilities).toEqual(["cloud-init", "nvidia-vgpu"]);
  });
});

describe("disks", () => {
  test("lists disk items in hardware order with capacity in bytes from the allocation units", () => {
    const meta = parseOvfDescriptor(
      ovf({
        disks: [
          { id: "system", capacity: "20", units: "byte * 2^30", populated: "1073741824", name: "Hard disk 1" },
          { id: "data", capacity: "536870912", name: "Hard disk 2" },
        ],
      }),
    );
    expect(meta.disks).toEqual([
      { name: "Hard disk 1", capacityBytes: 20n * 1024n ** 3n, populatedBytes: 1024n ** 3n },
      { name: "Hard disk 2", capacityBytes: 512n * 1024n ** 2n },
    ]);
  });

  test("gives repeated disk names a numeric suffix and unnamed disks their disk id", () => {
    const meta = parseOvfDescriptor(
      ovf({
        disks: [
          { id: "a", capacity: "1", name: "disk" },
          { id: "b", capacity: "1", name: "disk" },
          { id: "c", capacity: "1", name: "disk-2" },
          { id: "d", capacity: "1" },
        ],
      }),
    );
    expect(meta.disks.map((d) => d.name)).toEqual(["disk", "disk-2", "disk-2-2", "d"]);
  });

  test("resolves a ${property} capacity through the property's default and leaves an unknown one without a size", () => {
    const meta = parseOvfDescriptor(
      ovf({
        properties: property("scratch", { type: "int", value: "10" }),
        disks: [
          { id: "s", capacity: "${scratch}", units: "byte * 2^20", name: "scratch" },
          { id: "u", capacity: "${nowhere}", units: "byte * 2^20", name: "unknown" },
        ],
      }),
    );
    expect(meta.disks).toEqual([{ name: "scratch", capacityBytes: 10n * 1024n ** 2n }, { name: "unknown" }]);
  });

  test("keeps only the disks of the default deployment configuration", () => {
    const meta = parseOvfDescriptor(
      ovf({
        configurations: [{ id: "small" }, { id: "large", default: true }],
        disks: [
          { id: "os", capacity: "1", name: "os" },
          { id: "s", capacity: "1", name: "small-data", configuration: "small" },
          { id: "l", capacity: "1", name: "large-data", configuration: "large" },
          { id: "b", capacity: "1", name: "both-data", configuration: "small large" },
        ],
      }),
    );
    expect(meta.disks.map((d) => d.name)).toEqual(["os", "large-data", "both-data"]);
  });
});

describe("bad descriptors", () => {
  const parseError = (xml: string): VmImagesError => failure(() => parseOvfDescriptor(xml, where));

  test("a truncated descriptor is rejected naming the item, library and file", () => {
    const full = ovf({ osType: "otherLinuxGuest" });
    const err = parseError(full.slice(0, full.length / 2));
    expect(err).toBeInstanceOf(VmImagesError);
    expect(err.code).toBe("ovf");
    expect(err.message).toMatch(/^item "Photon 5" \(e1968c25-dd84-4506-8dc7-9beacb6b688e\) in library "base" at base\/photon\.ovf: the OVF descriptor is not well-formed XML/);
  });

  test("a document that is not an OVF envelope is rejected naming its root element", () => {
    expect(parseError(`<?xml version="1.0"?><project><name>x</name></project>`).message).toMatch(/not an OVF descriptor: its root element is <project>, expected <Envelope>/);
  });

  test("an envelope without a VirtualSystem is rejected", () => {
    expect(parseError(`<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><References/></Envelope>`).message).toMatch(/has no <VirtualSystem>/);
  });

  test("an entity-expansion bomb is refused without expanding anything", () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Envelope><VirtualSystem><Info>&lol9;</Info></VirtualSystem></Envelope>`;
    expect(parseError(lol).message).toMatch(/contains a DOCTYPE declaration \(line 2\); OVF descriptors carry no DTD and entity expansion is never performed/);
  });

  test("absurdly deep nesting is an error naming the file, not a stack overflow", () => {
    const deep = `<Envelope>${"<a>".repeat(100000)}${"</a>".repeat(100000)}</Envelope>`;
    expect(parseError(deep).message).toMatch(/^item "Photon 5" .*: the OVF descriptor cannot be parsed: Maximum nested tags exceeded/);
  });

  test("a stray ENTITY declaration is refused too", () => {
    expect(parseError(`<Envelope><!ENTITY x "y"></Envelope>`).message).toMatch(/contains a ENTITY declaration/);
  });

  test("the five predefined XML entities are still decoded", () => {
    const meta = parseOvfDescriptor(ovf({ product: { product: "Tom &amp; Jerry &lt;OS&gt;" } }));
    expect(meta.productInfo.product).toBe("Tom & Jerry <OS>");
  });
});
