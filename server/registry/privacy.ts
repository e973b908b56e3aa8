import { checkCharacter } from "../../engine/id-number.ts";
import { maskDeep, maskString } from "../mask.ts";
import type { Role } from "../store/schema.ts";
import type { User } from "../store/users.ts";

/**
 * Who sees whose personal data (478号 六(二)): the roles that handle applicants' files — clerks
 * and admins — see full names, full ID numbers and contact data; every other role sees names
 * shortened (张三 → 张*) and ID numbers masked, in the registry and in the decision log alike.
 */
export const FILE_HANDLERS: readonly Role[] = ["clerk", "admin"];

export const handlesFiles = (user: User | null) =>
  !!user && user.roles.some((r) => FILE_HANDLERS.includes(r));

/** 张三 → 张*: a name as roles that do not handle files see it. */
export const maskName = (name: string | null | undefined): string | null =>
  name ? `${Array.from(name)[0]}${"*".repeat(Array.from(name).length - 1)}` : (name ?? null);

/**
 * The filing form's fields (478号 附件1) that are contact data or identify the person: the
 * registry shows them to clerks and admins only (`contact: null` for every other role), so a
 * logged case shows other roles that they were given, never their values.
 */
export const HIDDEN_FORM_FIELDS = [
  "ssNumber",
  "ssCardNumber",
  "homeAddress",
  "contactAddress",
  "phone1",
  "phone2",
] as const;
/** Form fields holding a person's name: shortened as the applicant's name is (张三 → 张*). */
const NAME_FORM_FIELDS = ["name", "contactPerson"] as const;
/** How a hidden value is shown: that there was one, not what it was. */
export const HIDDEN = "***";

/** An ID number as roles that do not handle files see it: masked, or hidden when it is no ID number. */
const maskedId = (v: unknown) => {
  if (typeof v !== "string" || v === "") return v;
  const m = maskString(v);
  return m !== v || /^\d{6}\*{8}\d{3}[\dXx]$/.test(v) ? m : HIDDEN;
};

/**
 * A logged case as a role sees it. Roles that do not handle files (`full` false) see ID numbers
 * masked everywhere (the case id included, when it is one), the applicant's name shortened, the
 * birth date hidden (an ID number encodes it), and the filing form's contact data (card number,
 * addresses, phones, contact person) hidden — as the registry shows a filing to them.
 */
export function caseAsSeen(input: Record<string, unknown>, full: boolean): Record<string, unknown> {
  if (full) return input;
  const masked = maskDeep(input);
  const applicant = masked.applicant as Record<string, unknown> | undefined;
  if (applicant && typeof applicant === "object") {
    masked.applicant = {
      ...applicant,
      ...(typeof applicant.name === "string" && { name: maskName(applicant.name) }),
      ...(applicant.idNumber !== undefined && { idNumber: maskedId(applicant.idNumber) }),
      ...(applicant.birthDate !== undefined && { birthDate: HIDDEN }),
    };
  }
  const filing = masked.filing as Record<string, unknown> | undefined;
  const form = filing?.form as Record<string, unknown> | undefined;
  if (filing && form && typeof form === "object") {
    const shown: Record<string, unknown> = { ...form };
    for (const k of HIDDEN_FORM_FIELDS) if (shown[k] !== undefined && shown[k] !== null) shown[k] = HIDDEN;
    for (const k of NAME_FORM_FIELDS)
      if (typeof shown[k] === "string") shown[k] = maskName(shown[k] as string);
    if (shown.idNumber !== undefined) shown.idNumber = maskedId(shown.idNumber);
    masked.filing = { ...filing, form: shown };
  }
  return masked;
}

/**
 * A logged decision's record (list or detail) as a role sees it: the case id masked when it is
 * (or holds) an ID number, for roles that do not handle files.
 */
export function recordAsSeen<T extends { caseId: string }>(record: T, full: boolean): T {
  return full ? record : { ...record, caseId: maskString(record.caseId) };
}

/** A logged decision's output as a role sees it: ID numbers masked (the case id is one of its fields). */
export function outputAsSeen<T>(output: T, full: boolean): T {
  return full ? output : maskDeep(output);
}

/**
 * A stand-in for an ID number in an export for replay: the same region (digits 1–6), birth date
 * (7–14) and sex (the parity of the 17th digit) — what the rules read (applicant.age,
 * applicant.sex) — with the sequence number replaced by 99 and the sex digit (8 or 9), and its
 * check digit recomputed. Deterministic: one person is one stand-in throughout an export.
 *
 * @example replayIdNumber("510402195001011236") // "51040219500101999X"-like: 51040219500101 + 999 + check
 */
export function replayIdNumber(id: string): string {
  if (!/^\d{17}[\dXx]$/.test(id)) return maskString(id);
  const first17 = `${id.slice(0, 14)}99${Number(id[16]) % 2 === 1 ? "9" : "8"}`;
  return `${first17}${checkCharacter(first17)}`;
}

/**
 * A logged case in the decision-log export as a role sees it. The export is for replay
 * (`yidi simulate`), so the case must still decide the same way: for roles that do not handle
 * files it is `caseAsSeen` — names shortened, contact data hidden, ID numbers masked, the case id
 * too — except that the applicant's ID number becomes a valid stand-in (`replayIdNumber`) keeping
 * the birth date and sex the rules read, and the birth date is left to be derived from it.
 */
export function replayCaseAsSeen(input: Record<string, unknown>, full: boolean): Record<string, unknown> {
  if (full) return input;
  const shown = caseAsSeen(input, false);
  const given = (input.applicant as Record<string, unknown> | undefined)?.idNumber;
  const applicant = shown.applicant as Record<string, unknown> | undefined;
  if (applicant && typeof given === "string") {
    const { birthDate: _b, ...rest } = applicant;
    shown.applicant = { ...rest, idNumber: replayIdNumber(given) };
  }
  return shown;
}
