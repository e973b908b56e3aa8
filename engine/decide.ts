import { caseFacts, DERIVED_FROM, requestCategory, validityFor } from "./case-facts.ts";
import { type ConditionTrace, type TriState, unknownFacts } from "./conditions.ts";
import { addPeriod, lastDayOf } from "./dates.ts";
import { DERIVED_FACTS, type Facts } from "./facts.ts";
import { type EvalRule, inScope, type OlderOverride, type Policy } from "./policy.ts";
import type { Case } from "./schema/case.ts";
import type { Decision, MissingMaterial, Reason, TraceEntry, Warning } from "./schema/decision.ts";
import type { Citation } from "./schema/rule-set.ts";
import { type Benefits, computeSettlement } from "./settlement.ts";
import { CATEGORIES, type Category, type Outcome, type SettlementMode } from "./vocabulary.ts";
import { beyondCalendar, CALENDAR_YEARS, nthWorkingDayAfter } from "./working-days.ts";

/** How a rule's condition trees are evaluated: compiled functions, or json-rules-engine (reference). */
export type Evaluator = {
  when(rule: EvalRule, facts: Facts): ConditionTrace;
  conditions(rule: EvalRule, facts: Facts): ConditionTrace;
};

/** Input the rules cannot settle (no table for the scheme, a level the table lacks): refused, not decided. */
export class InputProblem extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

export const compiledEvaluator: Evaluator = {
  when: (rule, facts) => (rule.whenFn as NonNullable<EvalRule["whenFn"]>)(facts),
  conditions: (rule, facts) => rule.conditionsFn(facts),
};

type Lookup = { origin: string; citation: Citation };
const lookupTrace = (type: TraceEntry["type"], rule: string, l: Lookup, detail: unknown): TraceEntry => ({
  rule,
  type,
  ruleSet: l.origin,
  result: true,
  detail,
  citation: l.citation,
});

/**
 * Decides one validated case under a compiled policy: every rule in scope is evaluated (none
 * short-circuits another), so the decision lists every failed condition and every missing
 * material at once, with a trace of each rule.
 *
 * @example decide(caseSchema.parse(input), compilePolicy(resolveChain(library, "510402", "2017-06-01").chain))
 */
