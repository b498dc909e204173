import { readOvfPackage } from "../../provider/ovf/references";
import { referencedName } from "../../provider/targets/publish/files";

describe("files an OVF descriptor references", () => {
  test("are read from its References, chunked ones marked, and a VirtualSystemCollection makes it a vApp", () => {
    const vm = `<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"><References><ovf:File ovf:href="disk0.vmdk" ovf:id="f0"/><File ovf:href="big.vmdk" ovf:id="f1" ovf:chunkSize="2147483648"/></References><VirtualSystem ovf:id="vm"/></Envelope>`;
    expect(readOvfPackage(vm)).toEqual({ files: [{ href: "disk0.vmdk", chunked: false }, { href: "big.vmdk", chunked: true }], vapp: false });
    const vapp = `<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><VirtualSystemCollection><VirtualSystem/></VirtualSystemCollection></Envelope>`;
    expect(readOvfPackage(vapp)).toEqual({ files: [], vapp: true });
    expect(() => readOvfPackage("<Envelope>", { item: "x" })).toThrow(/^item "x": the OVF descriptor /);
    expect(() => readOvfPackage("<html/>")).toThrow("the file is not an OVF descriptor: it has no <Envelope>");
  });

  test.each([
    ["disk0.vmdk", "disk0.vmdk"],
    ["disks/disk%200.vmdk", "disks/disk 0.vmdk"],
    ["../disk0.vmdk", undefined],
    ["disks/../../x", undefined],
    ["%2e%2e/x", undefined],
    ["..%2fx", undefined],
    ["/etc/passwd", undefined],
    ["file:///etc/passwd", undefined],
    ["https://example.com/disk.vmdk", undefined],
    ["a\\b", undefined],
    ["a//b", undefined],
    ["%zz", undefined],
  ])("%s is published as %s (undefined: refused)", (href, name) => {
    expect(referencedName(href)).toBe(name);
  });
});
