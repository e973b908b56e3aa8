import { Decimal } from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caseSchema, type Decision } from "../../engine/index.ts";
import { decider, idNumber } from "../helpers.ts";

type Calculated = Extract<NonNullable<Decision["benefits"]>, { calculated: true }>;
/** The computed money of a decision (fails the test when it was not calculated). */
function money(d: Decision): Calculated {
  if (!d.benefits?.calculated) throw new Error(`not calculated: ${JSON.stringify(d.benefits)}`);
  return d.benefits;
}

/** A settlement case for one of the regions with benefit tables. */
function settlementCase(o: {
  region: string;
  scheme: "employee" | "urban_rural_resident";
  level: "1" | "2" | "3";
  total: string;
  selfPay?: string;
  partial?: string;
  fundPaid?: string;
  asOf?: string;
  filed?: boolean;
  category?: string;
  destination?: string;
}) {
  return caseSchema.safeParse({
    id: "prop",
    asOf: o.asOf ?? "2025-06-01",
    kind: "settlement",
    applicant: { idNumber: idNumber("1958-01-01", "male", o.region) },
    insured: { region: o.region, scheme: o.scheme, status: "retired" },
    filing: {
      category: o.category ?? "retired_resettled",
      destination: { region: o.destination ?? "460200" },
    },
    settlement: {
      admission: "2025-05-20",
      discharge: "2025-06-01",
      hospitalLevel: o.level,
      filed: o.filed ?? true,
      totalCost: o.total,
      selfPayCost: o.selfPay ?? "0.00",
      partialSelfPayCost: o.partial ?? "0.00",
      yearToDate: { fundPaid: o.fundPaid ?? "0.00" },
    },
  });
}

function settle(o: Parameters<typeof settlementCase>[0]): Decision | { problems: unknown } {
  const parsed = settlementCase(o);
  if (!parsed.success) return { problems: parsed.error.issues };
  const r = decider.decide(parsed.data);
  return r.ok ? r.decision : { problems: r.problems };
}

const fen = (n: number) => new Decimal(n).div(100).toFixed(2);
const bill = fc
  .record({
    region: fc.constantFrom("360102", "510402", "210402"),
    scheme: fc.constantFrom("employee" as const, "urban_rural_resident" as const),
    level: fc.constantFrom("1" as const, "2" as const, "3" as const),
    total: fc.integer({ min: 0, max: 50_000_000 }),
    selfShare: fc.double({ min: 0, max: 1, noNaN: true }),
    partialShare: fc.double({ min: 0, max: 1, noNaN: true }),
    fundPaid: fc.integer({ min: 0, max: 20_000_000 }),
  })
  .map((b) => {
    const self = Math.floor(b.total * b.selfShare);
    const partial = Math.floor((b.total - self) * b.partialShare);
    return { ...b, self, partial };
  });

describe("settlement properties (fast-check, random bills)", () => {
  it("fund pay + personal pay = total, exactly; fund never exceeds eligible cost or the remaining cap", () => {
    fc.assert(
      fc.property(bill, (b) => {
        const d = settle({
          ...b,
          total: fen(b.total),
          selfPay: fen(b.self),
          partial: fen(b.partial),
          fundPaid: fen(b.fundPaid),
        });
        if (!("benefits" in d) || !d.benefits?.calculated) throw new Error(JSON.stringify(d));
        const x = d.benefits;
        expect(new Decimal(x.fundPay).plus(x.personalPay).eq(x.totalCost)).toBe(true);
        expect(new Decimal(x.fundPay).lte(x.eligibleCost)).toBe(true);
        expect(new Decimal(x.fundPay).lte(x.capRemaining)).toBe(true);
        expect(new Decimal(x.fundPay).gte(0)).toBe(true);
        expect(x.fundPay).toMatch(/^\d+\.\d{2}$/);
      }),
      { numRuns: 300 },
    );
  });

  it("raising the total (same self-pay) never lowers the fund's share", () => {
    fc.assert(
      fc.property(bill, fc.integer({ min: 0, max: 5_000_000 }), (b, extra) => {
        const at = (total: number) => {
          const d = settle({
            ...b,
            total: fen(total),
            selfPay: fen(b.self),
            partial: fen(b.partial),
            fundPaid: fen(b.fundPaid),
          });
          if (!("benefits" in d) || !d.benefits?.calculated) throw new Error(JSON.stringify(d));
          return new Decimal(d.benefits.fundPay);
        };
        expect(at(b.total + extra).gte(at(b.total))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe("settlement results explain themselves", () => {
  it("warns on every result computed from an illustrative table", () => {
    const d = settle({
      region: "510402",
      scheme: "employee",
      level: "2",
      total: "1000.00",
      asOf: "2018-06-01",
    }) as Decision;
    expect(money(d).provenance).toBe("illustrative");
    expect(d.warnings.map((w) => w.code)).toContain("benefits.illustrative");
  });

  it("cites the table row and shows the arithmetic of the fund line", () => {
    const d = settle({
      region: "360102",
      scheme: "employee",
      level: "3",
      total: "30000.00",
      selfPay: "3000.00",
    }) as Decision;
    const fund = money(d).lines.find((l) => l.id === "fund.basic");
    expect(fund?.explain).toBe("(27000.00 − 起付 800.00) × 0.85 = 22270.0000，四舍五入到分 = 22270.00");
    expect(fund?.citation?.document).toBe("洪医保发〔2025〕27号");
    expect(money(d).rounding).toMatch(/half-up to 0\.01/);
  });

  it("pays nothing for unfiled care in Panzhihua (攀医保〔2017〕10号 五(三))", () => {
    const d = settle({
      region: "510402",
      scheme: "employee",
      level: "3",
      total: "5000.00",
      asOf: "2018-06-01",
      filed: false,
    }) as Decision;
    expect(d.outcome).toBe("rejected");
    expect(money(d).fundPay).toBe("0.00");
    expect(d.reasons[0]?.citation.clause).toContain("五(三)");
  });
});

describe("bad settlement input names the field", () => {
  const problem = (o: Parameters<typeof settlementCase>[0]) => {
    const d = settle(o);
    return JSON.stringify("problems" in d ? d.problems : d);
  };

  it("refuses money that is not a decimal string, or negative", () => {
    expect(problem({ region: "360102", scheme: "employee", level: "1", total: "12,00" })).toContain(
      "totalCost",
    );
    expect(problem({ region: "360102", scheme: "employee", level: "1", total: "-5.00" })).toContain(
      "non-negative",
    );
  });

  it("refuses self-pay larger than the total", () => {
    const p = problem({
      region: "360102",
      scheme: "employee",
      level: "1",
      total: "100.00",
      selfPay: "80.00",
      partial: "30.00",
    });
    expect(p).toContain('"settlement","selfPayCost"');
    expect(p).toContain("total cost");
  });

  it("refuses a hospital level the benefit tables do not know", () => {
    expect(problem({ region: "360102", scheme: "employee", level: "4" as "1", total: "100.00" })).toContain(
      "a hospital level the benefit tables know: 1, 2 or 3",
    );
  });

  it("refuses a discharge before admission", () => {
    const parsed = caseSchema.safeParse({
      id: "x",
      asOf: "2025-06-01",
      kind: "settlement",
      applicant: { idNumber: idNumber("1958-01-01", "male", "360102") },
      insured: { region: "360102", scheme: "employee" },
      settlement: { admission: "2025-06-01", discharge: "2025-05-01", hospitalLevel: "1", totalCost: "1.00" },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ["settlement", "discharge"] });
    expect(parsed.error?.issues[0]?.message).toMatch(/before admission/);
  });
});
