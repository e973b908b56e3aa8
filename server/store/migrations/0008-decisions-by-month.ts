import { type Kysely, type Migration, sql } from "kysely";
import {
  addMonths,
  createPartitions,
  MONTHS_AHEAD,
  monthOf,
  monthsBetween,
  uuidMs,
} from "../decision-partitions.ts";

/** The tables whose decision_id references a decision (their foreign keys are remade). */
const REFERENCING = ["filings", "filing_events", "manual_reviews", "idempotency_keys"] as const;

/**
 * 0008 (issue #11): the decision log partitioned by month (docs/deploy.md), so that an old month
 * is detached and dropped instead of deleted row by row. `decisions` becomes a table partitioned
 * by range of `id` — ids are UUIDv7, their first 48 bits the Unix milliseconds — one partition per
 * month in China time (`decisions_2026_11`); the primary key stays `(id)`, so the foreign keys of
 * filings, filing events, manual reviews and idempotency keys still point at it.
 *
 * A row logged before ids were UUIDv7 (a random version-4 id, which would fall in any month) gets
 * a new UUIDv7 of its asked_at's millisecond; every reference to it follows (and audit entries about it), and
 * `decision_id_aliases` keeps old → new, so a link with the old id still finds the decision.
 * Ids are always made by the server from now on: the table has no id default.
 *
 * All in the migration's transaction: the upgrade is whole or not at all.
 */
export const decisionsByMonthMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const run = (q: ReturnType<typeof sql>) => q.execute(db);
    await run(sql`alter table decisions rename to decisions_0007`);
    await run(sql`alter index decisions_pkey rename to decisions_0007_pkey`);
    await run(sql`alter index decisions_asked_at rename to decisions_0007_asked_at`);

    // The foreign keys to the old table, dropped now (the references are rewritten below) and
    // remade as they were against the new one.
    const fks = await sql<{ tab: string; name: string; def: string }>`
      select conrelid::regclass::text as tab, conname as name, pg_get_constraintdef(oid) as def
      from pg_constraint where contype = 'f' and confrelid = 'decisions_0007'::regclass`.execute(db);
    for (const fk of fks.rows) {
      if (!REFERENCING.includes(fk.tab as (typeof REFERENCING)[number]))
        throw new Error(`0008: an unexpected foreign key to decisions: ${fk.tab}.${fk.name}`);
      await run(sql`alter table ${sql.id(fk.tab)} drop constraint ${sql.id(fk.name)}`);
    }

    // A new UUIDv7 for each row whose id does not tell its time: the asked_at millisecond, then
    // "7" (the version) and the random rest of a version-4 UUID (its variant bits included).
    await run(sql`create table decision_id_aliases (old_id uuid primary key, id uuid not null unique)`);
    const askedMs = sql`floor(extract(epoch from asked_at) * 1000)::bigint`;
    await run(sql`
      insert into decision_id_aliases (old_id, id)
      select id, (lpad(to_hex(${askedMs}), 12, '0') || '7'
                  || substr(replace(gen_random_uuid()::text, '-', ''), 14))::uuid
      from decisions_0007 where substr(id::text, 15, 1) <> '7'`);

    await run(sql`
      create table decisions (
        id uuid not null,
        case_id text not null,
        kind text not null,
        outcome text not null,
        insured_region text not null,
        category text,
        as_of text not null,
        id_masked text not null,
        input jsonb not null,
        chain jsonb not null,
        output jsonb not null,
        draft_version_id integer references rule_set_versions (id),
        asked_by text not null,
        asked_at timestamptz not null default now(),
        constraint decisions_pkey primary key (id)
      ) partition by range (id)`);
    await run(sql`create index decisions_asked_at on decisions (asked_at)`);

    // A partition for every month from the oldest row's to two months ahead (none left out
    // between: a month without rows still gets its partition).
    const span = await sql<{ first: string | null; last: string | null }>`
      select min(coalesce(a.id, d.id)::text collate "C") as first,
             max(coalesce(a.id, d.id)::text collate "C") as last
      from decisions_0007 d left join decision_id_aliases a on a.old_id = d.id`.execute(db);
    const now = monthOf(Date.now());
    const { first, last } = span.rows[0] ?? { first: null, last: null };
    const ahead = addMonths(now, MONTHS_AHEAD);
    const lastMonth = last && uuidMs(last) > Date.now() ? monthOf(uuidMs(last)) : now;
    const end = lastMonth.year * 12 + lastMonth.month > ahead.year * 12 + ahead.month ? lastMonth : ahead;
    await createPartitions(db, monthsBetween(first ? monthOf(uuidMs(first)) : now, end));

    await run(sql`
      insert into decisions (id, case_id, kind, outcome, insured_region, category, as_of, id_masked,
                             input, chain, output, draft_version_id, asked_by, asked_at)
      select coalesce(a.id, d.id), d.case_id, d.kind, d.outcome, d.insured_region, d.category,
             d.as_of, d.id_masked, d.input, d.chain, d.output, d.draft_version_id, d.asked_by, d.asked_at
      from decisions_0007 d left join decision_id_aliases a on a.old_id = d.id`);

    for (const tab of REFERENCING)
      await run(sql`
        update ${sql.id(tab)} t set decision_id = a.id
        from decision_id_aliases a where t.decision_id = a.old_id`);
    // Audit entries about a decision (a review's) and those naming one (a filing's) follow it.
    await run(sql`
      update audit_log l set entity_id = a.id::text
      from decision_id_aliases a where l.entity = 'decision' and l.entity_id = a.old_id::text`);
    await run(sql`
      update audit_log l set detail = jsonb_set(l.detail, '{decisionId}', to_jsonb(a.id::text))
      from decision_id_aliases a where l.detail->>'decisionId' = a.old_id::text`);

    for (const fk of fks.rows) {
      const def = fk.def.replace(/REFERENCES (public\.)?decisions_0007\(/, "REFERENCES decisions(");
      if (def === fk.def) throw new Error(`0008: cannot remake ${fk.tab}.${fk.name}: ${fk.def}`);
      await run(sql`alter table ${sql.id(fk.tab)} add constraint ${sql.id(fk.name)} ${sql.raw(def)}`);
    }
    await run(sql`drop table decisions_0007`);
  },
};
