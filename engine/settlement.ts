import { differenceInCalendarDays } from "date-fns";
import { Decimal } from "decimal.js";
import type { Policy, Sourced } from "./policy.ts";
import type { Case } from "./schema/case.ts";
import type { BenefitAdjustment, BenefitTable, Citation } from "./schema/rule-set.ts";
import type { Category, SettlementMode } from "./vocabulary.ts";

/** Money is exact: decimal.js throughout, rounded once, half-up to 0.01 yuan, printed with 2 places. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
const ZERO = new D(0);
const yuan = (d: Decimal) => d.toFixed(2);
const round = (d: Decimal) => d.toDecimalPlaces(2, D.ROUND_HALF_UP);
export const ROUNDING =
  "half-up to 0.01 yuan (四舍五入到分), applied to the fund payment and to any pay-first share";

export type BenefitLine = { id: string; label: string; amount: string; explain: string; citation?: Citation };

export type Benefits = {
  table: { ruleSet: string; key: string; scheme: string; level: string };
  provenance: "official" | "illustrative";
  days: number;
  totalCost: string;
  selfPayCost: string;
  partialSelfPayCost: string;
  eligibleCost: string;
  payFirst: string;
  deductible: string;
  ratio: string;
  annualCap: string;
  capRemaining: string;
  fundPay: string;
  personalPay: string;
  seriousIllnessCap: string | null;
  rounding: string;
  lines: BenefitLine[];
};

export type SettlementProblem = { path: (string | number)[]; message: string };

/** The benefit table for a scheme and status, most specific rule set first. */
export function tableFor(policy: Policy, c: Case): Sourced<BenefitTable> | undefined {
  const status = c.insured.status;
  const matches = policy.benefits.filter(
    (t) =>
      t.scheme === c.insured.scheme && (!t.statuses || (status !== undefined && t.statuses.includes(status))),
  );
  return matches.at(-1);
}

/**
 * Computes an inpatient settlement (domain.md §5):
 * eligible = total − selfPay − partialSelfPay; payFirst = eligible × share (adjustment);
 * deductible = min(eligible − payFirst, table deductible); ratio = table ratio − points;
 * fundPay = min((eligible − payFirst − deductible) × ratio, annual cap − fund paid this year),
 * rounded half-up to 0.01; personalPay = total − fundPay. Mode `none` pays nothing.
 */
export function computeSettlement(
  c: Case,
  policy: Policy,
  category: Category | undefined,
  crossProvince: boolean | undefined,
  mode: SettlementMode | null,
):
  | { ok: true; benefits: Benefits; adjustments: Sourced<BenefitAdjustment>[] }
  | { ok: false; problem: SettlementProblem } {
  const s = c.settlement;
  if (!s)
    return { ok: false, problem: { path: ["settlement"], message: "a settlement request needs the bill" } };
  const table = tableFor(policy, c);
  if (!table) {
    return {
      ok: false,
      problem: {
        path: ["insured", "scheme"],
        message: `no benefit table for scheme ${c.insured.scheme}${c.insured.status ? ` (${c.insured.status})` : ""} in ${policy.chain.at(-1)?.id}`,
      },
    };
  }
  const row = table.levels[s.hospitalLevel];
  if (!row) {
    const known = Object.keys(table.levels).join(", ");
    return {
      ok: false,
      problem: {
        path: ["settlement", "hospitalLevel"],
        message: `benefit table ${table.key} of ${table.origin} has no hospital level ${s.hospitalLevel} (it has ${known})`,
      },
    };
  }
  const total = new D(s.totalCost);
  const selfPay = new D(s.selfPayCost);
  const partial = new D(s.partialSelfPayCost);
  if (selfPay.plus(partial).gt(total)) {
    return {
      ok: false,
      problem: {
        path: ["settlement", "selfPayCost"],
        message: `self-pay (${s.selfPayCost}) and partial self-pay (${s.partialSelfPayCost}) exceed the total cost (${s.totalCost})`,
      },
    };
  }
  const adjustments = policy.benefitAdjustments.filter(
    (a) =>
      (a.categories === undefined || (category !== undefined && a.categories.includes(category))) &&
      (a.crossProvince === undefined || a.crossProvince === crossProvince),
  );
  const eligible = total.minus(selfPay).minus(partial);
  const share = adjustments.reduce((acc, a) => (a.payFirstShare ? acc.plus(a.payFirstShare) : acc), ZERO);
  const payFirst = round(Decimal.min(eligible, eligible.times(share)));
  const afterFirst = eligible.minus(payFirst);
  const deductible = Decimal.min(afterFirst, new D(row.deductible));
  const points = adjustments.reduce((acc, a) => (a.ratioPoints ? acc.plus(a.ratioPoints) : acc), ZERO);
  const ratio = Decimal.max(ZERO, new D(row.ratio).minus(points.div(100)));
  const cap = new D(table.annualCap);
  const paid = new D(s.yearToDate?.fundPaid ?? "0");
  const capRemaining = Decimal.max(ZERO, cap.minus(paid));
  const byRatio = afterFirst.minus(deductible).times(ratio);
  const fundPay = mode === "none" ? ZERO : round(Decimal.min(byRatio, capRemaining));
  const personalPay = total.minus(fundPay);
  const days = Math.max(1, differenceInCalendarDays(new Date(s.discharge), new Date(s.admission)));
  const cite = table.citation;
  const lines: BenefitLine[] = [
    {
      id: "fund.basic",
      label: "基本医疗保险统筹基金",
      amount: yuan(fundPay),
      explain:
        mode === "none"
          ? "未备案异地就医，医保基金不予支付"
          : `(${yuan(afterFirst)} − 起付 ${yuan(deductible)}) × ${ratio.toFixed(Math.max(2, ratio.decimalPlaces()))} = ${byRatio.toFixed(4)}` +
            `${byRatio.gt(capRemaining) ? `，超过本年度剩余限额 ${yuan(capRemaining)}，按限额支付` : ""}` +
            `，四舍五入到分 = ${yuan(fundPay)}`,
      citation: cite,
    },
    {
      id: "personal.cash",
      label: "个人现金支付",
      amount: yuan(personalPay),
      explain: `总费用 ${yuan(total)} − 基金支付 ${yuan(fundPay)}`,
    },
  ];
  return {
    ok: true,
    adjustments,
    benefits: {
      table: { ruleSet: table.origin, key: table.key, scheme: table.scheme, level: s.hospitalLevel },
      provenance:
        table.provenance === "illustrative" || adjustments.some((a) => a.provenance === "illustrative")
          ? "illustrative"
          : "official",
      days,
      totalCost: yuan(total),
      selfPayCost: yuan(selfPay),
      partialSelfPayCost: yuan(partial),
      eligibleCost: yuan(eligible),
      payFirst: yuan(payFirst),
      deductible: yuan(deductible),
      ratio: ratio.toFixed(Math.max(2, ratio.decimalPlaces())),
      annualCap: yuan(cap),
      capRemaining: yuan(capRemaining),
      fundPay: yuan(fundPay),
      personalPay: yuan(personalPay),
      seriousIllnessCap: table.seriousIllnessCap ?? null,
      rounding: ROUNDING,
      lines,
    },
  };
}
