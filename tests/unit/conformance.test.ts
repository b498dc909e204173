import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { parseOvfDescriptor } from "../../provider/ovf/parse";
import { readOvaDescriptor } from "../../provider/source/ova";
import { buildImage } from "../../provider/image/build";
import { ImageStatus } from "../../provider/image/manifest";
import { ItemId, SUPPORTED_API_VERSIONS, OvfMetadata } from "../../provider/types";
import { CORPUS, corpusAvailable } from "../helpers/corpus";
import { crdErrors } from "../helpers/crd";

const here = corpusAvailable();
const describeCorpus = here ? describe : describe.skip;
const ovfFiles = here ? readdirSync(path.join(CORPUS, "ovf")).filter((f) => f.endsWith(".ovf")).sort() : [];
const ovaFiles = here ? readdirSync(path.join(CORPUS, "ova")).filter((f) => f.endsWith(".ova")).sort() : [];

const parsed = new Map<string, OvfMetadata>();
function meta(file: string): OvfMetadata {
  if (!parsed.has(file)) parsed.set(file, parseOvfDescriptor(readFileSync(path.join(CORPUS, "ovf", file), "utf8"), { file }));
  return parsed.get(file)!;
}

function image(file: string, apiVersion = "vmoperator.vmware.com/v1alpha6" as const) {
  return buildImage(
    { library: { id: "l", name: "corpus", type: "OFFLINE" }, item: { id: "e1968c25-dd84-4506-8dc7-9beacb6b688e" as ItemId, name: file, type: "ovf", contentVersion: "1" }, ovf: meta(file) },
    { kind: "cluster" },
    { apiVersion, now: "2026-01-02T03:04:05Z" },
  );
}

/** What VM Operator's own mapping code made of a descriptor (../shared/conformance/vmoperator). */
interface Upstream {
  readonly firmware?: string;
  readonly hardwareVersion?: number;
  readonly osInfo?: { readonly id?: string; readonly type?: string };
  readonly productInfo?: Record<string, string>;
  readonly ovfProperties?: ReadonlyArray<Record<string, string>>;
  readonly vmwareSystemProperties?: ReadonlyArray<{ key: string; value?: string }>;
  readonly disks?: ReadonlyArray<Record<string, unknown>>;
  readonly labels: Record<string, string>;
}
const upstream = (file: string) => JSON.parse(readFileSync(path.join(CORPUS, "vmoperator", file.replace(/\.ovf$/, ".json")), "utf8")) as Upstream;

/** The families of the corpus' guest ids (the OS each names). */
const FAMILY: Record<string, string> = {
  vmwarePhoton64Guest: "Linux",
  other3xLinux64Guest: "Linux",
  otherLinuxGuest: "Linux",
  ubuntu64Guest: "Linux",
  vmkernel8Guest: "ESXi",
};

/** The OperatingSystemSection's ovf:version, read off the descriptor's text. */
function osVersionIn(file: string): string | undefined {
  const section = /<(?:\w+:)?OperatingSystemSection\b[^>]*>/.exec(readFileSync(path.join(CORPUS, "ovf", file), "utf8"))![0];
  return /\bovf:version="([^"]*)"/.exec(section)?.[1] || undefined;
}

const withoutEmpty = (o: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== ""));

