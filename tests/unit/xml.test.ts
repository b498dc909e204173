import { XmlError, attr, child, children, decodeXml, parseXml, text } from "../../provider/ovf/xml";

describe("reading XML", () => {
  const doc = parseXml(`<?xml version="1.0"?>
<ovf:Envelope xmlns:ovf="urn:ovf" xmlns:vmw="urn:vmw">
  <ovf:Item ovf:id="1">  first  </ovf:Item>
  <ovf:Item ovf:id="2" vmw:key="k"><Name>second</Name></ovf:Item>
  <Empty/>
  <Escaped a="x &amp; y">1 &lt; 2</Escaped>
</ovf:Envelope>`);
  const envelope = child(doc, "Envelope");

  test("finds elements and attributes by local name, whatever their namespace prefix", () => {
    expect(envelope).toBeDefined();
    expect(children(envelope, "Item").map((i) => attr(i, "id"))).toEqual(["1", "2"]);
    expect(attr(children(envelope, "Item")[1], "key")).toBe("k");
  });

  test("gives an element's text trimmed, and the text of a named child", () => {
    const [first, second] = children(envelope, "Item");
    expect(text(first)).toBe("first");
    expect(text(second, "Name")).toBe("second");
  });

  test("an empty or missing element has no text, and a missing child or attribute is undefined", () => {
    expect(text(envelope, "Empty")).toBeUndefined();
    expect(child(envelope, "Missing")).toBeUndefined();
    expect(children(envelope, "Missing")).toEqual([]);
    expect(attr(child(envelope, "Empty"), "nothing")).toBeUndefined();
  });

  test("decodes the predefined entities", () => {
    const escaped = child(envelope, "Escaped");
    expect(attr(escaped, "a")).toBe("x & y");
    expect(text(escaped)).toBe("1 < 2");
  });

  test("refuses a document type declaration, naming its line, without expanding anything", () => {
    expect(() => parseXml(`<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "boom">]>\n<x>&e;</x>`)).toThrow(
      new XmlError("contains a DOCTYPE declaration (line 2); OVF descriptors carry no DTD and entity expansion is never performed"),
    );
  });

  test("refuses a document that is not well-formed, naming the line and column", () => {
    expect(() => parseXml("<a>\n  <b>\n</a>")).toThrow(/^is not well-formed XML: .*\(line \d+, column \d+\)$/);
  });

  test.each([
    ["a DOCTYPE glued to its name", `<!DOCTYPEx[<!ENTITYe "INJECTED">]><x>&e;</x>`, "DOCTYPE"],
    ["an ENTITY declaration in the body", `<x><!ENTITY e "y"></x>`, "ENTITY"],
    ["an ELEMENT declaration", `<!ELEMENT x ANY><x/>`, "ELEMENT"],
  ])("refuses %s, wherever the parser would see it", (_what, xmlText, kind) => {
    expect(() => parseXml(xmlText)).toThrow(`contains a ${kind} declaration`);
  });

  test("reads the same words inside a comment, a CDATA section and an attribute value as what they are", () => {
    const doc = parseXml(`<?xml version="1.0"?><!-- <!DOCTYPE not really --><x a="&lt;!ENTITY no> and 'quoted'"><![CDATA[<!ENTITY e "y">]]></x>`);
    expect(attr(child(doc, "x"), "a")).toBe("<!ENTITY no> and 'quoted'");
    expect(text(doc, "x")).toBe('<!ENTITY e "y">');
  });

  test("refuses a < written as such in an attribute value, as XML and VM Operator's reader do", () => {
    expect(() => parseXml(`<x a="1 < 2"/>`)).toThrow(/^is not well-formed XML: .*\(line 1, column \d+\)$/);
  });

  test("reads a processing instruction's text as its own, wherever comments and other instructions stand", () => {
    const doc = parseXml(`<?xml version="1.0"?><!-- <?not one?> --><?app <!DOCTYPE x> ?><x><![CDATA[<?x?>]]><?y <!ENTITY?></x><!-- end -->`);
    expect(text(doc, "x")).toBe("<?x?>");
    expect(() => parseXml(`<?xml version="1.0"?><!-- <?a?> --><?b?><!DOCTYPE x><x/>`)).toThrow("contains a DOCTYPE declaration");
  });

  test("keeps a CDATA section's text as it is written", () => {
    expect(text(parseXml("<x><![CDATA[Terms & conditions &amp; more]]></x>"), "x")).toBe("Terms & conditions &amp; more");
  });

  test("decodes character references in text and attribute values, as XML requires", () => {
    const doc = parseXml(`<x v="l1&#10;l2"><Version>A&#66;&#x43;&lt;&amp;D</Version></x>`);
    expect(text(child(doc, "x"), "Version")).toBe("ABC<&D");
    expect(attr(child(doc, "x"), "v")).toBe("l1\nl2");
  });

  test("keeps whitespace written in an attribute value as VM Operator's Go reader keeps it (a CR LF as a LF), not as XML's spaces", () => {
    const doc = parseXml(`<r><x v="a\tb\nc\r\nd\re" w="&#10;"/><y k="plain" w='a &amp;\n&#9;&#13;b'>t</y></r>`);
    expect(attr(child(child(doc, "r"), "x"), "v")).toBe("a\tb\nc\nd\ne");
    expect(attr(child(child(doc, "r"), "x"), "w")).toBe("\n");
    expect(attr(child(child(doc, "r"), "y"), "w")).toBe("a &\n\t\rb");
    expect(attr(child(child(doc, "r"), "y"), "k")).toBe("plain");
  });

  test("names the line of an error after an attribute value that spans lines", () => {
    expect(() => parseXml(`<x v="one\ntwo\nthree">\n<y>\n</z>\n<a/>\n<b/>\n</x>`)).toThrow(/\(line 5, column 5\)$/);
  });

  test("reads text and CDATA sections of an element in document order", () => {
    expect(text(parseXml("<x> a <![CDATA[&b]]> c </x>"), "x")).toBe("a &b c");
  });

  test("reads elements and attributes named like an object's own properties as any other", () => {
    const doc = parseXml(`<x constructor="c"><__proto__ toString="t">p</__proto__></x>`);
    expect(attr(child(doc, "x"), "constructor")).toBe("c");
    expect(text(child(doc, "x"), "__proto__")).toBe("p");
    expect(attr(child(child(doc, "x"), "__proto__"), "toString")).toBe("t");
    expect(children(child(doc, "x"), "hasOwnProperty")).toEqual([]);
    expect(children(doc, "__proto__")).toEqual([]);
    expect(attr(child(doc, "x"), "__proto__")).toBeUndefined();
    expect(Object.getPrototypeOf(child(doc, "x"))).toBe(Object.prototype);
  });

  test("refuses a & that starts no reference, naming the line", () => {
    expect(() => parseXml("<x>\nTom & Jerry</x>")).toThrow(new XmlError('has a "&" that starts no reference: "&" (line 2)'));
  });

  test("refuses an entity no DTD defines, and a reference to no XML character", () => {
    expect(() => parseXml("<x>a&nbsp;b</x>")).toThrow("refers to the entity &nbsp; which no DTD defines");
    expect(() => parseXml("<x>&#0;</x>")).toThrow("has the character reference &#0;, which is no XML character");
  });
});

