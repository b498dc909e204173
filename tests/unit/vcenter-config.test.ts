import { vcenterConnection } from "../../provider/cli/config";
import { serverOrigin } from "../../provider/source/vcenter/client";

describe("vCenter connection settings", () => {
  const cfg = { kind: "vcenter" as const, passwordEnv: "VSPHERE_PASSWORD" };

  test("come from the usual vSphere environment when the config leaves them out", () => {
    const conn = vcenterConnection(cfg, { VSPHERE_SERVER: "vc.example.com", VSPHERE_USER: "admin@vsphere.local", VSPHERE_PASSWORD: "pw", VSPHERE_ALLOW_UNVERIFIED_SSL: "true" });
    expect(conn).toEqual({ server: "vc.example.com", username: "admin@vsphere.local", password: "pw", insecure: true });
  });

  test("verify certificates unless told otherwise", () => {
    expect(vcenterConnection({ ...cfg, server: "vc", username: "u" }, { VSPHERE_PASSWORD: "pw" }).insecure).toBe(false);
  });

  test("read the password from the variable passwordEnv names", () => {
    expect(vcenterConnection({ ...cfg, server: "vc", username: "u", passwordEnv: "VC_PW" }, { VC_PW: "s3cret" }).password).toBe("s3cret");
  });

  test("name everything that is missing, without any value", () => {
    expect(() => vcenterConnection(cfg, {})).toThrow(
      "vCenter source: missing the server (source.vcenter.server or VSPHERE_SERVER), the username (source.vcenter.username or VSPHERE_USER), the password (environment variable VSPHERE_PASSWORD)",
    );
  });

  test.each([
    ["vc.example.com", "https://vc.example.com"],
    ["https://vc.example.com/sdk", "https://vc.example.com"],
    ["https://user:pw@127.0.0.1:8443/sdk", "https://127.0.0.1:8443"],
  ])("server %s is reached at %s", (server, origin) => {
    expect(serverOrigin(server)).toBe(origin);
  });

  test.each([
    ["https://admin:top/secret@bad host:443", "https://bad host:443"],
    ["https://user:p@ss@bad host", "https://bad host"],
    ["admin:pw@bad host", "bad host"],
  ])("a server %s that is no URL is named without its password", (server, shown) => {
    expect(() => serverOrigin(server)).toThrow(`the vCenter server "${shown}" is not a valid URL or host name`);
    expect(() => serverOrigin(server)).not.toThrow(/secret|pw|p@ss/);
  });

  test("a plain-http server is refused", () => {
    expect(() => serverOrigin("http://vc.example.com")).toThrow("the vCenter server must use https, not http");
  });
});
