import { BoundedCache } from "./bounded-cache.ts";
import { addPeriod } from "./dates.ts";
import { decide, type Evaluator, type TraceLevel } from "./decide.ts";
import { compilePolicy, type Policy, policyKey } from "./policy.ts";
import { RuleLibrary, resolveChain } from "./resolve.ts";
import type { LoadedRuleSet } from "./rule-set-loader.ts";
import type { Case } from "./schema/case.ts";
import type { Decision } from "./schema/decision.ts";
import type { Problem } from "./yaml-source.ts";

/** How to decide: json-rules-engine's evaluator instead of the compiled one; how much trace (`decide.ts`). */
export type DecideOptions = { evaluator?: Evaluator; trace?: TraceLevel };

export type DecideResult = { ok: true; decision: Decision } | { ok: false; problems: Problem[] };

/** The compiled policy for an insured region on a date, or the problem saying why there is none. */
export type PolicyResult = { ok: true; policy: Policy } | { ok: false; problem: Problem };

/** Regions and distinct chains remembered; far more than any replay needs (China has ~3,000 counties). */
const REGION_CACHE_SIZE = 100_000;
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
  /** Per region, the policy of each date range between two boundaries (filled as asked). */
  private readonly byRegion = new BoundedCache<string, (PolicyResult | undefined)[]>(REGION_CACHE_SIZE);
  /**
   * The dates on which some rule set's validity begins or ends (the day after its `to`), sorted:
   * between two of them every region resolves to the same chain, so a policy is found by region
   * and range (a binary search), never by a key built from the case.
   */
  private readonly boundaries: string[];

  constructor(ruleSets: readonly LoadedRuleSet[]) {
    this.library = new RuleLibrary(ruleSets);
    const dates = new Set<string>();
    for (const rs of ruleSets) {
      dates.add(rs.effective.from);
      if (rs.effective.to != null) dates.add(addPeriod(rs.effective.to, "P1D"));
    }
    this.boundaries = [...dates].sort();
  }

  /** How many boundaries are on or before `asOf`: the date range's index. */
  private rangeOf(asOf: string): number {
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((b[mid] as string) <= asOf) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The compiled policy for an insured region on a date, or why there is none (a result).
   *
   * @example const r = decider.policyFor("510402", "2017-06-01"); if (r.ok) decide(c, r.policy)
   */
  policyFor(region: string, asOf: string): PolicyResult {
    const range = this.rangeOf(asOf);
    const ranges =
      this.byRegion.get(region) ??
      this.byRegion.set(region, new Array<PolicyResult | undefined>(this.boundaries.length + 1));
    const hit = ranges[range];
    if (hit) return hit;
    const r = this.resolve(region, asOf);
    // A problem names the date asked about: only policies are remembered.
    if (r.ok) ranges[range] = r;
    return r;
  }

  private resolve(region: string, asOf: string): PolicyResult {
    const r = resolveChain(this.library, region, asOf);
    if (!r.ok) {
      return { ok: false, problem: { code: "no_rule_set", path: ["insured", "region"], message: r.message } };
    }
    const key = policyKey(r.chain);
    return { ok: true, policy: this.policies.get(key) ?? this.policies.set(key, compilePolicy(r.chain)) };
  }

  /** @example decider.decide(c, { trace: "rules" }) // the trace without condition trees */
  decide(c: Case, opts: DecideOptions = {}): DecideResult {
    const r = this.policyFor(c.insured.region, c.asOf);
    if (!r.ok) return { ok: false, problems: [r.problem] };
    return { ok: true, decision: decide(c, r.policy, opts.evaluator, opts.trace) };
  }
}
