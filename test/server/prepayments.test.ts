import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usage } from "../../server/routes/prepayments.ts";
import { DIALECTS, startServer, type TestServer } from "./harness.ts";

const SICHUAN_TO_HAINAN = { insuredProvince: "51", treatmentProvince: "46" };
const month = (m: number, prepayment: string, clearing: string, pair = SICHUAN_TO_HAINAN) => ({
  ...pair,
  year: 2025,
  month: m,
  prepayment,
  clearing,
});

describe("usage ratio and level (120号 经办规程第二十条)", () => {
  it.each([
    ["699900.00", "0.6999", "normal"],
    ["700000.00", "0.7000", "yellow"],
    ["899900.00", "0.8999", "yellow"],
    ["900000.00", "0.9000", "red"],
    ["1250000.00", "1.2500", "red"],
  ])("clearing %s of 1000000.00 is %s, %s", (clearing, ratio, level) => {
    expect(usage("1000000.00", clearing)).toEqual({ usageRatio: ratio, level });
  });

  it("rounds the ratio half-up to 4 places but sets the level from the exact ratio", () => {
    expect(usage("1000000.00", "699950.00")).toEqual({ usageRatio: "0.7000", level: "normal" });
    expect(usage("1000000.00", "699949.99")).toEqual({ usageRatio: "0.6999", level: "normal" });
    expect(usage("3.00", "2.00")).toEqual({ usageRatio: "0.6667", level: "normal" });
  });

  it("stays exact at 16 integer digits, where a JS number would not", () => {
    // 9007199254740993 is 2^53 + 1: as a JS number it would be 9007199254740992.
    expect(usage("9007199254740993.00", "8106479329266893.70")).toEqual({
      usageRatio: "0.9000",
      level: "red",
    });
    expect(usage("9999999999999999.99", "6999999999999999.99")).toEqual({
      usageRatio: "0.7000",
      level: "normal",
    });
    expect(usage("9999999999999999.99", "6999999999999999.993")).toMatchObject({ level: "yellow" });
  });
});

