import { vocabulary } from "../engine/index.ts";

const { maskIdNumber } = vocabulary;

/** An 18-character resident ID number anywhere in a string. */
const ID_PATTERN = /(?<![0-9])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9])/g;

/** Full-width digits and X (０–９, Ｘ, ｘ), as a Chinese input method types them. */
const FULL_WIDTH = /[\uFF10-\uFF19\uFF38\uFF58]/;
const FULL_WIDTH_RUN = /[0-9Xx\uFF10-\uFF19\uFF38\uFF58]{18,}/g;
/** A full-width digit or X as its ASCII character (each is one UTF-16 unit either way). */
const halfWidth = (s: string) =>
  s.replace(/[\uFF10-\uFF19\uFF38\uFF58]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));

/**
 * Masks every ID number in a string: 510402********1236. One typed in full-width digits
 * (５１０４０２…, which an input method gives) is masked too, and stays full-width.
 */
export function maskString(s: string): string {
  const plain = s.replace(
    ID_PATTERN,
    (_m, head: string, _birth: string, tail: string) => `${head}********${tail}`,
  );
  if (!FULL_WIDTH.test(plain)) return plain;
  return plain.replace(FULL_WIDTH_RUN, (run) => {
    // Same length, same positions: mask the ASCII form, then star those positions of the run.
    const masked = halfWidth(run).replace(
      ID_PATTERN,
      (_m, head: string, _b: string, tail: string) => `${head}********${tail}`,
    );
    return [...masked].map((c, i) => (c === "*" ? "*" : run[i])).join("");
  });
}

/**
 * A run of digits and X, any of them percent-encoded once or more (%35 is 5, %2535 is %35, %58 is
 * X) or a full-width one percent-encoded as UTF-8 (%EF%BC%95 is ５), as a URL carries it — a URL
 * encoded twice by a proxy or a client included.
 */
const ENCODED_RUN =
  /(?:%(?:25)*(?:3[0-9]|58|78)|%(?:25)*EF%(?:25)*B[CD]%(?:25)*[89AB][0-9A-F]|[0-9]|[Xx])+/gi;
const ENCODED_BYTE = /%(?:25)*([0-9a-f]{2})/gi;

/**
 * Masks every ID number in a string, also one written percent-encoded, once or more (a URL's
 * `/api/decisions/%35%31%30…`, `%2535%2531…`), or in full-width digits, plain or encoded: a run
 * that is an ID number once decoded is written masked. For log lines and error messages, which
 * carry URLs as they were sent.
 *
 * @example maskText("/x/%35%31%30%34%30%32195001011236") // "/x/510402********1236"
 */
export function maskText(s: string): string {
  const plain = maskString(s);
  if (!plain.includes("%")) return plain;
  return plain.replace(ENCODED_RUN, (run) => {
    if (!run.includes("%")) return run;
    const bytes: number[] = [];
    let at = 0;
    for (const m of run.matchAll(ENCODED_BYTE)) {
      for (const c of run.slice(at, m.index)) bytes.push(c.charCodeAt(0));
      bytes.push(Number.parseInt(m[1] as string, 16));
      at = m.index + m[0].length;
    }
    for (const c of run.slice(at)) bytes.push(c.charCodeAt(0));
    const decoded = Buffer.from(bytes).toString("utf8");
    const masked = maskString(decoded);
    return masked === decoded ? run : masked;
  });
}

/** A deep copy with every ID number in every string masked (for logs, lists and the audit log). */
export function maskDeep<T>(value: T): T {
  if (typeof value === "string") return maskString(value) as T;
  if (Array.isArray(value)) return value.map(maskDeep) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v)])) as T;
  }
  return value;
}

export { maskIdNumber };
