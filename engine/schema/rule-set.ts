import { z } from "zod";
import { conditionSchema } from "../conditions.ts";
import {
  CATEGORIES,
  CHANNELS,
  EMERGENCY_INDICATORS,
  FORM_FIELDS,
  KINDS,
  MATERIALS,
  SCHEMES,
  SETTLEMENT_MODES,
  STATUSES,
} from "../vocabulary.ts";
import { isoDate, money } from "./common.ts";

/**
 * A rule set: one region's rules at one version, one YAML file under `rules/<region path>/`.
 *
 * Sections (`categories`, `rules`, `materials`, `validity`, `settlement`, `processing`,
 * `formFields`, `emergencyCriteria`, `advice`) are maps keyed by id. A rule set that
 * `extends` a parent layers over it key by key: a key it names replaces the parent's entry
 * whole, a new key adds an entry, and a key set to `null` removes the inherited entry.
 * Nothing is copied from the parent.
 */

const enumOf = <T extends readonly [string, ...string[]]>(ids: T, what: string) =>
  z.enum(ids, { error: (i) => `unknown ${what} ${JSON.stringify(i.input)} (one of: ${ids.join(", ")})` });

export const categoryId = enumOf(CATEGORIES.ids, "category");
export const materialId = enumOf(MATERIALS.ids, "material");
export const kindId = enumOf(KINDS.ids, "request kind");
export const channelId = enumOf(CHANNELS.ids, "channel");
export const settlementModeId = enumOf(SETTLEMENT_MODES.ids, "settlement mode");
export const formFieldId = enumOf(FORM_FIELDS.ids, "form field");
export const indicatorId = enumOf(EMERGENCY_INDICATORS.ids, "emergency indicator");

export const citationSchema = z.strictObject({
  document: z.string().min(1).describe("document number, e.g. 攀医保〔2017〕10号"),
  clause: z.string().min(1).describe("clause, e.g. 四(二)2(1)"),
  note: z.string().optional().describe("how the clause is read, where it needs saying"),
});
export type Citation = z.infer<typeof citationSchema>;

/** ISO 8601 period of whole years, months or days: P2Y, P1M, P6M, P20D. */
export const periodSchema = z
  .string()
  .regex(/^P(?=\d)(\d+Y)?(\d+M)?(\d+D)?$/, "a period such as P1M, P2Y or P6M (ISO 8601)");

const key = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "ids are lower-case letters, digits, '.', '_' and '-'");

/** Which requests an entry applies to. Default: every category, kind `filing`. */
const scope = {
  kinds: z.array(kindId).min(1).optional().describe("request kinds; default [filing]"),
  categories: z.array(categoryId).min(1).optional().describe("categories; default all"),
  when: conditionSchema.optional().describe("further condition for the entry to apply"),
};

export const ruleSchema = z.strictObject({
  ...scope,
  description: z.string().optional(),
  conditions: conditionSchema.describe("what must hold (json-rules-engine condition tree)"),
  onFail: z
    .enum(["reject", "manual_review", "warn"])
    .describe("reject: not eligible; manual_review: a person decides; warn: a warning only"),
  message: z.string().min(1).describe("shown when the conditions do not hold"),
  passMessage: z.string().optional().describe("reason shown when the conditions hold"),
  citation: citationSchema,
});
export type Rule = z.infer<typeof ruleSchema>;

export const materialRequirementSchema = z
  .strictObject({
    ...scope,
    require: materialId.optional().describe("one material"),
    anyOf: z.array(materialId).min(2).optional().describe("any one of these materials"),
    label: z.string().optional().describe("how the requirement is told to the applicant"),
    citation: citationSchema,
  })
  .refine((m) => (m.require === undefined) !== (m.anyOf === undefined), {
    message: "give exactly one of `require` (a material) or `anyOf` (a list of materials)",
  });
export type MaterialRequirement = z.infer<typeof materialRequirementSchema>;

export const validitySchema = z.strictObject({
  duration: periodSchema.nullable().describe("how long a granted filing is valid; null: until changed"),
  extension: periodSchema.nullable().optional().describe("what each approved extension adds; null: none"),
  changeLock: periodSchema.nullable().optional().describe("no change within this period after approval"),
  lockAppliesTo: z
    .array(kindId)
    .optional()
    .describe("request kinds the change lock blocks; default [change]"),
  singleUse: z.boolean().describe("the filing is used up by one settlement"),
  note: z.string().optional(),
  citation: citationSchema,
});
export type Validity = z.infer<typeof validitySchema>;

const settlementModes = {
  inProvince: settlementModeId.nullable().optional(),
  crossProvince: settlementModeId.nullable().optional(),
  unfiled: settlementModeId
    .nullable()
    .optional()
    .describe("care without a filing; null: the rules are silent"),
};

export const settlementSchema = z.strictObject({
  ...settlementModes,
  changes: z
    .array(
      z.strictObject({
        from: isoDate.describe("the first day the modes below apply"),
        ...settlementModes,
        note: z.string().optional(),
        citation: citationSchema,
      }),
    )
    .min(1)
    .optional()
    .describe(
      "modes that change on a date, oldest first (a region deferring to national policy, say); " +
        "each replaces the fields it names from its date on",
    ),
  note: z.string().optional(),
  citation: citationSchema,
});
export type Settlement = z.infer<typeof settlementSchema>;

export const processingSchema = z
  .strictObject({
    immediate: z.boolean().optional(),
    workingDays: z.number().int().positive().optional().describe("due on the Nth working day after asOf"),
    citation: citationSchema,
  })
  .refine((p) => (p.immediate === true) !== (p.workingDays !== undefined), {
    message: "give either `immediate: true` or `workingDays: N`",
  });
export type Processing = z.infer<typeof processingSchema>;

