/**
 * A decision's JSON text, the same as `JSON.stringify(decision)` to the byte, made faster by the
 * parts that are the same in many decisions: a rule's reason, a missing material, an advice
 * warning, the chain of rule sets. Those are made once per rule or policy (`shared`), frozen, and
 * their text is kept beside them (by identity, so it goes when they go); a decision's other parts
 * are serialized as usual. Most of what a decision says is such text — Chinese messages and
 * citations, which `JSON.stringify` writes slowly — so this serializes one in about a third of the
 * time (test/engine/decision-json.test.ts holds it equal to JSON.stringify on every case).
 */

const texts = new WeakMap<object, string>();

/**
 * Freezes an object made once for many decisions and keeps its JSON text. Only for values made
 * from a compiled policy (which never changes); a frozen value cannot be changed by a reader.
 *
 * @example const reason = shared({ code: rule.id, citation, ruleSet, effect: "reject", message })
 */
export function shared<T extends object>(value: T): T {
  Object.freeze(value);
  texts.set(value, JSON.stringify(value));
  return value;
}

/** The lists whose entries are often shared (each entry looked up by identity). */
const LISTS: ReadonlySet<string> = new Set(["reasons", "missingMaterials", "warnings", "trace"]);
const KEY_TEXT = new Map<string, string>();

/**
 * `JSON.stringify(d)` of a decision; with `without`, of the decision without that key (no copy
 * made: `decisionJson(d, "trace")` is the answer to `?trace=false`).
 */
export function decisionJson(d: object, without?: string): string {
  let out = "{";
  for (const k in d) {
    if (k === without) continue;
    const v = (d as Record<string, unknown>)[k];
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    out += out.length === 1 ? keyJson(k) : `,${keyJson(k)}`;
    out += valueJson(v, k);
  }
  return `${out}}`;
}

/**
 * `JSON.stringify(trace)` of a decision's trace: the lines shared by every decision (a rule's
 * line of the rules-level trace) written from their kept text. The log row of a
 * `?trace=false` answer adds it to the answer's text.
 */
export function traceJson(trace: readonly object[]): string {
  return valueJson(trace, "trace");
}

/** `"key":`, kept for the few dozen keys decisions have. */
function keyJson(k: string): string {
  let key = KEY_TEXT.get(k);
  if (key === undefined) {
    key = `${JSON.stringify(k)}:`;
    if (KEY_TEXT.size < 64) KEY_TEXT.set(k, key);
  }
  return key;
}

function valueJson(v: unknown, key: string): string {
  if (typeof v === "string") return stringJson(v);
  if (typeof v !== "object" || v === null) return JSON.stringify(v) as string;
  const whole = texts.get(v);
  if (whole !== undefined) return whole;
  if (!Array.isArray(v)) return flatJson(v) ?? JSON.stringify(v);
  if (!LISTS.has(key)) return JSON.stringify(v);
  let out = "[";
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (i > 0) out += ",";
    const t = typeof x === "object" && x !== null ? texts.get(x) : undefined;
    out +=
      t ?? (x === undefined || typeof x === "function" || typeof x === "symbol" ? "null" : JSON.stringify(x));
  }
  return `${out}]`;
}

/**
 * `JSON.stringify(s)`: quoted as it is when no character needs escaping (a quote, a backslash, a
 * control character, a surrogate: JSON.stringify escapes lone ones). A decision's ids, dates and
 * vocabulary words never do, and the test costs about half a JSON.stringify call.
 */
function stringJson(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/**
 * `JSON.stringify(o)` of a plain object whose values are all strings, booleans, finite numbers
 * or null (a decision's validity and processing); undefined for any other. About twice as fast
 * as JSON.stringify on such small objects.
 */
function flatJson(o: object): string | undefined {
  if (Object.getPrototypeOf(o) !== Object.prototype) return undefined;
  let out = "{";
  for (const k in o) {
    const v = (o as Record<string, unknown>)[k];
    let t: string;
    if (typeof v === "string") t = stringJson(v);
    else if (v === null) t = "null";
    else if (typeof v === "boolean") t = v ? "true" : "false";
    else if (typeof v === "number" && Number.isFinite(v)) t = String(v);
    else return undefined;
    out += out.length === 1 ? keyJson(k) : `,${keyJson(k)}`;
    out += t;
  }
  return `${out}}`;
}