export function decide(c: Case, policy: Policy, evaluator: Evaluator = compiledEvaluator): Decision {
  const facts = caseFacts(c, policy);
  const category = requestCategory(c);
  const kind = c.kind;
  const reasons: Reason[] = [];
  const missingMaterials: MissingMaterial[] = [];
  const missingFields = new Set<string>();
  const warnings: Warning[] = [];
  const trace: TraceEntry[] = [];
  let rejected = false;
  let manual = false;
  let benefits: Benefits | undefined;

  const cat = category && policy.categories.get(category);
  if (category && cat) {
    trace.push(lookupTrace("category", `category.${category}`, cat, { available: true }));
  } else if (category) {
    rejected = true;
    const last = policy.chain[policy.chain.length - 1];
    const message = `${CATEGORIES.labels[category].zh}不在本地区备案人员范围内`;
    const citation = { document: last?.sources[0]?.document ?? "", clause: "备案人员范围" };
    reasons.push({ code: "category.unavailable", effect: "reject", message, citation, ruleSet: policy.key });
    trace.push({
      rule: `category.${category}`,
      type: "category",
      ruleSet: `${last?.id}@${last?.version}`,
      result: false,
    });
  }

  const categoryOffered = !category || cat !== undefined;
  for (const rule of policy.rulesFor(kind, category)) {
    // Materials of a category the region does not offer would only mislead the applicant.
    if (rule.type === "material" && !categoryOffered) continue;
    let when: ConditionTrace | undefined;
    if (rule.whenFn) {
      when = evaluator.when(rule, facts);
      if (when.result === false) {
        trace.push({
          rule: rule.id,
          type: rule.type,
          ruleSet: rule.origin,
          result: true,
          effect: "not_applicable",
          when,
        });
        continue;
      }
    }
    const conditions = evaluator.conditions(rule, facts);
    const result: TriState =
      when?.result === "unknown" && conditions.result === true ? true : conditions.result;
    const effect = result === true ? "pass" : result === "unknown" ? "unknown" : rule.onFail;
    const { id, type, origin: ruleSet, citation } = rule;
    // Plain literals, no `...(when && { when })` or `{ ...base }`: a spread copies per rule, per case.
    trace.push(
      when
        ? { rule: id, type, ruleSet, result, effect, when, conditions, citation }
        : { rule: id, type, ruleSet, result, effect, conditions, citation },
    );
    if (result === true) {
      if (rule.passMessage)
        reasons.push({ code: id, citation, ruleSet, effect: "pass", message: rule.passMessage });
      continue;
    }
    if (rule.type === "material") {
      const m = rule.material;
      if (m) {
        const label = rule.label ?? "";
        missingMaterials.push(
          "id" in m
            ? { id: m.id, label, citation, requirement: id }
            : { anyOf: m.anyOf, label, citation, requirement: id },
        );
      }
      continue;
    }
    if (result === "unknown") {
      const fields = [...unknownFacts(conditions), ...(when ? unknownFacts(when) : [])]
        .map((f) => DERIVED_FROM[f] ?? f)
        .filter((f) => !DERIVED_FACTS.has(f));
      for (const f of fields) missingFields.add(f);
      reasons.push({
        code: id,
        citation,
        ruleSet,
        effect: "unknown",
        message: `无法判定（缺少：${fields.join("、")}）：${rule.message}`,
      });
      continue;
    }
    if (rule.onFail === "warn") {
      warnings.push({ code: rule.id, message: rule.message, citation: rule.citation });
    } else {
      const failEffect = rule.onFail === "reject" ? "reject" : "manual_review";
      if (failEffect === "reject") rejected = true;
      else manual = true;
      reasons.push({ code: id, citation, ruleSet, effect: failEffect, message: rule.message });
    }
  }

  if (kind === "extend") {
    const v = validityFor(policy, category);
    const ok = Boolean(v?.extension);
    trace.push({
      rule: "validity.extension",
      type: "validity",
      ruleSet: v?.origin ?? policy.key,
      result: ok,
      effect: ok ? "pass" : "reject",
      detail: { extension: v?.extension ?? null },
      ...(v && { citation: v.citation }),
    });
    if (!ok) {
      rejected = true;
      reasons.push({
        code: "validity.extension",
        effect: "reject",
        message: `${category ? CATEGORIES.labels[category].zh : "该"}备案无延期规定`,
        citation: v?.citation ?? { document: policy.chain[0]?.sources[0]?.document ?? "", clause: "有效期" },
        ruleSet: v?.origin ?? policy.key,
      });
    }
  }
  if (kind === "filing" || kind === "change") checkForm(c, policy, missingFields, trace);

  if (kind === "settlement") {
    const s = settle(c, policy, category, facts, trace, warnings, reasons);
    rejected ||= s.rejected;
    benefits = s.benefits;
  }

  const outcome: Outcome = rejected
    ? "rejected"
    : missingMaterials.length || missingFields.size
      ? "incomplete"
      : manual
        ? "manual_review"
        : "approved";

  const validity =
    outcome === "approved" && kind !== "settlement"
      ? grantValidity(c, policy, category, trace, warnings)
      : null;
  const settlementMode = settlementModeFor(c, policy, category, outcome, facts, trace, warnings);
  const processing = processingFor(c, policy, category, trace, warnings);

  for (const a of policy.advice) {
    if (inScope(a.scope, kind, category)) {
      warnings.push({ code: `advice.${a.key}`, message: a.message, citation: a.citation });
      trace.push(lookupTrace("advice", `advice.${a.key}`, a, { message: a.message }));
    }
  }
  const older = policy.olderOverrides.size ? olderOverrideWarning(policy, trace) : undefined;
  if (older) warnings.push(older);
  for (const s of policy.secondarySources) {
    warnings.push({
      code: "source.secondary",
      message: `${s.ruleSet} 依据二手摘要（${s.document}），以正式文本为准`,
    });
  }

  const decision: Decision = {
    caseId: c.id,
    outcome,
    kind,
    category: category ?? null,
    asOf: c.asOf,
    ruleSets: policy.chain.map((rs) => ({ id: rs.id, version: rs.version, hash: rs.hash })),
    reasons,
    missingMaterials,
    missingFields: [...missingFields],
    validity,
    settlementMode,
    processing,
    warnings,
    trace,
  };
  // A settlement's benefits go before the warnings. Object spreads are slow on this path, so
  // only settlements take one (the rules loop above builds its objects as plain literals too).
  if (benefits) {
    const { warnings: w, trace: t, ...head } = decision;
    return { ...head, benefits, warnings: w, trace: t };
  }
  return decision;
}

