import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { decideWithReference, loadCases, type Policy } from "../../engine/index.ts";
import { replayFiles } from "../../simulator/replay.ts";
import { yamlFiles } from "../../simulator/rule-files.ts";
import { decider } from "../helpers.ts";

const CASES = "simulator/cases";
const files = yamlFiles([CASES]);
const replayed = replayFiles(decider, files);
const regionOf = (file: string) => relative(CASES, file).replace(/\.ya?ml$/, "");

describe("sample cases", () => {
  it("has at least 15 cases with expectations for every region", () => {
    const counts = Object.fromEntries(
      ["national", "panzhihua", "jiangxi", "nanchang", "fushun"].map((r) => [
        r,
        replayed.filter((x) => regionOf(x.file) === r && x.expected).length,
      ]),
    );
    for (const [region, n] of Object.entries(counts)) expect(n, region).toBeGreaterThanOrEqual(15);
  });

  it("covers every outcome", () => {
    const outcomes = new Set(replayed.map((r) => r.decision?.outcome));
    expect([...outcomes].sort()).toEqual(["approved", "incomplete", "manual_review", "rejected"]);
  });

  for (const r of replayed) {
    it(`${regionOf(r.file)} ${r.caseId}: decision equals expected`, () => {
      expect(r.problems ?? []).toEqual([]);
      expect(r.expected, "every sample case states what it expects").toBeDefined();
      expect(r.mismatches).toEqual([]);
    });
  }
});

describe("compiled conditions agree with json-rules-engine on every sample case", () => {
  for (const file of files) {
    for (const loaded of loadCases(readFileSync(file, "utf8"), file)) {
      if (!loaded.ok) continue;
      const c = loaded.case;
      it(`${regionOf(file)} ${c.id}: same decision, same trace`, async () => {
        const compiled = decider.decide(c);
        if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
        const found = decider.policyFor(c.insured.region, c.asOf);
        if (!found.ok) throw new Error(found.problem.message);
        const policy: Policy = found.policy;
        const reference = await decideWithReference(c, policy);
        expect(JSON.parse(JSON.stringify(reference))).toEqual(JSON.parse(JSON.stringify(compiled.decision)));
      });
    }
  }
});
