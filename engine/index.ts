/** The engine's public surface: pure functions, no I/O. Callers pass texts, dates and rule sets in. */
export { type LoadedCase, loadCases } from "./case-loader.ts";
export type { Condition, ConditionTrace } from "./conditions.ts";
export { compiledEvaluator, decide, type Evaluator } from "./decide.ts";
export { type DecideResult, Decider } from "./decider.ts";
export { FACTS } from "./facts.ts";
export { parseIdNumber } from "./id-number.ts";
export { lintLibrary } from "./lint.ts";
export { compilePolicy, mergeSections, type Policy } from "./policy.ts";
export { decideWithReference, fromJre } from "./reference.ts";
export { RuleLibrary, regionAncestry, resolveChain } from "./resolve.ts";
export { contentHash, type LoadedRuleSet, loadRuleSet } from "./rule-set-loader.ts";
export { type Case, type CaseInput, caseFields, caseSchema } from "./schema/case.ts";
export { type Decision, decisionSchema } from "./schema/decision.ts";
export { type RuleSet, ruleSetSchema } from "./schema/rule-set.ts";
export * as vocabulary from "./vocabulary.ts";
export { formatProblem, type Problem } from "./yaml-source.ts";
