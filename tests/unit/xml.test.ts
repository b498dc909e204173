import { XmlError, attr, child, children, parseXml, text } from "../../provider/ovf/xml";

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
});
