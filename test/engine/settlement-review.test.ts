import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildSlip, slipHtml, slipText } from "../../cli/slip.ts";
import { BoundedCache } from "../../engine/bounded-cache.ts";
import { caseSchema, type Decision, loadCases } from "../../engine/index.ts";
import { decideCase, decider } from "../helpers.ts";

/** domain.md §7 (second review), the settlement side: one test per decision, with its clause. */

const SAMPLES = "simulator/cases/settlement.yaml";
const samples = loadCases(readFileSync(SAMPLES, "utf8"), SAMPLES).flatMap((l) => (l.ok ? [l.case] : []));
const sample = (id: string) => {
  const c = samples.find((x) => x.id === id);
  if (!c) throw new Error(`no sample case ${id}`);
  const r = decider.decide(c);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return { c, d: r.decision };
};
const codes = (d: Decision) => d.warnings.map((w) => w.code);

/** A Nanchang retiree's stay in Sanya, 2025 (employee table of 洪医保发〔2025〕27号). */
const nanchang = (
  o: { networked?: boolean; filed?: boolean; asOf?: string; kind?: "filing" | "settlement" } = {},
) => ({
  id: "t",
  asOf: o.asOf ?? "2025-03-10",
  kind: o.kind ?? ("settlement" as const),
  applicant: { idNumber: "360102196003011010" },
  insured: { region: "360102", scheme: "employee" as const, status: "retired" as const },
  filing: {
    category: "retired_resettled" as const,
    destination: {
      region: "460200",
      hospital:
        o.networked === undefined
          ? { level: "3A" as const }
          : { level: "3A" as const, networked: o.networked },
    },
  },
  settlement: {
    admission: "2025-03-01",
    discharge: "2025-03-10",
    hospitalLevel: "3" as const,
    filed: o.filed ?? true,
    totalCost: "30000.00",
  },
});

describe("§7.2 direct settlement needs a networked hospital", () => {
  it("settles a stay at a non-networked hospital by reimbursement, whatever the category's mode", () => {
    const d = decideCase(nanchang({ networked: false }));
    expect(d.settlementMode).toBe("reimbursement");
    expect(codes(d)).toContain("settlement.not-networked");
    expect(sample("set-nc-not-networked").d.settlementMode).toBe("reimbursement");
  });

  it("keeps the category's mode when networked is not given, and warns that direct needs a networked hospital", () => {
    const d = decideCase(nanchang());
    expect(d.settlementMode).toBe("direct");
    expect(codes(d)).toContain("settlement.networked-unknown");
    expect(codes(decideCase(nanchang({ networked: true })))).not.toContain("settlement.networked-unknown");
  });

  it("applies to a filing that names a non-networked hospital too", () => {
    const { settlement: _, ...filing } = nanchang({ networked: false, kind: "filing" });
    const d = decideCase(filing);
    expect(d.settlementMode).toBe("reimbursement");
  });
});

describe("§7.3 Panzhihua defers to national policy for cross-province referrals and emergencies", () => {
  const cases: [string, string][] = [
    ["set-pzh-referral-cross-2017-12-31", "reimbursement"],
    ["set-pzh-referral-cross-2018-01-01", "direct"],
    ["set-pzh-emergency-cross-2022-12-31", "reimbursement"],
    ["set-pzh-emergency-cross-2023-01-01", "direct"],
  ];
  for (const [id, mode] of cases) {
    it(`${id}: ${mode}`, () => {
      const { d } = sample(id);
      expect(d.settlementMode).toBe(mode);
      const t = d.trace.find((e) => e.rule.startsWith("settlement."));
      // From the national date on, the trace cites the national policy and the date it applies from.
      if (mode === "direct")
        expect(t?.detail).toMatchObject({ since: expect.stringMatching(/^20(18|23)-01-01$/) });
    });
  }

  it("does not call the deferring emergency entry an older override of national 2023 (§7.14)", () => {
    const { d } = sample("set-pzh-emergency-cross-2023-01-01");
    const older = d.warnings.find((w) => w.code === "rules.older-override");
    expect(older?.message ?? "").not.toContain("settlement.emergency");
  });
});

describe("§7.10 a settlement with no benefit table in force is still decided", () => {
  it("decides the outcome and the mode, says the money is not calculated, and names the missing table", () => {
    const { d } = sample("set-nc-employee-2024-no-table");
    expect(d.outcome).toBe("approved");
    expect(d.settlementMode).toBe("direct");
    expect(d.benefits).toMatchObject({ calculated: false, table: null, totalCost: "30000.00" });
    expect(d.benefits).not.toHaveProperty("fundPay");
    const w = d.warnings.find((x) => x.code === "benefits.no-table");
    expect(w?.message).toContain("职工基本医疗保险（退休）住院待遇表");
    expect(w?.message).toContain("jiangxi/nanchang@2023-01-01");
    expect(w?.message).toContain("未计算");
  });

  it("prints 未计算 on the slip instead of a figure", () => {
    const { c, d } = sample("set-nc-employee-2024-no-table");
    const text = slipText(buildSlip(c, d));
    expect(text).toContain("基金支付合计：未计算");
    expect(text).toContain("待遇标准：未计算");
  });
});

