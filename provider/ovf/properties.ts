import { isIP } from "node:net";

/**
 * OVF properties as vSphere reports them (`vim.vApp.PropertyInfo`): the type string that carries the
 * OVF type and its qualifiers (DSP0243 9.5.1, vSphere's QualifierMap), and the default value as
 * vSphere normalizes it for that type. VM Operator copies both into an image's `ovfProperties`.
 */

/** OVF property types (DSP0243 Table 6) → vApp base types. */
const BASE_TYPES: Readonly<Record<string, string>> = {
  uint8: "int", sint8: "int", uint16: "int", sint16: "int", uint32: "int", sint32: "int", uint64: "int", sint64: "int",
  int: "int", string: "string", boolean: "boolean", real32: "real", real64: "real",
};

const EXPRESSIONS = "AutoIp|VimIp|Net|Netmask|Gateway|DomainName|HostPrefix|Dns|Subnet|SearchPath|HttpProxy";
const EXPRESSION_CALL = new RegExp(`(${EXPRESSIONS})\\s*\\(\\s*["']?([^"')]*)["']?\\s*\\)`);
const EXPRESSION_BARE = new RegExp(`\\b(${EXPRESSIONS})\\b`);
const NUMBER = `([-]?\\d+(?:\\.\\d*)?(?:[eE][-+]?\\d+)?)`;

interface Qualifiers {
  readonly minLen: number;
  /** -1 when not given. */
  readonly maxLen: number;
  readonly valueMap: readonly string[];
  readonly minValue?: number;
  readonly maxValue?: number;
  /** undefined: no `Ip` qualifier; "": `Ip` or `Ip()`; else the network of `Ip("network")`. */
  readonly ip?: string;
  readonly expression?: { readonly name: string; readonly arg: string };
}

function parseQualifiers(text: string): Qualifiers {
  const q = text.trim();
  const num = (re: RegExp) => {
    const m = re.exec(q);
    const v = m ? Number(m[1]) : NaN;
    return Number.isFinite(v) ? v : undefined;
  };
  const ipCall = /Ip\s*\(\s*["']?([^"')]*)["']?\s*\)/.exec(q);
  const call = EXPRESSION_CALL.exec(q);
  const bare = call ? undefined : EXPRESSION_BARE.exec(q);
  const minValue = num(new RegExp(`MinValue\\(${NUMBER}\\)`));
  const maxValue = num(new RegExp(`MaxValue\\(${NUMBER}\\)`));
  return {
    minLen: Number(/MinLen\((\d+)\)/.exec(q)?.[1] ?? 0),
    maxLen: Number(/MaxLen\((\d+)\)/.exec(q)?.[1] ?? -1),
    valueMap: valueMap(/ValueMap\{(.*)\}/.exec(q)?.[1] ?? ""),
    ...(minValue !== undefined ? { minValue } : {}),
    ...(maxValue !== undefined ? { maxValue } : {}),
    ...(ipCall ? { ip: ipCall[1]!.trim() } : /Ip\s*\(\s*\)/.test(q) || /\bIp\b/.test(q) ? { ip: "" } : {}),
    ...(call ? { expression: { name: call[1]!, arg: call[2]!.trim() } } : bare ? { expression: { name: bare[1]!, arg: "" } } : {}),
  };
}

/** The values of `ValueMap{...}`: comma-separated quoted strings or bare tokens (CIM, DSP0004). */
function valueMap(content: string): string[] {
  const s = content.trim();
  const values: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && (s[i] === "," || s[i] === " ")) i++;
    if (i >= s.length) break;
    if (s[i] === '"') {
      const start = ++i;
      while (i < s.length) {
        if (s[i] === "\\" && i + 1 < s.length) {
          i += 2;
          continue;
        }
        if (s[i] === '"') {
          values.push(s.slice(start, i));
          i++;
          break;
        }
        i++;
      }
      continue;
    }
    const start = i;
    while (i < s.length && s[i] !== ",") i++;
    values.push(s.slice(start, i).trim());
  }
  return values;
}

export interface PropertySpec {
  /** `ovf:type` */
  readonly type: string;
  /** `ovf:password` */
  readonly password?: string;
  /** `ovf:qualifiers` */
  readonly qualifiers?: string;
}

/**
 * The vApp type vSphere reports for an OVF property: `string`, `password`, `boolean`, `int`,
 * `real`, with the qualifiers folded in (`string(0..65535)`, `string["a", "b"]`, `int(1..10)`,
 * `ip`, `ip:Network`, `expression`).
 */
export function vAppPropertyType(p: PropertySpec): string {
  let base = BASE_TYPES[p.type.trim().toLowerCase()] ?? p.type;
  if (base === "string" && goBool(p.password) === true) base = "password";
  const text = p.qualifiers?.trim() ?? "";
  if (text === "") return base;
  const q = parseQualifiers(text);
  if (q.expression) return "expression";
  if (q.ip !== undefined && (base === "string" || base === "password")) return q.ip === "" ? "ip" : `ip:${q.ip}`;
  if (base === "string" || base === "password") {
    if (q.valueMap.length) return `${base}[${q.valueMap.map((v) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(", ")}]`;
    if (q.maxLen >= 0) return `${base}(${q.minLen}..${q.maxLen})`;
    if (q.minLen > 0) return `${base}(${q.minLen}..)`;
  } else if (base === "int") {
    const ints = q.valueMap.map((v) => (/^[+-]?\d+$/.test(v.trim()) ? BigInt(v.trim()) : undefined));
    if (ints.length && ints.every((v) => v !== undefined)) {
      const sorted = (ints as bigint[]).slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `int(${sorted[0]}..${sorted[sorted.length - 1]})`;
    }
    if (q.minValue !== undefined || q.maxValue !== undefined) {
      return `int(${q.minValue !== undefined ? Math.trunc(q.minValue) : -2147483648}..${q.maxValue !== undefined ? Math.trunc(q.maxValue) : 2147483647})`;
    }
  } else if (base === "real") {
    if (q.minValue !== undefined || q.maxValue !== undefined) return `real(${goFloat(q.minValue ?? -1e308)}..${goFloat(q.maxValue ?? 1e308)})`;
  }
  return base;
}

