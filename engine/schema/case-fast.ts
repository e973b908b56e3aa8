import { Decimal } from "decimal.js";
import type { z } from "zod";
import { checkCharacter } from "../id-number.ts";
import {
  CARD_STATUSES,
  CATEGORIES,
  CHANNELS,
  EMERGENCY_INDICATORS,
  EMERGENCY_SETTINGS,
  FORM_FIELDS,
  HOSPITAL_LEVELS,
  KINDS,
  MATERIALS,
  SCHEMES,
  STATUSES,
} from "../vocabulary.ts";
import { type Case, caseSchema } from "./case.ts";
import { MONEY_MAX_DIGITS, plainMessages, RESERVED_KEYS } from "./common.ts";

/**
 * The case schema (`caseSchema`, zod) as one hand-written check on the hot path: the same
 * fields, defaults, cross-field checks and output (key order included) in a few straight-line
 * tests, ~10× faster than zod's parse. It answers only "valid, and here is the case" or "not
 * sure": every input it does not accept goes to zod, which decides and words the problems. So
 * it may never accept what zod rejects nor give another output (test/engine/case-fast.test.ts
 * checks both against zod on generated and mutated cases); declining an odd valid input (a key
 * set to `undefined`, an object with a prototype) only costs the zod parse.
 *
 * zod stays the schema: docs/schema, the error wording and every other caller use `caseSchema`.
 * A change to `caseSchema` must be made here too — the property test fails until it is.
 */

type Obj = Record<string, unknown>;
type Parsed = { success: true; data: Case } | { success: false; error: z.ZodError };

/**
 * A case parsed like `caseSchema.safeParse(raw, { error: plainMessages })`: through the fast
 * check when it accepts, else through zod (which words every problem).
 *
 * @example const p = parseCase(JSON.parse(body)); if (!p.success) p.error.issues
 */
export function parseCase(raw: unknown): Parsed {
  const c = fastCase(raw);
  if (c) return { success: true, data: c };
  return caseSchema.safeParse(raw, { error: plainMessages }) as Parsed;
}

const ids = (v: { ids: readonly string[] }): ReadonlySet<unknown> => new Set<unknown>(v.ids);
const SCHEME = ids(SCHEMES);
const STATUS = ids(STATUSES);
const CARD = ids(CARD_STATUSES);
const CATEGORY = ids(CATEGORIES);
const KIND = ids(KINDS);
const MATERIAL = ids(MATERIALS);
const CHANNEL = ids(CHANNELS);
const SETTING = ids(EMERGENCY_SETTINGS);
const INDICATOR = ids(EMERGENCY_INDICATORS);
const FORM_FIELD = ids(FORM_FIELDS);
const LEVEL = ids(HOSPITAL_LEVELS);
const BILL_LEVEL: ReadonlySet<unknown> = new Set(["1", "2", "3"]);
const SEX: ReadonlySet<unknown> = new Set(["male", "female"]);

const KEYS = {
  case: keys("id title asOf kind applicant insured filing previous settlement expected"),
  applicant: keys("idNumber name sex birthDate"),
  insured: keys("region scheme status cardStatus inBenefitPeriod"),
  filing: keys(
    "category destination hukouMoved residenceYears dispatchYears referral emergency materials channel agent specialReason form",
  ),
  destination: keys("region hospital"),
  hospital: keys("name level networked"),
  referral: keys("issuerLevel issuerRegion"),
  emergency: keys("setting diagnoses indicators cardSettled"),
  previous: keys("category approvedOn validUntil extensions"),
  settlement: keys(
    "admission discharge hospitalLevel filed totalCost selfPayCost partialSelfPayCost yearToDate admissionMode inpatientNumber dischargeDepartment primaryDiagnosis secondaryDiagnosis",
  ),
  yearToDate: keys("fundPaid"),
};
function keys(s: string): ReadonlySet<string> {
  return new Set(s.split(" "));
}

/**
 * A plain object (the kind JSON and YAML make) whose own keys are all among `allowed`, none set
 * to `undefined`; else undefined.
 */
function strict(v: unknown, allowed: ReadonlySet<string>): Obj | undefined {
  if (!isRecord(v)) return undefined;
  for (const k in v) {
    if (!allowed.has(k) || (v as Obj)[k] === undefined) return undefined;
  }
  return v as Obj;
}

/** The number the ASCII digits s[from..to) write, or -1. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `isRealDate` (common.ts) without a regex or a Date: YYYY-MM-DD naming a day of the Gregorian
 * calendar. Like it, years before 100 are refused (Date.UTC reads them as 19xx).
 */
