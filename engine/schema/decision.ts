import { z } from "zod";
import { CATEGORIES, MATERIALS, OUTCOMES, SETTLEMENT_MODES } from "../vocabulary.ts";
import { citationSchema } from "./rule-set.ts";

/** A decision: what the rules answer (`shared/spec/case-format.md`). */

const reason = z.object({
  code: z.string().describe("the rule id"),
  effect: z.enum(["pass", "reject", "manual_review", "unknown"]),
  message: z.string(),
  citation: citationSchema,
  ruleSet: z.string().describe("the rule set (id@version) the rule comes from"),
});

const missingMaterial = z.union([
  z.object({
    id: z.enum(MATERIALS.ids),
    label: z.string(),
    citation: citationSchema,
    requirement: z.string(),
  }),
  z.object({
    anyOf: z.array(z.enum(MATERIALS.ids)),
    label: z.string(),
    citation: citationSchema,
    requirement: z.string(),
  }),
]);

const provenance = z
  .enum(["official", "secondary", "illustrative"])
  .describe("official text; a secondary summary (二手摘要); or illustrative figures (示例)");

const benefitLine = z.object({
  id: z.string(),
  label: z.string(),
  amount: z.string(),
  explain: z.string(),
  citation: citationSchema.optional(),
});

/** The bill as the case gives it, shown on every settlement whether or not the money was computed. */
const bill = {
  days: z.number().int(),
  totalCost: z.string(),
  selfPayCost: z.string(),
  partialSelfPayCost: z.string(),
  eligibleCost: z.string(),
};

/** The money of a settlement, computed from the insured place's benefit table (domain.md §5). */
const calculatedBenefits = z.object({
  calculated: z.literal(true),
  table: z.object({ ruleSet: z.string(), key: z.string(), scheme: z.string(), level: z.string() }),
  provenance,
  ...bill,
  payFirst: z.string(),
  deductible: z.string(),
  ratio: z.string(),
  annualCap: z.string(),
  capRemaining: z.string(),
  fundPay: z.string(),
  personalPay: z.string(),
  seriousIllnessCap: z.string().nullable(),
  rounding: z.string(),
  lines: z.array(benefitLine),
});

/** No benefit table prices this bill (domain.md §7.10): nothing is invented, and it says why. */
const uncalculatedBenefits = z.object({
  calculated: z.literal(false),
  reason: z.string().describe("why the money is not calculated, e.g. the missing table"),
  table: z
    .object({ ruleSet: z.string(), key: z.string(), scheme: z.string(), level: z.string() })
    .nullable()
    .describe("the table found, when it lacks the hospital level"),
  ...bill,
});

export const benefitsSchema = z
  .discriminatedUnion("calculated", [calculatedBenefits, uncalculatedBenefits])
  .describe("kind settlement only; money as decimal strings, 2 places, half-up");

const traceEntry = z.object({
  rule: z.string(),
  type: z.enum([
    "category",
    "eligibility",
    "material",
    "form",
    "validity",
    "settlement",
    "processing",
    "advice",
    "benefits",
  ]),
  ruleSet: z.string(),
  result: z.union([z.boolean(), z.literal("unknown")]),
  effect: z.string().optional(),
  when: z.unknown().optional(),
  conditions: z.unknown().optional(),
  detail: z.unknown().optional(),
  citation: citationSchema.optional(),
});

export const decisionSchema = z.object({
  caseId: z.string(),
  outcome: z.enum(OUTCOMES.ids),
  kind: z.string(),
  category: z.enum(CATEGORIES.ids).nullable(),
  asOf: z.string(),
  ruleSets: z.array(z.object({ id: z.string(), version: z.string(), hash: z.string() })),
  reasons: z.array(reason),
  missingMaterials: z.array(missingMaterial),
  missingFields: z.array(z.string()),
  validity: z
    .object({
      from: z.string(),
      until: z.string().nullable(),
      singleUse: z.boolean(),
      changeLockedUntil: z.string().nullable(),
      extensions: z.number().int().optional(),
    })
    .nullable(),
  settlementMode: z.enum(SETTLEMENT_MODES.ids).nullable(),
  processing: z.object({
    immediate: z.boolean(),
    dueDate: z.string().nullable(),
    workingDays: z.number().optional(),
  }),
  benefits: benefitsSchema
    .optional()
    .describe("kind settlement only; money as decimal strings, 2 places, half-up"),
  warnings: z.array(z.object({ code: z.string(), message: z.string(), citation: citationSchema.optional() })),
  trace: z.array(traceEntry),
});

export type Decision = z.infer<typeof decisionSchema>;
export type Reason = z.infer<typeof reason>;
export type MissingMaterial = z.infer<typeof missingMaterial>;
export type TraceEntry = z.infer<typeof traceEntry>;
export type Warning = Decision["warnings"][number];
export type Benefits = z.infer<typeof benefitsSchema>;
export type CalculatedBenefits = z.infer<typeof calculatedBenefits>;
export type BenefitLine = z.infer<typeof benefitLine>;
