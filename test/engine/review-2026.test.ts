import { describe, expect, it } from "vitest";
import { provinceLevel, sameCity } from "../../engine/case-facts.ts";
import { type Decision, decideWithReference, type Policy } from "../../engine/index.ts";
import { CUSTOM_OPERATORS } from "../../engine/operators.ts";
import { caseSchema } from "../../engine/schema/case.ts";
import { decideCase, decider, idNumber, missingIds, ruleFiles } from "../helpers.ts";

/**
 * The eligibility-side decisions of the second review (domain.md §7, 2026-11-27): each item as a
 * clerk or tester would meet it, with the clause the decision cites.
 */

const codes = (d: Decision, effect?: string) =>
  d.reasons.filter((r) => effect === undefined || r.effect === effect).map((r) => r.code);
const warningCodes = (d: Decision) => d.warnings.map((w) => w.code);
const reason = (d: Decision, code: string) => d.reasons.find((r) => r.code === code);

const RETIREE = idNumber("1950-01-01", "male", "440106");
const SANYA = { region: "460200", hospital: { name: "三亚市人民医院", level: "3A", networked: true } };

/** A national-only case: Guangzhou (440106) has no rule set of its own. */
const national = (over: Record<string, unknown> = {}, filing: Record<string, unknown> = {}, insured = {}) =>
  decideCase({
    id: "nat",
    asOf: "2020-03-01",
    applicant: { idNumber: RETIREE, name: "张建国" },
    insured: { region: "440106", scheme: "employee", status: "retired", ...insured },
    ...over,
    filing: {
      category: "retired_resettled",
      destination: SANYA,
      hukouMoved: true,
      materials: ["filing_form", "id_card", "hukou_proof"],
      channel: "window",
      ...filing,
    },
  });

const pzh = (over: Record<string, unknown> = {}, filing: Record<string, unknown> = {}, insured = {}) =>
  decideCase({
    id: "pzh",
    asOf: "2017-06-01",
    applicant: { idNumber: idNumber("1950-01-01", "male") },
    insured: { region: "510402", scheme: "employee", status: "retired", ...insured },
    ...over,
    filing: {
      category: "long_term_resident",
      destination: { region: "440106", hospital: { level: "3A", networked: true } },
      residenceYears: 3,
      materials: ["filing_form", "ss_card", "residence_permit"],
      ...filing,
    },
  });

const jx = (over: Record<string, unknown> = {}, filing: Record<string, unknown> = {}, insured = {}) =>
  decideCase({
    id: "jx",
    asOf: "2018-06-01",
    applicant: { idNumber: idNumber("1960-01-01", "male", "360702") },
    insured: { region: "360700", scheme: "employee", status: "in_service", ...insured },
    ...over,
    filing: {
      category: "long_term_resident",
      destination: SANYA,
      materials: ["filing_form", "residence_permit", "id_card"],
      channel: "window",
      ...filing,
    },
  });

