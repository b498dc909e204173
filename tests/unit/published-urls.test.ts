import fc from "fast-check";
import { HrefError, checkSubscriptionUrl, libraryFolder, refusedRedirect, resolveHref, withoutUserinfo } from "../../provider/source/published/urls";

describe("a published library's subscription URL", () => {
  test.each([
    ["https://vc.example.com/cls/vcsp/lib/33a49b2f-3a04-4fa9-8f6b-9f9286c975aa/lib.json", "https://vc.example.com/cls/vcsp/lib/33a49b2f-3a04-4fa9-8f6b-9f9286c975aa/lib.json"],
    ["https://VC.example.com:443/v2/latest/lib.json#x", "https://vc.example.com/v2/latest/lib.json"],
    ["http://repo.lan:8080/libs/base/lib.json", "http://repo.lan:8080/libs/base/lib.json"],
  ])("%s is read as %s", (raw, href) => {
    const checked = checkSubscriptionUrl(raw);
    expect("url" in checked && checked.url.href).toBe(href);
  });

  test.each([
    ["ds:///vmfs/volumes/5b1b/lib/lib.json", "a vSphere datastore (ds://)"],
    ["nfs://server/path/mylibrary/lib.json?version=4", "an NFS share (nfs://)"],
    ["smb://server/path/mylibrary/lib.json", "an SMB share (smb://)"],
    ["file:///path/mylibrary/lib.json", "a file path (file://)"],
  ])("%s is refused, saying why", (raw, what) => {
    expect(checkSubscriptionUrl(raw)).toEqual({
      problem: `"${raw}" names ${what}, which a vCenter reads from its own storage; vmimages reads published libraries over HTTP(S) only: give the publisher's https://…/lib.json, or use source.directory for a folder on this machine`,
    });
  });

  test("another scheme, or no URL at all, is refused", () => {
    expect(checkSubscriptionUrl("ftp://h/lib.json")).toEqual({ problem: '"ftp://h/lib.json" must be an http:// or https:// URL, not ftp://' });
    expect(checkSubscriptionUrl("vc.example.com/lib.json")).toEqual({ problem: '"vc.example.com/lib.json" is not a URL: give the address of the library\'s lib.json (https://host/path/lib.json)' });
  });

  test("credentials in the URL are refused, and the message never shows them", () => {
    const checked = checkSubscriptionUrl("https://vcsp:Sup3r-S3cret@vc.example.com/lib.json");
    expect(checked).toEqual({ problem: '"https://vc.example.com/lib.json" must not hold a user name or password: give username, and the password as its face takes it' });
    expect(withoutUserinfo("https://u:p@ss@host/x")).toBe("https://host/x");
  });
});

describe("the library's folder, which hrefs resolve against", () => {
  test.each([
    ["https://vc/cls/vcsp/lib/ID/lib.json", "https://vc/cls/vcsp/lib/ID/"],
    ["https://wp-content.vmware.com/v2/latest/lib.json", "https://wp-content.vmware.com/v2/latest/"],
    ["https://vcd.example.com/vcsp/lib/4c8f39ca", "https://vcd.example.com/vcsp/lib/4c8f39ca/"],
    ["https://vcd.example.com/vcsp/lib/4c8f39ca/", "https://vcd.example.com/vcsp/lib/4c8f39ca/"],
    ["http://h/lib.json?token=1", "http://h/"],
  ])("of %s is %s", (url, folder) => {
    expect(libraryFolder(new URL(url)).href).toBe(folder);
  });
});

