import fc from "fast-check";
import { imageLabels, isQualifiedName, isValidLabelValue } from "../../provider/image/labels";

describe("label validity", () => {
  test.each([
    ["", true],
    ["Linux", true],
    ["24.04", true],
    ["a-b_c.d", true],
    ["-leading", false],
    ["trailing.", false],
    ["has space", false],
    ["24.04.3 LTS", false],
    ["x".repeat(63), true],
    ["x".repeat(64), false],
  ])("label value %j is valid: %s", (value, valid) => {
    expect(isValidLabelValue(value)).toBe(valid);
  });

  test.each([
    ["os.image.vmoperator.vmware.com/type", true],
    ["capability.image.vmoperator.vmware.com/cloud-init", true],
    ["plain", true],
    ["Upper.Case.Prefix/name", false],
    ["a/b/c", false],
    ["prefix/", false],
    [`prefix/${"n".repeat(64)}`, false],
    ["capability.image.vmoperator.vmware.com/has space", false],
  ])("label key %j is a qualified name: %s", (key, valid) => {
    expect(isQualifiedName(key)).toBe(valid);
  });
});

describe("image labels", () => {
  test("labels the image type, OS id, family, version and each capability, sorted by key", () => {
    const labels = imageLabels({
      type: "OVF",
      osInfo: { id: "ubuntu64Guest", type: "Linux", version: "24.04" },
      capabilities: ["nvidia-vgpu", "cloud-init"],
    });
    expect(labels).toEqual({
      "capability.image.vmoperator.vmware.com/cloud-init": "",
      "capability.image.vmoperator.vmware.com/nvidia-vgpu": "",
      "image.vmoperator.vmware.com/type": "OVF",
      "os.image.vmoperator.vmware.com/id": "ubuntu64Guest",
      "os.image.vmoperator.vmware.com/type": "Linux",
      "os.image.vmoperator.vmware.com/version": "24.04",
    });
    expect(Object.keys(labels)).toEqual([...Object.keys(labels)].sort());
  });

  test("leaves out a value that is not a valid label value instead of failing", () => {
    const labels = imageLabels({ type: "OVF", osInfo: { type: "Linux", version: "24.04.3 LTS (Noble Numbat)" }, capabilities: ["bad capability", "ok"] });
    expect(labels).toEqual({
      "capability.image.vmoperator.vmware.com/ok": "",
      "image.vmoperator.vmware.com/type": "OVF",
      "os.image.vmoperator.vmware.com/type": "Linux",
    });
  });

  test("every label emitted for any input has a valid key and value", () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string()), fc.option(fc.string()), fc.array(fc.string()), (type, os, version, caps) => {
        const labels = imageLabels({ type, osInfo: { type: os ?? undefined, version: version ?? undefined }, capabilities: caps });
        for (const [k, v] of Object.entries(labels)) {
          expect(isQualifiedName(k)).toBe(true);
          expect(isValidLabelValue(v)).toBe(true);
        }
      }),
    );
  });
});
