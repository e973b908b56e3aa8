import { describe, expect, it } from "vitest";
import { generateCases, sampleCases } from "../../bench/cases.ts";
import { decisionJson } from "../../engine/decision-json.ts";
import { Decider, type Decision, parseCase } from "../../engine/index.ts";
import { readRuleFiles } from "../../simulator/rule-files.ts";

/**
 * decisionJson (the API's serializer): the same text as JSON.stringify, byte for byte, on every
 * sample and 3,000 generated cases — full trace, the rules' trace, and without trace — while the
 * parts it reuses (a rule's reason, a missing material, advice, the chain) are shared by
 * decisions and cannot be changed by one reader for the next.
 */
const decider = new Decider(readRuleFiles().ruleSets);
const raws = [...sampleCases(), ...generateCases(sampleCases(), 3000, { seed: 31 })];
const cases = raws.map((r) => parseCase(r)).flatMap((p) => (p.success ? [p.data] : []));
const decided = (r: ReturnType<Decider["decide"]>): Decision => {
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.decision;
};

describe("decisionJson", () => {
  it("writes what JSON.stringify writes, full trace, rules trace and no trace", () => {
    expect(cases.length).toBeGreaterThan(3000);
    let settlements = 0;
    for (const c of cases) {
      const full = decided(decider.decide(c));
      const rules = decided(decider.decide(c, { trace: "rules" }));
      const { trace: _t, ...none } = rules;
      if (full.benefits) settlements++;
      expect(decisionJson(full)).toBe(JSON.stringify(full));
      expect(decisionJson(rules)).toBe(JSON.stringify(rules));
      expect(decisionJson(none)).toBe(JSON.stringify(none));
      expect(decisionJson(rules, "trace")).toBe(JSON.stringify(none));
    }
    expect(settlements).toBeGreaterThan(100);
    // objects it has not seen, keys set to undefined, lists with holes: as JSON.stringify
    const odd = {
      a: 1,
      b: undefined,
      reasons: [{ x: 1 }, undefined, "s"],
      warnings: [],
      c: { d: [1, null] },
    };
    expect(decisionJson(odd)).toBe(JSON.stringify(odd));
  });

  it("shares a rule's reason between decisions, frozen: a reader changing one changes no other decision", () => {
    const c = cases.find((x) => decided(decider.decide(x)).reasons.length > 0);
    if (!c) throw new Error("no case with a reason");
    const a = decided(decider.decide(c));
    const b = decided(decider.decide(c));
    expect(b.reasons[0]).toBe(a.reasons[0]);
    const before = JSON.stringify(b.reasons[0]);
    expect(() => {
      (a.reasons[0] as { message: string }).message = "changed";
    }).toThrow(TypeError);
    expect(() => (a.ruleSets as unknown[]).push({})).toThrow(TypeError);
    expect(JSON.stringify(decided(decider.decide(c)).reasons[0])).toBe(before);
    // the lists themselves are each decision's own
    a.reasons.push(a.reasons[0] as Decision["reasons"][number]);
    expect(decided(decider.decide(c)).reasons.length).toBe(b.reasons.length);
  });
});