describeCorpus("conformance corpus: the status and labels VM Operator computes", () => {
  test.each(ovfFiles)("%s: every field agrees with VM Operator's, but for the documented differences", (file) => {
    const ref = upstream(file);
    const { status, metadata } = image(file);
    const guestId = ref.osInfo?.type;
    // Same as VM Operator.
    expect(status.hardwareVersion).toBe(ref.hardwareVersion);
    expect(status.ovfProperties ?? []).toEqual(ref.ovfProperties ?? []);
    expect(status.disks ?? []).toEqual(ref.disks ?? []);
    // Empty strings are left out.
    expect(status.productInfo ?? {}).toEqual(withoutEmpty(ref.productInfo));
    expect(status.vmwareSystemProperties ?? []).toEqual((ref.vmwareSystemProperties ?? []).map((p) => withoutEmpty(p)));
    // The documentation's firmware, osInfo and labels (docs/manifests.md, "Where we differ from VM Operator").
    expect(status.firmware).toBe(ref.firmware?.toLowerCase() === "efi" ? "EFI" : "BIOS");
    const osInfo: ImageStatus["osInfo"] = { id: guestId, type: FAMILY[guestId!], ...(osVersionIn(file) ? { version: osVersionIn(file) } : {}) };
    expect(status.osInfo).toEqual(osInfo);
    const capabilities = Object.fromEntries((status.capabilities ?? []).map((c) => [`capability.image.vmoperator.vmware.com/${c}`, ""]));
    expect(metadata.labels).toEqual({
      "image.vmoperator.vmware.com/type": ref.labels["image.vmoperator.vmware.com/type"],
      "os.image.vmoperator.vmware.com/id": ref.labels["os.image.vmoperator.vmware.com/type"],
      "os.image.vmoperator.vmware.com/type": osInfo.type,
      ...(osInfo.version ? { "os.image.vmoperator.vmware.com/version": osInfo.version } : {}),
      ...capabilities,
    });
    expect(metadata.annotations).toEqual({ "vmware.com/display-name": file });
  });

  test("the corpus has descriptors of every kind the differences concern", () => {
    const refs = ovfFiles.map(upstream);
    expect(refs.some((r) => r.hardwareVersion === undefined)).toBe(true);
    expect(refs.some((r) => (r.disks ?? []).some((d) => /^\d+$/.test(String(d.limit))))).toBe(true);
    expect(refs.some((r) => (r.ovfProperties ?? []).some((p) => p.type === "boolean" && p.default !== undefined))).toBe(true);
    expect(refs.some((r) => (r.disks ?? []).some((d) => d.controllerType === "IDE"))).toBe(true);
  });

  test("uber.ovf's ${property} disk capacities resolve through the default configuration's property", () => {
    const disks = meta("uber.ovf").disks;
    expect(disks.find((d) => d.name === "scratch_large")?.capacityBytes).toBe(20n * 1024n ** 2n);
  });

  test("ttylinux keeps vmware-system properties apart from user-configurable ones", () => {
    const m = meta("ttylinux-pc_i486-16.1.ovf");
    expect(m.vmwareSystemProperties).toEqual([{ key: "vmware-system.tkr.os-version", value: "1.15" }]);
    expect(m.ovfProperties).toEqual([{ key: "dummy-key-configurable", type: "string", default: "dummy-value" }]);
  });
});

describeCorpus("conformance corpus: OVAs", () => {
  test.each(ovaFiles)("%s yields the same descriptor as the corpus' .ovf of it", async (file) => {
    const bytes = await readOvaDescriptor(path.join(CORPUS, "ova", file));
    expect(bytes.equals(readFileSync(path.join(CORPUS, "ovf", file.replace(/\.ova$/, ".ovf"))))).toBe(true);
  });
});

describeCorpus("conformance corpus: every manifest validates against VM Operator's CRDs", () => {
  const cases = ovfFiles.flatMap((f) => SUPPORTED_API_VERSIONS.flatMap((v) => ["cluster", "namespace"].map((s) => [f, v, s] as const)));
  test.each(cases)("%s as %s in the %s scope", (file, apiVersion, scope) => {
    const manifest = buildImage(
      {
        library: { id: "l", name: "corpus", type: "OFFLINE" },
        item: { id: "e1968c25-dd84-4506-8dc7-9beacb6b688e" as ItemId, name: file, type: "ovf", contentVersion: "1" },
        ovf: meta(file),
      },
      scope === "cluster" ? { kind: "cluster" } : { kind: "namespace", namespace: "team-a" },
      { apiVersion, now: "2026-01-02T03:04:05Z" },
    );
    expect(crdErrors(manifest)).toEqual([]);
  });

  test("an ISO image validates too", () => {
    const manifest = buildImage(
      { library: { id: "l", name: "isos", type: "OFFLINE" }, item: { id: "e1968c25-dd84-4506-8dc7-9beacb6b688e" as ItemId, name: "netboot", type: "iso", contentVersion: "3" } },
      { kind: "cluster" },
      { now: "2026-01-02T03:04:05Z" },
    );
    expect(crdErrors(manifest)).toEqual([]);
  });

  test("the validator does reject a manifest the CRD does not allow", () => {
    expect(crdErrors({ apiVersion: "vmoperator.vmware.com/v1alpha5", kind: "VirtualMachineImage", status: { hardwareVersion: "nineteen", disks: [{ limit: "20 GB" }] } } as never).length).toBeGreaterThan(0);
  });
});
