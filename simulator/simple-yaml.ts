import { CORE_SCHEMA } from "js-yaml";

/**
 * A reader of the plain YAML that case files are written in — block mappings and sequences,
 * identifiers as keys, one-line plain, single- and double-quoted (without escapes) scalars,
 * `[]`, `{}` and one-line flow lists of scalars, comments — about ten times faster than js-yaml
 * on a case file. It answers what js-yaml's `load(text, { schema: CORE_SCHEMA })` answers (plain
 * scalars are resolved by that schema itself), or `undefined` for anything else: an anchor, a
 * tag, a block scalar, a multi-line scalar, a quoted key, a duplicate key, a tab, a second
 * document, text js-yaml would refuse. The caller then reads the text with js-yaml (and, on any
 * problem, with the located reader) as before: this reader never words an error.
 *
 * @example simpleYaml("- id: a\n  asOf: '2017-06-01'\n") // [{ id: "a", asOf: "2017-06-01" }]
 */
export function simpleYaml(text: string): unknown {
  if (!resolvePlain) return undefined;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // js-yaml refuses these characters anywhere: its reading, and its error, are kept.
  // A carriage return ends a line only before a line feed (CRLF); any other is left to js-yaml.
  if (!printable(src) || (src.includes("\r") && /\r(?!\n)/.test(src))) return undefined;
  const r = new Reader(src);
  if (!r.split() || r.count === 0 || r.indent[0] !== 0) return undefined;
  try {
    const value = r.block(0);
    return r.at === r.count ? value : undefined;
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

/**
 * No character js-yaml's reader refuses (its test: C0 controls but tab, line feed and carriage
 * return; DEL and the C1 controls but NEL; U+FFFE, U+FFFF; a lone surrogate) — and no tab, which
 * this reader leaves to js-yaml.
 */
function printable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) continue;
    if (c === 0x0a || c === 0x0d || c === 0x85 || (c >= 0xa0 && c < 0xd800) || (c >= 0xe000 && c <= 0xfffd))
      continue;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return false;
  }
  return true;
}

type Schema = {
  resolveImplicitScalarTag?: (s: string) => { value: unknown };
  implicitScalarByFirstChar?: Map<string, unknown>;
  implicitScalarAnyFirstChar?: unknown[];
};
/**
 * A plain scalar's value as the core schema resolves it (null, booleans, numbers, else the
 * string): by the schema itself, asked only for a scalar whose first character may start
 * something else than a string (the schema's own list; most of a case's words are not).
 */
const resolvePlain = (() => {
  const schema = CORE_SCHEMA as unknown as Schema;
  const f = schema.resolveImplicitScalarTag;
  const byFirst = schema.implicitScalarByFirstChar;
  if (typeof f !== "function" || !(byFirst instanceof Map) || schema.implicitScalarAnyFirstChar?.length !== 0)
    return undefined;
  return (s: string) => (byFirst.has(s.charAt(0)) ? f.call(schema, s).value : s);
})() as ((s: string) => unknown) | undefined;

const BAIL = Symbol("bail");
const bail = (): never => {
  throw BAIL;
};

/** Deeper nesting is left to js-yaml (which limits it, and says so). */
const MAX_DEPTH = 50;

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Keys the core schema reads as something else than their text, or that JavaScript treats specially. */
const ODD_KEYS = new Set([
  "true",
  "True",
  "TRUE",
  "false",
  "False",
  "FALSE",
  "null",
  "Null",
  "NULL",
  "__proto__",
]);

/**
 * The lines with content (comment-only and blank lines left out), as positions in the text:
 * where each line's content starts (after its indentation) and ends, and its indentation. A
 * `- ` entry whose rest is a node of its own is read by moving its start (and indentation) past
 * the dash: no line is copied.
 */
class Reader {
  at = 0;
  count = 0;
  readonly start: number[] = [];
  readonly end: number[] = [];
  readonly indent: number[] = [];
  private depth = 0;
  constructor(private readonly src: string) {}

