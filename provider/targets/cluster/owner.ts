import { createHash } from "node:crypto";
import { ConfigError } from "../../errors";

/**
 * A configuration's name as a label value (at most 63 characters of `[A-Za-z0-9_.-]`, beginning and
 * ending with a letter or digit): other characters become `-`, and a name too long keeps its start
 * and a hash of the whole, so two long names that share a start still differ.
 * @throws ConfigError for a name with no letter or digit
 */
export function ownerLabel(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.-]/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  if (cleaned === "") throw new ConfigError(`the owner name "${name}" has no letter or digit; choose one that does (it becomes the images' vmimages.pulumi-vmimages.dev/config label)`);
  if (cleaned.length <= 63) return cleaned;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 10);
  return `${cleaned.slice(0, 52).replace(/[^A-Za-z0-9]+$/, "")}-${hash}`;
}

/**
 * An owner name the user chose, as it is: a label value.
 * @throws ConfigError naming what makes it no label value
 */
export function checkOwner(name: string, where: string): string {
  if (/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/.test(name)) return name;
  throw new ConfigError(`${where} "${name}" is not a valid label value: at most 63 letters, digits, "-", "_" or ".", beginning and ending with a letter or digit`);
}
