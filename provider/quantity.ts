/**
 * Byte sizes as Kubernetes quantities, as VM Operator writes a disk's size
 * (`kubeutil.BytesToResource`): in binary SI when the size is a whole number below 1024 of Ki, Mi,
 * Gi, … (`16Gi`, `1Ki`), otherwise in decimal SI, the API server's canonical form for it
 * (`52143587328`, `2G`, `1500`).
 */

const BINARY_SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"] as const;
const DECIMAL_SUFFIXES = ["", "k", "M", "G", "T", "P", "E"] as const;

export function bytesToQuantity(bytes: bigint): string {
  if (bytes < 0n) throw new RangeError(`a size cannot be negative: ${bytes}`);
  if (bytes === 0n) return "0";
  let value = bytes;
  let exp = 0;
  while (value % 1024n === 0n && exp < BINARY_SUFFIXES.length - 1) {
    value /= 1024n;
    exp++;
  }
  if (exp > 0 && value < 1024n) return `${value}${BINARY_SUFFIXES[exp]}`;
  value = bytes;
  exp = 0;
  while (value % 1000n === 0n && exp < DECIMAL_SUFFIXES.length - 1) {
    value /= 1000n;
    exp++;
  }
  return `${value}${DECIMAL_SUFFIXES[exp]}`;
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
