import { z } from "zod";
import { leafProblems } from "./condition-shapes.ts";
import { FACT_NAMES, type FactName, type Facts } from "./facts.ts";
import { OPERATOR_NAMES, OPERATORS, UNARY_OPERATORS } from "./operators.ts";

/**
 * Conditions are json-rules-engine condition trees (`all` / `any` / `not` / leaf), so an
 * officer reads and edits the very thing the reference engine runs. A leaf's `value` may be
 * a literal or `{ fact: … }`, a reference to another fact.
 */
export type FactRef = { fact: FactName };
export type Leaf = { fact: FactName; operator: string; value?: unknown };
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Leaf;

/** Tri-state: a condition on a fact the case does not give is `unknown`, not false. */
export type TriState = true | false | "unknown";
export type LeafTrace = Leaf & { factResult: unknown; valueResult: unknown; result: TriState };
export type ConditionTrace =
  | { all: ConditionTrace[]; result: TriState }
  | { any: ConditionTrace[]; result: TriState }
  | { not: ConditionTrace; result: TriState }
  | LeafTrace;

const isFactRef = (v: unknown): v is FactRef =>
  typeof v === "object" && v !== null && !Array.isArray(v) && "fact" in v;

/**
 * A leaf. The value's shape is checked against the fact's type and the operator by
 * `leafProblems` (condition-shapes.ts), so json-rules-engine and the compiled path read it alike.
 */
const leafSchema = z
  .strictObject({
    fact: z.enum(FACT_NAMES, { error: (i) => `unknown fact ${JSON.stringify(i.input)}` }),
    operator: z.enum(OPERATOR_NAMES, { error: (i) => `unknown operator ${JSON.stringify(i.input)}` }),
    value: z
      .union([
        z.string(),
        z.number(),
        z.boolean(),
        z.null(),
        z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])),
        z.looseObject({
          fact: z.enum(FACT_NAMES, { error: (i) => `unknown fact ${JSON.stringify(i.input)}` }),
        }),
      ])
      .optional(),
  })
  .superRefine((leaf, ctx) => {
    if (!UNARY_OPERATORS.has(leaf.operator) && leaf.value === undefined) {
      ctx.addIssue({ code: "custom", path: ["value"], message: `operator ${leaf.operator} needs a value` });
      return;
    }
    for (const p of leafProblems(leaf)) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
  });

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
    leafSchema,
  ]),
) as z.ZodType<Condition>;

export type CompiledCondition = (facts: Facts) => ConditionTrace;

const and = (results: TriState[]): TriState =>
  results.includes(false) ? false : results.includes("unknown") ? "unknown" : true;
const or = (results: TriState[]): TriState =>
  results.includes(true) ? true : results.includes("unknown") ? "unknown" : false;
const negate = (r: TriState): TriState => (r === "unknown" ? r : !r);

/** Leaf result from the operator's boolean and whether both sides were known. */
export function leafResult(factResult: unknown, valueResult: unknown, bool: boolean): TriState {
  return factResult === undefined || valueResult === undefined ? "unknown" : bool;
}

/**
 * Compiles a condition tree to a function, once per rule-set version. Every branch is
 * evaluated (no short-circuit) so the trace shows each condition's value, as
 * json-rules-engine does for conditions of equal priority.
 */
export function compileCondition(condition: Condition): CompiledCondition {
  if ("all" in condition) {
    const parts = condition.all.map(compileCondition);
    return (facts) => {
      const all = parts.map((p) => p(facts));
      return { all, result: and(all.map((c) => c.result)) };
    };
  }
  if ("any" in condition) {
    const parts = condition.any.map(compileCondition);
    return (facts) => {
      const any = parts.map((p) => p(facts));
      return { any, result: or(any.map((c) => c.result)) };
    };
  }
  if ("not" in condition) {
    const inner = compileCondition(condition.not);
    return (facts) => {
      const not = inner(facts);
      return { not, result: negate(not.result) };
    };
  }
  const { fact, operator, value } = condition;
  const op = OPERATORS[operator];
  if (!op) throw new Error(`unknown operator ${operator}`);
  const ref = isFactRef(value) ? value.fact : undefined;
  return (facts) => {
    const factResult = facts[fact];
    const valueResult = ref === undefined ? value : facts[ref];
    const bool = op(factResult, valueResult);
    const leaf: LeafTrace = { fact, operator, value, factResult, valueResult, result: bool };
    leaf.result = leafResult(factResult, UNARY_OPERATORS.has(operator) ? null : valueResult, bool);
    return leaf;
  };
}

export type CompiledTest = (facts: Facts) => TriState;

/**
 * A condition tree compiled to its result alone: what `compileCondition`'s trace says in
 * `result`, without building the trace (a decision asked without condition trees). Operators are
 * pure, so stopping at the first false of an `all` (true of an `any`) gives the same result.
 */
export function compileTest(condition: Condition): CompiledTest {
  if ("all" in condition) {
    const parts = condition.all.map(compileTest);
    return (facts) => {
      let unknown = false;
      for (const p of parts) {
        const r = p(facts);
        if (r === false) return false;
        if (r === "unknown") unknown = true;
      }
      return unknown ? "unknown" : true;
    };
  }
  if ("any" in condition) {
    const parts = condition.any.map(compileTest);
    return (facts) => {
      let unknown = false;
      for (const p of parts) {
        const r = p(facts);
        if (r === true) return true;
        if (r === "unknown") unknown = true;
      }
      return unknown ? "unknown" : false;
    };
  }
  if ("not" in condition) {
    const inner = compileTest(condition.not);
    return (facts) => negate(inner(facts));
  }
  const { fact, operator, value } = condition;
  const op = OPERATORS[operator];
  if (!op) throw new Error(`unknown operator ${operator}`);
  const ref = isFactRef(value) ? value.fact : undefined;
  const unary = UNARY_OPERATORS.has(operator);
  return (facts) => {
    const factResult = facts[fact];
    const valueResult = ref === undefined ? value : facts[ref];
    const bool = op(factResult, valueResult);
    return leafResult(factResult, unary ? null : valueResult, bool);
  };
}

/** Facts whose absence made a trace `unknown`: the fields the applicant must still give. */
export function unknownFacts(trace: ConditionTrace, into: Set<string> = new Set()): Set<string> {
  if (trace.result !== "unknown") return into;
  if ("all" in trace) for (const c of trace.all) unknownFacts(c, into);
  else if ("any" in trace) for (const c of trace.any) unknownFacts(c, into);
  else if ("not" in trace) unknownFacts(trace.not, into);
  else {
    if (trace.factResult === undefined) into.add(trace.fact);
    if (trace.valueResult === undefined && isFactRef(trace.value)) into.add(trace.value.fact);
  }
  return into;
}
