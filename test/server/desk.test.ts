import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APPROVED_CASE, DIALECTS, startServer, type TestServer } from "./harness.ts";

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked by the assertions
type Json = Record<string, any>;

/** A Panzhihua retiree with two materials missing (the ss card and the hukou proof). */
const TWO_MISSING = {
  ...APPROVED_CASE,
  id: "desk-two-missing",
  filing: { ...APPROVED_CASE.filing, materials: ["filing_form"] },
};

const SETTLEMENT = {
  id: "desk-settlement",
  asOf: "2025-03-10",
  kind: "settlement",
  applicant: { idNumber: "360102196003011010", name: "王五" },
  insured: { region: "360102", scheme: "employee", status: "retired" },
  filing: {
    category: "retired_resettled",
    destination: { region: "460200", hospital: { name: "三亚市人民医院", level: "3A" } },
  },
  settlement: {
    admission: "2025-03-01",
    discharge: "2025-03-10",
    hospitalLevel: "3",
    totalCost: "30000.00",
    selfPayCost: "2000.00",
    partialSelfPayCost: "1000.00",
    yearToDate: { fundPaid: "0.00" },
  },
};

describe.each(DIALECTS)("the clerk's desk on $name", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, { today: () => "2017-06-02" });
  }, 60_000);
  afterAll(async () => s?.close());

  const get = (url: string, user = "clerk") => s.as(user, { method: "GET", url });
  const decide = async (c: object): Promise<Json> =>
    (await s.as("clerk", { method: "POST", url: "/api/decisions", payload: c })).json();

  describe("requirements of the rules in force", () => {
    it("lists the fields, form fields, materials (one-of groups) and rules of a region and category, with labels and citations", async () => {
      const r = await get("/api/requirements?region=510402&category=long_term_resident&asOf=2017-06-01");
      expect(r.statusCode, r.body).toBe(200);
      const q = r.json();
      expect(q.chain.map((c: Json) => c.id)).toEqual(["national", "sichuan/panzhihua"]);
      const fields = q.fields.map((f: Json) => f.id);
      expect(fields).toEqual(expect.arrayContaining(["applicant.idNumber", "filing.residenceYears"]));
      // A resettled retiree's hukou fact is not asked of a long-term resident.
      expect(fields).not.toContain("filing.hukouMoved");
      expect(q.fields.find((f: Json) => f.id === "filing.residenceYears").label).toEqual({
        zh: "在就医地居住年限",
        en: "years living at the destination",
      });
      expect(q.formFields[0].required).toEqual(
        expect.arrayContaining([{ id: "homeAddress", label: { zh: "家庭住址", en: "home address" } }]),
      );
      for (const m of q.materials) expect(m.citation.document).toMatch(/号/);
      expect(q.materials.map((m: Json) => m.ids)).toContainEqual(["residence_permit"]);
      // A change asks for one of two proofs (a one-of group) and for the filing acted on.
      const change = (
        await get("/api/requirements?region=510402&category=retired_resettled&kind=change&asOf=2019-06-01")
      ).json();
      const group = change.materials.find((m: Json) => m.oneOf);
      expect(group.ids).toEqual(["hukou_proof", "residence_permit"]);
      expect(group.labels.map((l: Json) => l.label.zh)).toEqual([
        "户籍证明（户口本首页、常住人口登记卡）",
        "居住证/暂住证",
      ]);
      expect(change.fields.map((f: Json) => f.id)).toEqual(
        expect.arrayContaining(["previous.category", "previous.approvedOn"]),
      );
      for (const rule of q.rules) expect(rule.citation).toMatchObject({ document: expect.any(String) });
      const resettled = (
        await get("/api/requirements?region=510402&category=retired_resettled&asOf=2017-06-01")
      ).json();
      expect(resettled.fields.map((f: Json) => f.id)).toContain("filing.hukouMoved");
    });

    it("answers a region without rules with 422 and a bad region with 400", async () => {
      expect((await get("/api/requirements?region=510402&asOf=2010-01-01")).statusCode).toBe(422);
      expect((await get("/api/requirements?region=5104")).statusCode).toBe(400);
    });

    it("checks an ID number and reads birth date, sex and age from it (GB 11643)", async () => {
      const check = async (idNumber: string) =>
        (
          await s.as("clerk", {
            method: "POST",
            url: "/api/id-number/check",
            payload: { idNumber, asOf: "2017-06-01" },
          })
        ).json();
      expect(await check("510402195001011236")).toEqual({
        valid: true,
        birthDate: "1950-01-01",
        sex: "male",
        age: 67,
        region: "510402",
        regionName: "攀枝花市东区",
        problem: null,
      });
      const bad = await check("510402195001011235");
      expect(bad).toMatchObject({
        valid: false,
        birthDate: null,
        problem: expect.stringMatching(/check digit/),
      });
    });
  });

  describe("printable documents", () => {
    it("prints the 一次性告知书 with every missing item and its citation, on A4, ID masked unless the role handles files", async () => {
      const d = await decide(TWO_MISSING);
      expect(d.outcome).toBe("incomplete");
      const r = await get(`/api/decisions/${d.decisionId}/notice.html`);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers["content-type"]).toMatch(/^text\/html/);
      expect(r.body).toMatch(/@page \{ size: A4 portrait/);
      expect(r.body).toContain("一次性告知书");
      expect(r.body).toContain("攀枝花市医疗保险经办机构");
      expect(r.body).toContain("2017年6月2日");
      expect(d.missingMaterials.length).toBe(2);
      for (const m of d.missingMaterials) {
        expect(r.body).toContain(m.label);
        expect(r.body).toContain(`依据：${m.citation.document} ${m.citation.clause}`);
      }
      expect(r.body).toContain("510402195001011236");
      const masked = await get(`/api/decisions/${d.decisionId}/notice.html`, "tester");
      expect(masked.body).not.toContain("510402195001011236");
      expect(masked.body).toContain("510402********1236");
      expect(masked.body).toContain("张*");
    });

    it("puts a print button above each document (hidden on paper), its script served by the server itself", async () => {
      const d = await decide(TWO_MISSING);
      const r = await get(`/api/decisions/${d.decisionId}/notice.html`);
      expect(r.body).toContain('<button id="print"');
      expect(r.body).toContain('<script src="/api/documents/print.js" defer></script>');
      expect(r.body).toMatch(/@media print \{ \.toolbar \{ display: none; \} \}/);
      const js = await s.app.inject({ method: "GET", url: "/api/documents/print.js" });
      expect(js.statusCode).toBe(200);
      expect(js.headers["content-type"]).toMatch(/^text\/javascript/);
      expect(js.body).toContain("window.print()");
    });

    it("prints a 受理回执 for an approved decision and the 备案凭证 once it is a filing; not for an incomplete one", async () => {
      const d = await decide({ ...APPROVED_CASE, id: "desk-approved" });
      const receipt = await get(`/api/decisions/${d.decisionId}/receipt.html`);
      expect(receipt.statusCode, receipt.body).toBe(200);
      expect(receipt.body).toContain("受理回执");
      expect(receipt.body).toContain("2019年5月31日前原则上不予变更");
      const f = await s.as("clerk", {
        method: "POST",
        url: "/api/filings",
        payload: { decisionId: d.decisionId },
      });
      expect(f.statusCode).toBe(201);
      const certificate = await get(`/api/decisions/${d.decisionId}/receipt.html`);
      expect(certificate.body).toContain("备案凭证");
      expect(certificate.body).toContain(f.json().id);
      const current = await get(`/api/filings/${f.json().id}/certificate.html`, "tester");
      expect(current.statusCode, current.body).toBe(200);
      expect(current.body).toContain("备案凭证");
      expect(current.body).toContain("三亚市（460200）");
      expect(current.body).not.toContain("510402195001011236");
      const incomplete = await decide({ ...TWO_MISSING, id: "desk-no-receipt" });
      expect((await get(`/api/decisions/${incomplete.decisionId}/receipt.html`)).statusCode).toBe(422);
    });

    it("prints the 附件6 settlement slip of a settlement, the same as the CLI's", async () => {
      const d = await decide(SETTLEMENT);
      const r = await get(`/api/decisions/${d.decisionId}/slip.html`);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.body).toContain("跨省异地就医住院结算单");
      expect(r.body).toContain("22270.00");
      expect(r.body).toMatch(/@page \{ size: A4/);
      const other = await decide({ ...APPROVED_CASE, id: "desk-not-settlement" });
      expect((await get(`/api/decisions/${other.decisionId}/slip.html`)).statusCode).toBe(422);
      expect((await get("/api/decisions/00000000-0000-0000-0000-000000000000/slip.html")).statusCode).toBe(
        404,
      );
    });
  });
});
