import { ageOn, lastDayOf } from "./dates.ts";
import type { Facts } from "./facts.ts";
import { CUSTOM_OPERATORS } from "./operators.ts";
import type { Policy } from "./policy.ts";
import { crossProvince } from "./regions.ts";
import type { Case } from "./schema/case.ts";
import type { Category } from "./vocabulary.ts";

/** Derived facts whose absence is really the absence of a case field. */
export const DERIVED_FROM: Readonly<Record<string, string>> = {
  "filing.crossProvince": "filing.destination.region",
  "filing.sameCity": "filing.destination.region",
  "filing.emergency.criteriaMet": "filing.emergency.diagnoses",
};

/** The category a request is about: the one asked for, or the filing acted on. */
export function requestCategory(c: Case): Category | undefined {
  return c.filing.category ?? c.previous?.category;
}

/** Validity entry for a category (or the rule set's default). */
export function validityFor(policy: Policy, category: Category | undefined) {
  return (category && policy.validity.get(category)) || policy.validity.get("default");
}

/**
 * The facts a case gives the rules: its own fields under their paths, and the derived facts
 * (age on asOf, cross-province, emergency criteria met, the previous filing's change lock).
 */
export function caseFacts(c: Case, policy: Policy): Facts {
  const f = c.filing;
  const dest = f.destination;
  const em = f.emergency;
  const prev = c.previous;
  const facts: Facts = {
    asOf: c.asOf,
    kind: c.kind,
    "applicant.sex": c.applicant.sex,
    "applicant.birthDate": c.applicant.birthDate,
    "applicant.age": ageOn(c.applicant.birthDate, c.asOf),
    "insured.region": c.insured.region,
    "insured.scheme": c.insured.scheme,
    "insured.status": c.insured.status,
    "insured.cardStatus": c.insured.cardStatus,
    "insured.inBenefitPeriod": c.insured.inBenefitPeriod,
    "insured.provinceLevel": provinceLevel(c.insured.region),
    "filing.category": requestCategory(c),
    "filing.destination.region": dest?.region,
    "filing.destination.hospital.level": dest?.hospital?.level,
    "filing.destination.hospital.networked": dest?.hospital?.networked,
    "filing.crossProvince": dest ? crossProvince(c.insured.region, dest.region) : undefined,
    "filing.sameCity": dest ? sameCity(c.insured.region, dest.region) : undefined,
    "filing.hukouMoved": f.hukouMoved,
    "filing.residenceYears": f.residenceYears,
    "filing.dispatchYears": f.dispatchYears,
    "filing.referral.issuerLevel": f.referral?.issuerLevel,
    "filing.referral.issuerRegion": f.referral?.issuerRegion,
    "filing.emergency.setting": em?.setting,
    "filing.emergency.diagnoses": em?.diagnoses,
    "filing.emergency.indicators": em?.indicators,
    "filing.emergency.cardSettled": em?.cardSettled,
    "filing.emergency.criteriaMet": criteriaMet(policy, em?.diagnoses, em?.indicators),
    "filing.materials": f.materials,
    "filing.channel": f.channel,
    "filing.agent": f.agent,
    "filing.specialReason": f.specialReason,
    "previous.category": prev?.category,
    "previous.approvedOn": prev?.approvedOn,
    "previous.validUntil": prev?.validUntil ?? undefined,
    "previous.extensions": prev?.extensions,
    "previous.changeLockedUntil": prev
      ? changeLockedUntil(policy, prev.category, prev.approvedOn)
      : undefined,
  };
  return facts;
}

/** Beijing, Tianjin, Shanghai, Chongqing: the province-level code is the city (domain.md §7.1). */
const MUNICIPALITIES: ReadonlySet<string> = new Set(["11", "12", "31", "50"]);

/**
 * The insured region is a province-level code (`xx0000`) of a province, not of a municipality:
 * the person's pooling area (city) within the province cannot be told from it.
 */
export function provinceLevel(insured: string): boolean {
  return insured !== "000000" && insured.endsWith("0000") && !MUNICIPALITIES.has(insured.slice(0, 2));
}

/**
 * The destination lies inside the insured person's own pooling area, so the care is not
 * off-site (异地) at all (domain.md §7.1): the same city (first 4 digits), the same
 * municipality (first 2 digits for 11, 12, 31, 50); for a province-level insured code, where the
 * pooling area cannot be told, only the very same code.
 *
 * @example sameCity("510402", "510411") // true: both in Panzhihua
 * @example sameCity("110105", "110108") // true: both in Beijing
 * @example sameCity("360000", "360100") // false: Jiangxi province level, Nanchang
 */
export function sameCity(insured: string, destination: string): boolean {
  if (MUNICIPALITIES.has(insured.slice(0, 2))) return destination.slice(0, 2) === insured.slice(0, 2);
  if (provinceLevel(insured)) return destination === insured;
  return destination.slice(0, 4) === insured.slice(0, 4);
}

/** Last day of the change lock that began at `approvedOn`, or null when the category has none. */
export function changeLockedUntil(policy: Policy, category: Category, approvedOn: string): string | null {
  const lock = validityFor(policy, category)?.changeLock;
  return lock ? lastDayOf(approvedOn, lock) : null;
}

/** The emergency criteria (by id) that the diagnoses or indicators meet; undefined when neither is given. */
function criteriaMet(policy: Policy, diagnoses?: string[], indicators?: string[]): string[] | undefined {
  if (diagnoses === undefined && indicators === undefined) return undefined;
  const met: string[] = [];
  for (const c of policy.emergencyCriteria) {
    if (indicators?.includes(c.key) || (diagnoses && CUSTOM_OPERATORS.icd10In(diagnoses, c.icd10)))
      met.push(c.key);
  }
  return met;
}
