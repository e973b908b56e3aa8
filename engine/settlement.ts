import { differenceInCalendarDays } from "date-fns";
import { Decimal } from "decimal.js";
import type { Policy, Sourced } from "./policy.ts";
import type { Case } from "./schema/case.ts";
import type { BenefitLine, CalculatedBenefits } from "./schema/decision.ts";
import type { BenefitAdjustment, BenefitTable } from "./schema/rule-set.ts";
import { type Category, SCHEMES, type SettlementMode, STATUSES } from "./vocabulary.ts";

/** Money is exact: decimal.js throughout, rounded once, half-up to 0.01 yuan, printed with 2 places. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
const ZERO = new D(0);
const yuan = (d: Decimal) => d.toFixed(2);
const round = (d: Decimal) => d.toDecimalPlaces(2, D.ROUND_HALF_UP);
export const ROUNDING =
  "half-up to 0.01 yuan (四舍五入到分), applied to the fund payment and to any pay-first share";

/**
 * Why a bill was not priced: no benefit table in force for the scheme (and status), or a table
 * without the hospital level. Not bad input: the settlement is still decided (domain.md §7.10).
 */
export type NotPriced = {
  code: "benefits.no-table" | "benefits.no-level" | "benefits.self-pay-above-total";
  message: string;
  table: Sourced<BenefitTable> | undefined;
};

export type Priced = {
  ok: true;
  benefits: CalculatedBenefits;
  table: Sourced<BenefitTable>;
  adjustments: Sourced<BenefitAdjustment>[];
};

type Provenance = CalculatedBenefits["provenance"];
/** A result is only as good as its weakest figure: illustrative, then secondary, then official. */
const weakest = (ps: readonly Provenance[]): Provenance =>
  ps.includes("illustrative") ? "illustrative" : ps.includes("secondary") ? "secondary" : "official";

/** The bill's own figures, shown whether or not it could be priced. */
export function billOf(s: NonNullable<Case["settlement"]>) {
  const total = new D(s.totalCost);
  const selfPay = new D(s.selfPayCost);
  const partial = new D(s.partialSelfPayCost);
  return {
    days: Math.max(1, differenceInCalendarDays(new Date(s.discharge), new Date(s.admission))),
    totalCost: yuan(total),
    selfPayCost: yuan(selfPay),
    partialSelfPayCost: yuan(partial),
    eligibleCost: yuan(Decimal.max(ZERO, total.minus(selfPay).minus(partial))),
  };
}

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
 * rounded half-up to 0.01; personalPay = total − fundPay. Mode `none` pays nothing. A bill no
 * table prices is a result too (`ok: false`, and why), never an exception.
 */
export function computeSettlement(
  c: Case,
  bill: NonNullable<Case["settlement"]>,
  policy: Policy,
  category: Category | undefined,
  crossProvince: boolean | undefined,
  mode: SettlementMode | null,
): Priced | { ok: false; notPriced: NotPriced } {
  const s = bill;
  const table = tableFor(policy, c);
  if (!table) {
    const which = `${SCHEMES.labels[c.insured.scheme].zh}${c.insured.status ? `（${STATUSES.labels[c.insured.status].zh}）` : ""}`;
    const where = policy.chain.map((rs) => `${rs.id}@${rs.version}`).join(" → ");
    return {
      ok: false,
      notPriced: {
        code: "benefits.no-table",
        message: `参保地规则（${where}）在 ${c.asOf} 没有生效的${which}住院待遇表：基金支付未计算`,
        table: undefined,
      },
    };
  }
  const row = table.levels[s.hospitalLevel];
  if (!row) {
    const known = Object.keys(table.levels).join("、");
    return {
      ok: false,
      notPriced: {
        code: "benefits.no-level",
        message: `待遇表 ${table.origin} ${table.key} 没有 ${s.hospitalLevel} 级医院的起付标准与支付比例（只有 ${known} 级）：基金支付未计算`,
        table,
      },
    };
  }
  const total = new D(s.totalCost);
  const selfPay = new D(s.selfPayCost);
  const partial = new D(s.partialSelfPayCost);
  if (selfPay.plus(partial).gt(total)) {
    // Case validation refuses such a bill; should one get here, nothing is invented for it.
    return {
      ok: false,
      notPriced: {
        code: "benefits.self-pay-above-total",
        message: `自费（${s.selfPayCost}）与乙类先行自付（${s.partialSelfPayCost}）之和超过总费用（${s.totalCost}）：基金支付未计算`,
        table,
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
    table,
    adjustments,
    benefits: {
      calculated: true,
      table: { ruleSet: table.origin, key: table.key, scheme: table.scheme, level: s.hospitalLevel },
      provenance: weakest([table.provenance, ...adjustments.map((a) => a.provenance)]),
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