describe("§7.1 off-site means outside the insured pooling area", () => {
  it("tells the same city by the first 4 digits, a municipality by the first 2, a province-level code only by itself", () => {
    expect(sameCity("510402", "510411")).toBe(true); // 东区, 仁和区: both Panzhihua
    expect(sameCity("510402", "510107")).toBe(false); // Chengdu
    expect(sameCity("110105", "110108")).toBe(true); // 朝阳区, 海淀区
    expect(sameCity("500101", "500236")).toBe(true); // Chongqing: one pooling area
    expect(sameCity("310104", "320500")).toBe(false);
    expect(sameCity("360000", "360100")).toBe(false); // Jiangxi province level: cannot tell
    expect(sameCity("360000", "360000")).toBe(true);
    expect(provinceLevel("360000")).toBe(true);
    expect(provinceLevel("110000")).toBe(false);
    expect(provinceLevel("360100")).toBe(false);
  });

  it("rejects a filing to the insured person's own city, citing 经办规程第七条", () => {
    const d = national({}, { destination: { region: "440104", hospital: { level: "3A" } } });
    expect(d.outcome).toBe("rejected");
    expect(reason(d, "off-site")).toMatchObject({
      effect: "reject",
      citation: { document: "人社部发〔2016〕120号", clause: "经办规程第七条" },
    });
  });

  it("rejects in Panzhihua citing its own “市外” (四(二)1(1)), and accepts another Sichuan city", () => {
    const own = pzh({}, { destination: { region: "510411", hospital: { level: "3A" } } });
    expect(own.outcome).toBe("rejected");
    expect(reason(own, "off-site")?.citation).toMatchObject({
      document: "攀医保〔2017〕10号",
      clause: "四(二)1(1)",
    });
    const chengdu = pzh(
      {},
      { destination: { region: "510107", hospital: { level: "3A", networked: true } } },
    );
    expect(chengdu.outcome).toBe("approved");
    expect(codes(chengdu, "reject")).toEqual([]);
  });

  it("applies to changes, extensions and settlements, not to a revocation (no destination there)", () => {
    const here = { region: "510411", hospital: { level: "3A" } };
    const change = pzh(
      {
        kind: "change",
        asOf: "2020-01-01",
        previous: { category: "long_term_resident", approvedOn: "2017-06-01" },
      },
      { destination: here },
    );
    expect(codes(change, "reject")).toContain("off-site");
    const extend = pzh(
      {
        kind: "extend",
        previous: { category: "referral", approvedOn: "2017-06-01", validUntil: "2017-06-30", extensions: 0 },
      },
      { category: undefined, destination: here, materials: ["ss_card", "extension_application"] },
    );
    expect(codes(extend, "reject")).toContain("off-site");
    const revoke = decideCase({
      id: "rv",
      asOf: "2020-01-01",
      kind: "revoke",
      applicant: { idNumber: idNumber("1950-01-01", "male") },
      insured: { region: "510402", scheme: "employee", status: "retired" },
      filing: { materials: ["ss_card", "revocation_form"] },
      previous: { category: "long_term_resident", approvedOn: "2017-06-01" },
    });
    expect(revoke.outcome).toBe("approved");
    const settlement = decideCase({
      id: "st",
      asOf: "2025-03-10",
      kind: "settlement",
      applicant: { idNumber: idNumber("1960-03-01", "male", "360102") },
      insured: { region: "360102", scheme: "employee", status: "retired" },
      filing: {
        category: "retired_resettled",
        destination: { region: "360111", hospital: { level: "3A", networked: true } },
      },
      settlement: {
        admission: "2025-03-01",
        discharge: "2025-03-10",
        hospitalLevel: "3",
        totalCost: "1000.00",
      },
    });
    expect(settlement.outcome).toBe("rejected");
    expect(codes(settlement, "reject")).toContain("off-site");
  });

  it("asks for the destination when a filing gives none, rather than guessing", () => {
    const d = national({}, { destination: undefined });
    expect(d.outcome).toBe("incomplete");
    expect(d.missingFields).toContain("filing.destination.region");
  });

  it("warns, without rejecting, when a province-level insured code cannot tell the pooling area", () => {
    const inProvince = national(
      {},
      { destination: { region: "440100", hospital: { level: "3A" } } },
      { region: "440000" },
    );
    expect(inProvince.outcome).toBe("approved");
    expect(warningCodes(inProvince)).toContain("pooling-area-unknown");
    const sameCode = national(
      {},
      { destination: { region: "440000", hospital: { level: "3A" } } },
      { region: "440000" },
    );
    expect(sameCode.outcome).toBe("rejected");
    const otherProvince = national({}, {}, { region: "440000" });
    expect(otherProvince.outcome).toBe("approved");
    expect(warningCodes(otherProvince)).not.toContain("pooling-area-unknown");
    // Beijing's code is the city: no doubt to warn about.
    const beijing = national({}, {}, { region: "110000" });
    expect(warningCodes(beijing)).not.toContain("pooling-area-unknown");
  });
});