export const formFieldsSchema = z.strictObject({
  channels: z.array(channelId).min(1).optional().describe("channels this form applies to; default all"),
  required: z.array(formFieldId).min(1),
  citation: citationSchema,
});
export type FormFields = z.infer<typeof formFieldsSchema>;

export const emergencyCriterionSchema = z.strictObject({
  icd10: z
    .array(
      z.string().regex(/^[A-Z]\d{2}(\.\d{1,4})?([-–][A-Z]\d{2}(\.\d{1,4})?)?$/, "an ICD-10 code or range"),
    )
    .describe("ICD-10 codes or ranges (S00-T14)"),
  citation: citationSchema,
});

export const adviceSchema = z.strictObject({
  ...scope,
  message: z.string().min(1),
  citation: citationSchema,
});

/** A payment ratio as a decimal string in [0, 1]: "0.85". */
const ratio = z
  .string({ error: 'a ratio is a decimal string such as "0.85"' })
  .regex(/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/, 'a ratio between 0 and 1 as a decimal string, such as "0.85"');

/**
 * A benefit table: the insured place's deductible, payment ratio and annual cap (120号 第二十六条),
 * by scheme (and insured status where the region distinguishes it) and hospital level.
 */
export const benefitTableSchema = z.strictObject({
  scheme: z.enum(SCHEMES.ids, { error: (i) => `unknown scheme ${JSON.stringify(i.input)}` }),
  statuses: z.array(z.enum(STATUSES.ids)).min(1).optional().describe("insured statuses; default both"),
  provenance: z
    .enum(["official", "secondary", "illustrative"])
    .describe(
      "official: an official text read in full; secondary: a secondary summary (二手摘要); " +
        "illustrative: no source at all. The slip and every result say which",
    ),
  levels: z.partialRecord(
    z.enum(["1", "2", "3"], { error: "hospital levels of a benefit table are 1, 2 and 3" }),
    z.strictObject({ deductible: money, ratio }),
  ),
  annualCap: money.describe("basic pooling fund's annual cap (最高支付限额)"),
  seriousIllnessCap: money.optional().describe("serious-illness insurance cap, where known (not computed)"),
  note: z.string().optional(),
  citation: citationSchema,
});
export type BenefitTable = z.infer<typeof benefitTableSchema>;

/** An off-site adjustment: the ratio lowered by N percentage points, or a share the patient pays first. */
export const benefitAdjustmentSchema = z
  .strictObject({
    ...scope,
    kinds: z.array(kindId).optional().describe("ignored: adjustments apply to settlements"),
    crossProvince: z.boolean().optional().describe("only cross-province (true) or in-province (false) care"),
    ratioPoints: z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'percentage points as a decimal string, such as "10"')
      .optional()
      .describe("lower the ratio by this many percentage points"),
    payFirstShare: ratio.optional().describe("the patient first pays this share of the eligible cost"),
    provenance: z.enum(["official", "secondary", "illustrative"]),
    note: z.string().optional(),
    citation: citationSchema,
  })
  .refine((a) => (a.ratioPoints === undefined) !== (a.payFirstShare === undefined), {
    message: "give exactly one of ratioPoints or payFirstShare",
  });
export type BenefitAdjustment = z.infer<typeof benefitAdjustmentSchema>;

export const sourceSchema = z.strictObject({
  document: z.string().min(1),
  title: z.string().min(1),
  issued: isoDate.nullable().describe("issue date; null when the document carries none"),
  status: z.enum(["official", "secondary"]).describe("official text, or a secondary summary of it"),
  seed: z.string().optional().describe("file in shared/seeds/ holding the text"),
  note: z.string().optional(),
});

const section = <T extends z.ZodType>(keys: z.ZodType<string>, entry: T) =>
  z.partialRecord(keys, entry.nullable()).optional();
const byCategory = z.union([categoryId, z.literal("default")]);

export const ruleSetSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z]+(\/[a-z]+)*$/, "a region path such as sichuan/panzhihua"),
    region: z.string().regex(/^\d{6}$/, "a 6-digit GB/T 2260 region code"),
    version: z.string().min(1),
    title: z.string().min(1),
    effective: z.strictObject({ from: isoDate, to: isoDate.nullable().optional() }),
    extends: z
      .string()
      .regex(/^[a-z]+(\/[a-z]+)*(@[^@\s]+)?$/, "a rule-set id, optionally pinned: national@2016-12-13")
      .nullable(),
    sources: z.array(sourceSchema).min(1),
    notes: z.array(z.string()).optional().describe("what the documents leave open, and how it is read"),
    categories: section(
      categoryId,
      z.strictObject({ citation: citationSchema, note: z.string().optional() }),
    ),
    rules: section(key, ruleSchema),
    materials: section(key, materialRequirementSchema),
    validity: section(byCategory, validitySchema),
    settlement: section(byCategory, settlementSchema),
    processing: section(byCategory, processingSchema),
    formFields: section(key, formFieldsSchema),
    emergencyCriteria: section(indicatorId, emergencyCriterionSchema),
    advice: section(key, adviceSchema),
    benefits: section(key, benefitTableSchema),
    benefitAdjustments: section(key, benefitAdjustmentSchema),
  })
  .refine((r) => r.effective.to == null || r.effective.to >= r.effective.from, {
    path: ["effective", "to"],
    message: "effective.to is before effective.from",
  });

export type RuleSet = z.infer<typeof ruleSetSchema>;
export const SECTIONS = [
  "categories",
  "rules",
  "materials",
  "validity",
  "settlement",
  "processing",
  "formFields",
  "emergencyCriteria",
  "advice",
  "benefits",
  "benefitAdjustments",
] as const;
export type SectionName = (typeof SECTIONS)[number];
