import { parseConfig } from "../../provider/cli/config";

describe("vmimages.yaml", () => {
  test("reads libraries with their scope and resolves the folder against the config file", () => {
    const config = parseConfig(
      `source:\n  directory: ./library\nlibraries:\n  - name: base\n    scope: cluster\n  - name: team\n    namespace: team-a\n`,
      "/repo/gitops/vmimages.yaml",
    );
    expect(config).toEqual({
      apiVersion: "vmoperator.vmware.com/v1alpha5",
      naming: "fromItemId",
      itemErrors: "fail",
      source: { kind: "directory", directory: "/repo/gitops/library" },
      libraries: [
        { name: "base", scope: { kind: "cluster" } },
        { name: "team", scope: { kind: "namespace", namespace: "team-a" } },
      ],
    });
  });

  test("reports every problem at once, naming the file", () => {
    const text = `apiVersion: vmoperator.vmware.com/v1alpha1\nnaming: random\nitemErrors: skip\nlibraries:\n  - name: a\n  - name: a\n    scope: cluster\n  - scope: cluster\n  - name: b\n    namespace: Team_A\n`;
    expect(() => parseConfig(text, "vmimages.yaml")).toThrow(
      [
        "vmimages.yaml is not a valid vmimages configuration:",
        '  - apiVersion "vmoperator.vmware.com/v1alpha1" is not supported (use one of vmoperator.vmware.com/v1alpha3, vmoperator.vmware.com/v1alpha4, vmoperator.vmware.com/v1alpha5, vmoperator.vmware.com/v1alpha6)',
        "  - naming \"random\" must be fromItemId or preferSourceId",
        '  - itemErrors "skip" must be fail (a bad item fails the run) or notReady (its image is written with Ready=False)',
        '  - library "a" needs "scope: cluster" or a valid "namespace" (a DNS-1123 label), got undefined',
        '  - libraries[2] needs a "name"',
        '  - library "b" needs "scope: cluster" or a valid "namespace" (a DNS-1123 label), got "Team_A"',
        '  - "source" is missing: give source.directory (a folder of libraries), source.vcenter or source.published',
      ].join("\n"),
    );
  });

  test("itemErrors: notReady is read", () => {
    expect(parseConfig(`itemErrors: notReady\nsource:\n  directory: lib\nlibraries:\n  - name: a\n    scope: cluster\n`, "/v.yaml").itemErrors).toBe("notReady");
  });

  test("a file that is not YAML is named in the error", () => {
    expect(() => parseConfig("libraries: [", "cfg.yaml")).toThrow(/^cfg\.yaml is not valid YAML/);
  });

  test("reads a vCenter source, leaving what is absent to the environment", () => {
    const config = parseConfig(
      `source:\n  vcenter:\n    server: vc.example.com\n    caFile: certs/vc.pem\n    concurrency: 4\nlibraries:\n  - name: base\n    scope: cluster\n`,
      "/repo/vmimages.yaml",
    );
    expect(config.source).toEqual({ kind: "vcenter", server: "vc.example.com", passwordEnv: "VSPHERE_PASSWORD", caFile: "/repo/certs/vc.pem", concurrency: 4 });
  });

  test("never takes a password from the file, and checks every vCenter field", () => {
    const text = `source:\n  vcenter:\n    password: hunter2\n    insecure: "yes"\n    thumbprint: abc\n    concurrency: 0\n    colour: red\nlibraries:\n  - name: base\n    scope: cluster\n`;
    let message = "";
    try {
      parseConfig(text, "v.yaml");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("source.vcenter.password is not read from files: put the password in an environment variable and name it in passwordEnv");
    expect(message).toContain("source.vcenter.colour is not a known field");
    expect(message).toContain("source.vcenter.insecure must be true or false");
    expect(message).toContain("source.vcenter.thumbprint must be a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) fingerprint, colons allowed");
    expect(message).toContain("source.vcenter.concurrency must be a whole number from 1 to 64, got 0");
    expect(message).not.toContain("hunter2");
  });
});
