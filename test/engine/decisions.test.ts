import { describe, expect, it } from "vitest";
import { decideCase, idNumber, missingIds } from "../helpers.ts";

const pzh = (
  over: Record<string, unknown>,
  filing: Record<string, unknown>,
  insured: Record<string, unknown> = {},
) =>
  decideCase({
    id: "pzh",
    asOf: "2017-06-01",
    applicant: { idNumber: idNumber("1950-01-01", "male") },
    insured: { region: "510402", scheme: "employee", status: "retired", ...insured },
    ...over,
    filing: { destination: { region: "460200", hospital: { level: "3A" } }, ...filing },
  });

describe("Panzhihua eligibility (攀医保〔2017〕10号 一)", () => {
  it("approves a resettled retiree whose household registration moved, with card, form and proof", () => {
    const d = pzh(
      {},
      {
        category: "retired_resettled",
        hukouMoved: true,
        materials: ["ss_card", "filing_form", "hukou_proof"],
      },
    );
    expect(d.outcome).toBe("approved");
    expect(d.validity).toEqual({
      from: "2017-06-01",
      until: null,
      singleUse: false,
      changeLockedUntil: "2019-05-31",
    });
    expect(d.reasons.find((r) => r.code === "resettled-hukou-moved")?.citation).toEqual({
      document: "攀医保〔2017〕10号",
      clause: "一(一)",
    });
  });

  it("rejects a resident-scheme member as a resettled retiree, and still lists every missing material", () => {
    const d = pzh(
      {},
      { category: "retired_resettled", hukouMoved: false, materials: [] },
      { scheme: "urban_rural_resident", status: "in_service" },
    );
    expect(d.outcome).toBe("rejected");
    expect(
      d.reasons
        .filter((r) => r.effect === "reject")
        .map((r) => r.code)
        .sort(),
    ).toEqual(["resettled-employee", "resettled-hukou-moved", "resettled-retired"]);
    expect(missingIds(d)).toEqual(["filing_form", "ss_card", "hukou_proof"]);
    expect(d.settlementMode).toBe("none");
  });

  it("decides a resident's retirement age on the application date (woman 50, man 60)", () => {
    const woman = (birth: string) =>
      pzh(
        { applicant: { idNumber: idNumber(birth, "female") } },
        {
          category: "long_term_resident",
          residenceYears: 2,
          materials: ["ss_card", "filing_form", "residence_permit"],
        },
        { scheme: "urban_rural_resident", status: undefined },
      ).outcome;
    expect(woman("1967-06-01")).toBe("approved");
    expect(woman("1967-06-02")).toBe("rejected");
  });

  it("asks for the missing fact instead of guessing when the case leaves it out", () => {
    const d = pzh(
      {},
      { category: "retired_resettled", materials: ["ss_card", "filing_form", "hukou_proof"] },
    );
    expect(d.outcome).toBe("incomplete");
    expect(d.missingFields).toEqual(["filing.hukouMoved"]);
  });

  it("rejects any filing when the card fails authentication (三)", () => {
    const d = pzh(
      {},
      {
        category: "retired_resettled",
        hukouMoved: true,
        materials: ["ss_card", "filing_form", "hukou_proof"],
      },
      { cardStatus: "abnormal" },
    );
    expect(d.outcome).toBe("rejected");
    expect(d.reasons.find((r) => r.effect === "reject")?.code).toBe("card-authenticated");
  });

  it("adds both ID copies for an agent, told together with everything else", () => {
    const d = pzh({}, { category: "resident_worker", dispatchYears: 1, agent: true, materials: ["ss_card"] });
    expect(d.outcome).toBe("incomplete");
    expect(missingIds(d)).toEqual(["filing_form", "employer_certificate", "id_card", "agent_id"]);
  });
});

