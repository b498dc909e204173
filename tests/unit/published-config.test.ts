import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseConfig, sourceSpec } from "../../provider/cli/config";
import { tempDir } from "../helpers/library";

const LIBRARIES = "libraries:\n  - name: Tanzu Kubernetes releases\n    scope: cluster\n";
const PASSWORD = "Pw-that-would-show-up-4711";

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("it did not throw");
}

describe("source.published in vmimages.yaml", () => {
  test("reads each library with its settings; a CA file is relative to the config file", () => {
    const config = parseConfig(
      `source:\n  published:\n    - url: https://vc.example.com/cls/vcsp/lib/33a49b2f-3a04-4fa9-8f6b-9f9286c975aa/lib.json\n      passwordEnv: VC_LIBRARY_PASSWORD\n      thumbprint: "b2:52:9e:4d:57:9f:ea:53:4d:a0:0b:7f:d4:7e:55:91:56:c0:64:bb"\n    - url: https://wp-content.vmware.com/v2/latest/lib.json\n      caFile: certs/proxy.pem\n      concurrency: 4\n${LIBRARIES}`,
      "/repo/vmimages.yaml",
    );
    expect(config.source).toEqual({
      kind: "published",
      libraries: [
        {
          label: "source.published[0]",
          url: "https://vc.example.com/cls/vcsp/lib/33a49b2f-3a04-4fa9-8f6b-9f9286c975aa/lib.json",
          passwordEnv: "VC_LIBRARY_PASSWORD",
          thumbprint: "b2:52:9e:4d:57:9f:ea:53:4d:a0:0b:7f:d4:7e:55:91:56:c0:64:bb",
        },
        { label: "source.published[1]", url: "https://wp-content.vmware.com/v2/latest/lib.json", caFile: "/repo/certs/proxy.pem", concurrency: 4 },
      ],
    });
  });

  test("a single mapping is a list of one", () => {
    const config = parseConfig(`source:\n  published:\n    url: http://repo.lan/libs/base-images/lib.json\n${LIBRARIES}`, "/v.yaml");
    expect(config.source).toEqual({ kind: "published", libraries: [{ label: "source.published", url: "http://repo.lan/libs/base-images/lib.json" }] });
  });

  test("reports every wrong field at once, naming each entry, never a password", () => {
    const text =
      `source:\n  published:\n` +
      `    - url: ds:///vmfs/volumes/5b1b/lib/lib.json\n` +
      `    - url: nfs://server/path/mylibrary/lib.json\n` +
      `    - url: https://vcsp:${PASSWORD}@vc.example.com/lib.json\n` +
      `    - url: https://vc.example.com/a/lib.json\n      password: ${PASSWORD}\n      thumbprint: abc\n      concurrency: 0\n      insecure: "yes"\n      colour: red\n` +
      `    - url: http://repo.lan/lib.json\n      thumbprint: "${"AB".repeat(32)}"\n` +
      `    - url: https://vc.example.com/a/lib.json\n` +
      `    - url: smb://server/x/lib.json\n    - url: file:///srv/lib/lib.json\n` +
      LIBRARIES;
    const message = messageOf(() => parseConfig(text, "v.yaml"));
    expect(message.split("\n")).toEqual([
      "v.yaml is not a valid vmimages configuration:",
      `  - source.published[0].url "ds:///vmfs/volumes/5b1b/lib/lib.json" names a vSphere datastore (ds://), which a vCenter reads from its own storage; vmimages reads published libraries over HTTP(S) only: give the publisher's https://…/lib.json, or use source.directory for a folder on this machine`,
      `  - source.published[1].url "nfs://server/path/mylibrary/lib.json" names an NFS share (nfs://), which a vCenter reads from its own storage; vmimages reads published libraries over HTTP(S) only: give the publisher's https://…/lib.json, or use source.directory for a folder on this machine`,
      `  - source.published[2].url "https://vc.example.com/lib.json" must not hold a user name or password: give username, and the password as its face takes it`,
      "  - source.published[3].password is not read from files: put the password in an environment variable and name it in passwordEnv",
      "  - source.published[3].colour is not a known field (known: url, username, insecure, thumbprint, concurrency, passwordEnv, caFile)",
      "  - source.published[3].insecure must be true or false",
      "  - source.published[3].concurrency must be a whole number from 1 to 64, got 0",
      "  - source.published[3].thumbprint must be a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) fingerprint, colons allowed",
      "  - source.published[4].thumbprint pins a TLS certificate, and http://repo.lan/lib.json is plain http://: use its https:// URL",
      `  - source.published[6].url "smb://server/x/lib.json" names an SMB share (smb://), which a vCenter reads from its own storage; vmimages reads published libraries over HTTP(S) only: give the publisher's https://…/lib.json, or use source.directory for a folder on this machine`,
      `  - source.published[7].url "file:///srv/lib/lib.json" names a file path (file://), which a vCenter reads from its own storage; vmimages reads published libraries over HTTP(S) only: give the publisher's https://…/lib.json, or use source.directory for a folder on this machine`,
      "  - source.published[5].url is source.published[3]'s too (https://vc.example.com/a/lib.json): list each library once",
    ]);
    expect(message).not.toContain(PASSWORD);
  });

  test("one source only", () => {
    const message = messageOf(() => parseConfig(`source:\n  directory: lib\n  published:\n    - url: https://h/lib.json\n${LIBRARIES}`, "v.yaml"));
    expect(message).toContain(`"source" must have one of "directory", "vcenter", "published", not "directory" and "published"`);
  });
});

