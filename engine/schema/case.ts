import { z } from "zod";
import { idInfo } from "../id-number.ts";
import { CARD_STATUSES, EMERGENCY_SETTINGS, HOSPITAL_LEVELS, SCHEMES, STATUSES } from "../vocabulary.ts";
import { checkCase } from "./case-checks.ts";
import { isoDate, money } from "./common.ts";
import { categoryId, channelId, formFieldId, indicatorId, kindId, materialId } from "./rule-set.ts";

/** A case: one request put to the rules (`shared/spec/case-format.md`). */

const enumOf = <T extends readonly [string, ...string[]]>(ids: T, what: string) =>
  z.enum(ids, { error: (i) => `unknown ${what} ${JSON.stringify(i.input)} (one of: ${ids.join(", ")})` });

const regionCode = z.string({ error: 'a 6-digit region code in quotes, such as "510402"' }).regex(/^\d{6}$/, {
  message: 'a 6-digit GB/T 2260 region code, such as "510402"',
});
/** YAML reads `level: 3` as a number; hospital levels are ids, so 3 is read as "3". */
const hospitalLevel = z.preprocess(
  (v) => (typeof v === "number" ? String(v) : v),
  enumOf(HOSPITAL_LEVELS.ids, "hospital level"),
);
const years = z.number().nonnegative();
const icd10 = z.string().regex(/^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$/, "an ICD-10 code such as S72.001 or R57.1");

/** The fields of a case, before the cross-field checks: for reusing parts (`caseFields.shape.filing`). */
export const caseFields = z.strictObject({
  id: z.string().min(1),
  title: z.string().optional(),
  asOf: isoDate,
  kind: kindId.default("filing"),
  applicant: z.strictObject({
    idNumber: z.string({ error: "the 18-character resident ID number, in quotes" }),
    name: z.string().optional(),
    sex: z.enum(["male", "female"]).optional(),
    birthDate: isoDate.optional(),
  }),
  insured: z.strictObject({
    region: regionCode,
    scheme: enumOf(SCHEMES.ids, "scheme"),
    status: enumOf(STATUSES.ids, "insured status").optional(),
    cardStatus: enumOf(CARD_STATUSES.ids, "card status").default("normal"),
    inBenefitPeriod: z.boolean().default(true),
  }),
  filing: z
    .strictObject({
      category: categoryId.optional(),
      destination: z
        .strictObject({
          region: regionCode,
          hospital: z
            .strictObject({
              name: z.string().optional(),
              level: hospitalLevel.optional(),
              networked: z.boolean().optional(),
            })
            .optional(),
        })
        .optional(),
      hukouMoved: z.boolean().optional(),
      residenceYears: years.optional(),
      dispatchYears: years.optional(),
      referral: z
        .strictObject({ issuerLevel: hospitalLevel.optional(), issuerRegion: regionCode.optional() })
        .optional(),
      emergency: z
        .strictObject({
          setting: enumOf(EMERGENCY_SETTINGS.ids, "emergency setting").optional(),
          diagnoses: z.array(icd10).optional(),
          indicators: z.array(indicatorId).optional(),
          cardSettled: z.boolean().optional(),
        })
        .optional(),
      materials: z.array(materialId).default([]),
      channel: channelId.optional(),
      agent: z.boolean().default(false),
      specialReason: z.boolean().default(false),
      form: z.partialRecord(formFieldId, z.union([z.string(), z.number(), z.null()])).optional(),
    })
    .default({ materials: [], agent: false, specialReason: false }),
  previous: z
    .strictObject({
      category: categoryId,
      approvedOn: isoDate,
      validUntil: isoDate.nullable().optional(),
      extensions: z.number().int().nonnegative().default(0),
    })
    .optional(),
  settlement: z
    .strictObject({
      admission: isoDate,
      discharge: isoDate,
      hospitalLevel: z.preprocess(
        (v) => (typeof v === "number" ? String(v) : v),
        z.enum(["1", "2", "3"], { error: "a hospital level the benefit tables know: 1, 2 or 3" }),
      ),
      filed: z.boolean().default(true),
      totalCost: money,
      selfPayCost: money.default("0.00"),
      partialSelfPayCost: money.default("0.00"),
      yearToDate: z
        .strictObject({ fundPaid: money })
        .optional()
        .describe(
          "the basic fund's payments earlier this year; the deductible is per admission (domain.md §7.12)",
        ),
      // 120号 附件6 slip fields (domain.md §7.15): printed on the slip when given, never decided on.
      admissionMode: z.string().min(1).optional().describe("入院方式, e.g. 门诊、急诊、转院"),
      inpatientNumber: z.string().min(1).optional().describe("住院号"),
      dischargeDepartment: z.string().min(1).optional().describe("出院科室"),
      primaryDiagnosis: z.string().min(1).optional().describe("主要诊断"),
      secondaryDiagnosis: z.string().min(1).optional().describe("次要诊断"),
    })
    .optional(),
  expected: z.record(z.string(), z.unknown()).optional().describe("what the simulator compares"),
});

export const caseSchema = caseFields
  // The cross-field checks run even when the schema found problems, so that one round of
  // validation reports them all (a wrong check digit beside an unknown key, say).
  .superRefine(checkCase, { when: () => true })
  // The refinement has checked the ID number; the case now carries what it encodes, so the
  // engine never parses it again.
  .transform((c) => {
    const { sex, birthDate } = idInfo(c.applicant.idNumber);
    return { ...c, applicant: { ...c.applicant, sex, birthDate } };
  });

/** A case as written (defaults not yet applied). */
export type CaseInput = z.input<typeof caseSchema>;
/** A validated case. */
export type Case = z.output<typeof caseSchema>;
