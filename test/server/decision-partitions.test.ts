import { type Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { build } from "../../server/app.ts";
import { bootstrap } from "../../server/bootstrap.ts";
import { defaultKeys } from "../../server/data-keys.ts";
import { openDatabase } from "../../server/store/database.ts";
import { uuidv7 } from "../../server/store/decision-log.ts";
import {
  addMonths,
  DecisionPartitions,
  monthOf,
  monthStart,
  partitionName,
  uuidBound,
  uuidMs,
} from "../../server/store/decision-partitions.ts";
import { createStore } from "../../server/store/index.ts";
import { migrateTo, migrateToLatest } from "../../server/store/migrations.ts";
import { APPROVED_CASE, DIALECTS, freshTarget, PASSWORD, startServer } from "./harness.ts";

/** Migration 0008: the decision log partitioned by month of its UUIDv7 ids (docs/deploy.md). */

const partitions = async (db: Kysely<unknown>) =>
  (
    await sql<{ name: string }>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'decisions'::regclass order by 1`.execute(db)
  ).rows.map((r) => r.name);
const partitionOf = async (db: Kysely<unknown>, id: string) =>
  (await sql<{ p: string }>`select tableoid::regclass::text as p from decisions where id = ${id}`.execute(db))
    .rows[0]?.p;

describe("month bounds", () => {
  it("starts a month at midnight in China time and bounds it by the UUID of that millisecond", () => {
    // 2026-10-31T16:00Z is 2026-11-01 00:00 in Beijing.
    expect(monthOf(Date.UTC(2026, 9, 31, 15, 59, 59, 999))).toEqual({ year: 2026, month: 10 });
    expect(monthOf(Date.UTC(2026, 9, 31, 16))).toEqual({ year: 2026, month: 11 });
    expect(monthStart({ year: 2026, month: 11 })).toBe(Date.UTC(2026, 9, 31, 16));
    expect(addMonths({ year: 2026, month: 11 }, 2)).toEqual({ year: 2027, month: 1 });
    expect(partitionName({ year: 2026, month: 11 })).toBe("decisions_2026_11");
    expect(uuidBound(0x0190f3c28a1b)).toBe("0190f3c2-8a1b-0000-0000-000000000000");
    const ms = monthStart({ year: 2026, month: 11 });
    expect(uuidBound(ms) <= uuidv7(ms) && uuidv7(ms - 1) < uuidBound(ms)).toBe(true);
    expect(uuidMs(uuidv7(ms))).toBe(ms);
  });
});

describe.each(DIALECTS)("the decision log by month on $name", (dialect) => {
  it("logs each decision into its month's partition, and makes a month it has not got", async () => {
    let clock = Date.now();
    const s = await startServer(dialect, {}, { now: () => clock });
    try {
      const db = s.app.deps.store as unknown as { decisions: { db: Kysely<unknown> } };
      const raw = db.decisions.db;
      const now = monthOf(clock);
      const ahead = [0, 1, 2].map((n) => partitionName(addMonths(now, n)));
      expect(await partitions(raw)).toEqual(expect.arrayContaining(ahead));

      const post = async () => {
        const r = await s.as("clerk", { method: "POST", url: "/api/decisions", payload: APPROVED_CASE });
        expect(r.statusCode, r.body).toBe(200);
        return (r.json() as { decisionId: string }).decisionId;
      };
      const first = await post();
      expect(await partitionOf(raw, first)).toBe(partitionName(now));
      const row = await s.store.decisions.get(first);
      expect(row?.askedAt).toBe(new Date(uuidMs(first)).toISOString());

      // 2031-05-31T20:00Z is already June in Beijing: June's partition is made on demand.
      clock = Date.UTC(2031, 4, 31, 20);
      const later = await post();
      expect(await partitionOf(raw, later)).toBe("decisions_2031_06");
      const june = await s.store.decisions.list({ from: "2031-05-31T16:00:00Z", to: "2031-06-30T16:00:00Z" });
      expect(june.map((d) => d.id)).toEqual([later]);
      expect(await s.store.decisions.list({ to: "2031-05-31T16:00:00Z", limit: 1000 })).toHaveLength(1);

      // A month dropped behind the server's back (detached, then dropped, as docs/deploy.md
      // says): the batch is refused, the month made again, the batch written on the second try.
      await sql`alter table decisions detach partition decisions_2031_06`.execute(raw);
      await sql`drop table decisions_2031_06`.execute(raw);
      const again = await post();
      expect(await partitionOf(raw, again)).toBe("decisions_2031_06");
      expect(await partitionOf(raw, later)).toBeUndefined();
    } finally {
      await s.close();
    }
  }, 30_000);

  it("lets two servers make the same months at once", async () => {
    const fresh = await freshTarget(dialect.name);
    const a = openDatabase(fresh.target);
    // PGlite in memory has one connection: the second "server" shares it.
    const b = dialect.name === "postgres" ? openDatabase(fresh.target) : a;
    try {
      await migrateToLatest(a as Kysely<unknown>, defaultKeys());
      const future = () => Date.UTC(2040, 0, 15);
      const servers = [a, b, b, a].map((db) => new DecisionPartitions(db as Kysely<unknown>, future));
      await Promise.all(servers.map((p) => p.ensureAhead()));
      const names = await partitions(a as Kysely<unknown>);
      for (const m of ["decisions_2040_01", "decisions_2040_02", "decisions_2040_03"])
        expect(names.filter((n) => n === m)).toHaveLength(1);
    } finally {
      if (b !== a) await b.destroy();
      await a.destroy();
      await fresh.drop();
    }
  });

  it("upgrades a log with version-4 ids: new ids, references followed, old ids still found", async () => {
    const fresh = await freshTarget(dialect.name);
    const db = openDatabase(fresh.target);
    const keys = defaultKeys();
    const raw = db as unknown as Kysely<unknown>;
    const run = (q: ReturnType<typeof sql>) => q.execute(raw);
    try {
      await migrateTo(raw, keys, "0007-login-failures");
      const asked = [
        "2025-03-10T08:00:00.123456Z",
        "2025-11-30T17:00:00Z", // December in Beijing
        new Date().toISOString(),
      ];
      const legacy: string[] = [];
      for (const at of asked) {
        const r = await sql<{ id: string }>`
          insert into decisions (case_id, kind, outcome, insured_region, category, as_of, id_masked,
                                 input, chain, output, asked_by, asked_at)
          values ('c', 'filing', 'approved', '510402', 'retired_resettled', '2025-01-01',
                  '510402********1236', '{}', '[]', '{}', 'clerk', ${at}::timestamptz)
          returning id::text`.execute(raw);
        legacy.push(r.rows[0]?.id as string);
      }
      const kept = uuidv7(Date.UTC(2025, 5, 1));
      await run(sql`
        insert into decisions (id, case_id, kind, outcome, insured_region, category, as_of, id_masked,
                               input, chain, output, asked_by, asked_at)
        values (${kept}, 'c', 'filing', 'approved', '510402', null, '2025-01-01', 'x', '{}', '[]', '{}',
                'clerk', ${new Date(uuidMs(kept))})`);
      const [l0, l1, l2] = legacy as [string, string, string];
      expect(l0.charAt(14)).toBe("4");
      const user = await sql<{ id: number }>`
        insert into users (username, password_hash, roles) values ('u', 'x', '["clerk"]') returning id`.execute(
        raw,
      );
      const filing = await sql<{ id: string }>`
        insert into filings (id_number, id_hash, id_masked, sex, insured_region, scheme, category, status,
                             valid_from, single_use, approved_on, decision_id, details, created_by)
        values ('x', 'h', 'm', 'male', '510402', 'employee', 'retired_resettled', 'active',
                '2025-01-01', false, '2025-01-01', ${l0}, '{}', 'clerk') returning id`.execute(raw);
      const filingId = filing.rows[0]?.id as string;
      await run(sql`insert into filing_events (filing_id, event, decision_id, actor, detail)
                    values (${filingId}, 'filed', ${l0}, 'clerk', '{}')`);
      await run(
        sql`insert into manual_reviews (decision_id, status, requested_by) values (${l1}, 'pending', 'clerk')`,
      );
      await run(sql`insert into idempotency_keys (user_id, key, request_hash, decision_id)
                    values (${user.rows[0]?.id}, 'k1', 'h', ${l2})`);
      await run(sql`insert into audit_log (actor, action, entity, entity_id, detail) values
                    ('a', 'review.approved', 'decision', ${l1}, '{}'),
                    ('a', 'filing.create', 'filing', ${filingId}, ${JSON.stringify({ decisionId: l0 })})`);

      // A failure midway (here: an update of filings refused) leaves 0007's schema and rows as they were.
      await run(sql`create function refuse() returns trigger language plpgsql as
                    $$ begin raise exception 'refused by the test'; end $$`);
      await run(sql`create trigger refuse before update on filings for each row execute function refuse()`);
      await expect(migrateToLatest(raw, keys)).rejects.toThrow(/refused by the test/);
      const kind = async () =>
        (
          await sql<{
            k: string;
          }>`select relkind::text as k from pg_class where oid = 'decisions'::regclass`.execute(raw)
        ).rows[0]?.k;
      expect(await kind()).toBe("r");
      const leftover = await sql<{ a: string | null; b: string | null }>`
        select to_regclass('decision_id_aliases')::text as a, to_regclass('decisions_0007')::text as b`.execute(
        raw,
      );
      expect(leftover.rows[0]).toEqual({ a: null, b: null });
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        raw,
      );
      expect(applied.rows.at(-1)?.name).toBe("0007-login-failures");
      await run(sql`drop trigger refuse on filings`);

      const started = performance.now();
      expect(await migrateToLatest(raw, keys)).toEqual([
        "0008-decisions-by-month",
        "0009-decision-documents-json",
      ]);
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(await kind()).toBe("p");

      const aliases = await sql<{ old_id: string; id: string }>`
        select old_id::text, id::text from decision_id_aliases`.execute(raw);
      const alias = new Map(aliases.rows.map((r) => [r.old_id, r.id]));
      expect([...alias.keys()].sort()).toEqual([...legacy].sort());
      const rows = await sql<{ id: string; at: Date; p: string }>`
        select id::text, asked_at as at, tableoid::regclass::text as p from decisions order by id`.execute(
        raw,
      );
      expect(rows.rows.map((r) => r.id).sort()).toEqual([...alias.values(), kept].sort());
      for (const r of rows.rows) {
        expect(r.id.charAt(14)).toBe("7");
        expect(uuidMs(r.id)).toBe(Math.floor(new Date(r.at).getTime()));
        expect(r.p).toBe(partitionName(monthOf(uuidMs(r.id))));
      }
      expect(rows.rows.map((r) => r.p)).toEqual(
        expect.arrayContaining(["decisions_2025_03", "decisions_2025_06", "decisions_2025_12"]),
      );
      // Every month between the oldest and two ahead has its partition.
      const names = await partitions(raw);
      expect(names[0]).toBe("decisions_2025_03");
      expect(names.at(-1)).toBe(partitionName(addMonths(monthOf(Date.now()), 2)));

      const refs = await sql<{ f: string; e: string; r: string; k: string; a1: string; a2: string }>`
        select (select decision_id::text from filings) as f,
               (select decision_id::text from filing_events) as e,
               (select decision_id::text from manual_reviews) as r,
               (select decision_id::text from idempotency_keys) as k,
               (select entity_id from audit_log where entity = 'decision') as a1,
               (select detail->>'decisionId' from audit_log where entity = 'filing') as a2`.execute(raw);
      expect(refs.rows[0]).toEqual({
        f: alias.get(l0),
        e: alias.get(l0),
        r: alias.get(l1),
        k: alias.get(l2),
        a1: alias.get(l1),
        a2: alias.get(l0),
      });
      const fks = await sql<{ tab: string }>`
        select conrelid::regclass::text as tab from pg_constraint
        where contype = 'f' and confrelid = 'decisions'::regclass order by 1`.execute(raw);
      expect(fks.rows.map((r) => r.tab)).toEqual([
        "filing_events",
        "filings",
        "idempotency_keys",
        "manual_reviews",
      ]);
      await expect(run(sql`update filings set decision_id = ${uuidv7()}`)).rejects.toThrow(/foreign key/);
      // The id is the app's: no default any more.
      const idDefault = await sql<{ d: string | null }>`
        select column_default as d from information_schema.columns
        where table_name = 'decisions' and column_name = 'id'`.execute(raw);
      expect(idDefault.rows).toEqual([{ d: null }]);

      // GET by the old id (and a printed document) still finds the decision, under its new id.
      const store = createStore(db, keys);
      await bootstrap(store);
      const root = await store.users.create({ username: "root", password: PASSWORD, roles: ["admin"] });
      const token = (await store.users.startSession(root.id)).token;
      const app = await build({ store });
      try {
        const r = await app.inject({
          method: "GET",
          url: `/api/decisions/${l0}`,
          headers: { authorization: `Bearer ${token}` },
        });
        expect(r.statusCode, r.body).toBe(200);
        expect((r.json() as { id: string }).id).toBe(alias.get(l0));
        expect((await store.decisions.get(l1))?.id).toBe(alias.get(l1));
      } finally {
        await app.close();
        await store.close();
      }
    } finally {
      await db.destroy().catch(() => {});
      await fresh.drop();
    }
  }, 30_000);
});
