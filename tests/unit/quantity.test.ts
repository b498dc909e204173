import { allocationUnitBytes, bytesToQuantity } from "../../provider/quantity";

describe("byte sizes as Kubernetes quantities", () => {
  test.each([
    [0n, "0"],
    [512n, "512"],
    [1024n, "1Ki"],
    [1536n, "1536"],
    [512n * 1024n ** 2n, "512Mi"],
    [20n * 1024n ** 3n, "20Gi"],
    [1500n * 1024n, "1500Ki"],
    [1000000n, "1000000"],
    [2n * 1024n ** 4n, "2Ti"],
    [1024n ** 6n, "1Ei"],
    [1024n ** 7n, "1024Ei"],
  ])("%s bytes is %s", (bytes, q) => {
    expect(bytesToQuantity(bytes)).toBe(q);
  });
});

describe("OVF capacity allocation units", () => {
  test.each([
    [undefined, 1n],
    ["byte", 1n],
    ["byte * 2^20", 1024n ** 2n],
    ["byte*2^30", 1024n ** 3n],
    ["byte * 10^9", 10n ** 9n],
    ["MB", 1024n ** 2n],
    ["GigaBytes", 1024n ** 3n],
    ["furlong", undefined],
  ])("%j is %s bytes per unit", (units, bytes) => {
    expect(allocationUnitBytes(units)).toBe(bytes);
  });
});
