import { vocabulary } from "../engine/index.ts";

const { maskIdNumber } = vocabulary;

/** An 18-character resident ID number anywhere in a string. */
const ID_PATTERN = /(?<![0-9])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9])/g;

/** Masks every ID number in a string: 510402********1236. */
export function maskString(s: string): string {
  return s.replace(ID_PATTERN, (_m, head: string, _birth: string, tail: string) => `${head}********${tail}`);
}

/** A run of digits and X, any of them percent-encoded (%35 is 5, %58 is X), as a URL carries it. */
const ENCODED_RUN = /(?:%3[0-9]|[0-9]|%58|%78|[Xx])+/gi;

/**
 * Masks every ID number in a string, also one written percent-encoded (a URL's
 * `/api/decisions/%35%31%30…`): a run that is an ID number once decoded is written masked.
 * For log lines and error messages, which carry URLs as they were sent.
 *
 * @example maskText("/x/%35%31%30%34%30%32195001011236") // "/x/510402********1236"
 */
export function maskText(s: string): string {
  const plain = maskString(s);
  if (!plain.includes("%")) return plain;
  return plain.replace(ENCODED_RUN, (run) => {
    if (!run.includes("%")) return run;
    const decoded = run.replace(/%([0-9a-f]{2})/gi, (_m, h: string) =>
      String.fromCharCode(Number.parseInt(h, 16)),
    );
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
