/**
 * One hostile-input case in a process of its own, so its peak memory is its own:
 * `node dist/bench/hostile-child.js descriptor|yaml SIZE ours|peer`. Prints `{ ms, maxRssMb }`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

async function main(kind: string, size: number, who: string): Promise<void> {
  let input: string;
  if (kind === "descriptor") {
    // A descriptor of `size` MB: an envelope whose product section holds many small properties.
    const property = '<Property ovf:key="k" ovf:type="string" ovf:value="v"/>';
    const count = Math.floor((size * 1024 * 1024) / property.length);
    input = `<?xml version="1.0"?><Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"><VirtualSystem ovf:id="vm"><Info>x</Info><ProductSection><Info>p</Info>${property.repeat(count)}</ProductSection></VirtualSystem></Envelope>`;
  } else {
    // One YAML map of `size` keys, the shape that made the parser's duplicate check quadratic.
    input = `${Array.from({ length: size }, (_, i) => `k${i}: ${i}`).join("\n")}\n`;
  }
  // Ours reads the descriptor's bytes, as a file gives them (decoding them is ours to do, timed); the peer gets the text.
  const bytes = kind === "descriptor" && who === "ours" ? Buffer.from(input) : undefined;
  const started = process.hrtime.bigint();
  if (bytes) {
    const { parseOvfDescriptor } = await import("../provider/ovf/parse");
    parseOvfDescriptor(bytes);
  } else if (kind === "descriptor") {
    // The peer: the XML library alone, checking the same text and building its element tree with
    // the least code (each element's attributes and children, no text, no names stripped).
    const { SaxesParser } = await import("saxes");
    type Element = { attributes: Record<string, unknown>; children: Element[] };
    const open: Element[] = [{ attributes: {}, children: [] }];
    const parser = new SaxesParser();
    parser.on("opentag", (tag) => {
      const element: Element = { attributes: tag.attributes, children: [] };
      open[open.length - 1]!.children.push(element);
      open.push(element);
    });
    parser.on("closetag", () => open.pop());
    parser.write(input).close();
  } else if (who === "ours") {
    const dir = mkdtempSync(path.join(tmpdir(), "vmimages-hostile-"));
    writeFileSync(path.join(dir, "big.yaml"), input);
    const { readManifestsFolder } = await import("../provider/targets/gitops/manifests");
    await readManifestsFolder(dir);
  } else {
    // The peer: the YAML library alone, without its duplicate-key check.
    const { parse } = await import("yaml");
    parse(input, { uniqueKeys: false });
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

void main(process.argv[2]!, Number(process.argv[3]), process.argv[4]!);
