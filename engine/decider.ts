import { BoundedCache } from "./bounded-cache.ts";
import { decide, type Evaluator } from "./decide.ts";
import { compilePolicy, type Policy, policyKey } from "./policy.ts";
import { RuleLibrary, resolveChain } from "./resolve.ts";
import type { LoadedRuleSet } from "./rule-set-loader.ts";
import type { Case } from "./schema/case.ts";
import type { Decision } from "./schema/decision.ts";
import type { Problem } from "./yaml-source.ts";

export type DecideResult = { ok: true; decision: Decision } | { ok: false; problems: Problem[] };

/** The compiled policy for an insured region on a date, or the problem saying why there is none. */
export type PolicyResult = { ok: true; policy: Policy } | { ok: false; problem: Problem };

/** Distinct (region, date) pairs and distinct chains remembered; far more than any replay needs. */
const CHAIN_CACHE_SIZE = 100_000;
const POLICY_CACHE_SIZE = 1_000;

/**
 * Decides cases against a set of rule sets. Resolves each case's chain (region, asOf) and
 * compiles each distinct chain once; deciding is then a pure, synchronous function call.
 *
 * @example new Decider(ruleSets).decide(parsedCase)
 */
export class Decider {
  readonly library: RuleLibrary;
  private readonly policies = new BoundedCache<string, Policy>(POLICY_CACHE_SIZE);
  private readonly chains = new BoundedCache<string, PolicyResult>(CHAIN_CACHE_SIZE);

  constructor(ruleSets: readonly LoadedRuleSet[]) {
    this.library = new RuleLibrary(ruleSets);
  }

  /**
   * The compiled policy for an insured region on a date, or why there is none (a result).
   *
   * @example const r = decider.policyFor("510402", "2017-06-01"); if (r.ok) decide(c, r.policy)
   */
  policyFor(region: string, asOf: string): PolicyResult {
    const k = `${region}|${asOf}`;
    // get, then set: no closure per call (this runs once per decision).
    return this.chains.get(k) ?? this.chains.set(k, this.resolve(region, asOf));
  }

  private resolve(region: string, asOf: string): PolicyResult {
    const r = resolveChain(this.library, region, asOf);
    if (!r.ok) {
      return { ok: false, problem: { code: "no_rule_set", path: ["insured", "region"], message: r.message } };
    }
    const key = policyKey(r.chain);
    return { ok: true, policy: this.policies.get(key) ?? this.policies.set(key, compilePolicy(r.chain)) };
  }

  decide(c: Case, evaluator?: Evaluator): DecideResult {
    const r = this.policyFor(c.insured.region, c.asOf);
    if (!r.ok) return { ok: false, problems: [r.problem] };
    return { ok: true, decision: decide(c, r.policy, evaluator) };
  }
}
