import { CatalogImage } from "../catalog/catalog";

/** The columns `kubectl get vmi -o wide` prints (the CRD's additionalPrinterColumns). */
export function imageTable(images: readonly CatalogImage[], withNamespace: boolean): string {
  const header = [
    ...(withNamespace ? ["NAMESPACE"] : []),
    "NAME", "DISPLAY NAME", "TYPE", "IMAGE VERSION", "OS NAME", "OS VERSION", "HARDWARE VERSION", "CAPABILITIES",
  ];
  const rows = images.map((i) => [
    ...(withNamespace ? [i.namespace ?? ""] : []),
    i.name,
    i.displayName,
    i.status.type,
    i.status.productInfo?.version ?? "",
    i.status.osInfo?.type ?? "",
    i.status.osInfo?.version ?? "",
    i.status.hardwareVersion !== undefined ? String(i.status.hardwareVersion) : "",
    i.status.capabilities?.length ? `[${i.status.capabilities.map((c) => `"${c}"`).join(",")}]` : "",
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  return [header, ...rows].map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 3))).join("").trimEnd()).join("\n");
}
