import { describe, expect, it } from "vitest";
import { addPeriod, ageOn, lastDayOf } from "../../engine/dates.ts";
import { CUSTOM_OPERATORS, icd10InRange, regionWithin } from "../../engine/operators.ts";

describe("ICD-10 range match", () => {
  it.each([
    ["S72.001", "S00-T14", true],
    ["T14.9", "S00-T14", true],
    ["T15.0", "S00-T14", false],
    ["R10.0", "R10", true],
    ["K92.1", "K92.0-K92.2", true],
    ["K92.8", "K92.0-K92.2", false],
    ["A09.9", "A00-B99", true],
    ["C34.1", "A00-B99", false],
  ])("%s in %s is %s", (code, range, expected) => {
    expect(icd10InRange(code, range)).toBe(expected);
  });

  it("matches when any of several diagnoses falls in any range", () => {
    expect(CUSTOM_OPERATORS.icd10In(["J45.9", "R57.1"], ["R57", "T79.4"])).toBe(true);
    expect(CUSTOM_OPERATORS.icd10In(["J45.9"], ["R57", "T79.4"])).toBe(false);
  });
});

describe("region and level operators", () => {
  it("places a district within its city and province, not another city", () => {
    expect(regionWithin("510411", "510400")).toBe(true);
    expect(regionWithin("510411", "510000")).toBe(true);
    expect(regionWithin("510104", "510400")).toBe(false);
    expect(regionWithin("110000", "000000")).toBe(true);
  });

  it("treats a destination at the issuer's level as 'higher-level' (3A → 3A)", () => {
    expect(CUSTOM_OPERATORS.levelAtLeast("3A", "3A")).toBe(true);
    expect(CUSTOM_OPERATORS.levelAtLeast("3", "3A")).toBe(false);
    expect(CUSTOM_OPERATORS.levelAtLeast("2", undefined)).toBe(false);
  });

  it("compares money exactly as decimals", () => {
    expect(CUSTOM_OPERATORS.decimalAtLeast("0.30", "0.3")).toBe(true);
    expect(CUSTOM_OPERATORS.decimalLessThan("0.1", "0.30000000000000004")).toBe(true);
    expect(CUSTOM_OPERATORS.decimalEqual(0.1 + 0.2, "0.3")).toBe(false);
  });
});

describe("calendar arithmetic (domain.md §6)", () => {
  it("ends a period on its last valid day, inclusive", () => {
    expect(lastDayOf("2017-06-01", "P2Y")).toBe("2019-05-31");
    expect(lastDayOf("2017-06-01", "P1M")).toBe("2017-06-30");
    expect(lastDayOf("2024-03-01", "P6M")).toBe("2024-08-31");
  });

  it("clamps to the month's end when adding months", () => {
    expect(addPeriod("2018-01-31", "P1M")).toBe("2018-02-28");
    expect(addPeriod("2020-01-31", "P1M")).toBe("2020-02-29");
    expect(lastDayOf("2016-02-29", "P1Y")).toBe("2017-02-27");
  });

  it("counts completed years of age on a date", () => {
    expect(ageOn("1967-06-01", "2017-06-01")).toBe(50);
    expect(ageOn("1967-06-02", "2017-06-01")).toBe(49);
    expect(ageOn("1956-02-29", "2016-02-28")).toBe(59);
    expect(ageOn("1956-02-29", "2016-02-29")).toBe(60);
    expect(ageOn("1956-02-29", "2017-02-28")).toBe(60);
  });

  it("does not depend on the server's time zone (Asia/Shanghai kept daylight-saving time in the 1940s)", async () => {
    const { execFileSync } = await import("node:child_process");
    const script = `import("./engine/dates.ts").then(m => console.log(JSON.stringify([
      m.ageOn("1949-05-01", "2009-05-01"), m.lastDayOf("1940-06-01", "P1M"), m.addPeriod("1941-03-15", "P1M"),
      m.lastDayOf("1919-04-13", "P1Y")])))`;
    const run = (tz: string) =>
      execFileSync("npx", ["tsx", "-e", script], {
        env: { ...process.env, TZ: tz },
        encoding: "utf8",
      }).trim();
    const utc = run("UTC");
    expect(utc).toBe('[60,"1940-06-30","1941-04-15","1920-04-12"]');
    expect(run("Asia/Shanghai")).toBe(utc);
    expect(run("Pacific/Apia")).toBe(utc);
  }, 30_000);
});