describe("hrefs of a listing", () => {
  const folder = new URL("https://h/lib/a/");

  test.each([
    ["items.json", "https://h/lib/a/items.json"],
    ["items", "https://h/lib/a/items"],
    ["e1968c25/photon 5.ovf", "https://h/lib/a/e1968c25/photon%205.ovf"],
    ["e1968c25/photon%205.ovf", "https://h/lib/a/e1968c25/photon%205.ovf"],
    ["/lib/a/item/46713c7b/file/descriptor.ovf", "https://h/lib/a/item/46713c7b/file/descriptor.ovf"],
    ["https://h/lib/a/x.ovf", "https://h/lib/a/x.ovf"],
    ["https://h:443/lib/a/x.ovf", "https://h/lib/a/x.ovf"],
  ])("%s is fetched as %s", (href, url) => {
    expect(resolveHref(folder, href).href).toBe(url);
  });

  test.each([
    ["../b/x.ovf", '"../b/x.ovf" has a ".." segment: hrefs may not climb above the library\'s folder'],
    ["x/../../b", '"x/../../b" has a ".." segment: hrefs may not climb above the library\'s folder'],
    ["%2e%2e/b", '"%2e%2e/b" has a "%2e%2e" segment: hrefs may not climb above the library\'s folder'],
    ["x/.%2E/y", '"x/.%2E/y" has a ".%2E" segment: hrefs may not climb above the library\'s folder'],
    ["./x", '"./x" has a "." segment: hrefs may not climb above the library\'s folder'],
    ["..%2fetc/passwd", '"..%2fetc/passwd" holds an encoded "/", "\\" or NUL, which a server may read as a path'],
    ["x%5c..%5cy", '"x%5c..%5cy" holds an encoded "/", "\\" or NUL, which a server may read as a path'],
    ["x\\..\\y", '"x\\\\..\\\\y" holds a backslash or a control character'],
    ["//evil.example/x", '"//evil.example/x" names another host (it starts with //)'],
    ["https://evil.example/lib/a/x", '"https://evil.example/lib/a/x" leaves the library\'s origin https://h'],
    ["http://h/lib/a/x", '"http://h/lib/a/x" leaves the library\'s origin https://h'],
    ["https://h:8443/lib/a/x", '"https://h:8443/lib/a/x" leaves the library\'s origin https://h'],
    ["/lib/b/x", '"/lib/b/x" is outside the library\'s folder /lib/a/'],
    ["/lib/ab/x", '"/lib/ab/x" is outside the library\'s folder /lib/a/'],
    ["", "is not a non-empty string"],
  ])("%s is refused", (href, message) => {
    expect(() => resolveHref(folder, href)).toThrow(new HrefError(message));
  });

  test("whatever the href, what is fetched is on the library's origin and inside its folder", () => {
    const pieces = fc.constantFrom("..", ".", "%2e", "%2E", "%2f", "%5c", "/", "\\", "//", "x", "lib", "a", "b", "%", "?", "#", ":", "@", "h", "https:", "evil", " ", "%00", "\t");
    fc.assert(
      fc.property(fc.oneof(fc.array(pieces, { maxLength: 12 }).map((p) => p.join("")), fc.string(), fc.webUrl()), (href) => {
        let url: URL;
        try {
          url = resolveHref(folder, href);
        } catch (err) {
          expect(err).toBeInstanceOf(HrefError);
          return;
        }
        expect(url.origin).toBe(folder.origin);
        expect(url.pathname.startsWith(folder.pathname)).toBe(true);
        // Nothing a server could decode into a step up or a separator.
        const decoded = url.pathname.replace(/%([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
        expect(decoded.split(/[/\\]/)).not.toContain("..");
        expect(decoded).not.toMatch(/\0/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("redirects", () => {
  const u = (s: string) => new URL(s);
  test.each([
    ["https://h/vcsp/lib/1/item/2/file/a.ovf", "https://h/transfer/0474fbe8/a.ovf", undefined],
    ["http://h/lib.json", "https://h/lib.json", undefined],
    ["https://h/lib.json", "http://h/lib.json", "from HTTPS to plain HTTP"],
    ["https://h/lib.json", "https://other/lib.json", "to another host (other, not h)"],
    ["https://h/lib.json", "https://h:8443/lib.json", "to another host (h:8443, not h)"],
    ["http://h:8080/lib.json", "https://h:8443/lib.json", "to another host (h:8443, not h:8080)"],
    ["https://h/a", "ftp://h/a", "to ftp:// (only http and https are followed)"],
  ])("from %s to %s: %s", (from, to, refused) => {
    expect(refusedRedirect(u(from), u(to))).toBe(refused);
  });
});
