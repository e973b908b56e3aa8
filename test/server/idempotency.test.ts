import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../server/store/schema.ts";
import { APPROVED_CASE, DIALECTS, MANUAL_REVIEW_CASE, startServer, type TestServer } from "./harness.ts";

/**
 * Idempotency keys on POST /api/decisions (issue #12): a client that retries after a lost answer
 * (a timeout, a dropped connection, a 503) gets the first decision back and logs no duplicate.
 */
describe.each(DIALECTS)("Idempotency-Key on POST /api/decisions ($name)", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect);
  }, 60_000);
  afterAll(async () => s?.close());

  const decide = (key: string | undefined, payload: object, user = "clerk") =>
    s.as(user, {
      method: "POST",
      url: "/api/decisions",
      payload,
      ...(key !== undefined && { headers: { "idempotency-key": key } }),
    });
  /** How many decisions the log holds for a case id. */
  const logged = async (caseId: string) =>
    (
      (await s.as("admin", { method: "GET", url: "/api/decisions?limit=500" })).json() as { caseId: string }[]
    ).filter((d) => d.caseId === caseId).length;

  it("answers a retry with the same key and case with the first decision, and logs it once", async () => {
    const c = { ...APPROVED_CASE, id: "idem-retry" };
    const first = await decide("key-retry", c);
    expect(first.statusCode).toBe(200);
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    // The same case with its keys in another order is the same request.
    const { applicant, ...rest } = c;
    const again = await decide("key-retry", { applicant, ...rest });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.json().decisionId).toBe(first.json().decisionId);
    expect(again.json().outcome).toBe(first.json().outcome);
    expect(await logged("idem-retry")).toBe(1);
  });

  it("answers a retried manual_review decision with the same queue entry, queued once", async () => {
    const c = { ...MANUAL_REVIEW_CASE, id: "idem-queued" };
    const first = await decide("key-queued", c);
    expect(first.json()).toMatchObject({ outcome: "manual_review", review: { status: "pending" } });
    const again = await decide("key-queued", c);
    expect(again.json()).toMatchObject({
      decisionId: first.json().decisionId,
      review: { decisionId: first.json().decisionId, status: "pending" },
    });
    const queue = (await s.as("clerk", { method: "GET", url: "/api/reviews?limit=500" })).json();
    expect(
      queue.filter((q: { decision: { caseId: string } }) => q.decision.caseId === "idem-queued"),
    ).toHaveLength(1);
  });

  it("refuses the same key with a different case: 422 IDEMPOTENCY_KEY_REUSED, nothing logged", async () => {
    expect((await decide("key-reused", { ...APPROVED_CASE, id: "idem-a" })).statusCode).toBe(200);
    const other = await decide("key-reused", { ...APPROVED_CASE, id: "idem-b" });
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await logged("idem-b")).toBe(0);
    // ?draft is part of the request too.
    const draft = await s.as("tester", {
      method: "POST",
      url: "/api/decisions?draft=1",
      payload: { ...APPROVED_CASE, id: "idem-a" },
      headers: { "idempotency-key": "key-reused" },
    });
    expect(draft.statusCode).toBe(200); // another user: keys are per user
  });

  it("keeps keys per user: another user's request with the same key is decided afresh", async () => {
    const c = { ...APPROVED_CASE, id: "idem-users" };
    const clerk = await decide("key-shared", c);
    const admin = await decide("key-shared", c, "admin");
    expect(admin.statusCode).toBe(200);
    expect(admin.json().decisionId).not.toBe(clerk.json().decisionId);
    expect(await logged("idem-users")).toBe(2);
  });

  it("logs one decision for concurrent identical requests and answers each with it", async () => {
    const c = { ...APPROVED_CASE, id: "idem-concurrent" };
    const answers = await Promise.all(Array.from({ length: 8 }, () => decide("key-concurrent", c)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((a) => a.json().decisionId)).size).toBe(1);
    expect(await logged("idem-concurrent")).toBe(1);
  });

  it("does not spend a key on a request that failed: the corrected retry is decided", async () => {
    const bad = await decide("key-fixed", { ...APPROVED_CASE, id: "idem-fixed", asOf: "not a date" });
    expect(bad.statusCode).toBe(400);
    const undecidable = await decide("key-fixed", { ...APPROVED_CASE, id: "idem-fixed", asOf: "2015-01-01" });
    expect(undecidable.statusCode).toBe(422);
    expect(undecidable.json().error.code).toBe("NOT_DECIDABLE");
    const good = await decide("key-fixed", { ...APPROVED_CASE, id: "idem-fixed" });
    expect(good.statusCode, good.body).toBe(200);
    expect(await logged("idem-fixed")).toBe(1);
  });

  it("completes the key in the decision's own commit: when that fails nothing is logged, and the retry is decided once", async () => {
    const db = (s.store.decisions as unknown as { db: Kysely<Database> }).db;
    // Completing a key fails (as if the process died between the decision's INSERT and the key's UPDATE).
    await sql`create function refuse_key_update() returns trigger language plpgsql as $$
      begin raise exception 'key update refused'; end $$`.execute(db);
    await sql`create trigger refuse_key_update before update on idempotency_keys
      for each row execute function refuse_key_update()`.execute(db);
    const c = { ...APPROVED_CASE, id: "idem-atomic" };
    try {
      const failed = await decide("key-atomic", c);
      expect(failed.statusCode).toBe(500);
      // Before: the decision was committed first and its key left claimed, so a retry waited a
      // minute (409) and then logged the decision a second time.
      expect(await logged("idem-atomic")).toBe(0);
    } finally {
      await sql`drop trigger refuse_key_update on idempotency_keys`.execute(db);
      await sql`drop function refuse_key_update()`.execute(db);
    }
    const retry = await decide("key-atomic", c);
    expect(retry.statusCode, retry.body).toBe(200);
    const again = await decide("key-atomic", c);
    expect(again.json().decisionId).toBe(retry.json().decisionId);
    expect(await logged("idem-atomic")).toBe(1);
  });

  it("forgets a key after 24 hours", async () => {
    const first = await decide("key-old", { ...APPROVED_CASE, id: "idem-old-1" });
    const db = (s.store.decisions as unknown as { db: Kysely<Database> }).db;
    await sql`update idempotency_keys set created_at = now() - interval '25 hours' where key = 'key-old'`.execute(
      db,
    );
    const later = await decide("key-old", { ...APPROVED_CASE, id: "idem-old-2" });
    expect(later.statusCode, later.body).toBe(200);
    expect(later.json().decisionId).not.toBe(first.json().decisionId);
  });

  it("refuses a malformed key and decides as before without one", async () => {
    const bad = await decide("has space", { ...APPROVED_CASE, id: "idem-none" });
    expect(bad.statusCode).toBe(400);
    await decide(undefined, { ...APPROVED_CASE, id: "idem-none" });
    await decide(undefined, { ...APPROVED_CASE, id: "idem-none" });
    expect(await logged("idem-none")).toBe(2);
  });
});
