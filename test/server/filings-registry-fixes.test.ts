import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APPROVED_CASE,
  DIALECTS,
  MANUAL_REVIEW_CASE,
  REFERRAL_CASE,
  startServer,
  type TestServer,
} from "./harness.ts";

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked by the assertions
type Json = Record<string, any>;

/** A Panzhihua in-province referral: valid one month (2017-06-01 … 2017-06-30), single use. */
const REFERRAL = { ...REFERRAL_CASE, id: "fix-referral" };

/** Jiangxi: asthma (J45.9) off the emergency list and no physician's certificate → manual review. */
const EMERGENCY_MANUAL = { ...MANUAL_REVIEW_CASE, id: "fix-emergency-manual" };

/**
 * What a new user found wrong in the registry, each fixed and held here: expiry shown and exported,
 * the day a revoked filing ended, overlapping filings refused, names masked alike, a revision ahead
 * told apart from a stale one; the search; and the manual review queue instead of a dead end.
 */
describe.each(DIALECTS)("registry fixes on $name", (dialect) => {
  let s: TestServer;
  let today = "2017-06-15";
  beforeAll(async () => {
    s = await startServer(dialect, { today: () => today });
  }, 60_000);
  afterAll(async () => s?.close());

  const decide = async (c: object, user = "clerk"): Promise<Json> => {
    const r = await s.as(user, { method: "POST", url: "/api/decisions", payload: c });
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };
  const record = (decisionId: string, user = "clerk") =>
    s.as(user, { method: "POST", url: "/api/filings", payload: { decisionId } });
  const fileCase = async (c: object): Promise<Json> => {
    const r = await record((await decide(c)).decisionId);
    expect(r.statusCode, r.body).toBe(201);
    return r.json();
  };
  const get = async (url: string, user = "clerk") => {
    const r = await s.as(user, { method: "GET", url });
    expect(r.statusCode, r.body).toBe(200);
    return r;
  };

  it("shows and exports a filing past its validUntil as expired, against the injected today", async () => {
    const f = await fileCase(REFERRAL);
    expect(f).toMatchObject({ status: "active", validUntil: "2017-06-30", endedOn: null });
    today = "2017-07-01";
    expect((await get(`/api/filings/${f.id}`)).json()).toMatchObject({
      status: "expired",
      endedOn: "2017-06-30",
    });
    const ids = async (qs: string) =>
      (await get(`/api/filings?${qs}`, "tester")).json().map((x: Json) => x.id);
    expect(await ids("status=expired")).toEqual([f.id]);
    expect(await ids("status=active")).not.toContain(f.id);
    const all = await get("/api/filings/export?status=all&includeInProvince=true");
    expect(all.body).toMatch(/510411199207075037,[^\r\n]*,已过期\r\n/);
    const active = await get("/api/filings/export?includeInProvince=true");
    expect(active.body).not.toContain("510411199207075037");
    today = "2017-06-15";
  });

  it("records the day a revoked filing ended", async () => {
    const f = await fileCase({ ...APPROVED_CASE, id: "fix-revoke" });
    const r = await s.as("clerk", {
      method: "POST",
      url: `/api/filings/${f.id}/revoke`,
      payload: { asOf: "2017-09-01", revision: 1, filing: { materials: ["revocation_form", "ss_card"] } },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: "revoked", endedOn: "2017-09-01" });
    expect(r.json().events.at(-1).detail).toMatchObject({
      after: { status: "revoked", endedOn: "2017-09-01" },
    });
  });

  it("refuses a second active filing of the same person and category for an overlapping period (409, naming it)", async () => {
    const first = await fileCase({
      ...APPROVED_CASE,
      id: "fix-overlap-1",
      applicant: { idNumber: "510402194803051016", name: "王强" },
    });
    const second = await decide({
      ...APPROVED_CASE,
      id: "fix-overlap-2",
      asOf: "2017-08-01",
      applicant: { idNumber: "510402194803051016", name: "王强" },
    });
    const r = await record(second.decisionId);
    expect(r.statusCode).toBe(409);
    expect(r.json().error).toMatchObject({
      code: "OVERLAPPING_FILING",
      existing: { id: first.id, category: "retired_resettled", validFrom: "2017-06-01", validUntil: null },
    });
    expect(r.json().error.message).toContain(first.id);
    const listed = (await get("/api/filings?idNumber=510402194803051016")).json();
    expect(listed.map((x: Json) => x.id)).toEqual([first.id]);
  });

  it("masks names the same way in decisions and filings for roles that do not handle files", async () => {
    const d = await decide({ ...APPROVED_CASE, id: "fix-names" });
    const asTester = (await get(`/api/decisions/${d.decisionId}`, "tester")).json();
    expect(asTester.input.applicant).toEqual({ idNumber: "510402********1236", name: "张*" });
    const asClerk = (await get(`/api/decisions/${d.decisionId}`, "clerk")).json();
    expect(asClerk.input.applicant).toEqual({ idNumber: "510402195001011236", name: "张三" });
    const filings = (await get("/api/filings?name=张", "tester")).json();
    expect(filings.length).toBeGreaterThan(0);
    for (const f of filings) expect(f.name).toBe("张*");
  });

  it("tells a revision ahead of the stored one apart from a stale one", async () => {
    const f = await fileCase({
      ...APPROVED_CASE,
      id: "fix-revision",
      applicant: { idNumber: "510402195206112014", name: "李四" },
    });
    const change = (revision: number) =>
      s.as("clerk", {
        method: "POST",
        url: `/api/filings/${f.id}/change`,
        payload: { asOf: "2019-06-01", revision },
      });
    const ahead = await change(5);
    expect(ahead.statusCode).toBe(409);
    expect(ahead.json().error).toMatchObject({ code: "REVISION_AHEAD", revision: 1 });
    expect(ahead.json().error.message).not.toMatch(/someone else/);
    const stale = await change(0);
    expect(stale.json().error).toMatchObject({ code: "STALE_REVISION", revision: 1 });
  });

  it("searches by name, by a masked or a full ID number (results masked), region, category, status and dates", async () => {
    const q = async (qs: string, user = "tester") => (await get(`/api/filings?${qs}`, user)).json() as Json[];
    const byMasked = await q("idNumber=510402********1236");
    expect(byMasked.length).toBeGreaterThan(0);
    expect(JSON.stringify(byMasked)).not.toContain("510402195001011236");
    expect((await q("idNumber=510402195001011236", "clerk")).map((f) => f.idMasked)).toContain(
      "510402********1236",
    );
    const full = await s.as("tester", { method: "GET", url: "/api/filings?idNumber=510402195001011236" });
    expect(full.statusCode).toBe(403);
    expect((await q("name=李")).map((f) => f.name)).toEqual(["李*"]);
    expect(
      (await q("region=510400&category=referral&status=active&from=2017-06-01&to=2017-06-01")).length,
    ).toBe(1);
  });

  it("answers in Chinese when Accept-Language prefers it, with the same code", async () => {
    const url = "/api/filings/00000000-0000-0000-0000-000000000000";
    const zh = await s.as("clerk", {
      method: "GET",
      url,
      headers: { "accept-language": "zh-CN,zh;q=0.9,en;q=0.8" },
    });
    const en = await s.as("clerk", { method: "GET", url, headers: { "accept-language": "en-GB,zh;q=0.5" } });
    expect(zh.json().error.code).toBe("NOT_FOUND");
    expect(en.json().error.code).toBe("NOT_FOUND");
    expect(zh.json().error.message).toMatch(/没有备案/);
    expect(en.json().error.message).toMatch(/^no filing/);
    const anon = await s.app.inject({
      method: "GET",
      url: "/api/filings",
      headers: { "accept-language": "zh" },
    });
    expect(anon.json().error).toMatchObject({
      code: "UNAUTHENTICATED",
      message: expect.stringMatching(/请先登录/),
    });
  });

  describe("the manual review queue", () => {
    let decisionId: string;

    it("queues a manual_review filing decision instead of a dead end", async () => {
      const d = await decide(EMERGENCY_MANUAL);
      expect(d.outcome).toBe("manual_review");
      expect(d.review).toMatchObject({ status: "pending", requestedBy: "clerk" });
      decisionId = d.decisionId;
      const queue = (await get("/api/reviews?status=pending", "approver")).json();
      const entry = queue.find((x: Json) => x.decisionId === decisionId);
      expect(entry.decision).toMatchObject({
        kind: "filing",
        category: "emergency",
        idMasked: "360702********2249",
      });
      expect(entry.decision.reasons).toEqual([expect.objectContaining({ code: "emergency-criteria" })]);
      const early = await record(decisionId);
      expect(early.statusCode).toBe(422);
      expect(early.json().error.code).toBe("NOT_ELIGIBLE");
    });

    it("lets only reviewers decide, never the one who asked, and only with a reason", async () => {
      const review = (user: string, payload: object) =>
        s.as(user, { method: "POST", url: `/api/reviews/${decisionId}`, payload });
      expect((await review("clerk", { outcome: "approved", reason: "ok" })).statusCode).toBe(403);
      expect((await review("approver", { outcome: "approved", reason: "" })).statusCode).toBe(400);
      const own = await decide({ ...EMERGENCY_MANUAL, id: "fix-own" }, "approver");
      const mine = await s.as("approver", {
        method: "POST",
        url: `/api/reviews/${own.decisionId}`,
        payload: { outcome: "approved", reason: "自己审自己" },
      });
      expect(mine.statusCode).toBe(403);
      expect(mine.json().error.code).toBe("FOUR_EYES");
    });

    it("an approved review becomes a filing with the validity the rules grant; audited; decided once", async () => {
      const r = await s.as("approver", {
        method: "POST",
        url: `/api/reviews/${decisionId}`,
        payload: { outcome: "approved", reason: "哮喘急性发作，住院医师证明补充在案" },
      });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({
        status: "approved",
        decidedBy: "approver",
        reason: expect.stringMatching(/哮喘/),
      });
      const again = await s.as("approver2", {
        method: "POST",
        url: `/api/reviews/${decisionId}`,
        payload: { outcome: "rejected", reason: "再审" },
      });
      expect(again.statusCode).toBe(409);
      const f = await record(decisionId);
      expect(f.statusCode, f.body).toBe(201);
      expect(f.json()).toMatchObject({
        category: "emergency",
        status: "active",
        singleUse: true,
        validFrom: "2018-10-15",
      });
      const audit = (await get(`/api/audit?entity=decision&entityId=${decisionId}`, "admin")).json();
      expect(audit.map((e: Json) => e.action)).toEqual(["review.approved"]);
      expect(
        (await get("/api/reviews?status=pending", "approver")).json().map((x: Json) => x.decisionId),
      ).not.toContain(decisionId);
    });
  });
});
