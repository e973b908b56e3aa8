import { describe, expect, it } from "vitest";
import { regionAncestry, resolveChain } from "../../engine/index.ts";
import { olderOverrides } from "../../engine/policy.ts";
import type { RuleSet } from "../../engine/schema/rule-set.ts";
import { chainOf, decideCase, decider, idNumber, missingIds } from "../helpers.ts";

const chain = (region: string, asOf: string) => {
  const r = resolveChain(decider.library, region, asOf);
  return r.ok ? r.chain.map((rs) => `${rs.id}@${rs.version}`) : r.message;
};

describe("region resolution", () => {
  it("walks from a district code to the nation", () => {
    expect(regionAncestry("510411")).toEqual(["510411", "510400", "510000", "000000"]);
    expect(regionAncestry("510000")).toEqual(["510000", "000000"]);
  });

  it("resolves a Panzhihua district to Panzhihua over the national version in force", () => {
    expect(chain("510411", "2017-06-01")).toEqual(["national@2016-12-13", "sichuan/panzhihua@2017-04-12"]);
    expect(chain("510411", "2020-06-01")).toEqual([
      "national@2016-12-13",
      "national@2019-06-01",
      "sichuan/panzhihua@2017-04-12",
    ]);
  });

  it("skips a level with no rule set of its own (Chengdu → Sichuan has none → national)", () => {
    expect(chain("510104", "2017-06-01")).toEqual(["national@2016-12-13"]);
    expect(chain("440106", "2024-01-01")).toEqual([
      "national@2016-12-13",
      "national@2019-06-01",
      "national@2023-01-01",
    ]);
  });

  it("uses a region's rules only from their effective date", () => {
    expect(chain("510402", "2017-04-11")).toEqual(["national@2016-12-13"]);
    expect(chain("510402", "2017-04-12")).toEqual(["national@2016-12-13", "sichuan/panzhihua@2017-04-12"]);
    expect(chain("360111", "2022-12-31")).toEqual([
      "national@2016-12-13",
      "national@2019-06-01",
      "jiangxi@2017-11-23",
    ]);
    expect(chain("360111", "2023-01-01")).toEqual([
      "national@2016-12-13",
      "national@2019-06-01",
      "national@2023-01-01",
      "jiangxi@2017-11-23",
      "jiangxi/nanchang@2023-01-01",
    ]);
  });

  it("has no rules before the first national version", () => {
    expect(chain("110000", "2016-12-12")).toBe("no rule set in force on 2016-12-12 for region 110000");
  });
});

describe("version selection by asOf: one person under the 2016, 2019 and 2023 national rules", () => {
  const person = (asOf: string, materials: string[]) =>
    decideCase({
      id: `gz-${asOf}`,
      asOf,
      applicant: { idNumber: idNumber("1955-03-01", "male", "440106") },
      insured: { region: "440106", scheme: "employee", status: "retired" },
      filing: {
        category: "referral",
        destination: { region: "110000", hospital: { level: "3A" } },
        materials: materials as never,
      },
    });

  it("2016: the filing form alone; valid until changed", () => {
    const d = person("2018-03-01", ["filing_form"]);
    expect(chainOf(d)).toEqual(["national@2016-12-13"]);
    expect(d.outcome).toBe("approved");
    expect(d.validity).toEqual({
      from: "2018-03-01",
      until: null,
      singleUse: false,
      changeLockedUntil: null,
    });
    expect(d.settlementMode).toBe("direct");
  });

  it("2019: also the ID card and the referral certificate, told at once", () => {
    const d = person("2020-03-01", ["filing_form"]);
    expect(chainOf(d).at(-1)).toBe("national@2019-06-01");
    expect(d.outcome).toBe("incomplete");
    expect(missingIds(d)).toEqual(["id_card", "referral_certificate"]);
  });

  it("2023: a temporary filing valid six months, usable for several stays", () => {
    const d = person("2024-03-01", ["filing_form", "id_card", "referral_certificate"]);
    expect(chainOf(d).at(-1)).toBe("national@2023-01-01");
    expect(d.outcome).toBe("approved");
    expect(d.validity).toEqual({
      from: "2024-03-01",
      until: "2024-08-31",
      singleUse: false,
      changeLockedUntil: null,
    });
    expect(d.warnings.map((w) => w.code)).toContain("source.secondary");
  });
});

