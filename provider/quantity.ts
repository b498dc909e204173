/**
 * Byte sizes as Kubernetes quantities, in the canonical form the API server prints for binary-SI
 * quantities (`resource.NewQuantity(n, resource.BinarySI).String()`): the largest suffix of
 * Ki, Mi, Gi, Ti, Pi, Ei that divides the value exactly, else the plain number of bytes.
 */

const BINARY_SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"] as const;

export function bytesToQuantity(bytes: bigint): string {
  if (bytes < 0n) throw new RangeError(`a size cannot be negative: ${bytes}`);
  let value = bytes;
  let exp = 0;
  while (value >= 1024n && value % 1024n === 0n && exp < BINARY_SUFFIXES.length - 1) {
    value /= 1024n;
    exp++;
  }
  return `${value}${BINARY_SUFFIXES[exp]}`;
}

/**
 * The number of bytes in one unit of a DMTF programmatic unit (DSP0004 Annex C) as OVF uses it for
 * `ovf:capacityAllocationUnits`: `byte`, `byte * 2^20`, `byte * 10^9`, and the KB/MB/GB spellings
 * some exporters write. Undefined for anything else.
 */
export function allocationUnitBytes(units: string | undefined): bigint | undefined {
  if (units === undefined || units.trim() === "") return 1n;
  const u = units.trim().replace(/\s+/g, " ");
  const pow = /^byte(?: ?\* ?(\d+) ?\^ ?(\d+))?$/i.exec(u);
  if (pow) {
    if (pow[1] === undefined) return 1n;
    const base = BigInt(pow[1]);
    const exp = Number(pow[2]);
    if (exp > 60) return undefined;
    return base ** BigInt(exp);
  }
  const named: Record<string, bigint> = {
    b: 1n, bytes: 1n, kb: 1024n, kilobytes: 1024n, mb: 1024n ** 2n, megabytes: 1024n ** 2n,
    gb: 1024n ** 3n, gigabytes: 1024n ** 3n, tb: 1024n ** 4n, terabytes: 1024n ** 4n,
  };
  return named[u.toLowerCase()];
}
