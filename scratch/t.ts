import { readFileSync, readdirSync } from "fs";
import { parseOvfDescriptor } from "../provider/ovf/parse";
const dir = "/work/shared/conformance/ovf/";
for (const f of readdirSync(dir).filter(f => f.endsWith(".ovf"))) {
  const t0 = Date.now();
  const m = parseOvfDescriptor(readFileSync(dir + f, "utf8"), { file: f });
  console.log(f, Date.now() - t0, "ms", JSON.stringify(m, (_k, v) => typeof v === "bigint" ? v.toString() : v).slice(0, 900));
}
