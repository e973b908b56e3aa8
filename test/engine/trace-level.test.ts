import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateCases, sampleCases } from "../../bench/cases.ts";
import { caseFacts } from "../../engine/case-facts.ts";
import { type Condition, compileCondition, compileTest } from "../../engine/conditions.ts";
import type { Facts } from "../../engine/facts.ts";
import { Decider, type Decision, parseCase } from "../../engine/index.ts";
import { readRuleFiles } from "../../simulator/rule-files.ts";

/**
 * A decision asked with `trace: "rules"` is the full decision with each trace line's evaluated
 * condition trees (`when`, `conditions`) left out — nothing else differs: outcome, reasons,
 * missing materials and fields (named from the trees of a rule that came out unknown), warnings
 * (the older-override warning reads the trace), validity, mode, money, the trace's lines.
 */
const { ruleSets } = readRuleFiles();
const decider = new Decider(ruleSets);
const raws = [...sampleCases(), ...generateCases(sampleCases(), 3000, { seed: 21 })];
const cases = raws.map((r) => parseCase(r)).flatMap((p) => (p.success ? [p.data] : []));

const withoutTrees = (d: Decision): Decision => ({
  ...d,
  trace: d.trace.map(({ when: _w, conditions: _c, ...line }) => line),
});
const decided = (r: ReturnType<Decider["decide"]>): Decision => {
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.decision;
};

describe('a decision with trace "rules"', () => {
  it("is the full decision without the condition trees, on every sample and 3,000 generated cases", () => {
    expect(cases.length).toBeGreaterThan(3000);
    const outcomes = new Set<string>();
    let unknowns = 0;
    let trees = 0;
    let olderOverrides = 0;
    for (const c of cases) {
      const full = decider.decide(c);
      const rules = decider.decide(c, { trace: "rules" });
      expect(rules.ok).toBe(full.ok);
      if (!full.ok || !rules.ok) continue;
      outcomes.add(full.decision.outcome);
      if (full.decision.missingFields.length) unknowns++;
      if (full.decision.warnings.some((w) => w.code === "rules.older-override")) olderOverrides++;
      trees += full.decision.trace.filter((t) => t.conditions !== undefined).length;
      expect(JSON.stringify(rules.decision)).toBe(JSON.stringify(withoutTrees(full.decision)));
      expect(rules.decision.trace.some((t) => t.conditions !== undefined || t.when !== undefined)).toBe(
        false,
      );
    }
    // the comparison covered every outcome, missing fields, the warning read off the trace, many trees
    expect([...outcomes].sort()).toEqual(["approved", "incomplete", "manual_review", "rejected"]);
    expect(unknowns).toBeGreaterThan(10);
    expect(olderOverrides).toBeGreaterThan(10);
    expect(trees).toBeGreaterThan(10_000);
  });

  it("is smaller to send: the rules' trace a part of the full one, the answer without trace a fraction", () => {
    let full = 0;
    let rules = 0;
    let none = 0;
    for (const c of cases.slice(0, 500)) {
      full += JSON.stringify(decided(decider.decide(c))).length;
      const { trace, ...d } = decided(decider.decide(c, { trace: "rules" }));
      rules += JSON.stringify({ ...d, trace }).length;
      none += JSON.stringify(d).length;
    }
    expect(rules / full).toBeLessThan(0.75);
    expect(none / full).toBeLessThan(0.4);
  });
});

describe("compileTest", () => {
  it("gives the result compileCondition's trace gives, on trees of the project's own leaves and facts with gaps", () => {
    const policies = new Map(
      cases.map((c) => {
        const r = decider.policyFor(c.insured.region, c.asOf);
        if (!r.ok) throw new Error(r.problem.message);
        return [r.policy.key, r.policy];
      }),
    );
    const leaves: Condition[] = [];
    const collect = (x: Condition) => {
      if ("all" in x) x.all.forEach(collect);
      else if ("any" in x) x.any.forEach(collect);
      else if ("not" in x) collect(x.not);
      else leaves.push(x);
    };
    for (const p of policies.values()) for (const r of p.rules) collect(r.conditions);
    expect(leaves.some((l) => "operator" in l && l.operator === "notEmpty")).toBe(true);
    // a unary leaf as written, with no value at all
    leaves.push({ fact: "filing.emergency.criteriaMet", operator: "notEmpty" });
    const facts: Facts[] = cases
      .filter((_, i) => i % 8 === 0)
      .map((c) => {
        const r = decider.policyFor(c.insured.region, c.asOf);
        return caseFacts(c, (r as { ok: true; policy: Parameters<typeof caseFacts>[1] }).policy);
      });
    const tree: fc.Arbitrary<Condition> = fc.letrec<{ t: Condition }>((tie) => ({
      t: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constantFrom(...leaves),
        fc.array(tie("t"), { minLength: 1, maxLength: 4 }).map((all) => ({ all })),
        fc.array(tie("t"), { minLength: 1, maxLength: 4 }).map((any) => ({ any })),
        tie("t").map((not) => ({ not })),
      ),
    })).t;
    fc.assert(
      fc.property(tree, fc.nat(facts.length - 1), fc.array(fc.nat(60), { maxLength: 6 }), (t, i, drop) => {
        // facts the case does not give: some names removed
        const f: Facts = { ...(facts[i] as Facts) };
        const names = Object.keys(f);
        for (const d of drop) delete (f as Record<string, unknown>)[names[d % names.length] as string];
        expect(compileTest(t)(f)).toBe(compileCondition(t)(f).result);
      }),
      { numRuns: 5000, seed: 7 },
    );
  });
});