/** A settlement (结算单): the insured place's table applied to the bill, with the filing's settlement mode. */
function settle(
  c: Case,
  policy: Policy,
  category: Category | undefined,
  facts: Facts,
  trace: TraceEntry[],
  warnings: Warning[],
  reasons: Reason[],
): { rejected: boolean; benefits: Benefits } {
  const filed = c.settlement?.filed ?? true;
  const mode = settlementModeFor(
    c,
    policy,
    category,
    filed ? "approved" : "rejected",
    facts,
    trace,
    warnings,
  );
  const cross = facts["filing.crossProvince"] as boolean | undefined;
  const r = computeSettlement(c, policy, category, cross, mode);
  if (!r.ok) throw new InputProblem(r.problem.path, r.problem.message);
  const b = r.benefits;
  const entry = (category && policy.settlement.get(category)) || policy.settlement.get("default");
  if (mode === "none") {
    reasons.push({
      code: "settlement.unfiled",
      effect: "reject",
      message: "未办理异地就医备案，所发生的医疗费用医保基金不予支付",
      citation: entry?.citation ?? { document: "", clause: "" },
      ruleSet: entry?.origin ?? policy.key,
    });
  } else if (!filed && mode === null) {
    warnings.push({
      code: "settlement.unfiled-silent",
      message: "规则未规定未备案就医的支付方式；按待遇表计算，仅供参考",
    });
  }
  const table = policy.benefits.find((t) => t.key === b.table.key && t.origin === b.table.ruleSet);
  if (table && mode !== "none") {
    reasons.push({
      code: `benefits.${table.key}`,
      effect: "pass",
      message: `按参保地待遇标准结算（${b.table.level} 级医院：起付 ${table.levels[b.table.level as "1"]?.deductible} 元，支付比例 ${b.ratio}，年度限额 ${b.annualCap} 元）`,
      citation: table.citation,
      ruleSet: table.origin,
    });
  }
  if (table) {
    trace.push(
      lookupTrace("benefits", `benefits.${table.key}`, table, {
        level: b.table.level,
        provenance: table.provenance,
      }),
    );
  }
  for (const a of r.adjustments) {
    trace.push(
      lookupTrace("benefits", `benefitAdjustments.${a.key}`, a, {
        ratioPoints: a.ratioPoints ?? null,
        payFirstShare: a.payFirstShare ?? null,
        provenance: a.provenance,
      }),
    );
  }
  if (b.provenance === "illustrative") {
    warnings.push({
      code: "benefits.illustrative",
      message:
        "本结算依据示例性（illustrative）待遇标准，非官方数字，仅供演示；正式结算以参保地公布的标准为准",
    });
  }
  if (b.seriousIllnessCap) {
    warnings.push({
      code: "benefits.serious-illness",
      message: `大病保险（年度限额 ${b.seriousIllnessCap} 元）的起付与比例不在来源中，未计算`,
    });
  }
  return { rejected: mode === "none", benefits: b };
}

/** Required filing-form fields (478号 附件1): when a form is given, every required field must be filled. */
function checkForm(c: Case, policy: Policy, missing: Set<string>, trace: TraceEntry[]): void {
  const form = c.filing.form;
  if (!form) return;
  // A form handed in without a stated channel is a paper form at the window.
  const channel = c.filing.channel ?? "window";
  const dest = c.filing.destination;
  const known: Record<string, unknown> = {
    name: c.applicant.name,
    sex: true,
    idNumber: true,
    ssNumber: true, // the social security number is the resident ID number
    scheme: true,
    category: requestCategory(c),
    registrationType: true,
    insuredPlace: true,
    treatmentPlace: dest?.region,
    destinationProvince: dest?.region,
    destinationCity: dest?.region,
    destinationCounty: dest?.region,
    hospitalName: dest?.hospital?.name,
    hospitalLevel: dest?.hospital?.level,
  };
  for (const ff of policy.formFields) {
    if (ff.channels && !ff.channels.includes(channel)) continue;
    const absent = ff.required.filter((f) => {
      const v = form[f] ?? known[f];
      return v === undefined || v === null || v === "";
    });
    for (const f of absent) missing.add(f);
    trace.push({
      rule: `formFields.${ff.key}`,
      type: "form",
      ruleSet: ff.origin,
      result: absent.length === 0,
      effect: absent.length ? "missing_fields" : "pass",
      detail: { required: ff.required, missing: absent },
      citation: ff.citation,
    });
  }
}

/**
 * One warning for all the entries a decision used that replace a same-named entry of a newer rule
 * set up the chain (see `olderOverrides`), grouped by the regional and the newer rule set.
 */