describe("§7.4 online filings need no paper form (医保办发〔2019〕33号 第七条)", () => {
  const online = { channel: "online" as const, materials: ["id_card" as const, "hukou_proof" as const] };
  const onlineInfo = {
    startDate: "2020-03-15",
    contactPerson: "张小明",
    phone1: "13800000001",
    contactAddress: "三亚",
  };

  it("nationally from 2019-06-01: no filing_form, the online information checked instead", () => {
    const ok = national({}, { ...online, form: onlineInfo });
    expect(ok.outcome).toBe("approved");
    const short = national({}, { ...online, form: { startDate: "2020-03-15" } });
    expect(short.outcome).toBe("incomplete");
    expect(missingIds(short)).toEqual([]);
    expect(short.missingFields).toEqual(["contactPerson", "phone1", "contactAddress"]);
    const before = national({ asOf: "2019-05-31" }, online);
    expect(missingIds(before)).toEqual(["filing_form"]);
  });

  it("still asks a window filing for the paper form, and a filing that names no channel", () => {
    expect(missingIds(national({}, { channel: "window", materials: ["id_card", "hukou_proof"] }))).toEqual([
      "filing_form",
    ]);
    expect(missingIds(national({}, { channel: undefined, materials: ["id_card", "hukou_proof"] }))).toEqual([
      "filing_form",
    ]);
  });

  it("lifts Panzhihua's and Jiangxi's own form requirement from 2019-06-01 only", () => {
    const pzhOnline = (asOf: string) =>
      pzh({ asOf }, { channel: "online", materials: ["ss_card", "residence_permit"] });
    expect(missingIds(pzhOnline("2019-05-31"))).toEqual(["filing_form"]);
    expect(pzhOnline("2019-06-01").outcome).toBe("approved");
    expect(
      missingIds(
        pzh({ asOf: "2019-06-01" }, { channel: "window", materials: ["ss_card", "residence_permit"] }),
      ),
    ).toEqual(["filing_form"]);
    const jxOnline = (asOf: string) =>
      jx({ asOf }, { channel: "online", materials: ["residence_permit", "id_card"] });
    expect(missingIds(jxOnline("2019-05-31"))).toEqual(["filing_form"]);
    expect(jxOnline("2019-06-01").outcome).toBe("approved");
  });

  it("lifts it in 2023's national version and for Fushun's national categories too", () => {
    expect(national({ asOf: "2024-03-01" }, online).outcome).toBe("approved");
    const fushun = decideCase({
      id: "fs",
      asOf: "2022-06-01",
      applicant: { idNumber: idNumber("1958-03-15", "male", "210402") },
      insured: { region: "210400", scheme: "employee", status: "retired" },
      filing: { category: "retired_resettled", destination: SANYA, hukouMoved: true, ...online },
    });
    expect(fushun.outcome).toBe("approved");
  });
});

describe("§7.5 statutory retirement age for employees (攀医保 一(二))", () => {
  const inService = (birth: string, sex: "male" | "female") =>
    pzh({ applicant: { idNumber: idNumber(birth, sex) } }, {}, { status: "in_service" });

  it("sends an in-service man of 60 and an in-service woman of 50 to a person", () => {
    for (const d of [inService("1957-06-01", "male"), inService("1967-06-01", "female")]) {
      expect(d.outcome).toBe("manual_review");
      expect(reason(d, "long-term-in-service-age")).toMatchObject({
        effect: "manual_review",
        citation: { document: "攀医保〔2017〕10号", clause: "一(二)" },
      });
    }
  });

  it("rejects the day before (59 / 49), and approves a retired employee of any age", () => {
    for (const d of [inService("1957-06-02", "male"), inService("1967-06-02", "female")]) {
      expect(d.outcome).toBe("rejected");
      expect(codes(d, "reject")).toEqual(["long-term-retirement-age"]);
      expect(codes(d, "manual_review")).toEqual([]);
    }
    expect(pzh({ applicant: { idNumber: idNumber("1970-01-01", "female") } }).outcome).toBe("approved");
  });

  it("leaves the urban-rural resident rule as it was: age alone", () => {
    const resident = (birth: string) =>
      pzh(
        { applicant: { idNumber: idNumber(birth, "male") } },
        {},
        { scheme: "urban_rural_resident", status: undefined },
      );
    expect(resident("1957-06-01").outcome).toBe("approved");
    expect(resident("1957-06-02").outcome).toBe("rejected");
  });
});