export function realDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 7);
  const d = digits(s, 8, 10);
  if (y < 100 || m < 1 || m > 12 || d < 1) return false;
  if (m === 2) return d <= ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28);
  return d <= (m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);
}

/**
 * What `parseIdNumber` (id-number.ts) finds in a valid ID number, the sex and birth date; undefined
 * for a number it refuses (format, month and day, check character, a birth date not in the calendar).
 */
export function idSexAndBirth(id: string): { sex: "male" | "female"; birthDate: string } | undefined {
  if (id.length !== 18 || digits(id, 0, 17) < 0) return undefined;
  const last = id.charCodeAt(17);
  if (!((last >= 48 && last <= 57) || last === 88)) return undefined;
  const month = digits(id, 10, 12);
  const day = digits(id, 12, 14);
  if (month < 1 || month > 12 || day < 1 || day > 31 || checkCharacter(id) !== id[17]) return undefined;
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!realDate(birthDate)) return undefined;
  return { sex: (id.charCodeAt(16) - 48) % 2 === 1 ? "male" : "female", birthDate };
}

/** A plain object: made by JSON or YAML, or with no prototype. */
function isRecord(v: unknown): v is Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const REGION = /^\d{6}$/;
const ICD10 = /^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$/;
const MONEY = /^\d+(\.\d{1,2})?$/;

const isString = (v: unknown): v is string => typeof v === "string";
const isDate = (v: unknown): v is string => typeof v === "string" && realDate(v);
const isRegion = (v: unknown): v is string => typeof v === "string" && REGION.test(v);
const isYears = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === "string" && v.length >= 1;
const isMoney = (v: unknown): v is string =>
  typeof v === "string" &&
  v.length <= MONEY_MAX_DIGITS + 3 &&
  MONEY.test(v) &&
  (v.split(".")[0] ?? "").length <= MONEY_MAX_DIGITS;
/** YAML reads `level: 3` as a number; the schema reads it as "3". */
const level = (v: unknown, allowed: ReadonlySet<unknown>): string | undefined => {
  const s = typeof v === "number" ? String(v) : v;
  return allowed.has(s) ? (s as string) : undefined;
};
function listOf(v: unknown, ok: (x: unknown) => boolean): string[] | undefined {
  if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype) return undefined;
  const out: string[] = [];
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!ok(x)) return undefined;
    out.push(x as string);
  }
  return out;
}
const inSet =
  (s: ReadonlySet<unknown>) =>
  (x: unknown): boolean =>
    s.has(x);
const isMaterial = inSet(MATERIAL);
const isIndicator = inSet(INDICATOR);
const isIcd10 = (x: unknown) => typeof x === "string" && ICD10.test(x);

