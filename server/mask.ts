import { vocabulary } from "../engine/index.ts";

const { maskIdNumber } = vocabulary;

/** An 18-character resident ID number anywhere in a string. */
const ID_PATTERN = /(?<![0-9])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9])/g;

/** Masks every ID number in a string: 510402********1236. */
export function maskString(s: string): string {
  return s.replace(ID_PATTERN, (_m, head: string, _birth: string, tail: string) => `${head}********${tail}`);
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