describe.each(DIALECTS)("prepayment monitor on $name", (dialect) => {
  let s: TestServer;
  let failAt: string | undefined;
  beforeAll(async () => {
    s = await startServer(dialect, {
      faults: (point) => {
        if (point === failAt) throw new Error(`injected fault at ${point}`);
      },
    });
  }, 60_000);
  afterAll(async () => s?.close());

  const put = (user: string, payload: unknown) =>
    s.as(user, { method: "PUT", url: "/api/prepayments", payload });
  const report = async (query: string, user = "officer") => {
    const r = await s.as(user, { method: "GET", url: `/api/prepayments/report?${query}` });
    expect(r.statusCode).toBe(200);
    return r.json();
  };

  it("records a month (201), reports its ratio and level with the citation, and audits it", async () => {
    const r = await put("officer", month(1, "1000000.00", "750000.00"));
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({
      insuredProvince: "51",
      insuredProvinceName: "四川省",
      treatmentProvince: "46",
      treatmentProvinceName: "海南省",
      prepayment: "1000000.00",
      clearing: "750000.00",
      usageRatio: "0.7500",
      level: "yellow",
      citation: { document: "人社部发〔2016〕120号", clause: "经办规程第二十条" },
      emergencyTopUp: null,
      recordedBy: "officer",
    });
    const audit = await s.as("admin", { method: "GET", url: "/api/audit?entity=prepayment" });
    expect(audit.json()[0]).toMatchObject({
      actor: "officer",
      action: "prepayment.record",
      detail: { ...month(1, "1000000.00", "750000.00") },
    });
  });

  it("puts the boundaries 0.6999 / 0.70 / 0.8999 / 0.90 on the right side", async () => {
    const pairs = [
      ["11", "6999.00", "normal"],
      ["21", "7000.00", "yellow"],
      ["36", "8999.00", "yellow"],
      ["44", "9000.00", "red"],
    ] as const;
    for (const [insured, clearing] of pairs) {
      const r = await put(
        "officer",
        month(2, "10000.00", clearing, { insuredProvince: insured, treatmentProvince: "46" }),
      );
      expect(r.statusCode).toBe(201);
    }
    const body = await report("year=2025&month=2");
    expect(
      body.rows.map((x: { insuredProvince: string; usageRatio: string; level: string }) => [
        x.insuredProvince,
        x.usageRatio,
        x.level,
      ]),
    ).toEqual([
      ["11", "0.6999", "normal"],
      ["21", "0.7000", "yellow"],
      ["36", "0.8999", "yellow"],
      ["44", "0.9000", "red"],
    ]);
    expect(body.counts).toEqual({ normal: 1, yellow: 2, red: 1 });
    expect(body.thresholds).toEqual({ yellow: "0.70", red: "0.90" });
    const [normal, yellow, , red] = body.rows;
    expect(normal.warning).toBeNull();
    expect(yellow.warning).toContain("黄色预警");
    expect(red.warning).toContain("红色预警");
    expect(red.emergencyTopUp).toEqual({
      due: true,
      message: expect.stringContaining("紧急调增"),
      citation: { document: "人社部发〔2016〕120号", clause: "经办规程第二十一条" },
    });
    expect(red.emergencyTopUp.message).toContain("海南省省级经办机构向部级经办机构报送预付金额度调增申请");
    expect(yellow.emergencyTopUp).toBeNull();
  });

  it("keeps money exact through the database (no JS number anywhere)", async () => {
    const r = await put("officer", month(3, "9007199254740993.00", "8106479329266893.71"));
    expect(r.statusCode).toBe(201);
    expect(r.body).toContain('"prepayment":"9007199254740993.00"');
    const row = (await report("year=2025&month=3")).rows[0];
    expect(row).toMatchObject({
      prepayment: "9007199254740993.00",
      clearing: "8106479329266893.71",
      usageRatio: "0.9000",
      level: "red",
    });
    // one fen is kept and "0.1" stays "0.10"
    await put("officer", month(4, "0.10", "0.07"));
    expect((await report("year=2025&month=4")).rows[0]).toMatchObject({
      prepayment: "0.10",
      clearing: "0.07",
      level: "yellow",
    });
  });

  it("replaces a pair's month when recorded again (200), and audits what it replaced", async () => {
    const first = await put("officer", month(5, "500000.00", "100000.00"));
    expect(first.statusCode).toBe(201);
    const again = await put("admin", month(5, "500000.00", "475000.50"));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({
      clearing: "475000.50",
      usageRatio: "0.9500",
      level: "red",
      recordedBy: "admin",
    });
    const rows = (await report("year=2025&month=5")).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ clearing: "475000.50", level: "red" });
    const audit = await s.as("admin", { method: "GET", url: "/api/audit?entity=prepayment&actor=admin" });
    expect(audit.json()[0].detail).toMatchObject({
      clearing: "475000.50",
      previous: { prepayment: "500000.00", clearing: "100000.00" },
    });
  });

  it("filters the report by insured province, and returns no rows for an empty month", async () => {
    await put("officer", month(6, "100.00", "10.00"));
    await put("officer", month(6, "100.00", "95.00", { insuredProvince: "36", treatmentProvince: "51" }));
    const all = await report("year=2025&month=6", "tester");
    expect(all.rows).toHaveLength(2);
    const jiangxi = await report("year=2025&month=6&insuredProvince=36", "approver");
    expect(jiangxi.rows.map((x: { treatmentProvinceName: string }) => x.treatmentProvinceName)).toEqual([
      "四川省",
    ]);
    expect((await report("year=2024&month=6")).rows).toEqual([]);
  });

  it.each([
    [{ prepayment: 1000000 }, ["body", "prepayment"]],
    [{ prepayment: "1,000,000.00" }, ["body", "prepayment"]],
    [{ clearing: "750000.001" }, ["body", "clearing"]],
    [{ clearing: "-1.00" }, ["body", "clearing"]],
    [{ clearing: "1e6" }, ["body", "clearing"]],
    [{ prepayment: "0.00" }, ["body", "prepayment"]],
    [{ insuredProvince: "510000" }, ["body", "insuredProvince"]],
    [{ treatmentProvince: "51" }, ["body", "treatmentProvince"]],
    [{ month: 13 }, ["body", "month"]],
  ])("refuses %j with 400 and the field's path", async (change, path) => {
    const r = await put("officer", { ...month(7, "1000000.00", "750000.00"), ...change });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe("VALIDATION");
    expect(r.json().error.problems.map((p: { path: string[] }) => p.path)).toContainEqual(path);
    expect((await report("year=2025&month=7")).rows).toEqual([]);
  });

  it("answers money sent as a JSON number with the registry's error shape", async () => {
    const r = await put("officer", { ...month(7, "1000000.00", "750000.00"), prepayment: 1000000 });
    expect(r.json()).toMatchInlineSnapshot(`
      {
        "error": {
          "code": "VALIDATION",
          "message": "the request is not valid; see problems for each field",
          "problems": [
            {
              "code": "invalid_type",
              "message": "expected a string, got a number",
              "path": [
                "body",
                "prepayment",
              ],
            },
          ],
        },
      }
    `);
  });

  it("refuses a bad report query with 400", async () => {
    const r = await s.as("officer", { method: "GET", url: "/api/prepayments/report?year=2025&month=0" });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.problems[0].path).toEqual(["querystring", "month"]);
  });

  it("lets only officers and admins record, and keeps clerks out of the report", async () => {
    for (const user of ["clerk", "approver", "tester"]) {
      const r = await put(user, month(8, "100.00", "1.00"));
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe("FORBIDDEN");
    }
    const clerk = await s.as("clerk", { method: "GET", url: "/api/prepayments/report?year=2025&month=8" });
    expect(clerk.statusCode).toBe(403);
    const anonymous = await s.app.inject({ method: "GET", url: "/api/prepayments/report?year=2025&month=8" });
    expect(anonymous.statusCode).toBe(401);
    expect((await report("year=2025&month=8")).rows).toEqual([]);
  });

  it("writes the row and its audit entry together, or neither", async () => {
    failAt = "prepayment.recorded";
    try {
      const r = await put("officer", month(9, "100.00", "50.00"));
      expect(r.statusCode).toBe(500);
    } finally {
      failAt = undefined;
    }
    expect((await report("year=2025&month=9")).rows).toEqual([]);
    const audit = await s.as("admin", { method: "GET", url: "/api/audit?entity=prepayment" });
    expect(audit.json().filter((e: { detail: { month: number } }) => e.detail.month === 9)).toEqual([]);
  });
});