/** The case `caseSchema` would output, when the fast check is sure it is valid; else undefined. */
export function fastCase(raw: unknown): Case | undefined {
  const r = strict(raw, KEYS.case);
  if (!r) return undefined;
  const { id, title, asOf } = r;
  if (!isText(id) || (title !== undefined && !isString(title)) || !isDate(asOf)) return undefined;
  const kind = r.kind === undefined ? "filing" : r.kind;
  if (!KIND.has(kind)) return undefined;

  // applicant: the ID number checked, its sex and birth date agreeing with any given
  const a = strict(r.applicant, KEYS.applicant);
  if (!a) return undefined;
  const { idNumber, name, sex, birthDate } = a;
  if (!isString(idNumber)) return undefined;
  if (name !== undefined && !isString(name)) return undefined;
  if (sex !== undefined && !SEX.has(sex)) return undefined;
  if (birthDate !== undefined && !isDate(birthDate)) return undefined;
  const idn = idSexAndBirth(idNumber);
  if (!idn) return undefined;
  if (sex !== undefined && sex !== idn.sex) return undefined;
  if (birthDate !== undefined && birthDate !== idn.birthDate) return undefined;
  if (idn.birthDate > asOf) return undefined;
  // zod's key order, then the transform's spread (`{ ...applicant, sex, birthDate }`)
  const applicant: Obj = { idNumber };
  if (name !== undefined) applicant.name = name;
  if (sex !== undefined) applicant.sex = sex;
  if (birthDate !== undefined) applicant.birthDate = birthDate;
  applicant.sex = idn.sex;
  applicant.birthDate = idn.birthDate;

  const i = strict(r.insured, KEYS.insured);
  if (!i) return undefined;
  const cardStatus = i.cardStatus === undefined ? "normal" : i.cardStatus;
  const inBenefitPeriod = i.inBenefitPeriod === undefined ? true : i.inBenefitPeriod;
  if (
    !isRegion(i.region) ||
    !SCHEME.has(i.scheme) ||
    (i.status !== undefined && !STATUS.has(i.status)) ||
    !CARD.has(cardStatus) ||
    typeof inBenefitPeriod !== "boolean"
  )
    return undefined;
  const insured: Obj = { region: i.region, scheme: i.scheme };
  if (i.status !== undefined) insured.status = i.status;
  insured.cardStatus = cardStatus;
  insured.inBenefitPeriod = inBenefitPeriod;

  const filing =
    r.filing === undefined ? { materials: [], agent: false, specialReason: false } : fastFiling(r.filing);
  if (!filing) return undefined;
  if ((kind === "filing" || kind === "change") && filing.category === undefined) return undefined;

  let previous: Obj | undefined;
  if (r.previous !== undefined) {
    const p = strict(r.previous, KEYS.previous);
    if (!p) return undefined;
    const { category, approvedOn, validUntil } = p;
    const extensions = p.extensions === undefined ? 0 : p.extensions;
    if (!CATEGORY.has(category) || !isDate(approvedOn)) return undefined;
    if (validUntil !== undefined && validUntil !== null && !isDate(validUntil)) return undefined;
    if (!Number.isSafeInteger(extensions) || (extensions as number) < 0) return undefined;
    if (isString(validUntil) && validUntil < approvedOn) return undefined;
    if (approvedOn > asOf) return undefined;
    previous = { category, approvedOn };
    if (validUntil !== undefined) previous.validUntil = validUntil;
    previous.extensions = extensions;
  } else if (kind === "change" || kind === "revoke" || kind === "extend") return undefined;

  let settlement: Obj | undefined;
  if (r.settlement !== undefined) {
    settlement = fastSettlement(r.settlement);
    if (!settlement) return undefined;
  } else if (kind === "settlement") return undefined;

  let expected: Obj | undefined;
  if (r.expected !== undefined) {
    const e = r.expected;
    if (!isRecord(e)) return undefined;
    expected = {};
    for (const k in e) {
      const v = (e as Obj)[k];
      if (RESERVED_KEYS.has(k) || v === undefined) return undefined;
      expected[k] = v;
    }
  }

  const out: Obj = { id };
  if (title !== undefined) out.title = title;
  out.asOf = asOf;
  out.kind = kind;
  out.applicant = applicant;
  out.insured = insured;
  out.filing = filing;
  if (previous) out.previous = previous;
  if (settlement) out.settlement = settlement;
  if (expected) out.expected = expected;
  return out as Case;
}

function fastFiling(v: unknown): Obj | undefined {
  const f = strict(v, KEYS.filing);
  if (!f) return undefined;
  const out: Obj = {};
  if (f.category !== undefined) {
    if (!CATEGORY.has(f.category)) return undefined;
    out.category = f.category;
  }
  if (f.destination !== undefined) {
    const d = strict(f.destination, KEYS.destination);
    if (!d || !isRegion(d.region)) return undefined;
    const dest: Obj = { region: d.region };
    if (d.hospital !== undefined) {
      const h = strict(d.hospital, KEYS.hospital);
      if (!h) return undefined;
      const hospital: Obj = {};
      if (h.name !== undefined) {
        if (!isString(h.name)) return undefined;
        hospital.name = h.name;
      }
      if (h.level !== undefined) {
        const l = level(h.level, LEVEL);
        if (l === undefined) return undefined;
        hospital.level = l;
      }
      if (h.networked !== undefined) {
        if (typeof h.networked !== "boolean") return undefined;
        hospital.networked = h.networked;
      }
      dest.hospital = hospital;
    }
    out.destination = dest;
  }
  if (f.hukouMoved !== undefined) {
    if (typeof f.hukouMoved !== "boolean") return undefined;
    out.hukouMoved = f.hukouMoved;
  }
  if (f.residenceYears !== undefined) {
    if (!isYears(f.residenceYears)) return undefined;
    out.residenceYears = f.residenceYears;
  }
  if (f.dispatchYears !== undefined) {
    if (!isYears(f.dispatchYears)) return undefined;
    out.dispatchYears = f.dispatchYears;
  }
  if (f.referral !== undefined) {
    const rf = strict(f.referral, KEYS.referral);
    if (!rf) return undefined;
    const referral: Obj = {};
    if (rf.issuerLevel !== undefined) {
      const l = level(rf.issuerLevel, LEVEL);
      if (l === undefined) return undefined;
      referral.issuerLevel = l;
    }
    if (rf.issuerRegion !== undefined) {
      if (!isRegion(rf.issuerRegion)) return undefined;
      referral.issuerRegion = rf.issuerRegion;
    }
    out.referral = referral;
  }
  if (f.emergency !== undefined) {
    const e = strict(f.emergency, KEYS.emergency);
    if (!e) return undefined;
    const emergency: Obj = {};
    if (e.setting !== undefined) {
      if (!SETTING.has(e.setting)) return undefined;
      emergency.setting = e.setting;
    }
    if (e.diagnoses !== undefined) {
      const l = listOf(e.diagnoses, isIcd10);
      if (!l) return undefined;
      emergency.diagnoses = l;
    }
    if (e.indicators !== undefined) {
      const l = listOf(e.indicators, isIndicator);
      if (!l) return undefined;
      emergency.indicators = l;
    }
    if (e.cardSettled !== undefined) {
      if (typeof e.cardSettled !== "boolean") return undefined;
      emergency.cardSettled = e.cardSettled;
    }
    out.emergency = emergency;
  }
  const materials = f.materials === undefined ? [] : listOf(f.materials, isMaterial);
  if (!materials) return undefined;
  out.materials = materials;
  if (f.channel !== undefined) {
    if (!CHANNEL.has(f.channel)) return undefined;
    out.channel = f.channel;
  }
  const agent = f.agent === undefined ? false : f.agent;
  const specialReason = f.specialReason === undefined ? false : f.specialReason;
  if (typeof agent !== "boolean" || typeof specialReason !== "boolean") return undefined;
  out.agent = agent;
  out.specialReason = specialReason;
  if (f.form !== undefined) {
    const form = f.form;
    if (!isRecord(form)) return undefined;
    const copy: Obj = {};
    for (const k in form) {
      const x = (form as Obj)[k];
      if (!FORM_FIELD.has(k)) return undefined;
      if (!(x === null || typeof x === "string" || (typeof x === "number" && Number.isFinite(x))))
        return undefined;
      copy[k] = x;
    }
    out.form = copy;
  }
  return out;
}

