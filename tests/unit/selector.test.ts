import { matchesSelector, parseSelector } from "../../provider/catalog/selector";

const labels = {
  "os.image.vmoperator.vmware.com/type": "Linux",
  "os.image.vmoperator.vmware.com/version": "24.04",
  "capability.image.vmoperator.vmware.com/cloud-init": "",
};

describe("label selectors", () => {
  test.each([
    ["", true],
    ["os.image.vmoperator.vmware.com/type=Linux", true],
    ["os.image.vmoperator.vmware.com/type==Linux", true],
    ["os.image.vmoperator.vmware.com/type=Windows", false],
    ["os.image.vmoperator.vmware.com/type!=Windows", true],
    ["os.image.vmoperator.vmware.com/type=Linux,capability.image.vmoperator.vmware.com/cloud-init", true],
    ["capability.image.vmoperator.vmware.com/nvidia-vgpu", false],
    ["!capability.image.vmoperator.vmware.com/nvidia-vgpu", true],
    ["os.image.vmoperator.vmware.com/version in (22.04, 24.04)", true],
    ["os.image.vmoperator.vmware.com/version notin (24.04)", false],
    [" os.image.vmoperator.vmware.com/type = Linux , !missing ", true],
  ])("%j matches: %s", (selector, match) => {
    expect(matchesSelector(labels, parseSelector(selector))).toBe(match);
  });

  test.each([
    ["type=Linux,", /expected a label key/],
    ["a b", /unexpected "b"/],
    ["k in (a b)", /expected "," or "\)"/],
    ["Bad_Prefix.com/x=1", /not a valid label key/],
    ["k=has space", /unexpected "s"/],
  ])("%j is rejected", (selector, message) => {
    expect(() => parseSelector(selector)).toThrow(message);
  });
});
