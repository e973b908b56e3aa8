/**
 * How long migration 0008 (the decision log partitioned by month) takes on a log of version-4
 * ids: a throwaway database at 0007 with N legacy decisions (~3 KB of JSON each, one every 5
 * minutes from 2024-01-01), a filing and a filing event for every tenth, a review for every
 * twentieth, 1,000 idempotency keys and their audit entries; then 0008, timed.
 *
 *   npx tsx scripts/time-migration-0008.mts            # 100,000 rows on PostgreSQL (127.0.0.1:5432/test)
 *   N=20000 KIND=pglite npx tsx scripts/time-migration-0008.mts
 */
import { type Kysely, sql } from "kysely";
import { defaultKeys } from "../server/data-keys.ts";
import { openDatabase } from "../server/store/database.ts";
import { migrateTo, migrateToLatest } from "../server/store/migrations.ts";
import { freshTarget } from "../test/server/harness.ts";

const N = Number(process.env.N ?? 100_000);
const kind = (process.env.KIND ?? "postgres") as "postgres" | "pglite";
const fresh = await freshTarget(kind);
const db = openDatabase(fresh.target) as unknown as Kysely<unknown>;
try {
  const keys = defaultKeys();
  await migrateTo(db, keys, "0007-login-failures");
  const input = JSON.stringify({ pad: "x".repeat(1000) });
  const output = JSON.stringify({ pad: "y".repeat(2000) });
  let t = performance.now();
  await sql`insert into decisions (case_id, kind, outcome, insured_region, category, as_of, id_masked, input, chain, output, asked_by, asked_at)
    select 'c' || i, 'filing', 'approved', '510402', 'retired_resettled', '2025-01-01', 'm', ${input}::jsonb, '[]', ${output}::jsonb, 'clerk',
           timestamptz '2024-01-01' + (i * interval '5 minutes')
    from generate_series(1, ${N}) i`.execute(db);
  await sql`insert into users (username, password_hash, roles) values ('u', 'x', '["clerk"]')`.execute(db);
  await sql`insert into filings (id_number, id_hash, id_masked, sex, insured_region, scheme, category, status, valid_from, single_use, approved_on, decision_id, details, created_by)
    select 'x', 'h', 'm', 'male', '510402', 'employee', 'retired_resettled', 'active', '2025-01-01', false, '2025-01-01', id, '{}', 'clerk'
    from (select id from decisions order by asked_at limit ${N / 10}) d`.execute(db);
  await sql`insert into filing_events (filing_id, event, decision_id, actor, detail) select id, 'filed', decision_id, 'clerk', '{}' from filings`.execute(
    db,
  );
  await sql`insert into manual_reviews (decision_id, status, requested_by) select id, 'pending', 'clerk' from (select id from decisions order by asked_at desc limit ${N / 20}) d`.execute(
    db,
  );
  await sql`insert into idempotency_keys (user_id, key, request_hash, decision_id) select 1, 'k' || row_number() over (), 'h', id from (select id from decisions limit 1000) d`.execute(
    db,
  );
  await sql`insert into audit_log (actor, action, entity, entity_id, detail) select 'a', 'review.approved', 'decision', decision_id::text, '{}' from manual_reviews`.execute(
    db,
  );
  await sql`insert into audit_log (actor, action, entity, entity_id, detail) select 'a', 'filing.create', 'filing', id::text, jsonb_build_object('decisionId', decision_id) from filings`.execute(
    db,
  );
  await sql`analyze`.execute(db);
  console.log(
    `${kind}: ${N} legacy decisions etc. loaded in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  t = performance.now();
  const applied = await migrateToLatest(db, keys);
  console.log(`${kind}: ${applied.join(", ")} in ${((performance.now() - t) / 1000).toFixed(2)} s`);
  const parts = await sql<{
    n: number;
  }>`select count(*)::int as n from pg_inherits where inhparent = 'decisions'::regclass`.execute(db);
  const n = await sql<{ n: number }>`select count(*)::int as n from decisions`.execute(db);
  console.log(`${kind}: ${n.rows[0]?.n} rows in ${parts.rows[0]?.n} partitions`);
} finally {
  await db.destroy();
  await fresh.drop();
}