function fastSettlement(v: unknown): Obj | undefined {
  const s = strict(v, KEYS.settlement);
  if (!s) return undefined;
  const { admission, discharge, totalCost } = s;
  if (!isDate(admission) || !isDate(discharge) || discharge < admission) return undefined;
  const hospitalLevel = level(s.hospitalLevel, BILL_LEVEL);
  if (hospitalLevel === undefined) return undefined;
  const filed = s.filed === undefined ? true : s.filed;
  if (typeof filed !== "boolean") return undefined;
  const selfPayCost = s.selfPayCost === undefined ? "0.00" : s.selfPayCost;
  const partialSelfPayCost = s.partialSelfPayCost === undefined ? "0.00" : s.partialSelfPayCost;
  if (!isMoney(totalCost) || !isMoney(selfPayCost) || !isMoney(partialSelfPayCost)) return undefined;
  if (!withinTotal(selfPayCost, partialSelfPayCost, totalCost)) return undefined;
  const out: Obj = { admission, discharge, hospitalLevel, filed, totalCost, selfPayCost, partialSelfPayCost };
  if (s.yearToDate !== undefined) {
    const y = strict(s.yearToDate, KEYS.yearToDate);
    if (!y || !isMoney(y.fundPaid)) return undefined;
    out.yearToDate = { fundPaid: y.fundPaid };
  }
  for (const k of SLIP_FIELDS) {
    const x = s[k];
    if (x === undefined) continue;
    if (!isText(x)) return undefined;
    out[k] = x;
  }
  return out;
}
const SLIP_FIELDS = [
  "admissionMode",
  "inpatientNumber",
  "dischargeDepartment",
  "primaryDiagnosis",
  "secondaryDiagnosis",
] as const;

/** Whole cents of a money string short enough to add exactly as a JS number; else undefined. */
function cents(m: string): number | undefined {
  const dot = m.indexOf(".");
  const whole = dot < 0 ? m : m.slice(0, dot);
  if (whole.length > 13) return undefined;
  const frac = dot < 0 ? "" : m.slice(dot + 1);
  return Number(whole) * 100 + (frac.length === 0 ? 0 : frac.length === 1 ? Number(frac) * 10 : Number(frac));
}

/** Self-pay plus partial self-pay within the total (exact; decimal.js only for huge amounts). */
function withinTotal(selfPay: string, partial: string, total: string): boolean {
  const a = cents(selfPay);
  const b = cents(partial);
  const t = cents(total);
  if (a !== undefined && b !== undefined && t !== undefined) return a + b <= t;
  return !new Decimal(selfPay).plus(partial).gt(total);
}
