import { ConfigError } from "../errors";
import { isQualifiedName, isValidLabelValue } from "../image/labels";

/** One requirement of a Kubernetes label selector (k8s.io/apimachinery/pkg/labels). */
export type Requirement =
  | { readonly op: "=" | "!="; readonly key: string; readonly value: string }
  | { readonly op: "in" | "notin"; readonly key: string; readonly values: readonly string[] }
  | { readonly op: "exists" | "!exists"; readonly key: string };

/**
 * Parses label-selector syntax: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`,
 * joined by commas. @throws ConfigError naming the bad part.
 */
export function parseSelector(selector: string): Requirement[] {
  const reqs: Requirement[] = [];
  const s = selector.trim();
  let i = 0;
  const bad = (what: string) => new ConfigError(`invalid label selector "${selector}": ${what}`);
  const skipSpace = () => {
    while (i < s.length && s[i] === " ") i++;
  };
  const readKey = () => {
    skipSpace();
    const m = /^[A-Za-z0-9_./-]+/.exec(s.slice(i));
    if (!m) throw bad(`expected a label key at position ${i + 1}`);
    i += m[0].length;
    if (!isQualifiedName(m[0])) throw bad(`"${m[0]}" is not a valid label key`);
    return m[0];
  };
  const readValue = () => {
    skipSpace();
    const m = /^[A-Za-z0-9_.-]*/.exec(s.slice(i))!;
    i += m[0].length;
    if (!isValidLabelValue(m[0])) throw bad(`"${m[0]}" is not a valid label value`);
    return m[0];
  };
  while (s.length > 0) {
    skipSpace();
    if (s[i] === "!") {
      i++;
      reqs.push({ op: "!exists", key: readKey() });
    } else {
      const key = readKey();
      skipSpace();
      const rest = s.slice(i);
      let m: RegExpExecArray | null;
      if ((m = /^(==|=|!=)/.exec(rest))) {
        i += m[0].length;
        reqs.push({ op: m[0] === "!=" ? "!=" : "=", key, value: readValue() });
      } else if ((m = /^(in|notin)\s*\(/.exec(rest))) {
        i += m[0].length;
        const values: string[] = [];
        for (;;) {
          values.push(readValue());
          skipSpace();
          if (s[i] === ",") i++;
          else if (s[i] === ")") {
            i++;
            break;
          } else throw bad(`expected "," or ")" at position ${i + 1}`);
        }
        reqs.push({ op: m[1] as "in" | "notin", key, values });
      } else {
        reqs.push({ op: "exists", key });
      }
    }
    skipSpace();
    if (i >= s.length) break;
    if (s[i] !== ",") throw bad(`unexpected "${s[i]}" at position ${i + 1}`);
    i++;
  }
  return reqs;
}

/** Whether labels satisfy every requirement (an empty selector matches everything). */
export function matchesSelector(labels: Readonly<Record<string, string>>, reqs: readonly Requirement[]): boolean {
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case "=":
        return has && v === r.value;
      case "!=":
        return !has || v !== r.value;
      case "in":
        return has && r.values.includes(v!);
      case "notin":
        return !has || !r.values.includes(v!);
      case "exists":
        return has;
      case "!exists":
        return !has;
    }
  });
}
