/**
 * The engine's public surface: pure functions, no I/O. Callers pass texts, dates and rule sets in.
 * The CLI, the server, the simulator and the benches import nothing else from `engine/`.
 */
export { BoundedCache } from "./bounded-cache.ts";
export { sameCity } from "./case-facts.ts";
export {
  CASE_FILE_EXTENSIONS,
  type CaseFormat,
  caseFormatOf,
  type LoadedCase,
  loadCases,
} from "./case-loader.ts";
export { ageOn } from "./dates.ts";
export { grantValidity } from "./decide/validity.ts";
export type { TraceLevel } from "./decide.ts";
export { type DecideOptions, type DecideResult, Decider, type PolicyResult } from "./decider.ts";
export { decisionJson, traceJson } from "./decision-json.ts";
export { type IdInfo, parseIdNumber } from "./id-number.ts";
export { lintLibrary } from "./lint.ts";
export { mergeSections, type Policy } from "./policy.ts";
export { decideWithReference, referenceEngine, referenceFacts } from "./reference.ts";
export { crossProvince, provinceOf, regionPrefix, regionWithin } from "./regions.ts";
export { RuleLibrary, regionAncestry, resolveChain } from "./resolve.ts";
export { contentHash, type LoadedRuleSet, loadRuleSet } from "./rule-set-loader.ts";
export { type Case, type CaseInput, caseFields, caseSchema } from "./schema/case.ts";
export { fastCase, parseCase } from "./schema/case-fast.ts";
export { isoDate, plainMessages } from "./schema/common.ts";
export { type Benefits, type Decision, decisionSchema } from "./schema/decision.ts";
export { problemSchema } from "./schema/problem.ts";
export { type RuleSet, ruleSetSchema, SECTIONS } from "./schema/rule-set.ts";
export type { Category, Kind, Lang, Material, Outcome } from "./vocabulary.ts";
export * as vocabulary from "./vocabulary.ts";
export { formatProblem, type Problem, YamlSource } from "./yaml-source.ts";