  split(): boolean {
    const src = this.src;
    let from = 0;
    let sawDocumentStart = false;
    while (from <= src.length) {
      let end = src.indexOf("\n", from);
      if (end < 0) end = src.length;
      let lineEnd = end;
      if (lineEnd > from && src.charCodeAt(lineEnd - 1) === 13) lineEnd--;
      let i = from;
      while (i < lineEnd && src.charCodeAt(i) === 32) i++;
      if (i < lineEnd && src.charCodeAt(i) !== 35 /* # */) {
        const c = src.charCodeAt(i);
        const marker =
          i === from &&
          (c === 37 ||
            ((c === 45 || c === 46) && src.charCodeAt(i + 1) === c && src.charCodeAt(i + 2) === c));
        if (marker) {
          // One `---` before the first node, nothing else of documents and directives.
          if (lineEnd - i !== 3 || c !== 45 || sawDocumentStart || this.count) return false;
          sawDocumentStart = true;
        } else {
          this.start.push(i);
          this.end.push(lineEnd);
          this.indent.push(i - from);
          this.count++;
        }
      }
      from = end + 1;
    }
    return true;
  }

  /** The node whose first line is the current one, at its indentation. */
  block(indent: number): unknown {
    if (this.indent[this.at] !== indent || ++this.depth > MAX_DEPTH) bail();
    const value = this.isEntry(this.at) ? this.sequence(indent) : this.mapping(indent);
    this.depth--;
    return value;
  }

  /** Line n is a sequence entry: `-` then a space or the line's end. */
  private isEntry(n: number): boolean {
    const s = this.start[n] as number;
    return this.src.charCodeAt(s) === 45 && (s + 1 === this.end[n] || this.src.charCodeAt(s + 1) === 32);
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    const src = this.src;
    for (;;) {
      const n = this.at;
      // A line at this indentation that is not an entry goes back to the mapping this list is a value of.
      if (n >= this.count) return out;
      const ind = this.indent[n] as number;
      if (ind < indent || (ind === indent && !this.isEntry(n))) return out;
      if (ind > indent) bail();
      // "- rest": rest is a node of its own at its column (a compact mapping or list), or a scalar, or nothing.
      const s = this.start[n] as number;
      const e = this.end[n] as number;
      let k = 1;
      while (src.charCodeAt(s + k) === 32) k++;
      if (s + k >= e || src.charCodeAt(s + k) === 35) {
        this.at++;
        out.push(this.nested(indent));
        continue;
      }
      this.start[n] = s + k;
      this.indent[n] = ind + k;
      if (this.isEntry(n) || this.keyAt(n) !== undefined) out.push(this.block(ind + k));
      else {
        this.at++;
        out.push(scalar(src, s + k, e));
        this.noContinuation(indent);
      }
    }
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const src = this.src;
    for (;;) {
      const n = this.at;
      if (n >= this.count || (this.indent[n] as number) < indent) return out;
      if ((this.indent[n] as number) > indent || this.isEntry(n)) bail();
      const key = this.keyAt(n);
      if (key === undefined || Object.hasOwn(out, key)) bail();
      const k = key as string;
      const e = this.end[n] as number;
      let v = (this.start[n] as number) + k.length + 1;
      while (src.charCodeAt(v) === 32) v++;
      this.at++;
      if (v >= e || src.charCodeAt(v) === 35) {
        // A block below, or a list at the key's own indentation, or null.
        out[k] =
          this.at < this.count && this.indent[this.at] === indent && this.isEntry(this.at)
            ? this.sequence(indent)
            : this.nested(indent);
      } else {
        out[k] = scalar(src, v, e);
        this.noContinuation(indent);
      }
    }
  }

  /** The key of line n when it is `key: value` or `key:`, the key a plain identifier read as itself. */
  private keyAt(n: number): string | undefined {
    const src = this.src;
    const s = this.start[n] as number;
    const e = this.end[n] as number;
    let i = s;
    for (; i < e; i++) {
      const c = src.charCodeAt(i);
      if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (i > s && c >= 48 && c <= 57)))
        break;
    }
    if (i === s || src.charCodeAt(i) !== 58 /* : */ || (i + 1 < e && src.charCodeAt(i + 1) !== 32))
      return undefined;
    const key = src.slice(s, i);
    return ODD_KEYS.has(key) ? undefined : key;
  }

  /** The node below a line at `indent` (more indented), or null when there is none. */
  private nested(indent: number): unknown {
    if (this.at >= this.count || (this.indent[this.at] as number) <= indent) return null;
    return this.block(this.indent[this.at] as number);
  }

  /** After a scalar on a line at `indent`, a more indented line would continue it: not read here. */
  private noContinuation(indent: number): void {
    if (this.at < this.count && (this.indent[this.at] as number) > indent) bail();
  }
}

/** Whether [from, to) of `s` is empty or a comment (` #…`, or `#…` at the start). */
function onlyComment(s: string, from: number, to: number): boolean {
  let i = from;
  while (i < to && s.charCodeAt(i) === 32) i++;
  return i === to || (s.charCodeAt(i) === 35 && (i > from || i === 0 || s.charCodeAt(i - 1) === 32));
}

