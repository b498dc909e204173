/**
 * Kubernetes label validity (apimachinery validation.IsQualifiedName / IsValidLabelValue) and the
 * labels VM Operator users select images by.
 */

import { compareCodeUnits } from "../util";

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label value: empty, or at most 63 characters of alphanumerics, `-`, `_`, `.`, alphanumeric at both ends. */
export function isValidLabelValue(value: string): boolean {
  return value === "" || (value.length <= 63 && NAME_PART.test(value));
}

/** A qualified name (label key): an optional DNS-1123 subdomain prefix and `/`, then a 63-character name. */
export function isQualifiedName(key: string): boolean {
  const parts = key.split("/");
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1]!;
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) return false;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    return prefix.length > 0 && prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix);
  }
  return true;
}

export const LABEL_OS_TYPE = "os.image.vmoperator.vmware.com/type";
export const LABEL_OS_VERSION = "os.image.vmoperator.vmware.com/version";
export const LABEL_OS_ID = "os.image.vmoperator.vmware.com/id";
export const LABEL_IMAGE_TYPE = "image.vmoperator.vmware.com/type";
export const CAPABILITY_LABEL_PREFIX = "capability.image.vmoperator.vmware.com/";

/** Whether a label key is one `imageLabels` sets (and so one a run may also take away). */
export function isImageLabel(key: string): boolean {
  return key.startsWith("os.image.vmoperator.vmware.com/") || key === LABEL_IMAGE_TYPE || key.startsWith(CAPABILITY_LABEL_PREFIX);
}

export interface LabelSource {
  readonly type: string;
  readonly osInfo?: { readonly id?: string; readonly type?: string; readonly version?: string };
  readonly capabilities?: readonly string[];
}

/**
 * The selection labels of an image, sorted by key. A value that is not a valid label value, or a
 * capability that does not make a valid key, is left out: a label must never break the manifest.
 */
export function imageLabels(status: LabelSource): Record<string, string> {
  const candidates: Array<[string, string | undefined]> = [
    [LABEL_IMAGE_TYPE, status.type],
    [LABEL_OS_ID, status.osInfo?.id],
    [LABEL_OS_TYPE, status.osInfo?.type],
    [LABEL_OS_VERSION, status.osInfo?.version],
    ...(status.capabilities ?? []).map((c): [string, string] => [`${CAPABILITY_LABEL_PREFIX}${c}`, ""]),
  ];
  const labels: Record<string, string> = {};
  for (const [key, value] of candidates.sort(([a], [b]) => compareCodeUnits(a, b))) {
    if (value === undefined || !isQualifiedName(key)) continue;
    if (value !== "" && !isValidLabelValue(value)) continue;
    if (value === "" && !key.startsWith(CAPABILITY_LABEL_PREFIX)) continue;
    labels[key] = value;
  }
  return labels;
}
