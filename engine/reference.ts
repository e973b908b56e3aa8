import { Engine, type RuleProperties } from "json-rules-engine";
import { caseFacts } from "./case-facts.ts";
import { type ConditionTrace, leafResult, type TriState } from "./conditions.ts";
import { decide, type Evaluator } from "./decide.ts";
import type { Facts } from "./facts.ts";
import { CUSTOM_OPERATORS } from "./operators.ts";
import type { EvalRule, Policy } from "./policy.ts";
import type { Case } from "./schema/case.ts";
import type { Decision } from "./schema/decision.ts";

/**
 * The reference path: the same policy evaluated by json-rules-engine itself. Slow (async,
 * ~hundreds of µs a case) but it is the engine officers' condition trees are written for; the
 * compiled path must give the same results and the same trace on every sample case.
 */
const engines = new WeakMap<Policy, Engine>();

/** The json-rules-engine Engine for a policy, built once per policy (`#when` rules for `when` trees). */
export function referenceEngine(policy: Policy): Engine {
  let engine = engines.get(policy);
  if (engine) return engine;
  engine = new Engine([], { allowUndefinedFacts: true });
  for (const [name, fn] of Object.entries(CUSTOM_OPERATORS)) engine.addOperator(name, fn);
  for (const rule of policy.rules) {
    const add = (name: string, conditions: unknown) =>
      engine?.addRule({ name, conditions, event: { type: name } } as RuleProperties);
    if (rule.when) add(`${rule.id}#when`, wrap(rule.when));
    add(rule.id, wrap(rule.conditions));
  }
  engines.set(policy, engine);
  return engine;
}

/** json-rules-engine wants a top-level all/any; a bare leaf or `not` is wrapped and unwrapped. */
const wrap = (c: object) => ("all" in c || "any" in c ? c : { all: [c] });

type JreNode = {
  all?: JreNode[];
  any?: JreNode[];
  not?: JreNode;
  fact?: string;
  operator?: string;
  value?: unknown;
  factResult?: unknown;
  valueResult?: unknown;
  result?: boolean;
};

const and = (r: TriState[]): TriState =>
  r.includes(false) ? false : r.includes("unknown") ? "unknown" : true;
const or = (r: TriState[]): TriState => (r.includes(true) ? true : r.includes("unknown") ? "unknown" : false);

/** json-rules-engine's evaluated condition tree, in the engine's trace shape. */
export function fromJre(n: JreNode): ConditionTrace {
  if (n.all) {
    const all = n.all.map(fromJre);
    return { all, result: and(all.map((c) => c.result)) };
  }
  if (n.any) {
    const any = n.any.map(fromJre);
    return { any, result: or(any.map((c) => c.result)) };
  }
  if (n.not) {
    const not = fromJre(n.not);
    return { not, result: not.result === "unknown" ? "unknown" : !not.result };
  }
  const leaf = {
    operator: n.operator ?? "",
    value: n.value,
    factResult: n.factResult,
    valueResult: n.valueResult,
    result: leafResult(n.factResult, n.operator === "notEmpty" ? null : n.valueResult, n.result === true),
  };
  return { ...leaf, fact: n.fact } as ConditionTrace;
}

const unwrap = (original: object, t: ConditionTrace): ConditionTrace =>
  "all" in original || "any" in original ? t : ((t as { all: ConditionTrace[] }).all[0] as ConditionTrace);

/** A case's facts as json-rules-engine is given them: the facts the case leaves undefined are left out. */
export function referenceFacts(c: Case, policy: Policy): Record<string, unknown> {
  return Object.fromEntries(Object.entries(caseFacts(c, policy)).filter(([, v]) => v !== undefined));
}

/**
 * Decides a case with json-rules-engine evaluating every condition tree; everything else
 * (outcome, materials, validity, trace) is built by the same code as the compiled path.
 */
export async function decideWithReference(c: Case, policy: Policy): Promise<Decision> {
  const { results, failureResults } = await referenceEngine(policy).run(referenceFacts(c, policy));
  const byName = new Map<string, JreNode>();
  for (const r of [...results, ...failureResults]) {
    byName.set(r.name as string, (r.toJSON(false) as unknown as { conditions: JreNode }).conditions);
  }
  const traced = (rule: EvalRule, suffix: string, original: object): ConditionTrace => {
    const node = byName.get(rule.id + suffix);
    if (!node) throw new Error(`json-rules-engine did not evaluate ${rule.id}${suffix}`);
    return unwrap(original, fromJre(node));
  };
  const evaluator: Evaluator = {
    when: (rule, _f: Facts) => traced(rule, "#when", rule.when as object),
    conditions: (rule, _f: Facts) => traced(rule, "", rule.conditions),
  };
  return decide(c, policy, evaluator);
}