describe("Panzhihua referral and emergency: validity, single use, settlement", () => {
  const referral = (dest: string, level: string, issuer = { issuerLevel: "3A", issuerRegion: "510402" }) =>
    pzh(
      {},
      {
        category: "referral",
        destination: { region: dest, hospital: { level } },
        referral: issuer,
        materials: ["ss_card", "filing_form", "referral_certificate"],
      },
      { status: "in_service" },
    );

  it("grants an in-province referral one month, single use, direct settlement", () => {
    const d = referral("510100", "3A");
    expect(d.outcome).toBe("approved");
    expect(d.validity).toEqual({
      from: "2017-06-01",
      until: "2017-06-30",
      singleUse: true,
      changeLockedUntil: null,
    });
    expect(d.settlementMode).toBe("direct");
  });

  it("sends a cross-province referral to pay first and claim back", () => {
    expect(referral("110000", "3A").settlementMode).toBe("reimbursement");
  });

  it("rejects a referral to a hospital below the issuer's level", () => {
    expect(referral("510100", "3").outcome).toBe("rejected");
  });

  it("leaves a referral from a non-3A hospital outside the city to a person", () => {
    const d = referral("510100", "3A", { issuerLevel: "3", issuerRegion: "530100" });
    expect(d.outcome).toBe("manual_review");
  });

  it("extends a referral by one calendar month from its last valid day", () => {
    const d = decideCase({
      id: "ext",
      asOf: "2018-01-20",
      kind: "extend",
      applicant: { idNumber: idNumber("1950-01-01", "male") },
      insured: { region: "510402", scheme: "employee", status: "retired" },
      filing: { destination: { region: "510100" }, materials: ["ss_card", "extension_application"] },
      previous: { category: "referral", approvedOn: "2018-01-01", validUntil: "2018-01-31", extensions: 0 },
    });
    expect(d.outcome).toBe("approved");
    expect(d.validity).toEqual({
      from: "2018-01-01",
      until: "2018-02-28",
      singleUse: true,
      changeLockedUntil: null,
      extensions: 1,
    });
  });
});

describe("change locks and their boundary dates", () => {
  const change = (
    asOf: string,
    category: string,
    approvedOn: string,
    specialReason = false,
    region = "510402",
  ) =>
    decideCase({
      id: "chg",
      asOf,
      kind: "change",
      applicant: { idNumber: idNumber("1950-01-01", "male") },
      insured: { region, scheme: "employee", status: "retired" },
      filing: {
        category: category as never,
        hukouMoved: true,
        destination: { region: "460200" },
        specialReason,
        materials: [
          "ss_card",
          "hukou_proof",
          "residence_permit",
          "employer_certificate",
          "change_form",
          "id_card",
          "filing_form",
        ],
      },
      previous: { category: category as never, approvedOn },
    });

  it("Panzhihua: a resettled retiree may not change within 2 years, but may on the next day", () => {
    expect(change("2019-05-31", "retired_resettled", "2017-06-01").outcome).toBe("rejected");
    expect(change("2019-06-01", "retired_resettled", "2017-06-01").outcome).toBe("approved");
    expect(change("2018-01-01", "retired_resettled", "2017-06-01", true).outcome).toBe("manual_review");
  });

  it("Panzhihua: a posted worker's lock is 1 year", () => {
    expect(change("2018-05-31", "resident_worker", "2017-06-01").outcome).toBe("rejected");
    expect(change("2018-06-01", "resident_worker", "2017-06-01").outcome).toBe("approved");
  });

  it("Jiangxi: a resettled person may not change or cancel within 1 year", () => {
    expect(change("2019-03-14", "retired_resettled", "2018-03-15", false, "360700").outcome).toBe("rejected");
    expect(change("2019-03-15", "retired_resettled", "2018-03-15", false, "360700").outcome).toBe("approved");
  });
});

describe("Jiangxi one-time notice (赣人社发〔2017〕57号 第五条)", () => {
  it("lists the form, the proof group and the identity group at once, each group once", () => {
    const d = decideCase({
      id: "jx",
      asOf: "2018-06-01",
      applicant: { idNumber: idNumber("1950-01-01", "male", "360702") },
      insured: { region: "360702", scheme: "employee", status: "retired" },
      filing: { category: "retired_resettled", destination: { region: "440106" }, materials: [] },
    });
    expect(d.outcome).toBe("incomplete");
    expect(missingIds(d)).toEqual([
      "filing_form",
      "id_card|ss_card",
      "employer_certificate|hukou_proof|relative_hukou|property_certificate|residence_permit",
    ]);
  });

  it("sends an emergency outside the listed criteria to a person, not a refusal", () => {
    const d = decideCase({
      id: "jx-em",
      asOf: "2018-06-01",
      applicant: { idNumber: idNumber("1980-01-01", "female", "360702") },
      insured: { region: "360702", scheme: "employee", status: "in_service" },
      filing: {
        category: "emergency",
        destination: { region: "440106" },
        emergency: { setting: "inpatient", diagnoses: ["J45.9"] },
        materials: ["filing_form", "emergency_proof", "id_card"],
      },
    });
    expect(d.outcome).toBe("manual_review");
    expect(d.validity).toBeNull();
  });
});
