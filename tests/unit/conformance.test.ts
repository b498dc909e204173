import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { parseOvfDescriptor } from "../../provider/ovf/parse";
import { osFamilyFromCimId } from "../../provider/ovf/guestos";
import { allocationUnitBytes } from "../../provider/quantity";
import { readOvaDescriptor } from "../../provider/source/ova";
import { buildImage } from "../../provider/image/build";
import { ItemId, SUPPORTED_API_VERSIONS, OvfMetadata } from "../../provider/types";
import { CORPUS, corpusAvailable } from "../helpers/corpus";
import { crdErrors } from "../helpers/crd";

const here = corpusAvailable();
const describeCorpus = here ? describe : describe.skip;
const ovfFiles = here ? readdirSync(path.join(CORPUS, "ovf")).filter((f) => f.endsWith(".ovf")).sort() : [];
const ovaFiles = here ? readdirSync(path.join(CORPUS, "ova")).filter((f) => f.endsWith(".ova")).sort() : [];
const withGovmomi = ovfFiles.filter((f) => ovfFiles.length && require("node:fs").existsSync(path.join(CORPUS, "ovf", f.replace(/\.ovf$/, ".yaml"))));

const parsed = new Map<string, OvfMetadata>();
function meta(file: string): OvfMetadata {
  if (!parsed.has(file)) parsed.set(file, parseOvfDescriptor(readFileSync(path.join(CORPUS, "ovf", file), "utf8"), { file }));
  return parsed.get(file)!;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type G = any;

/** What govmomi's parse (ovf2yaml) says, mapped by the rules the parser documents. */
function expectedFromGovmomi(g: G) {
  const vs = g.virtualSystem;
  const os = vs.operatingSystemSection ?? {};
  const hw = (vs.virtualHardwareSection ?? [])[0] ?? {};
  const products: G[] = vs.productSection ?? [];
  const props: G[] = products.flatMap((p) => p.property ?? []);
  const vmx = String(hw.system?.virtualSystemType ?? "")
    .split(/[\s,]+/)
    .map((t) => /^vmx-(\d+)$/.exec(t)?.[1])
    .filter(Boolean)
    .map(Number);
  const configs: G[] = g.deploymentOptionSection?.configuration ?? [];
  const config = (configs.find((c) => c.default === true) ?? configs[0])?.id;
  const disksById = new Map((g.diskSection?.disk ?? []).map((d: G) => [d.diskId, d]));
  const defaults = new Map(props.map((p) => [p.key, p.default]));
  const bytes = (cap: unknown, units: string | undefined) => {
    let v = String(cap ?? "");
    const ref = /^\$\{(.+)\}$/.exec(v);
    if (ref) v = String(defaults.get(ref[1]) ?? "");
    return /^\d+$/.test(v) ? BigInt(v) * allocationUnitBytes(units)! : undefined;
  };
  const diskItems = (hw.item ?? []).filter(
    (i: G) => i.resourceType === 17 && (!i.configuration || config === undefined || String(i.configuration).split(/\s+/).includes(config)),
  );
  const osVersion = os.version ? String(os.version) : products[0]?.version;
  return {
    osId: os.osType,
    osFamilyFromCim: osFamilyFromCimId(os.id === undefined ? undefined : String(os.id)),
    osVersion: osVersion === undefined ? undefined : String(osVersion),
    hardwareVersion: vmx.length ? Math.max(...vmx) : undefined,
    firmware: (hw.config ?? []).find((c: G) => c.key === "firmware")?.value?.toLowerCase() === "efi" ? "EFI" : "BIOS",
    productInfo: Object.fromEntries(
      ["product", "vendor", "version", "fullVersion"].filter((k) => products[0]?.[k]).map((k) => [k, String(products[0][k])]),
    ),
    ovfProperties: props
      .filter((p) => !String(p.key).startsWith("vmware-system") && p.userConfigurable === true)
      .map((p) => ({ key: p.key, type: p.type, ...(p.default ? { default: String(p.default) } : {}) })),
    vmwareSystemProperties: props
      .filter((p) => String(p.key).startsWith("vmware-system"))
      .map((p) => ({ key: p.key, ...(p.default ? { value: String(p.default) } : {}) })),
    diskCapacities: diskItems.map((i: G) => {
      const d: G = disksById.get(String(i.hostResource?.[0] ?? "").replace("ovf:/disk/", ""));
      return d ? bytes(d.capacity, d.capacityAllocationUnits) : undefined;
    }),
  };
}

describeCorpus("conformance corpus: OVF descriptors", () => {
  test.each(ovfFiles)("%s parses", (file) => {
    expect(meta(file).firmware).toMatch(/^(BIOS|EFI)$/);
  });

  test.each(withGovmomi)("%s agrees with govmomi's parse on every value extracted", (file) => {
    const g = parse(readFileSync(path.join(CORPUS, "ovf", file.replace(/\.ovf$/, ".yaml")), "utf8"));
    const want = expectedFromGovmomi(g);
    const got = meta(file);
    expect(got.osInfo.id).toBe(want.osId);
    if (!want.osId) expect(got.osInfo.type).toBe(want.osFamilyFromCim);
    expect(got.osInfo.version).toBe(want.osVersion);
    expect(got.hardwareVersion).toBe(want.hardwareVersion);
    expect(got.firmware).toBe(want.firmware);
    expect(got.productInfo).toEqual(want.productInfo);
    expect(got.ovfProperties).toEqual(want.ovfProperties);
    expect(got.vmwareSystemProperties).toEqual(want.vmwareSystemProperties);
    expect(got.disks.map((d) => d.capacityBytes)).toEqual(want.diskCapacities);
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
    const xml = await readOvaDescriptor(path.join(CORPUS, "ova", file));
    expect(xml).toBe(readFileSync(path.join(CORPUS, "ovf", file.replace(/\.ova$/, ".ovf")), "utf8"));
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
