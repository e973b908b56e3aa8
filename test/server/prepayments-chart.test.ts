import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, startServer, type TestServer } from "./harness.ts";

describe.each(DIALECTS)("the prepayment monitor's chart on $name", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect);
  }, 60_000);
  afterAll(async () => s?.close());

  const put = (month: number, clearing: string, treatmentProvince = "46") =>
    s.as("officer", {
      method: "PUT",
      url: "/api/prepayments",
      payload: {
        insuredProvince: "51",
        treatmentProvince,
        year: 2025,
        month,
        prepayment: "1000000.00",
        clearing,
      },
    });

  it("gives a year's monthly usage per province pair, aligned on the months, with the 70 % and 90 % lines", async () => {
    for (const [m, c] of [
      [1, "500000.00"],
      [2, "720000.00"],
      [4, "935000.00"],
    ] as const) {
      expect((await put(m, c)).statusCode).toBe(201);
    }
    expect((await put(2, "100000.00", "36")).statusCode).toBe(201);
    const r = await s.as("approver", { method: "GET", url: "/api/prepayments/report?year=2025" });
    expect(r.statusCode, r.body).toBe(200);
    const { chart, rows, month, counts } = r.json();
    expect(month).toBeNull();
    expect(rows).toHaveLength(4);
    expect(counts).toEqual({ normal: 2, yellow: 1, red: 1 });
    expect(chart.months).toHaveLength(12);
    expect(chart.months.slice(0, 4)).toEqual(["2025-01", "2025-02", "2025-03", "2025-04"]);
    expect(chart.thresholds.map((t: { percent: number }) => t.percent)).toEqual([70, 90]);
    expect(chart.series).toEqual([
      expect.objectContaining({
        name: "四川省 → 江西省",
        usagePercent: [null, 10, ...Array(10).fill(null)],
      }),
      expect.objectContaining({
        name: "四川省 → 海南省",
        usagePercent: [50, 72, null, 93.5, ...Array(8).fill(null)],
        levels: ["normal", "yellow", null, "red", ...Array(8).fill(null)],
      }),
    ]);
    const one = (
      await s.as("officer", { method: "GET", url: "/api/prepayments/report?year=2025&month=4" })
    ).json();
    expect(one.chart).toMatchObject({ months: ["2025-04"], series: [{ usagePercent: [93.5] }] });
  });
});