describe("§7.6 referral to a higher level (攀医保 一(四))", () => {
  it("levelAbove is strict: 3A above 3 above 2 above 1 above unrated", () => {
    expect(CUSTOM_OPERATORS.levelAbove("3A", "3")).toBe(true);
    expect(CUSTOM_OPERATORS.levelAbove("3", "2")).toBe(true);
    expect(CUSTOM_OPERATORS.levelAbove("1", "unrated")).toBe(true);
    expect(CUSTOM_OPERATORS.levelAbove("3A", "3A")).toBe(false);
    expect(CUSTOM_OPERATORS.levelAbove("3", "3")).toBe(false);
    expect(CUSTOM_OPERATORS.levelAbove("2", "3")).toBe(false);
    expect(CUSTOM_OPERATORS.levelAbove("3", undefined)).toBe(false);
    expect(CUSTOM_OPERATORS.levelAbove("4", "3")).toBe(false);
  });

  const referral = (issuerLevel: string, level: string) =>
    pzh(
      {},
      {
        category: "referral",
        destination: { region: "110105", hospital: { level, networked: true } },
        referral: { issuerLevel, issuerRegion: "510104" }, // outside the city: the issuer's own rule is manual review
        materials: ["filing_form", "ss_card", "referral_certificate"],
      },
    );
  const verdict = (issuer: string, dest: string) =>
    reason(referral(issuer, dest), "referral-higher-level")?.effect;

  it("accepts upward referrals and 3A → 3A only", () => {
    expect(verdict("2", "3")).toBe("pass");
    expect(verdict("3", "3A")).toBe("pass");
    expect(verdict("1", "2")).toBe("pass");
    expect(verdict("3A", "3A")).toBe("pass");
  });

  it("rejects lateral and downward referrals below the top", () => {
    for (const [issuer, dest] of [
      ["3", "3"],
      ["2", "2"],
      ["3A", "3"],
      ["2", "1"],
      ["1", "unrated"],
    ] as const) {
      const d = referral(issuer, dest);
      expect(d.outcome, `${issuer} → ${dest}`).toBe("rejected");
      expect(reason(d, "referral-higher-level")?.effect, `${issuer} → ${dest}`).toBe("reject");
    }
  });

  it("no longer reads 上级 as “not lower” anywhere in the Panzhihua rule set", () => {
    const rs = ruleFiles.ruleSets.find((r) => r.id === "sichuan/panzhihua");
    expect(JSON.stringify(rs)).not.toContain("不低于转出医院");
    expect(JSON.stringify(rs)).not.toContain("levelAtLeast");
  });
});

describe("§7.7 Jiangxi's 1-year lock covers all three long-stay categories (第七条)", () => {
  for (const category of ["retired_resettled", "long_term_resident", "resident_worker"] as const) {
    it(`${category}: locked for a year from approval, a change on the last day rejected, the next day allowed`, () => {
      const retired = { status: "retired" }; // a resettled person is retired (经办规程第七条(一))
      const filing = jx({ asOf: "2018-06-20" }, { category, hukouMoved: true }, retired);
      expect(filing.outcome).toBe("approved");
      expect(filing.validity?.changeLockedUntil).toBe("2019-06-19");
      const change = (asOf: string, specialReason = false) =>
        jx(
          { asOf, kind: "change", previous: { category, approvedOn: "2018-06-20" } },
          {
            category,
            hukouMoved: true,
            specialReason,
            materials: ["change_form", "residence_permit", "id_card"],
          },
          retired,
        );
      expect(change("2019-06-19").outcome).toBe("rejected");
      expect(reason(change("2019-06-19"), "change-lock")?.citation).toMatchObject({ clause: "第七条" });
      expect(change("2019-06-19", true).outcome).toBe("manual_review");
      expect(change("2019-06-20").outcome).toBe("approved");
    });
  }

  it("does not lock a referral or an emergency filing", () => {
    const d = jx(
      { asOf: "2018-06-20" },
      {
        category: "emergency",
        emergency: { setting: "inpatient", diagnoses: ["S72.001"] },
        materials: ["filing_form", "emergency_proof", "id_card"],
      },
    );
    expect(d.validity?.changeLockedUntil).toBeNull();
  });
});

