import type { ConditionTrace } from "../conditions.ts";
import type { Facts } from "../facts.ts";
import type { EvalRule, OlderOverride } from "../policy.ts";
import type { Reason, TraceEntry, Warning } from "../schema/decision.ts";
import type { Citation } from "../schema/rule-set.ts";
import type { Outcome } from "../vocabulary.ts";

/**
 * What one step of a decision returns: its value, and the reasons, warnings and trace lines it
 * adds. Steps are pure; `decide` runs each once and merges their lists in order.
 */
export type Step<T> = {
  value: T;
  reasons: readonly Reason[];
  warnings: readonly Warning[];
  trace: readonly TraceEntry[];
  /**
   * The older-override entries (policy.ts `olderOverrides`) among the step's trace lines, in their
   * order, when the step lists them itself (eligibility); the notes step reads other steps' lines.
   */
  overrides?: readonly OlderOverride[];
};

/** Shared empty lists: a step with nothing to say allocates nothing (decide runs per case). */
export const NONE: readonly never[] = Object.freeze([]);

/** A step that only computes a value. */
export const only = <T>(value: T): Step<T> => ({ value, reasons: NONE, warnings: NONE, trace: NONE });

/** How a rule's condition trees are evaluated: compiled functions, or json-rules-engine (reference). */
export type Evaluator = {
  when(rule: EvalRule, facts: Facts): ConditionTrace;
  conditions(rule: EvalRule, facts: Facts): ConditionTrace;
};

export const compiledEvaluator: Evaluator = {
  when: (rule, facts) => (rule.whenFn as NonNullable<EvalRule["whenFn"]>)(facts),
  conditions: (rule, facts) => rule.conditionsFn(facts),
};

type Lookup = { origin: string; citation: Citation };

/** The trace line of an entry looked up in the policy (validity, settlement, processing, advice, benefits). */
export const lookupTrace = (
  type: TraceEntry["type"],
  rule: string,
  l: Lookup,
  detail: unknown,
): TraceEntry => ({
  rule,
  type,
  ruleSet: l.origin,
  result: true,
  detail,
  citation: l.citation,
});

const RANK: Readonly<Record<Outcome, number>> = { approved: 0, manual_review: 1, incomplete: 2, rejected: 3 };

/**
 * The outcome of two verdicts together, by the precedence of case-format.md: rejected over
 * incomplete over manual review over approved.
 */
export const worst = (a: Outcome, b: Outcome): Outcome => (RANK[b] > RANK[a] ? b : a);