describe("§7.11 unfiled care is never settled directly", () => {
  it("an unfiled Nanchang stay is claimed back, with exactly one settlement warning", () => {
    const { d } = sample("set-nc-unfiled");
    expect(d.settlementMode).toBe("reimbursement");
    expect(codes(d).filter((c) => c.startsWith("settlement."))).toEqual(["settlement.unfiled-silent"]);
  });

  it("Panzhihua's own rule still pays nothing for unfiled care (攀医保 五(三))", () => {
    const { d } = sample("set-pzh-unfiled");
    expect(d.outcome).toBe("rejected");
    expect(d.settlementMode).toBe("none");
  });
});

describe("§7.12 the deductible is per admission", () => {
  it("refuses yearToDate.deductiblePaid as an unknown key, with file:line:column", () => {
    const text = `id: x
asOf: 2025-03-10
kind: settlement
applicant: { idNumber: "360102196003011010" }
insured: { region: "360102", scheme: employee, status: retired }
filing: { category: retired_resettled, destination: { region: "460200" } }
settlement:
  admission: 2025-03-01
  discharge: 2025-03-10
  hospitalLevel: "3"
  totalCost: "100.00"
  yearToDate:
    fundPaid: "0.00"
    deductiblePaid: "0.00"
`;
    const [loaded] = loadCases(text, "ytd.yaml");
    expect(loaded?.ok).toBe(false);
    const problems = loaded && !loaded.ok ? loaded.problems : [];
    expect(problems).toContainEqual(
      expect.objectContaining({
        path: ["settlement", "yearToDate", "deductiblePaid"],
        message: 'unknown key "deductiblePaid"',
        file: "ytd.yaml",
        line: 14,
        column: 5,
      }),
    );
  });
});

describe("§7.13 and §7.15 on the slip", () => {
  it("says 来源：二手摘要 for a table from a secondary summary (Nanchang's)", () => {
    const { c, d } = sample("set-nc-employee-3");
    expect(d.benefits).toMatchObject({ calculated: true, provenance: "secondary" });
    expect(slipText(buildSlip(c, d))).toContain("（来源：二手摘要）");
  });

  it("prints 入院方式, 住院号, 出院科室, 主要诊断 and 次要诊断 when the case gives them (text and HTML)", () => {
    const { c, d } = sample("set-nc-slip-fields");
    const slip = buildSlip(c, d);
    const text = slipText(slip);
    expect(text).toContain("入院方式：急诊    住院号：ZY2025030117    出院科室：骨科");
    expect(text).toContain("主要诊断：股骨颈骨折（S72.001）    次要诊断：高血压（I10）");
    const html = slipHtml([slip]);
    expect(html).toContain("<th>住院号</th><td>ZY2025030117</td>");
    expect(html).toContain("<th>次要诊断</th>");
    expect(
      slipText(buildSlip(...(Object.values(sample("set-nc-employee-3")) as [never, never]))),
    ).not.toContain("住院号");
  });

  it("the Chinese slip has no English sentence; --lang en keeps an English label", () => {
    const { c, d } = sample("set-nc-employee-3");
    const zh = slipText(buildSlip(c, d));
    expect(zh).toContain("舍入：四舍五入到分");
    expect(zh).not.toMatch(/half-up|applied to/);
    const en = slipText(buildSlip(c, d, { lang: "en" }));
    expect(en).toContain("Rounding: half-up to 0.01 yuan");
  });
});

describe("the pipeline computes each step once", () => {
  it("no settlement traces settlement.* more than once", () => {
    const settlements = samples.filter((c) => c.kind === "settlement");
    expect(settlements.length).toBeGreaterThanOrEqual(20);
    for (const c of settlements) {
      const r = decider.decide(c);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      const modeLines = r.decision.trace.filter((t) => t.rule.startsWith("settlement."));
      expect(modeLines.length, c.id).toBeLessThanOrEqual(1);
    }
  });

  it("policyFor answers with a result, never a bare string or an exception", () => {
    const r = decider.policyFor("360102", "2000-01-01");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatchObject({ code: "no_rule_set", path: ["insured", "region"] });
    expect(decider.policyFor("360102", "2025-01-01").ok).toBe(true);
  });

  it("a bill no table prices is a decision, not a problem", () => {
    const c = caseSchema.parse({ ...nanchang(), asOf: "2024-01-10" });
    const r = decider.decide(c);
    expect(r.ok).toBe(true);
  });
});

describe("BoundedCache", () => {
  it("keeps at most its bound, evicting the oldest entry", () => {
    const cache = new BoundedCache<number, string>(2);
    cache.set(1, "a");
    cache.set(2, "b");
    cache.set(3, "c");
    expect(cache.size).toBe(2);
    expect(cache.get(1)).toBeUndefined();
    expect(cache.getOrSet(3, () => "x")).toBe("c");
    expect(cache.getOrSet(4, () => "d")).toBe("d");
    expect(cache.get(2)).toBeUndefined();
  });
});