/** A one-line scalar in [from, to), or a one-line flow collection, with its comment, if any. */
function scalar(src: string, from: number, to: number): unknown {
  const c = src.charCodeAt(from);
  if (c === 39 /* ' */ || c === 34 /* " */) {
    const q = quoted(src, from, to);
    if (!onlyComment(src, q.end, to)) bail();
    return q.value;
  }
  if (c === 91 /* [ */ || c === 123 /* { */) {
    const line = src.slice(from, to);
    const f = flow(line, 0, 0);
    if (!onlyComment(line, f.end, line.length)) bail();
    return f.value;
  }
  // A plain scalar ends at a comment (` #`); trailing spaces are not its own.
  let e = from;
  while (e < to && !(src.charCodeAt(e) === 35 && src.charCodeAt(e - 1) === 32)) e++;
  while (e > from && src.charCodeAt(e - 1) === 32) e--;
  return plain(src.slice(from, e));
}

/**
 * `[a, 'b', 1]` or `{ k: v, k2: [x, y] }` from `start`, on one line: scalars and flow
 * collections (no empty entry, no trailing comma), keys plain identifiers. Its end is the index
 * after the closing bracket.
 */
function flow(s: string, start = 0, depth = 0): { value: unknown; end: number } {
  if (depth > MAX_DEPTH) bail();
  const isMap = s.charCodeAt(start) === 123;
  const close = isMap ? 125 : 93;
  const list: unknown[] = [];
  const map: Record<string, unknown> = {};
  let i = start + 1;
  const spaces = () => {
    while (s.charCodeAt(i) === 32) i++;
  };
  spaces();
  if (s.charCodeAt(i) === close) return { value: isMap ? map : list, end: i + 1 };
  for (;;) {
    spaces();
    let key: string | undefined;
    if (isMap) {
      const colon = s.indexOf(":", i);
      if (colon < 0 || s.charCodeAt(colon + 1) !== 32) bail();
      key = s.slice(i, colon);
      if (!KEY.test(key) || ODD_KEYS.has(key) || Object.hasOwn(map, key)) bail();
      i = colon + 2;
      spaces();
    }
    let value: unknown;
    const c = s.charCodeAt(i);
    if (c === 39 || c === 34 || c === 91 || c === 123) {
      const q = c === 91 || c === 123 ? flow(s, i, depth + 1) : quoted(s, i, s.length);
      value = q.value;
      i = q.end;
      spaces();
    } else {
      let j = i;
      while (j < s.length && s.charCodeAt(j) !== 44 && s.charCodeAt(j) !== close) j++;
      const text = s.slice(i, j).trimEnd();
      if (/[[\]{}]/.test(text) || text.includes(":")) bail();
      value = plain(text);
      i = j;
    }
    if (isMap) map[key as string] = value;
    else list.push(value);
    const d = s.charCodeAt(i);
    if (d === close) return { value: isMap ? map : list, end: i + 1 };
    if (d !== 44 /* , */) bail();
    i++;
  }
}

/** A quoted scalar from `start` to its closing quote before `to`; double quotes without escapes. */
function quoted(s: string, start: number, to: number): { value: string; end: number } {
  const q = s.charCodeAt(start);
  if (q === 34) {
    const close = s.indexOf('"', start + 1);
    if (close < 0 || close >= to) bail();
    const value = s.slice(start + 1, close);
    if (value.includes("\\")) bail();
    return { value, end: close + 1 };
  }
  let out = "";
  let i = start + 1;
  for (;;) {
    const close = s.indexOf("'", i);
    if (close < 0 || close >= to) bail();
    out += s.slice(i, close);
    if (close + 1 < to && s.charCodeAt(close + 1) === 39) {
      out += "'";
      i = close + 2;
    } else return { value: out, end: close + 1 };
  }
}

/** A plain scalar: not starting with an indicator, no `: ` or ` #` inside, resolved by the core schema. */
function plain(s: string): unknown {
  if (s === "") bail();
  const c = s[0] as string;
  if ("[]{}#&*!|>'\"%@`,".includes(c)) bail();
  if ((c === "-" || c === "?" || c === ":") && (s.length === 1 || s[1] === " ")) bail();
  if (s.includes(": ") || s.endsWith(":") || s.includes(" #")) bail();
  return (resolvePlain as (s: string) => unknown)(s);
}
