import { Writable } from "node:stream";
import type { Kysely } from "kysely";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loggerOptions } from "../../server/app.ts";
import type { Database } from "../../server/store/schema.ts";
import { APPROVED_CASE, DIALECTS, MANUAL_REVIEW_CASE, startServer, type TestServer } from "./harness.ts";

/**
 * The decision log shows personal data as the registry does (issue #12): clerks and admins, who
 * handle files, see the case as given; testers, officers and approvers see ID numbers masked (a
 * case id that is an ID number too), names shortened and the filing form's contact data hidden.
 * Neither the log lines nor error messages carry an ID number, not even percent-encoded, and a
 * database error is logged without the case it was writing.
 */
const ID = "510402195001011236";
const MASKED = "510402********1236";
const PHONE = "13800001111";
const CARD = "A1234567";
const ADDRESS = "攀枝花市东区炳草岗1号";
const CONTACT = "李四";
/** The applicant's name as given: the masked form (张*) is not a substring of it. */
const NAME = "张三";
const PERSONAL = [ID, PHONE, CARD, ADDRESS, CONTACT, NAME];

const CASE_WITH_FORM = {
  ...APPROVED_CASE,
  id: ID,
  filing: {
    ...APPROVED_CASE.filing,
    form: {
      name: NAME,
      idNumber: ID,
      ssNumber: ID,
      ssCardNumber: CARD,
      homeAddress: ADDRESS,
      contactAddress: ADDRESS,
      contactPerson: CONTACT,
      phone1: PHONE,
    },
  },
};
/** The ID number percent-encoded digit by digit, as a URL may carry it. */
const ENCODED = [...ID].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join("");
/** Encoded twice (a proxy or client that encodes an encoded URL again): %2535%2531… */
const ENCODED_TWICE = ENCODED.replaceAll("%", "%25");
/** In full-width digits, as a Chinese input method types it: ５１０４０２…, and as a URL carries that. */
const FULL_WIDTH = [...ID].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("");
const FULL_WIDTH_MASKED = [...MASKED]
  .map((c) => (c === "*" ? c : String.fromCharCode(c.charCodeAt(0) + 0xfee0)))
  .join("");

