import { buildCatalog } from "../../provider/catalog/catalog";
import { imageTable } from "../../provider/cli/table";
import { testImage } from "../helpers/image";

describe("the image table", () => {
  const photon = testImage({
    id: "e1968c25-dd84-4506-8dc7-9beacb6b688e",
    name: "Photon OS 5.0",
    ovf: { hardwareVersion: 19, osInfo: { id: "vmwarePhoton64Guest", type: "Linux", version: "5.0" }, productInfo: { version: "5.0" }, capabilities: ["cloud-init", "nvidia-vgpu"] },
  });
  const iso = testImage({ id: "00000000-0000-4000-8000-000000000009", name: "netboot", namespace: "team-a" });

  test("has the columns kubectl get vmi -o wide prints, each as wide as its longest cell plus three spaces", () => {
    expect(imageTable(buildCatalog([photon]).images, false).split("\n")).toEqual([
      "NAME                    DISPLAY NAME    TYPE   IMAGE VERSION   OS NAME   OS VERSION   HARDWARE VERSION   CAPABILITIES",
      'vmi-0a0044d7c690bcbea   Photon OS 5.0   OVF    5.0             Linux     5.0          19                 ["cloud-init","nvidia-vgpu"]',
    ]);
  });

  test("with every namespace, starts with a NAMESPACE column, empty for none, and leaves unknown cells empty", () => {
    const lines = imageTable(buildCatalog([iso]).images, true).split("\n");
    expect(lines[0]).toMatch(/^NAMESPACE   NAME /);
    expect(lines[1]).toBe(`team-a      ${iso.metadata.name}   netboot        ISO`);
  });
});
