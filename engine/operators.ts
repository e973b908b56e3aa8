import { Decimal } from "decimal.js";
import { BoundedCache } from "./bounded-cache.ts";
import { regionWithin } from "./regions.ts";
import { HOSPITAL_LEVEL_RANK } from "./vocabulary.ts";

/**
 * Operators a condition may use. json-rules-engine's built-ins are re-implemented here with
 * json-rules-engine's exact semantics (the compiled path must agree with it on every case);
 * the custom ones are registered on the reference engine from this same table.
 */
export type OperatorFn = (factValue: unknown, value: unknown) => boolean;

const isNumeric = (v: unknown) => Number.parseFloat(v as string).toString() !== "NaN";
const isDate = (v: unknown): v is string => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v);
const isDecimal = (v: unknown): v is string | number =>
  (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v)) || (typeof v === "number" && Number.isFinite(v));

/** `S72.001` → `S72001`; ICD-10 codes compare by their letter-digit prefix. */
const icdKey = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, "");

/** A range's two ends as keys, read once per range text (rule sets name a few hundred at most). */
const rangeEnds = new BoundedCache<string, readonly [string, string]>(10_000);

/** True when the code whose key is `key` falls in `range`: by prefix, inclusive. */
function keyInRange(key: string, range: string): boolean {
  let ends = rangeEnds.get(range);
  if (!ends) {
    const [lo = "", hi = lo] = range.split(/[-–]/).map(icdKey);
    ends = rangeEnds.set(range, [lo, hi]);
  }
  const [lo, hi] = ends;
  return key.slice(0, lo.length) >= lo && key.slice(0, hi.length) <= hi;
}

/** True when `code` falls in `range` ("S00-T14", "R10", "K92.0-K92.2"): by prefix, inclusive. */
export function icd10InRange(code: string, range: string): boolean {
  return keyInRange(icdKey(code), range);
}

/** Re-exported for the operator tests: the helper itself lives in regions.ts. */
export { regionWithin } from "./regions.ts";

export const BUILTIN_OPERATORS = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  in: (a, b) => Array.isArray(b) && b.indexOf(a) > -1,
  notIn: (a, b) => Array.isArray(b) && b.indexOf(a) === -1,
  contains: (a, b) => Array.isArray(a) && a.indexOf(b) > -1,
  doesNotContain: (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
  lessThan: (a, b) => isNumeric(a) && (a as number) < (b as number),
  lessThanInclusive: (a, b) => isNumeric(a) && (a as number) <= (b as number),
  greaterThan: (a, b) => isNumeric(a) && (a as number) > (b as number),
  greaterThanInclusive: (a, b) => isNumeric(a) && (a as number) >= (b as number),
} satisfies Record<string, OperatorFn>;

const decimalCompare = (a: unknown, b: unknown) =>
  isDecimal(a) && isDecimal(b) ? new Decimal(a).comparedTo(new Decimal(b)) : Number.NaN;

export const CUSTOM_OPERATORS = {
  /** ISO dates compare as strings; a missing date never compares. */
  dateBefore: (a, b) => isDate(a) && isDate(b) && a < b,
  dateOnOrBefore: (a, b) => isDate(a) && isDate(b) && a <= b,
  dateAfter: (a, b) => isDate(a) && isDate(b) && a > b,
  dateOnOrAfter: (a, b) => isDate(a) && isDate(b) && a >= b,
  /** Some of the fact's ICD-10 codes fall within one of the ranges. */
  icd10In: (a, b) =>
    Array.isArray(a) &&
    Array.isArray(b) &&
    a.some((code) => {
      if (typeof code !== "string") return false;
      const key = icdKey(code); // once per code, not per range
      return b.some((r) => typeof r === "string" && keyInRange(key, r));
    }),
  /** Hospital level at or above the given level (3A ≥ 3 ≥ 2 ≥ 1 ≥ unrated). */
  levelAtLeast: (a, b) =>
    typeof a === "string" &&
    typeof b === "string" &&
    a in HOSPITAL_LEVEL_RANK &&
    b in HOSPITAL_LEVEL_RANK &&
    (HOSPITAL_LEVEL_RANK[a] ?? 0) >= (HOSPITAL_LEVEL_RANK[b] ?? 0),
  /** Hospital level strictly above the given level (a referral "to a higher level": 3 is above 2, 3A above 3). */
  levelAbove: (a, b) =>
    typeof a === "string" &&
    typeof b === "string" &&
    a in HOSPITAL_LEVEL_RANK &&
    b in HOSPITAL_LEVEL_RANK &&
    (HOSPITAL_LEVEL_RANK[a] ?? 0) > (HOSPITAL_LEVEL_RANK[b] ?? 0),
  /** Region code within the given region (prefix by administrative level). */
  inRegion: (a, b) => typeof a === "string" && typeof b === "string" && regionWithin(a, b),
  notInRegion: (a, b) => typeof a === "string" && typeof b === "string" && !regionWithin(a, b),
  /** The list fact shares at least one element with the value list. */
  containsAny: (a, b) => Array.isArray(a) && Array.isArray(b) && b.some((x) => a.indexOf(x) > -1),
  /** The list fact has at least one element. */
  notEmpty: (a) => Array.isArray(a) && a.length > 0,
  /** Exact decimal comparisons (money as decimal strings). */
  decimalLessThan: (a, b) => decimalCompare(a, b) < 0,
  decimalAtMost: (a, b) => decimalCompare(a, b) <= 0,
  decimalGreaterThan: (a, b) => decimalCompare(a, b) > 0,
  decimalAtLeast: (a, b) => decimalCompare(a, b) >= 0,
  decimalEqual: (a, b) => decimalCompare(a, b) === 0,
} satisfies Record<string, OperatorFn>;

export const OPERATORS: Record<string, OperatorFn> = { ...BUILTIN_OPERATORS, ...CUSTOM_OPERATORS };
export type OperatorName = keyof typeof BUILTIN_OPERATORS | keyof typeof CUSTOM_OPERATORS;
export const OPERATOR_NAMES = Object.keys(OPERATORS) as [OperatorName, ...OperatorName[]];

/** Operators that take no value. */
export const UNARY_OPERATORS: ReadonlySet<string> = new Set(["notEmpty"]);
