import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, REFERRAL_CASE, startServer, type TestServer } from "./harness.ts";

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked by the assertions
type Json = Record<string, any>;

/** A Panzhihua in-province referral: valid one month (2017-06-01 … 2017-06-30), single use. */
const REFERRAL = { ...REFERRAL_CASE, id: "apply-referral" };

/**
 * A reviewer approving a queued extension applies it to the filing — also when the approval comes
 * later than the rules' refresh interval, so the published rules are re-checked on approval. On
 * PGlite's single connection that check once ran inside the review's transaction and waited on it
 * for ever: the browser's "confirm" never answered.
 */
describe.each(DIALECTS)("an approved review applied on $name", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, { today: () => "2017-07-05" });
  }, 60_000);
  afterAll(async () => s?.close());

  it("an extension asked after expiry goes to review; approved a while later, it is applied", async () => {
    const d = await s.as("clerk", { method: "POST", url: "/api/decisions", payload: REFERRAL });
    const filed = await s.as("clerk", {
      method: "POST",
      url: "/api/filings",
      payload: { decisionId: d.json().decisionId },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const id = filed.json().id;
    const r = await s.as("clerk", {
      method: "POST",
      url: `/api/filings/${id}/extend`,
      payload: {
        asOf: "2017-07-05",
        revision: 1,
        filing: { materials: ["ss_card", "extension_application"] },
      },
    });
    expect(r.statusCode, r.body).toBe(202);
    await new Promise((done) => setTimeout(done, 1_200)); // past the rules' refresh interval (1 s)
    const approved = await s.as("approver", {
      method: "POST",
      url: `/api/reviews/${r.json().decision.decisionId}`,
      payload: { outcome: "approved", reason: "住院期间未能及时申请延期，情况属实" },
    });
    expect(approved.statusCode, approved.body).toBe(200);
    const after = (await s.as("clerk", { method: "GET", url: `/api/filings/${id}` })).json() as Json;
    expect(after).toMatchObject({ revision: 2, extensions: 1, validUntil: "2017-07-30" });
    expect(after.events.map((e: Json) => e.event)).toEqual(["filed", "extended"]);
  }, 20_000);
});