describe("decoding a descriptor's bytes", () => {
  const latin1 = Buffer.concat([Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?><x>Caf`), Buffer.from([0xe9]), Buffer.from("</x>")]);

  test("in the encoding its declaration names", () => {
    expect(decodeXml(latin1)).toContain("<x>Café</x>");
    expect(text(parseXml(latin1), "x")).toBe("Café");
  });

  test("in UTF-16 after a byte-order mark, either byte order", () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`<?xml version="1.0" encoding="UTF-16"?><x>Grüße</x>`, "utf16le")]);
    const be = Buffer.from(le);
    be.swap16();
    expect(text(parseXml(le), "x")).toBe("Grüße");
    expect(text(parseXml(be), "x")).toBe("Grüße");
  });

  test("UTF-8 with or without its byte-order mark", () => {
    expect(text(parseXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("<x>Grüße</x>")])), "x")).toBe("Grüße");
  });

  test("refuses bytes that are not valid UTF-8, naming the offset, rather than turning them into U+FFFD", () => {
    const bad = Buffer.concat([Buffer.from("<x>ok "), Buffer.from([0xc3, 0x28]), Buffer.from("</x>")]);
    expect(() => decodeXml(bad)).toThrow(new XmlError("is not valid UTF-8 at byte offset 6"));
  });

  test("refuses an encoding it cannot decode, naming it", () => {
    expect(() => decodeXml(Buffer.from(`<?xml version="1.0" encoding="X-MADE-UP"?><x/>`))).toThrow('declares the encoding "x-made-up", which cannot be decoded here');
  });
});