describe.each(DIALECTS)("the decision log's privacy ($name)", (dialect) => {
  let s: TestServer;
  let decisionId: string;
  const lines: string[] = [];
  const logged = () => lines.join("");
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    s = await startServer(dialect, { logger: { ...loggerOptions("info"), stream } });
    const r = await s.as("clerk", { method: "POST", url: "/api/decisions", payload: CASE_WITH_FORM });
    expect(r.statusCode, r.body).toBe(200);
    decisionId = r.json().decisionId;
  }, 60_000);
  afterAll(async () => s?.close());

  it.each(["tester", "officer", "approver"])(
    "shows a %s the case masked as the registry does: ID numbers, case id, names, contact data",
    async (role) => {
      const r = await s.as(role, { method: "GET", url: `/api/decisions/${decisionId}` });
      expect(r.statusCode).toBe(200);
      for (const value of PERSONAL) expect(r.body).not.toContain(value);
      const d = r.json();
      expect(d.caseId).toBe(MASKED);
      expect(d.output.caseId).toBe(MASKED);
      expect(d.input.id).toBe(MASKED);
      expect(d.input.applicant).toMatchObject({ idNumber: MASKED, name: "张*" });
      expect(d.input.filing.form).toMatchObject({
        name: "张*",
        contactPerson: "李*",
        idNumber: MASKED,
        ssNumber: "***",
        ssCardNumber: "***",
        homeAddress: "***",
        contactAddress: "***",
        phone1: "***",
      });
      // What decides the case is still there to read.
      expect(d.input.filing.destination.region).toBe("460200");

      const list = await s.as(role, { method: "GET", url: "/api/decisions" });
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain(ID);
      expect(list.json()[0].caseId).toBe(MASKED);

      const notice = await s.as(role, { method: "GET", url: `/api/decisions/${decisionId}/notice.html` });
      expect(notice.statusCode).toBe(200);
      expect(notice.body).not.toContain(ID);
    },
  );

  it.each(["clerk", "admin"])("shows a %s (who handles files) the case as it was given", async (role) => {
    const r = await s.as(role, { method: "GET", url: `/api/decisions/${decisionId}` });
    expect(r.json().input).toEqual(CASE_WITH_FORM);
    expect(r.json().caseId).toBe(ID);
    const list = await s.as(role, { method: "GET", url: "/api/decisions" });
    expect(list.json()[0].caseId).toBe(ID);
  });

  it("shows an approver the review queue with a case id that is an ID number masked; a clerk sees it whole", async () => {
    const id = "360702195806122249";
    const queued = await s.as("clerk", {
      method: "POST",
      url: "/api/decisions",
      // The case id is the applicant's ID number.
      payload: { ...MANUAL_REVIEW_CASE, id },
    });
    expect(queued.json().outcome).toBe("manual_review");
    const approver = await s.as("approver", { method: "GET", url: "/api/reviews" });
    expect(approver.body).not.toContain(id);
    expect(approver.json()[0].decision.caseId).toBe("360702********2249");
    const one = await s.as("approver", { method: "GET", url: `/api/reviews/${queued.json().decisionId}` });
    expect(one.body).not.toContain(id);
    const clerk = await s.as("clerk", { method: "GET", url: "/api/reviews" });
    expect(clerk.json()[0].decision.caseId).toBe(id);
  });

  it("exports the log for replay to testers and approvers masked, with a stand-in ID number that decides alike", async () => {
    const original = (await s.as("clerk", { method: "GET", url: `/api/decisions/${decisionId}` })).json();
    for (const role of ["tester", "approver"]) {
      const r = await s.as(role, { method: "GET", url: "/api/decisions/export" });
      expect(r.statusCode).toBe(200);
      for (const value of PERSONAL) expect(r.body).not.toContain(value);
      const entry = JSON.parse(r.body.trim().split("\n")[0] ?? "{}");
      expect(entry.case.id).toBe(MASKED);
      expect(entry.decision.caseId).toBe(MASKED);
      expect(entry.case.filing.form.phone1).toBe("***");
      // Same region, birth date and sex; another sequence number, a valid check digit.
      const standIn: string = entry.case.applicant.idNumber;
      expect(standIn).toMatch(/^51040219500101\d{3}[\dX]$/);
      expect(Number(standIn[16]) % 2).toBe(1);
      // Replayed, the exported case decides as the logged one did.
      const replay = await s.as("clerk", { method: "POST", url: "/api/decisions", payload: entry.case });
      expect(replay.statusCode, replay.body).toBe(200);
      const { decisionId: _d, trace: _t, caseId: _c, ...again } = replay.json();
      const { trace: _t2, caseId: _c2, ...logged } = original.output;
      expect(again).toEqual(logged);
    }
    const admin = await s.as("admin", { method: "GET", url: "/api/decisions/export" });
    expect(JSON.parse(admin.body.trim().split("\n")[0] ?? "{}").case).toEqual(CASE_WITH_FORM);
  });

  it("never echoes an ID number in a 404, plain or percent-encoded, nor writes it to the log", async () => {
    for (const url of [
      `/api/decisions/${ID}`,
      `/api/decisions/${ENCODED}`,
      `/api/no-such/${ENCODED}`,
      `/api/no-such/${ENCODED_TWICE}`,
    ]) {
      const r = await s.as("clerk", { method: "GET", url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error.message).toContain(MASKED);
      expect(r.body).not.toContain(ID);
      expect(r.body).not.toContain(ENCODED);
      expect(r.body).not.toContain(ENCODED_TWICE);
      const zh = await s.as("clerk", { method: "GET", url, headers: { "accept-language": "zh-CN" } });
      expect(zh.body).not.toContain(ID);
    }
    // Full-width digits: masked and kept full-width in the answer; the URL's UTF-8 bytes masked in the log.
    for (const url of [
      `/api/decisions/${encodeURIComponent(FULL_WIDTH)}`,
      `/api/no-such/${encodeURIComponent(FULL_WIDTH)}`,
    ]) {
      const r = await s.as("clerk", { method: "GET", url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error.message).toContain(FULL_WIDTH_MASKED);
      expect(r.body).not.toContain(FULL_WIDTH);
      expect(r.body).not.toContain(encodeURIComponent(FULL_WIDTH));
    }
    expect(logged()).toContain(MASKED);
    expect(logged()).not.toContain(ID);
    expect(logged()).not.toContain(ENCODED);
    expect(logged().toLowerCase()).not.toContain(ENCODED.toLowerCase());
    expect(logged().toLowerCase()).not.toContain(ENCODED_TWICE.toLowerCase());
    expect(logged()).not.toContain(FULL_WIDTH);
    expect(logged().toLowerCase()).not.toContain(encodeURIComponent(FULL_WIDTH).toLowerCase());
  });

  it("logs a database error by its code and message, never the case it was writing", async () => {
    const db = (s.store.decisions as unknown as { db: Kysely<Database> }).db;
    await sql`alter table decisions add constraint refuse_boom check (case_id <> 'boom')`.execute(db);
    try {
      const before = lines.length;
      const r = await s.as("clerk", {
        method: "POST",
        url: "/api/decisions",
        payload: { ...CASE_WITH_FORM, id: "boom" },
      });
      expect(r.statusCode).toBe(500);
      const errorLines = lines.slice(before).join("");
      expect(errorLines).toContain("23514"); // check_violation: the code is there to diagnose
      expect(errorLines).toContain("refuse_boom");
      for (const value of PERSONAL) expect(errorLines).not.toContain(value);
      expect(errorLines).not.toContain(MASKED); // not even masked: no parameters at all
    } finally {
      await sql`alter table decisions drop constraint refuse_boom`.execute(db);
    }
  });
});
