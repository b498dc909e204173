import { allocationUnitBytes, bytesToQuantity } from "../../provider/quantity";

describe("byte sizes as Kubernetes quantities, as VM Operator writes them", () => {
  test.each([
    [0n, "0"],
    [512n, "512"],
    [1024n, "1Ki"],
    [1536n, "1536"],
    [512n * 1024n ** 2n, "512Mi"],
    [20n * 1024n ** 3n, "20Gi"],
    [1023n * 1024n ** 3n, "1023Gi"],
    [2n * 1024n ** 4n, "2Ti"],
    [1024n ** 6n, "1Ei"],
    // Not a whole number below 1024 of any binary unit: decimal SI, canonical as the API server prints it.
    [1500n * 1024n, "1536k"],
    [49728n * 1024n ** 2n, "52143587328"],
    [1000000n, "1M"],
    [2n * 10n ** 9n, "2G"],
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