function olderOverrideWarning(policy: Policy, trace: readonly TraceEntry[]): Warning | undefined {
  const groups = new Map<string, { o: OlderOverride; entries: Set<string> }>();
  for (const t of trace) {
    const o = policy.olderOverrides.get(t.rule);
    if (!o || t.ruleSet !== o.ruleSet) continue;
    const key = `${o.ruleSet} ${o.newer}`;
    const g = groups.get(key) ?? { o, entries: new Set<string>() };
    g.entries.add(o.entry);
    groups.set(key, g);
  }
  if (!groups.size) return undefined;
  const which = [...groups.values()].map(
    ({ o, entries }) =>
      `${o.ruleSet} 的 ${[...entries].join("、")} 取代了 ${o.newer}（${o.newerFrom} 起）的同名规定`,
  );
  return {
    code: "rules.older-override",
    message: `本决定所用的地区规定早于上级的新规定：${which.join("；")}。决定按地区规定作出，请核对地区规定是否已按新规修订`,
  };
}

function grantValidity(
  c: Case,
  policy: Policy,
  category: Category | undefined,
  trace: TraceEntry[],
  warnings: Warning[],
): Decision["validity"] {
  const v = validityFor(policy, category);
  if (c.kind === "revoke") return null;
  if (!v) {
    warnings.push({ code: "validity.silent", message: "本地区规则未规定备案有效期" });
    return null;
  }
  if (c.kind === "extend" && c.previous) {
    const prev = c.previous;
    const until =
      v.extension && prev.validUntil ? addPeriod(prev.validUntil, v.extension) : (prev.validUntil ?? null);
    const validity = {
      from: prev.approvedOn,
      until,
      singleUse: v.singleUse,
      changeLockedUntil: null,
      extensions: prev.extensions + 1,
    };
    trace.push(
      lookupTrace("validity", `validity.${v.key}`, v, { extension: v.extension ?? null, ...validity }),
    );
    return validity;
  }
  const validity = {
    from: c.asOf,
    until: v.duration ? lastDayOf(c.asOf, v.duration) : null,
    singleUse: v.singleUse,
    changeLockedUntil: v.changeLock ? lastDayOf(c.asOf, v.changeLock) : null,
  };
  trace.push(
    lookupTrace("validity", `validity.${v.key}`, v, {
      duration: v.duration,
      changeLock: v.changeLock ?? null,
      ...validity,
    }),
  );
  return validity;
}

function settlementModeFor(
  c: Case,
  policy: Policy,
  category: Category | undefined,
  outcome: Outcome,
  facts: Facts,
  trace: TraceEntry[],
  warnings: Warning[],
): SettlementMode | null {
  if (c.kind === "revoke") return null;
  type Field = "inProvince" | "crossProvince" | "unfiled";
  const specific = category ? policy.settlement.get(category) : undefined;
  const fallback = policy.settlement.get("default");
  // The category's entry decides a field it sets; otherwise the default entry does.
  const lookup = (field: Field) => {
    const entry = specific?.[field] != null ? specific : fallback?.[field] != null ? fallback : undefined;
    return entry && { entry, field, mode: entry[field] as SettlementMode };
  };
  const cross = facts["filing.crossProvince"] as boolean | undefined;
  let found: ReturnType<typeof lookup>;
  if (outcome === "rejected") found = lookup("unfiled");
  else if (cross !== undefined) found = lookup(cross ? "crossProvince" : "inProvince");
  else {
    // No destination given: the mode is known only when in- and cross-province care settle alike.
    const [inside, outside] = [lookup("inProvince"), lookup("crossProvince")];
    found = inside && outside?.mode === inside.mode ? inside : undefined;
  }
  if (!found) {
    if (outcome === "rejected") {
      warnings.push({ code: "settlement.silent", message: "本地区规则未规定未备案就医的医保支付方式" });
    }
    return null;
  }
  const { entry, field, mode } = found;
  trace.push(lookupTrace("settlement", `settlement.${entry.key}`, entry, { scope: field, mode }));
  return mode;
}

function processingFor(
  c: Case,
  policy: Policy,
  category: Category | undefined,
  trace: TraceEntry[],
  warnings: Warning[],
): Decision["processing"] {
  const p = (category && policy.processing.get(category)) || policy.processing.get("default");
  if (!p) return { immediate: false, dueDate: null };
  if (p.workingDays === undefined) {
    trace.push(lookupTrace("processing", `processing.${p.key}`, p, { immediate: true }));
    return { immediate: true, dueDate: null };
  }
  const dueDate = nthWorkingDayAfter(c.asOf, p.workingDays);
  if (beyondCalendar(c.asOf, dueDate)) {
    warnings.push({
      code: "calendar.beyond",
      message: `节假日历仅收录 ${CALENDAR_YEARS.first}–${CALENDAR_YEARS.last} 年的官方安排；超出部分只按周末计算`,
    });
  }
  trace.push(lookupTrace("processing", `processing.${p.key}`, p, { workingDays: p.workingDays, dueDate }));
  return { immediate: false, dueDate, workingDays: p.workingDays };
}
