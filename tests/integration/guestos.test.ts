import { execFileSync } from "node:child_process";
import { knownGuestIds, osFamily, osFamilyFromCimId, osFamilyFromGuestId } from "../../provider/ovf/guestos";
import { requireTool } from "../helpers/pulumi";

/**
 * The OS family table against govmomi itself: `vmimages-guestids` (built from govmomi v0.56.0 by
 * scripts/tools.sh) prints every vSphere guest id and the CIM OS type govmomi maps it to.
 */
const reference = JSON.parse(execFileSync(requireTool("vmimages-guestids"), { encoding: "utf8" })) as Record<string, number>;
/** CIM types that say nothing of the OS: Unknown, Other, Other 64-bit. */
const UNSPECIFIC = new Set([0, 1, 102]);

describe("OS families of vSphere guest ids", () => {
  test("the table knows every guest id govmomi knows, and no other", () => {
    expect(Object.keys(reference).length).toBeGreaterThan(200);
    expect(knownGuestIds().sort()).toEqual(Object.keys(reference).sort());
  });

  test("a guest id with a specific CIM type has that type's family", () => {
    const wrong = Object.entries(reference)
      .filter(([, cim]) => !UNSPECIFIC.has(cim))
      .filter(([id, cim]) => osFamilyFromGuestId(id) !== (osFamilyFromCimId(String(cim)) ?? "Other"))
      .map(([id, cim]) => `${id} (CIM ${cim}): ${osFamilyFromGuestId(id)}, CIM family ${osFamilyFromCimId(String(cim))}`);
    expect(wrong).toEqual([]);
  });

  test("a guest id without a specific CIM type has the family its name says", () => {
    const byName = (id: string) =>
      /^win/i.test(id) ? "Windows" : /^freebsd/.test(id) ? "FreeBSD" : /^vmkernel/.test(id) ? "ESXi" : /^(other|openServer|unixWare)/.test(id) && !/Linux/.test(id) ? "Other" : "Linux";
    const unspecific = Object.entries(reference).filter(([, cim]) => UNSPECIFIC.has(cim));
    expect(unspecific.map(([id]) => id)).toEqual(expect.arrayContaining(["windows11_64Guest", "rhel10_64Guest", "otherGuest"]));
    expect(unspecific.filter(([id]) => osFamilyFromGuestId(id) !== byName(id)).map(([id]) => `${id}: ${osFamilyFromGuestId(id)}`)).toEqual([]);
  });

  test("the documentation's Photon example: an id vSphere does not know falls back to the CIM type", () => {
    expect(reference["photon64Guest"]).toBeUndefined();
    expect(osFamily("photon64Guest", "100")).toBe("Linux");
    expect(osFamily("madeUpGuest", undefined)).toBe("Other");
    expect(osFamily(undefined, "36")).toBe("Linux");
    expect(osFamily(undefined, undefined)).toBeUndefined();
  });
});
