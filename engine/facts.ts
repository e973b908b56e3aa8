import {
  CARD_STATUSES,
  CATEGORIES,
  CHANNELS,
  EMERGENCY_INDICATORS,
  EMERGENCY_SETTINGS,
  HOSPITAL_LEVELS,
  KINDS,
  MATERIALS,
  SCHEMES,
  STATUSES,
} from "./vocabulary.ts";

type FactType =
  | { type: "enum"; ids: readonly string[] }
  | { type: "enum-list"; ids: readonly string[] }
  | { type: "boolean" }
  | { type: "number" }
  | { type: "date" }
  | { type: "region" }
  | { type: "string-list" };

/**
 * Every fact a condition may name. Facts are the case's own field paths, plus a few the
 * engine derives (marked `derived`), so an officer reads `insured.scheme` as the case field.
 */
export const FACTS = {
  asOf: { type: "date", doc: "application date" },
  kind: { type: "enum", ids: KINDS.ids, doc: "request kind" },
  "applicant.sex": { type: "enum", ids: ["male", "female"], doc: "derived from the ID number" },
  "applicant.birthDate": { type: "date", doc: "derived from the ID number" },
  "applicant.age": { type: "number", doc: "derived: completed years of age on asOf" },
  "insured.region": { type: "region", doc: "insured place (参保地)" },
  "insured.scheme": { type: "enum", ids: SCHEMES.ids, doc: "scheme (险种)" },
  "insured.status": { type: "enum", ids: STATUSES.ids, doc: "in service or retired" },
  "insured.cardStatus": { type: "enum", ids: CARD_STATUSES.ids, doc: "social security card status" },
  "insured.inBenefitPeriod": { type: "boolean", doc: "within the benefit period (待遇期)" },
  "insured.provinceLevel": {
    type: "boolean",
    doc: "derived: the insured region is a province-level code (xx0000, not Beijing, Tianjin, Shanghai or Chongqing), so the pooling area within the province cannot be told",
  },
  "filing.category": { type: "enum", ids: CATEGORIES.ids, doc: "category (人员类别)" },
  "filing.destination.region": { type: "region", doc: "treatment place (就医地)" },
  "filing.destination.hospital.level": { type: "enum", ids: HOSPITAL_LEVELS.ids, doc: "hospital level" },
  "filing.destination.hospital.networked": { type: "boolean", doc: "networked (联网) hospital" },
  "filing.crossProvince": { type: "boolean", doc: "derived: destination in another province" },
  "filing.sameCity": {
    type: "boolean",
    doc: "derived: destination inside the insured person's own pooling area — same first 4 digits (2 for Beijing, Tianjin, Shanghai, Chongqing); for a province-level insured code only the same code",
  },
  "filing.hukouMoved": { type: "boolean", doc: "household registration moved to the destination" },
  "filing.residenceYears": { type: "number", doc: "years living at the destination" },
  "filing.dispatchYears": { type: "number", doc: "length of the employer's posting, years" },
  "filing.referral.issuerLevel": {
    type: "enum",
    ids: HOSPITAL_LEVELS.ids,
    doc: "level of the referring hospital",
  },
  "filing.referral.issuerRegion": { type: "region", doc: "region of the referring hospital" },
  "filing.emergency.setting": { type: "enum", ids: EMERGENCY_SETTINGS.ids, doc: "inpatient or outpatient" },
  "filing.emergency.diagnoses": { type: "string-list", doc: "ICD-10 codes" },
  "filing.emergency.indicators": {
    type: "enum-list",
    ids: EMERGENCY_INDICATORS.ids,
    doc: "emergency indicators",
  },
  "filing.emergency.cardSettled": { type: "boolean", doc: "already settled by card at the hospital" },
  "filing.emergency.criteriaMet": {
    type: "enum-list",
    ids: EMERGENCY_INDICATORS.ids,
    doc: "derived: emergency criteria of the rule set that the diagnoses or indicators meet",
  },
  "filing.materials": { type: "enum-list", ids: MATERIALS.ids, doc: "materials handed in" },
  "filing.channel": { type: "enum", ids: CHANNELS.ids, doc: "channel" },
  "filing.agent": { type: "boolean", doc: "filed by an agent (代办)" },
  "filing.specialReason": { type: "boolean", doc: "a documented special reason" },
  "previous.category": { type: "enum", ids: CATEGORIES.ids, doc: "category of the filing acted on" },
  "previous.approvedOn": { type: "date", doc: "approval date of the filing acted on" },
  "previous.validUntil": { type: "date", doc: "last valid day of the filing acted on" },
  "previous.extensions": { type: "number", doc: "extensions already granted" },
  "previous.changeLockedUntil": {
    type: "date",
    doc: "derived: last day of the change lock of the filing acted on (null: no lock)",
  },
} as const satisfies Record<string, FactType & { doc: string }>;

export type FactName = keyof typeof FACTS;
export const FACT_NAMES = Object.keys(FACTS) as [FactName, ...FactName[]];

/** Facts the engine computes; never reported as a missing field. */
export const DERIVED_FACTS: ReadonlySet<string> = new Set([
  "applicant.age",
  "applicant.sex",
  "applicant.birthDate",
  "filing.crossProvince",
  "filing.sameCity",
  "insured.provinceLevel",
  "filing.emergency.criteriaMet",
  "previous.changeLockedUntil",
  "asOf",
  "kind",
]);

export type Facts = Partial<Record<FactName, unknown>>;

/** Facts that may be null as well as missing: `null` is then a meaningful value for `equal` / `notEqual`. */
export const NULLABLE_FACTS: ReadonlySet<string> = new Set(["previous.changeLockedUntil"]);
