import IDValidator from "id-validator";
import { isRealDate } from "./schema/common.ts";

/** What an 18-character resident ID number (GB 11643) tells. */
export type IdInfo = { birthDate: string; sex: "male" | "female"; region: string };

const validator = new IDValidator();

/**
 * What a valid ID number encodes, read off its GB 11643 layout: region (digits 1–6), birth
 * date (7–14), sex (the 17th digit: odd for men). Only for numbers `parseIdNumber` accepted.
 */
export function idInfo(id: string): IdInfo {
  return {
    birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
    sex: Number(id[16]) % 2 === 1 ? "male" : "female",
    region: id.slice(0, 6),
  };
}

/**
 * Checks an 18-character resident ID number: format, birth date and the GB 11643 check digit
 * (ISO 7064 MOD 11-2). Returns what it encodes, or the reason it is invalid.
 *
 * @example parseIdNumber("11010519491231002X") // { ok: true, info: { birthDate: "1949-12-31", sex: "female", … } }
 */
export function parseIdNumber(id: string): { ok: true; info: IdInfo } | { ok: false; reason: string } {
  if (!/^\d{17}[\dX]$/.test(id)) {
    return { ok: false, reason: "an ID number has 17 digits and a check digit (0-9 or X)" };
  }
  if (!validator.isValid(id)) {
    return { ok: false, reason: "the ID number's birth date or check digit (GB 11643) is wrong" };
  }
  const info = idInfo(id);
  // id-validator checks the digits, not the calendar: 19540229 passes it.
  if (!isRealDate(info.birthDate)) {
    return { ok: false, reason: `the ID number's birth date ${info.birthDate} is not a real date` };
  }
  return { ok: true, info };
}
