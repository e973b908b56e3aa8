import { shared } from "../decision-json.ts";
import type { Facts } from "../facts.ts";
import type { Policy } from "../policy.ts";
import type { Case } from "../schema/case.ts";
import type { Benefits, Reason, TraceEntry, Warning } from "../schema/decision.ts";
import { billOf, computeSettlement } from "../settlement.ts";
import type { Category, SettlementMode } from "../vocabulary.ts";
import { lookupTrace, NONE, type Step } from "./step.ts";

// The step's fixed warnings: made once, shared by every decision (engine/decision-json.ts).
const ILLUSTRATIVE = shared<Warning>({
  code: "benefits.illustrative",
  message: "本结算依据示例性（illustrative）待遇标准，非官方数字，仅供演示；正式结算以参保地公布的标准为准",
});
const SECONDARY = shared<Warning>({
  code: "benefits.secondary",
  message: "本结算依据二手摘要的待遇标准（来源：二手摘要），以参保地正式文件为准",
});

/**
 * The money of a settlement (结算单): the insured place's benefit table applied to the bill under
 * the mode already decided. A bill no table prices is still a settlement: `benefits` says the
 * money is not calculated and a warning names the missing table (domain.md §7.10).
 */
export function benefits(
  c: Case,
  policy: Policy,
  category: Category | undefined,
  facts: Facts,
  mode: SettlementMode | null,
): Step<Benefits | undefined> {
  const bill = c.settlement;
  if (!bill) return { value: undefined, reasons: NONE, warnings: NONE, trace: NONE };
  const cross = facts["filing.crossProvince"] as boolean | undefined;
  const r = computeSettlement(c, bill, policy, category, cross, mode);
  if (!r.ok) {
    const { code, message, table } = r.notPriced;
    const value: Benefits = {
      calculated: false,
      reason: message,
      table: table
        ? { ruleSet: table.origin, key: table.key, scheme: table.scheme, level: bill.hospitalLevel }
        : null,
      ...billOf(bill),
    };
    const trace = table
      ? [
          lookupTrace("benefits", `benefits.${table.key}`, table, {
            level: bill.hospitalLevel,
            calculated: false,
          }),
        ]
      : NONE;
    return { value, reasons: NONE, warnings: [{ code, message }], trace };
  }
  const { benefits: b, table, adjustments } = r;
  const reasons: Reason[] = [];
  if (mode !== "none") {
    reasons.push({
      code: `benefits.${table.key}`,
      effect: "pass",
      message: `按参保地待遇标准结算（${b.table.level} 级医院：起付 ${table.levels[bill.hospitalLevel]?.deductible} 元，支付比例 ${b.ratio}，年度限额 ${b.annualCap} 元）`,
      citation: table.citation,
      ruleSet: table.origin,
    });
  }
  const trace: TraceEntry[] = [
    lookupTrace("benefits", `benefits.${table.key}`, table, {
      level: b.table.level,
      provenance: table.provenance,
    }),
  ];
  for (const a of adjustments) {
    trace.push(
      lookupTrace("benefits", `benefitAdjustments.${a.key}`, a, {
        ratioPoints: a.ratioPoints ?? null,
        payFirstShare: a.payFirstShare ?? null,
        provenance: a.provenance,
      }),
    );
  }
  const warnings: Warning[] = [];
  if (b.provenance === "illustrative") {
    warnings.push(ILLUSTRATIVE);
  } else if (b.provenance === "secondary") {
    warnings.push(SECONDARY);
  }
  if (b.seriousIllnessCap) {
    warnings.push({
      code: "benefits.serious-illness",
      message: `大病保险（年度限额 ${b.seriousIllnessCap} 元）的起付与比例不在来源中，未计算`,
    });
  }
  return { value: b, reasons, warnings, trace };
}
