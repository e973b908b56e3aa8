import { ageOn, lastDayOf } from "./dates.ts";
import type { Facts } from "./facts.ts";
import { CUSTOM_OPERATORS } from "./operators.ts";
import type { Policy } from "./policy.ts";
import type { Case } from "./schema/case.ts";
import type { Category } from "./vocabulary.ts";

/** Derived facts whose absence is really the absence of a case field. */
export const DERIVED_FROM: Readonly<Record<string, string>> = {
  "filing.crossProvince": "filing.destination.region",
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
    "filing.category": requestCategory(c),
    "filing.destination.region": dest?.region,
    "filing.destination.hospital.level": dest?.hospital?.level,
    "filing.destination.hospital.networked": dest?.hospital?.networked,
    "filing.crossProvince": dest ? dest.region.slice(0, 2) !== c.insured.region.slice(0, 2) : undefined,
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
