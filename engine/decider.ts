import { decide, type Evaluator, InputProblem } from "./decide.ts";
import { compilePolicy, type Policy, policyKey } from "./policy.ts";
import { RuleLibrary, resolveChain } from "./resolve.ts";
import type { LoadedRuleSet } from "./rule-set-loader.ts";
import type { Case } from "./schema/case.ts";
import type { Decision } from "./schema/decision.ts";
import type { Problem } from "./yaml-source.ts";

export type DecideResult = { ok: true; decision: Decision } | { ok: false; problems: Problem[] };

/**
 * Decides cases against a set of rule sets. Resolves each case's chain (region, asOf) and
 * compiles each distinct chain once; deciding is then a pure, synchronous function call.
 *
 * @example new Decider(ruleSets).decide(parsedCase)
 */
export class Decider {
  readonly library: RuleLibrary;
  private readonly policies = new Map<string, Policy>();
  private readonly chains = new Map<string, Policy | string>();

  constructor(ruleSets: readonly LoadedRuleSet[]) {
    this.library = new RuleLibrary(ruleSets);
  }

  /** The compiled policy for an insured region on a date, or why there is none. */
  policyFor(region: string, asOf: string): Policy | string {
    const k = `${region}|${asOf}`;
    let hit = this.chains.get(k);
    if (hit === undefined) {
      const r = resolveChain(this.library, region, asOf);
      if (!r.ok) hit = r.message;
      else {
        const key = policyKey(r.chain);
        hit = this.policies.get(key) ?? compilePolicy(r.chain);
        this.policies.set(key, hit);
      }
      if (this.chains.size > 100_000) this.chains.clear();
      this.chains.set(k, hit);
    }
    return hit;
  }

  decide(c: Case, evaluator?: Evaluator): DecideResult {
    const policy = this.policyFor(c.insured.region, c.asOf);
    if (typeof policy === "string") {
      return { ok: false, problems: [{ code: "no_rule_set", path: ["insured", "region"], message: policy }] };
    }
    try {
      return { ok: true, decision: decide(c, policy, evaluator) };
    } catch (e) {
      if (e instanceof InputProblem)
        return { ok: false, problems: [{ code: "settlement", path: e.path, message: e.message }] };
      throw e;
    }
  }
}