/** Why a default does not fit its type. */
export class PropertyValueError extends Error {}

const MAX_STRING_BYTES = 65535;

/**
 * A property's default as vSphere keeps it for its vApp type: trimmed, booleans as `True`/`False`,
 * an empty expression default as the expression itself (`${vimIp:}`).
 * @throws PropertyValueError when the type does not allow the value (vSphere refuses the image then).
 */
export function vAppValue(type: string, raw: string, qualifiers?: string): string {
  const value = raw.trim();
  if (value === "") return type === "expression" && qualifiers !== undefined ? expressionDefault(qualifiers) : "";
  const bytes = Buffer.byteLength(value, "utf8");
  const length = (min: number, max: number) => {
    if (bytes < min || bytes > max) throw new PropertyValueError(`"${value}" is ${bytes} bytes long, outside ${min}..${max}`);
  };
  const notA = (what: string) => new PropertyValueError(`"${value}" is not ${what}`);
  switch (type) {
    case "string":
    case "password":
      length(0, MAX_STRING_BYTES);
      return value;
    case "boolean":
      return goBool(value) === true ? "True" : "False";
    case "int":
      if (!inRange(parseGoInt(value), -(2n ** 31n), 2n ** 31n - 1n)) throw notA("a 32-bit integer");
      return value;
    case "real":
      if (parseGoFloat(value) === undefined) throw notA("a number");
      return value;
    case "ip":
      if (!isIpOrCidr(value)) throw notA("an IP address");
      return value;
    case "ip:network":
    case "expression":
      return value;
  }
  if (type.startsWith("ip:")) return value;
  let m: RegExpExecArray | null;
  if ((m = /^(?:string|password)\((\d+)\.\.\)$/.exec(type))) {
    length(Number(m[1]), MAX_STRING_BYTES);
  } else if ((m = /^(?:string|password)\(\.\.(\d+)\)$/.exec(type))) {
    length(0, Number(m[1]));
  } else if ((m = /^(?:string|password)\((\d+)\.\.(\d+)\)$/.exec(type))) {
    if (Number(m[1]) > Number(m[2])) throw new PropertyValueError(`the type's minimum ${m[1]} is above its maximum ${m[2]}`);
    length(Number(m[1]), Number(m[2]));
  } else if ((m = /^int\(([+-]?\d+)\.\.([+-]?\d+)\)$/.exec(type))) {
    const [min, max] = [BigInt(m[1]!), BigInt(m[2]!)];
    if (min > max) throw new PropertyValueError(`the type's minimum ${min} is above its maximum ${max}`);
    const v = min >= 0n ? (/^\d+$/.test(value) ? BigInt(value) : undefined) : parseGoInt(value);
    if (v === undefined) throw notA("an integer");
    if (!inRange(v, min, max)) throw new PropertyValueError(`${value} is outside ${min}..${max}`);
  } else if ((m = /^real\(([+-]?(?:\d+(?:\.\d*)?|\.\d+))\.\.([+-]?(?:\d+(?:\.\d*)?|\.\d+))\)$/.exec(type))) {
    const [min, max] = [Number(m[1]), Number(m[2])];
    if (min > max) throw new PropertyValueError(`the type's minimum ${min} is above its maximum ${max}`);
    const v = parseGoFloat(value);
    if (v === undefined) throw notA("a number");
    if (v < min || v > max) throw new PropertyValueError(`${value} is outside ${m[1]}..${m[2]}`);
  }
  return value;
}

/** `${vimIp:}`, `${net:Management}`: the default vSphere gives an expression property without one. */
function expressionDefault(qualifiers: string): string {
  const q = qualifiers.trim();
  if (q === "") return "";
  const call = EXPRESSION_CALL.exec(q);
  const m = call ?? EXPRESSION_BARE.exec(q);
  if (!m) return "";
  const name = m[1]!.charAt(0).toLowerCase() + m[1]!.slice(1);
  const arg = call ? call[2]!.trim() : "";
  return `\${${name}:${arg}}`;
}

/** Go's `strconv.ParseBool`. */
export function goBool(s: string | undefined): boolean | undefined {
  if (s === undefined) return undefined;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}

function parseGoInt(s: string): bigint | undefined {
  return /^[+-]?\d+$/.test(s) ? BigInt(s) : undefined;
}

function inRange(v: bigint | undefined, min: bigint, max: bigint): boolean {
  return v !== undefined && v >= min && v <= max;
}

/** Go's `strconv.ParseFloat` for the forms descriptors use: decimal, exponent, infinities and NaN. */
function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(inf|infinity|nan)$/i.test(s)) return Number(s.replace(/inf(inity)?/i, "Infinity").replace(/nan/i, "NaN"));
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

function isIpOrCidr(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash < 0) return isIP(s) !== 0;
  const bits = s.slice(slash + 1);
  const ip = s.slice(0, slash);
  const version = isIP(ip);
  return version !== 0 && /^\d+$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}

/** A float as Go's `%v` prints it: the shortest digits, in exponent form below 1e-4 and from 1e6 on (`1e+06`). */
function goFloat(v: number): string {
  if (v === 0) return "0";
  const [mantissa, exponent] = v.toExponential().split("e") as [string, string];
  const exp = Number(exponent);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return String(v);
}