describe("§7.8 insurance in force", () => {
  const suspended = { inBenefitPeriod: false };
  it("rejects a filing of a person outside the benefit period in every region", () => {
    const cases: Decision[] = [
      national({}, {}, suspended),
      pzh({}, {}, suspended),
      jx({}, {}, suspended),
      decideCase({
        id: "nc",
        asOf: "2024-03-18",
        applicant: { idNumber: idNumber("1962-09-20", "male", "360102") },
        insured: { region: "360100", scheme: "urban_rural_resident", ...suspended },
        filing: {
          category: "referral",
          destination: { region: "110105", hospital: { level: "3A", networked: true } },
          referral: { issuerLevel: "3A", issuerRegion: "360100" },
          materials: ["filing_form", "id_card"],
          channel: "hospital",
        },
      }),
      decideCase({
        id: "fs",
        asOf: "2022-06-01",
        applicant: { idNumber: idNumber("1958-03-15", "male", "210402") },
        insured: { region: "210400", scheme: "employee", status: "retired", ...suspended },
        filing: {
          category: "retired_resettled",
          destination: SANYA,
          hukouMoved: true,
          materials: ["filing_form", "id_card", "hukou_proof"],
        },
      }),
    ];
    for (const d of cases) {
      expect(d.outcome, d.ruleSets.at(-1)?.id).toBe("rejected");
      expect(codes(d, "reject"), d.ruleSets.at(-1)?.id).toEqual(["insurance-in-force"]);
    }
    expect(reason(cases[0] as Decision, "insurance-in-force")?.citation).toMatchObject({
      document: "人社部发〔2016〕120号",
      clause: "经办规程第九条(二)",
    });
    expect(reason(cases[1] as Decision, "insurance-in-force")?.citation).toMatchObject({
      document: "攀医保〔2017〕10号",
      clause: "三",
    });
  });

  it("Fushun's emergency item states the same condition in its own words, alongside the national one", () => {
    const d = decideCase({
      id: "fs",
      asOf: "2023-09-27",
      applicant: { idNumber: idNumber("1988-08-08", "female", "210411") },
      insured: { region: "210411", scheme: "urban_rural_resident", ...suspended },
      filing: {
        category: "emergency",
        destination: { region: "440106", hospital: { level: "3A", networked: true } },
        emergency: { setting: "outpatient", cardSettled: false },
        materials: ["id_card"],
      },
    });
    expect(codes(d, "reject")).toEqual(["insurance-in-force", "emergency-benefit-period"]);
  });
});

describe("§7.9 no card at national level", () => {
  it("approves a national-only filing without a card, warning that the card is the only settlement credential", () => {
    const d = national({}, {}, { cardStatus: "none" });
    expect(d.outcome).toBe("approved");
    const w = d.warnings.find((x) => x.code === "card-issued");
    expect(w?.message).toContain("唯一凭证");
    expect(w?.citation).toMatchObject({ document: "人社部发〔2016〕120号" });
    expect(warningCodes(national())).not.toContain("card-issued");
  });

  it("keeps Panzhihua's card authentication: rejected, without the national advice", () => {
    const d = pzh({}, {}, { cardStatus: "none" });
    expect(d.outcome).toBe("rejected");
    expect(codes(d, "reject")).toEqual(["card-authenticated"]);
    expect(warningCodes(d)).not.toContain("card-issued");
  });
});

