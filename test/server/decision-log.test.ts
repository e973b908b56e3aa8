import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../server/store/database.ts";
import { DecisionLog, type DecisionRow, KeyTakenOver, uuidv7 } from "../../server/store/decision-log.ts";
import { createStore } from "../../server/store/index.ts";
import { DIALECTS, freshTarget } from "./harness.ts";

/** The batched writer of the decision log: whole batches, answers only after commit. */
const row = (over: Partial<DecisionRow> = {}): DecisionRow => ({
  id: uuidv7(),
  case_id: "c",
  kind: "filing",
  outcome: "approved",
  insured_region: "510402",
  category: "retired_resettled",
  as_of: "2017-06-01",
  id_masked: "510402********1236",
  input: "{}",
  chain: "[]",
  output: "{}",
  draft_version_id: null,
  asked_by: "clerk",
  ...over,
});

describe("the decision log's batched writer", async () => {
  const { target, drop } = await freshTarget("pglite");
  const db = openDatabase(target);
  const store = createStore(db);
  await store.migrate();
  afterAll(async () => {
    await store.close();
    await drop();
  });
  const count = async () =>
    Number(
      (
        await db
          .selectFrom("decisions")
          .select((e) => e.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("writes a batch in one INSERT and answers each request after the commit", async () => {
    const log = new DecisionLog(db, 50, 5);
    const rows = Array.from({ length: 120 }, () => row());
    await Promise.all(rows.map((r) => log.append(r)));
    expect(await count()).toBe(120);
  });

  it("fails every request of a failed batch and writes none of its rows", async () => {
    const before = await count();
    const log = new DecisionLog(db, 10, 5);
    // One row names a rule-set version that does not exist (a foreign key): its batch fails whole.
    const batch = [row(), row({ draft_version_id: 999_999 }), row()];
    const results = await Promise.allSettled(batch.map((r) => log.append(r)));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(await count()).toBe(before);
  });

  it("completes Idempotency-Keys in the batch's commit; a key taken over fails its request alone", async () => {
    const user = await store.users.create({
      username: "keys",
      password: "a long enough passphrase",
      roles: ["clerk"],
    });
    for (const key of ["k-mine", "k-taken"])
      expect(await store.idempotency.claim(user.id, key, "hash")).toEqual({ state: "claimed" });
    // A retry took k-taken over and logged its own decision meanwhile.
    const other = row();
    await new DecisionLog(db, 1, 1).append(other);
    await store.idempotency.complete(user.id, "k-taken", other.id);
    const before = await count();
    const log = new DecisionLog(db, 3, 50);
    const [mine, taken, plain] = [row(), row(), row()];
    const results = await Promise.allSettled([
      log.append(mine, { userId: user.id, key: "k-mine" }),
      log.append(taken, { userId: user.id, key: "k-taken" }),
      log.append(plain),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(KeyTakenOver);
    expect(await count()).toBe(before + 2);
    expect(await store.idempotency.claim(user.id, "k-mine", "hash")).toEqual({
      state: "done",
      decisionId: mine.id,
    });
    expect(await store.idempotency.claim(user.id, "k-taken", "hash")).toEqual({
      state: "done",
      decisionId: other.id,
    });
  });

  it("makes time-ordered UUIDv7 ids", () => {
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
    expect(a.replaceAll("-", "").slice(0, 12)).toBe((1_700_000_000_000).toString(16).padStart(12, "0"));
  });
});

describe.each(DIALECTS)("the decision log keeps each document as written ($name)", (dialect) => {
  it("stores the decision's text as answered, key order and all (json, not jsonb: migration 0009)", async () => {
    const { target, drop } = await freshTarget(dialect.name);
    const db = openDatabase(target);
    const store = createStore(db);
    try {
      await store.migrate();
      const output = '{"caseId":"c","outcome":"approved","zeta":1,"alpha":[2, 3]}';
      const log = new DecisionLog(db, 1, 1);
      const r = row({ output, input: '{"id":"c","b":1,"a":2}' });
      await log.append(r);
      const { rows } = await sql<{
        output: string;
        input: string;
        type: string;
      }>`select output::text as output, input::text as input, pg_typeof(output)::text as type from decisions where id = ${r.id}`.execute(
        db,
      );
      // jsonb would give {"zeta": 1, "alpha": [2, 3], "caseId": "c", "outcome": "approved"}
      expect(rows[0]).toEqual({ output, input: '{"id":"c","b":1,"a":2}', type: "json" });
    } finally {
      await store.close();
      await drop();
    }
  });
});
