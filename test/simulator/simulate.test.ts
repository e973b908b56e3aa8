import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseMapping } from "../../simulator/csv-mapping.ts";
import { generate, samplesFor } from "../../simulator/generate.ts";
import { readCaseFiles } from "../../simulator/replay.ts";
import { ruleSource } from "../../simulator/rule-source.ts";
import { SetupError, simulate } from "../../simulator/run.ts";

const base = ruleSource("rules", "rules").spec;
if (!base) throw new Error("rules do not load");
const against2023 = ruleSource("national@2023-01-01", "rules").spec;
if (!against2023) throw new Error("no national@2023-01-01");
const tmp = () => mkdtempSync(join(tmpdir(), "yidi-sim-"));

describe("simulate: the report's numbers on the national sample cases", { timeout: 60_000 }, () => {
  it("under the rules in force every case matches its expected; pinned to 2023 the transitions are counted", async () => {
    const same = await simulate({ paths: ["simulator/cases/national.yaml"], sources: [base], workers: 0 });
    expect(same.data.totals).toMatchObject({
      cases: 40,
      decided: 40,
      compared: 40,
      matched: 40,
      mismatched: 0,
    });
    const sim = await simulate({
      paths: ["simulator/cases/national.yaml"],
      sources: [base, against2023],
      workers: 0,
    });
    const t = sim.data.totals;
    expect(t.comparedSources).toBe(40);
    const transitions = Object.values(sim.data.transitions).flatMap((row) => Object.values(row));
    expect(transitions.reduce((a, b) => a + b, 0)).toBe(40);
    expect(sim.data.changedCases.length).toBe(t.changed);
    expect(sim.data).toMatchSnapshot();
  });

  it("workers give the same aggregate as one thread", async () => {
    const one = await simulate({ paths: ["simulator/cases"], sources: [base, against2023], workers: 0 });
    const two = await simulate({ paths: ["simulator/cases"], sources: [base, against2023], workers: 2 });
    expect(two.data).toEqual(one.data);
  }, 60_000);
});

describe("generate", { timeout: 60_000 }, () => {
  const { files } = readCaseFiles(["simulator/cases"]);
  const samples = samplesFor(files.flatMap((f) => f.cases));
  it("is deterministic by seed, and another seed gives other cases", () => {
    const a = [...generate(samples, { count: 300, seed: 42 })].join("");
    const b = [...generate(samples, { count: 300, seed: 42 })].join("");
    const c = [...generate(samples, { count: 300, seed: 43 })].join("");
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a.trim().split("\n")).toHaveLength(300);
  });

  it("writes valid cases across categories and kinds (a replay finds no invalid row)", async () => {
    const d = tmp();
    writeFileSync(join(d, "g.jsonl"), [...generate(samples, { count: 500, seed: 1 })].join(""));
    const sim = await simulate({ paths: [join(d, "g.jsonl")], sources: [base], workers: 0 });
    expect(sim.data.totals.invalid).toBe(0);
    expect(Object.keys(sim.data.outcomes[0] ?? {}).sort()).toEqual([
      "approved",
      "incomplete",
      "manual_review",
      "rejected",
    ]);
  });
});

describe("CSV with a column mapping", { timeout: 60_000 }, () => {
  const MAPPING = `
columns:
  id: 编号
  asOf: 日期
  applicant.idNumber: 身份证号
  insured.region: 参保地
  insured.scheme: { column: 险种, map: { 职工: employee, 居民: urban_rural_resident } }
  insured.status: { column: 状态, map: { 退休: retired, 在职: in_service } }
  filing.category: { column: 类别, map: { 异地安置: retired_resettled } }
  filing.destination.region: 就医地
  filing.hukouMoved: 户籍已迁入
  filing.materials: { column: 材料, split: "、" }
  expected.outcome: 预期
`;
  it("a bad mapping is one clear error per entry before the run", () => {
    const r = parseMapping("columns:\n  insured.colour: 颜色\n  filing: 备案\n", "m.yaml");
    expect(r.problems.map((p) => p.message)).toEqual([
      "a case has no field insured.colour",
      "filing is a group of fields; map its fields one by one",
      "no column is mapped to the case's id",
    ]);
  });

  it("reads rows; a bad row says its line, column and field, and the run goes on", async () => {
    const d = tmp();
    const m = parseMapping(MAPPING, "m.yaml");
    expect(m.problems).toEqual([]);
    writeFileSync(
      join(d, "c.csv"),
      [
        "编号,日期,身份证号,参保地,险种,状态,类别,就医地,户籍已迁入,材料,预期",
        "a1,2017-06-01,510402195001011236,510402,职工,退休,异地安置,460200,是,filing_form、ss_card、hukou_proof,approved",
        "a2,2017-06-01,510402195001011236,510402,公务员,退休,异地安置,460200,是,filing_form,approved",
        "a3,2017-06-01,510402195001011236,510402,职工,退休,异地安置,460200,是,filing_form、ss_card、hukou_proof,approved",
      ].join("\n"),
    );
    const sim = await simulate({
      paths: [join(d, "c.csv")],
      sources: [base],
      mapping: m.mapping,
      workers: 0,
    });
    expect(sim.data.totals).toMatchObject({ cases: 3, invalid: 1, matched: 2 });
    expect(sim.data.invalidRows[0]?.line).toBe(3);
    expect(sim.data.invalidRows[0]?.problems[0]?.message).toMatch(
      /^column 险种: "公务员" is not in the mapping's values/,
    );
  });

  it("a header without a mapped column stops the run before it starts", async () => {
    const d = tmp();
    writeFileSync(join(d, "c.csv"), "编号,日期\nx,2017-06-01\n");
    const m = parseMapping(MAPPING, "m.yaml");
    await expect(
      simulate({ paths: [join(d, "c.csv")], sources: [base], mapping: m.mapping, workers: 0 }),
    ).rejects.toThrow(SetupError);
  });
});

describe("JSON Lines: a bad line does not stop the run", { timeout: 60_000 }, () => {
  it("counts it invalid with its line, and decides the others", async () => {
    const d = tmp();
    const { files } = readCaseFiles(["simulator/cases"]);
    const lines = [...generate(samplesFor(files.flatMap((f) => f.cases)), { count: 5, seed: 3 })]
      .join("")
      .trim()
      .split("\n");
    lines.splice(2, 0, '{"id": "bad", "asOf": "2017-13-40"}');
    writeFileSync(join(d, "c.jsonl"), `${lines.join("\n")}\n`);
    const sim = await simulate({ paths: [join(d, "c.jsonl")], sources: [base], workers: 0 });
    expect(sim.data.totals).toMatchObject({ cases: 6, invalid: 1, decided: 5 });
    expect(sim.data.invalidRows[0]).toMatchObject({ line: 3, caseId: "bad" });
  });
});
