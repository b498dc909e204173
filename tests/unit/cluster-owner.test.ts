import { checkOwner, ownerLabel } from "../../provider/targets/cluster/owner";
import { ConfigError } from "../../provider/errors";

const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;

describe("the owner label of a configuration", () => {
  test.each([
    ["vmimages", "vmimages"],
    ["infra-images.dev.images", "infra-images.dev.images"],
    ["my stack/with spaces", "my-stack-with-spaces"],
    ["_leading.and.trailing-", "leading.and.trailing"],
  ])("%s becomes %s", (name, label) => expect(ownerLabel(name)).toBe(label));

  test("a name too long keeps its start and a hash of the whole, so two long names with one start differ", () => {
    const a = ownerLabel(`${"x".repeat(70)}.a`);
    const b = ownerLabel(`${"x".repeat(70)}.b`);
    for (const l of [a, b]) {
      expect(l).toMatch(LABEL_VALUE);
      expect(l.startsWith("x".repeat(52))).toBe(true);
    }
    expect(a).not.toBe(b);
  });

  test("a name without a letter or digit is refused", () => expect(() => ownerLabel("--//")).toThrow(ConfigError));

  test("an owner the user chose is taken as it is, or refused naming where it came from", () => {
    expect(checkOwner("team-a.images", "--owner")).toBe("team-a.images");
    expect(() => checkOwner("team a", "--owner")).toThrow(/--owner "team a" is not a valid label value/);
    expect(() => checkOwner("x".repeat(64), "kubernetes.owner")).toThrow(/kubernetes\.owner/);
  });
});