describe("a regional rule older than a national one of the same name", () => {
  /** A resettled retiree with every material, insured in Panzhihua unless `region` says otherwise. */
  const resettled = (asOf: string, region = "510402", card: "ss_card" | "id_card" = "ss_card") =>
    decideCase({
      id: `resettled-${region}-${asOf}`,
      asOf,
      applicant: { idNumber: idNumber("1950-01-01", "male", region) },
      insured: { region, scheme: "employee", status: "retired" },
      filing: {
        category: "retired_resettled",
        destination: { region: "460200", hospital: { level: "3A" } },
        hukouMoved: true,
        materials: ["filing_form", card, "hukou_proof"],
      },
    });
  const olderOverride = (d: ReturnType<typeof decideCase>) =>
    d.warnings.find((w) => w.code === "rules.older-override");

  it("is applied (the region's rule set is the more specific), and the decision says which entries and which newer rules", () => {
    const d = resettled("2025-03-01");
    // Panzhihua's 2-year change lock, not the national 2023 rule of no lock.
    expect(d.validity?.changeLockedUntil).toBe("2027-02-28");
    const w = olderOverride(d);
    expect(w?.message).toContain("sichuan/panzhihua@2017-04-12");
    expect(w?.message).toContain("validity.retired_resettled");
    expect(w?.message).toContain("national@2023-01-01（2023-01-01 起）");
    expect(d.warnings.filter((x) => x.code === "rules.older-override")).toHaveLength(1);
  });

  it("is not flagged before the newer national rule exists, nor where the region is the newer one", () => {
    expect(olderOverride(resettled("2017-06-01"))).toBeUndefined();
    // Under the 2019 national version, only entries that 2019 redefined are flagged.
    const in2020 = olderOverride(resettled("2020-06-01"));
    expect(in2020?.message).toContain("materials.resettled-proof 取代了 national@2019-06-01");
    expect(in2020?.message).not.toContain("2023");
    // Nanchang's 2023 layer is not older than national 2023: nothing to flag.
    const nanchang = resettled("2024-03-01", "360102", "id_card");
    expect(chainOf(nanchang)).toContain("jiangxi/nanchang@2023-01-01");
    // Its inherited Jiangxi 2017 entries are older than national 2023; Nanchang's own are not.
    expect(olderOverride(nanchang)?.message).toContain("jiangxi@2017-11-23 的 ");
    expect(olderOverride(nanchang)?.message).not.toContain("jiangxi/nanchang");
  });
});

describe("olderOverrides", () => {
  const cite = { document: "d", clause: "c" };
  const rs = (id: string, from: string, validity: Record<string, object | null>, categories = {}) =>
    ({ id, version: from, effective: { from }, validity, categories }) as unknown as RuleSet;
  const lock = { duration: null, singleUse: false, citation: cite };

  it("compares with the newest definition up the chain, not only the one replaced", () => {
    const chain = [
      rs("national", "2023-01-01", { k: lock }, { emergency: { citation: cite } }),
      rs("province", "2017-01-01", { k: lock }, { emergency: { citation: cite } }),
      rs("province/city", "2018-01-01", { k: lock }),
    ];
    const o = olderOverrides(chain);
    expect(o.get("validity.k")).toMatchObject({
      ruleSet: "province/city@2018-01-01",
      newer: "national@2023-01-01",
    });
    // Categories are traced as category.<key>.
    expect(o.get("category.emergency")).toMatchObject({ ruleSet: "province@2017-01-01" });
  });

  it("forgets an entry removed with null, and flags nothing where each layer is newer", () => {
    expect(
      olderOverrides([
        rs("national", "2023-01-01", { k: lock }),
        rs("province", "2017-01-01", { k: null }),
        rs("province/city", "2018-01-01", { k: lock }),
      ]).size,
    ).toBe(0);
    expect(
      olderOverrides([rs("national", "2016-12-13", { k: lock }), rs("province", "2017-11-23", { k: lock })])
        .size,
    ).toBe(0);
  });
});
