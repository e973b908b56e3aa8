import { DERIVED_FROM, requestCategory } from "../case-facts.ts";
import { type ConditionTrace, type TriState, unknownFacts } from "../conditions.ts";
import { DERIVED_FACTS, type Facts } from "../facts.ts";
import { type EvalRule, type OlderOverride, overrideOf, type Policy } from "../policy.ts";
import type { Case } from "../schema/case.ts";
import type { MissingMaterial, Reason, TraceEntry, Warning } from "../schema/decision.ts";
import { CATEGORIES, type Category, fieldLabel, type Outcome } from "../vocabulary.ts";
import { compiledEvaluator, type Evaluator, lookupTrace, NONE, type Step } from "./step.ts";

/** Eligibility and materials: the step's verdict, and everything missing at once (一次性告知). */
export type Eligibility = Step<Outcome> & {
  missingMaterials: MissingMaterial[];
  missingFields: string[];
  overrides: readonly OlderOverride[];
};

/**
 * Is the category offered, does every rule in scope hold, is every material handed in and every
 * required form field filled? Every rule in scope is evaluated (none short-circuits another), so
 * the step lists every failed condition and every missing material at once.
 *
 * With `trees` false (and the compiled evaluator) each rule's line of the trace leaves out the
 * evaluated condition trees (`when`, `conditions`): the rules are tested for their results alone,
 * and a tree is built only for a rule that comes out unknown, to name the missing fields.
 */
export function eligibility(
  c: Case,
  policy: Policy,
  category: Category | undefined,
  facts: Facts,
  evaluator: Evaluator,
  trees = true,
): Eligibility {
  const t: Tally = {
    reasons: [],
    missingMaterials: [],
    missingFields: new Set<string>(),
    warnings: [],
    rejected: false,
    manual: false,
    overrides: undefined,
  };
  const trace: TraceEntry[] = [];

  const cat = category && policy.categories.get(category);
  if (category && cat) {
    const line = lookupTrace("category", `category.${category}`, cat, { available: true });
    trace.push(line);
    noteOverride(t, overrideOf(policy.olderOverrides, line.rule, line.ruleSet));
  } else if (category) {
    t.rejected = true;
    const last = policy.chain[policy.chain.length - 1];
    const message = `${CATEGORIES.labels[category].zh}不在本地区备案人员范围内`;
    const citation = { document: last?.sources[0]?.document ?? "", clause: "备案人员范围" };
    t.reasons.push({
      code: "category.unavailable",
      effect: "reject",
      message,
      citation,
      ruleSet: policy.key,
    });
    const line: TraceEntry = {
      rule: `category.${category}`,
      type: "category",
      ruleSet: `${last?.id}@${last?.version}`,
      result: false,
    };
    trace.push(line);
    noteOverride(t, overrideOf(policy.olderOverrides, line.rule, line.ruleSet));
  }

  const categoryOffered = !category || cat !== undefined;
  const testsOnly = !trees && evaluator === compiledEvaluator;
  for (const rule of policy.rulesFor(c.kind, category)) {
    if (testsOnly) {
      if (rule.type === "material" && !categoryOffered) continue;
      noteOverride(t, rule.olderOverride);
      const whenResult = rule.whenTest ? rule.whenTest(facts) : undefined;
      // The rule's lines are made once per policy and shared (policy.ts, `said.lines`).
      const lines = rule.said.lines;
      if (whenResult === false) {
        trace.push(lines.notApplicable);
        continue;
      }
      const conditionsResult = rule.conditionsTest(facts);
      const result: TriState =
        whenResult === "unknown" && conditionsResult === true ? true : conditionsResult;
      trace.push(result === true ? lines.pass : result === "unknown" ? lines.unknown : lines.fail);
      if (result === "unknown" && rule.type !== "material") {
        // Rare: the trees name the facts the case does not give.
        const conditions = rule.conditionsFn(facts);
        const when = rule.whenFn?.(facts);
        verdict(t, rule, result, conditions, when);
      } else verdict(t, rule, result);
      continue;
    }
    // Materials of a category the region does not offer would only mislead the applicant.
    if (rule.type === "material" && !categoryOffered) continue;
    noteOverride(t, rule.olderOverride);
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
    verdict(t, rule, result, conditions, when);
  }

  if (c.kind === "filing" || c.kind === "change") checkForm(c, policy, t, trace);

  const value: Outcome = t.rejected
    ? "rejected"
    : t.missingMaterials.length || t.missingFields.size
      ? "incomplete"
      : t.manual
        ? "manual_review"
        : "approved";
  return {
    value,
    reasons: t.reasons,
    warnings: t.warnings.length ? t.warnings : NONE,
    trace,
    missingMaterials: t.missingMaterials,
    missingFields: [...t.missingFields],
    overrides: t.overrides ?? NONE,
  };
}