describe("a published library's connection", () => {
  const spec = (yaml: string, env: NodeJS.ProcessEnv) => sourceSpec(parseConfig(`source:\n  published:\n${yaml}${LIBRARIES}`, "/repo/vmimages.yaml"), env);

  test("takes the password from the variable passwordEnv names, the user vcsp unless told, and verifies TLS", () => {
    expect(spec(`    - url: https://vc.example.com/lib.json\n      passwordEnv: LIB_PW\n`, { LIB_PW: PASSWORD })).toEqual({
      kind: "published",
      libraries: [{ url: "https://vc.example.com/lib.json", username: "vcsp", password: PASSWORD, insecure: false }],
    });
    expect(spec(`    - url: https://vcd.example.com/vcsp/lib/4c8f39ca\n      username: ""\n      passwordEnv: LIB_PW\n`, { LIB_PW: PASSWORD })).toMatchObject({ libraries: [{ username: "", password: PASSWORD }] });
    expect(spec(`    - url: https://h/lib.json\n`, {})).toEqual({ kind: "published", libraries: [{ url: "https://h/lib.json", insecure: false }] });
  });

  test("reads the CA file", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    const config = parseConfig(`source:\n  published:\n    - url: https://h/lib.json\n      caFile: ca.pem\n${LIBRARIES}`, path.join(dir, "vmimages.yaml"));
    expect(sourceSpec(config, {})).toMatchObject({ libraries: [{ ca: "-----BEGIN CERTIFICATE-----\n" }] });
  });

  test("never sends a password over plain http:// unless insecure says to", () => {
    const message = messageOf(() => spec(`    - url: http://repo.lan/lib.json\n      passwordEnv: LIB_PW\n`, { LIB_PW: PASSWORD }));
    expect(message).toBe(
      "source.published[0] (http://repo.lan/lib.json): HTTP Basic would send the password in clear over plain http://: use the library's https:// URL, or set insecure: true to send it anyway",
    );
    expect(spec(`    - url: http://repo.lan/lib.json\n      passwordEnv: LIB_PW\n      insecure: true\n`, { LIB_PW: PASSWORD })).toMatchObject({ libraries: [{ password: PASSWORD, insecure: true }] });
  });

  test("names a password variable that is not set, and a username without a password", () => {
    expect(messageOf(() => spec(`    - url: https://h/lib.json\n      passwordEnv: LIB_PW\n`, {}))).toBe(
      "source.published[0] (https://h/lib.json): the environment variable LIB_PW, which passwordEnv names, is not set",
    );
    expect(messageOf(() => spec(`    - url: https://h/lib.json\n      username: vcsp\n`, {}))).toBe("source.published[0] (https://h/lib.json): a username is given without a password");
  });
});