describe("§7.14 regional rules older than national 2023 stay in force, said so", () => {
  it("Panzhihua's 2-year and Jiangxi's 1-year locks still apply in 2024, with the older-override warning", () => {
    const p = pzh({ asOf: "2024-03-01" });
    expect(p.validity?.changeLockedUntil).toBe("2026-02-28");
    expect(warningCodes(p)).toContain("rules.older-override");
    const j = jx({ asOf: "2024-03-01" });
    expect(j.validity?.changeLockedUntil).toBe("2025-02-28");
    expect(warningCodes(j)).toContain("rules.older-override");
  });
});

describe("emergency review criteria (赣人社发〔2017〕57号 附件5, vocabulary.md)", () => {
  it("maps each criterion to exactly the ICD-10 ranges of vocabulary.md", () => {
    const rs = ruleFiles.ruleSets.find((r) => r.id === "jiangxi");
    const icd = Object.fromEntries(
      Object.entries(rs?.emergencyCriteria ?? {}).map(([k, v]) => [k, v?.icd10]),
    );
    expect(icd).toEqual({
      acute_trauma: ["S00-T14", "T20-T32"],
      acute_pain: ["R51", "R07", "R10.0"],
      abnormal_vitals: ["R50", "R00", "R03", "R06", "R09.0"],
      bleeding_shock: ["R58", "R04", "K92.0-K92.2", "E86", "R57", "T79.4", "T78.2"],
      altered_consciousness: ["R56", "G40-G41", "R40", "R41.0", "R55"],
      foreign_body: ["T15-T19"],
      severe_vomiting_diarrhoea: ["R11", "A09"],
      serious_infection: ["A00", "A20", "A22.1", "U04", "J09", "U07.1"],
      poisoning_accident: ["T36-T65", "T66-T78"],
      physician_certified: [],
    });
  });

  const emergency = (diagnoses: string[]) =>
    jx(
      {},
      {
        category: "emergency",
        emergency: { setting: "inpatient", diagnoses },
        materials: ["filing_form", "emergency_proof", "id_card"],
      },
    );

  it("does not pass nail fungus (B35.1), typhoid (A01.0) or non-acute abdominal pain (R10.4): manual review", () => {
    for (const code of ["B35.1", "A01.0", "A22.0", "R10.4", "R10"]) {
      const d = emergency([code]);
      expect(d.outcome, code).toBe("manual_review");
      expect(reason(d, "emergency-criteria")?.effect, code).toBe("manual_review");
    }
  });

  it("passes the class-A diseases and those managed as class A, and acute abdomen R10.0", () => {
    for (const code of ["A00.9", "A20.0", "A22.1", "U04.9", "J09", "U07.1", "R10.0"]) {
      expect(emergency([code]).outcome, code).toBe("approved");
    }
  });
});

describe("the compiled path and json-rules-engine agree on the new rules", () => {
  it("decides a same-city, a province-level, an online and a lateral-referral case alike both ways", async () => {
    const inputs = [
      { region: "440106", dest: "440104", channel: "window", category: "retired_resettled" },
      { region: "440000", dest: "440100", channel: "window", category: "retired_resettled" },
      { region: "440106", dest: "460200", channel: "online", category: "retired_resettled" },
      { region: "510402", dest: "110105", channel: "window", category: "referral" },
    ];
    for (const i of inputs) {
      const c = caseSchema.parse({
        id: "x",
        asOf: "2020-03-01",
        applicant: { idNumber: RETIREE },
        insured: { region: i.region, scheme: "employee", status: "retired", cardStatus: "none" },
        filing: {
          category: i.category,
          destination: { region: i.dest, hospital: { level: "3", networked: true } },
          hukouMoved: true,
          referral: { issuerLevel: "3", issuerRegion: "510104" },
          materials: ["id_card"],
          channel: i.channel,
        },
      });
      const compiled = decider.decide(c);
      if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
      const found = decider.policyFor(c.insured.region, c.asOf);
      if (!found.ok) throw new Error(found.problem.message);
      const policy: Policy = found.policy;
      const reference = await decideWithReference(c, policy);
      expect(JSON.parse(JSON.stringify(reference))).toEqual(JSON.parse(JSON.stringify(compiled.decision)));
    }
  });
});