/** What the rules' results add up to, as the step goes. */
type Tally = {
  reasons: Reason[];
  missingMaterials: MissingMaterial[];
  missingFields: Set<string>;
  warnings: Warning[];
  rejected: boolean;
  manual: boolean;
  /** The older-override entries among the step's trace lines, in their order (made when one is found). */
  overrides: OlderOverride[] | undefined;
};

/**
 * Notes a trace line's older override for the notes step, which would otherwise look every line
 * of the trace up by its rule set and rule id (most lines are rules; noting them here, from the
 * rule's `olderOverride` found once per policy, saved ~0.7 µs a decision).
 */
function noteOverride(t: Tally, o: OlderOverride | undefined): void {
  if (!o) return;
  if (t.overrides) t.overrides.push(o);
  else t.overrides = [o];
}

/**
 * What a rule's result adds: a pass message, a missing material, missing fields (an unknown
 * result: `conditions` and `when` are its evaluated trees), a reason or a warning.
 */
function verdict(
  t: Tally,
  rule: EvalRule,
  result: TriState,
  conditions?: ConditionTrace,
  when?: ConditionTrace,
): void {
  const { id, origin: ruleSet, citation, said } = rule;
  // The rule's reasons, warning and missing material are made once per rule (policy.ts `said`).
  if (result === true) {
    if (said.pass) t.reasons.push(said.pass);
    return;
  }
  if (rule.type === "material") {
    if (said.missing) t.missingMaterials.push(said.missing);
    return;
  }
  if (result === "unknown") {
    const fields = [...unknownFacts(conditions as ConditionTrace), ...(when ? unknownFacts(when) : [])]
      .map((f) => DERIVED_FROM[f] ?? f)
      .filter((f) => !DERIVED_FACTS.has(f));
    for (const f of fields) t.missingFields.add(f);
    t.reasons.push({
      code: id,
      citation,
      ruleSet,
      effect: "unknown",
      message: `无法判定（缺少：${fields.map((f) => fieldLabel(f, "zh")).join("、")}）：${rule.message}`,
    });
    return;
  }
  if (said.warning) t.warnings.push(said.warning);
  else if (said.fail) {
    if (rule.onFail === "reject") t.rejected = true;
    else t.manual = true;
    t.reasons.push(said.fail);
  }
}

/** Required filing-form fields (478号 附件1): when a form is given, every required field must be filled. */
function checkForm(c: Case, policy: Policy, t: Tally, trace: TraceEntry[]): void {
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
    for (const f of absent) t.missingFields.add(f);
    const rule = `formFields.${ff.key}`;
    trace.push({
      rule,
      type: "form",
      ruleSet: ff.origin,
      result: absent.length === 0,
      effect: absent.length ? "missing_fields" : "pass",
      detail: { required: ff.required, missing: absent },
      citation: ff.citation,
    });
    noteOverride(t, overrideOf(policy.olderOverrides, rule, ff.origin));
  }
}
