import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { buildCatalog } from "../../provider/catalog/catalog";
import { imageTable } from "../../provider/cli/table";
import { PRINTER_COLUMNS } from "../../provider/catalog/columns";
import { ImageKind, SUPPORTED_API_VERSIONS } from "../../provider/types";
import { CORPUS, corpusAvailable } from "../helpers/corpus";
import { testImage } from "../helpers/image";

const here = corpusAvailable();

describe("the image table", () => {
  const photon = testImage({
    id: "e1968c25-dd84-4506-8dc7-9beacb6b688e",
    name: "Photon OS 5.0",
    namespace: "team-a",
    ovf: { hardwareVersion: 19, osInfo: { id: "vmwarePhoton64Guest", type: "Linux", version: "5.0" }, productInfo: { version: "5.0" }, capabilities: ["cloud-init", "nvidia-vgpu"] },
  });
  const iso = testImage({ id: "00000000-0000-4000-8000-000000000009", name: "netboot" });

  test("of VirtualMachineImages has kubectl's columns for the kind, each as wide as its longest cell plus three spaces", () => {
    expect(imageTable("VirtualMachineImage", buildCatalog([photon]).images, false).split("\n")).toEqual([
      "NAME                    DISPLAY NAME    TYPE   IMAGE VERSION   OS NAME   OS VERSION   HARDWARE VERSION   CAPABILITIES",
      'vmi-0a0044d7c690bcbea   Photon OS 5.0   OVF    5.0             Linux     5.0          19                 ["cloud-init","nvidia-vgpu"]',
    ]);
  });

  test("of ClusterVirtualMachineImages has no CAPABILITIES column, as its CRD has none", () => {
    const lines = imageTable("ClusterVirtualMachineImage", buildCatalog([iso]).images, false).split("\n");
    expect(lines[0]).toBe("NAME                    DISPLAY NAME   TYPE   IMAGE VERSION   OS NAME   OS VERSION   HARDWARE VERSION");
    expect(lines[1]).toBe(`${iso.metadata.name}   netboot        ISO`);
  });

  test("with every namespace, starts with a NAMESPACE column", () => {
    expect(imageTable("VirtualMachineImage", buildCatalog([photon]).images, true).split("\n")[1]).toMatch(/^team-a      vmi-0a0044d7c690bcbea   /);
  });

  (here ? test : test.skip).each(SUPPORTED_API_VERSIONS.flatMap((v) => (["VirtualMachineImage", "ClusterVirtualMachineImage"] as ImageKind[]).map((k) => [k, v] as const)))(
    "the %s columns are its CRD's additionalPrinterColumns in %s",
    (kind, apiVersion) => {
      const file = kind === "VirtualMachineImage" ? "vmoperator.vmware.com_virtualmachineimages.yaml" : "vmoperator.vmware.com_clustervirtualmachineimages.yaml";
      const crd = parse(readFileSync(path.join(CORPUS, "crds", file), "utf8")) as { spec: { versions: Array<{ name: string; additionalPrinterColumns: Array<{ name: string; jsonPath: string }> }> } };
      const version = crd.spec.versions.find((v) => v.name === apiVersion.split("/")[1])!;
      expect(PRINTER_COLUMNS[kind]).toEqual(version.additionalPrinterColumns.map(({ name, jsonPath }) => ({ name, jsonPath })));
    },
  );
});
