import { spawn } from "node:child_process";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrap } from "../../server/bootstrap.ts";
import { defaultKeys } from "../../server/data-keys.ts";
import { type DatabaseTarget, openDatabase } from "../../server/store/database.ts";
import { uuidv7 } from "../../server/store/decision-log.ts";
import { createStore } from "../../server/store/index.ts";
import type { Database } from "../../server/store/schema.ts";
import { DIALECTS, type FreshTarget, freshTarget, PASSWORD } from "./harness.ts";

/**
 * "A crash or kill in the middle of a publish or a filing change leaves the database
 * consistent", proved with a killed process: a child opens the database, writes a publication
 * (or a filing change) with its audit entries and some MB more in one transaction, and SIGKILLs
 * itself before the commit. Reopened, the database must hold nothing of it, and still open,
 * migrate and take writes. A control run kills the child just after its commit: that must all be
 * there. On disk for PGlite (a temp data folder), and on a fresh PostgreSQL database when one answers.
 */
const CHILD = new URL("./fixtures/kill-mid-transaction.ts", import.meta.url).pathname;
const ROOT = new URL("../..", import.meta.url).pathname;

const TARGETS = [
  { name: "pglite (data folder)", make: () => freshTarget("pglite", { onDisk: true }) },
  ...(DIALECTS.some((d) => d.name === "postgres")
    ? [{ name: "postgres", make: () => freshTarget("postgres") }]
    : []),
];

/** Opens the database, runs fn, closes it (PGlite's folder admits one process at a time). */
async function withDb<T>(target: DatabaseTarget, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const db = openDatabase(target);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

type ChildResult = {
  signal: NodeJS.Signals | null;
  code: number | null;
  lines: Record<string, unknown>[];
  stderr: string;
};

function runChild(
  target: DatabaseTarget,
  scenario: string,
  mode: "kill" | "commit",
  id: string,
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", CHILD, JSON.stringify(target), scenario, mode, id],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const lines = out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ signal, code, lines, stderr: err });
    });
  });
}

/** What a half-written publication or filing change would show up in. */
async function snapshot(db: Kysely<Database>, versionId: number, filingId: string) {
  const count = async (t: "audit_log" | "filing_events") =>
    Number(
      (
        await db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    version: await db
      .selectFrom("rule_set_versions")
      .select(["status", "content", "hash", "revision", "published_by"])
      .where("id", "=", versionId)
      .executeTakeFirstOrThrow(),
    filing: await db
      .selectFrom("filings")
      .select(["status", "valid_until", "revision"])
      .where("id", "=", filingId)
      .executeTakeFirstOrThrow(),
    auditRows: await count("audit_log"),
    filingEvents: await count("filing_events"),
  };
}

/** Migrated, rule sets imported, one version in review and one active filing to fight over. */
async function prepare(db: Kysely<Database>) {
  await bootstrap(createStore(db), { adminUser: "root", adminPassword: PASSWORD });
  const base = await db
    .selectFrom("rule_set_versions")
    .selectAll()
    .where("rule_set_id", "=", "sichuan/panzhihua")
    .executeTakeFirstOrThrow();
  const { id: _id, created_at: _c, updated_at: _u, revision: _r, published_at: _p, ...copy } = base;
  const version = await db
    .insertInto("rule_set_versions")
    .values({
      ...copy,
      version: "2099-01-01",
      status: "in_review",
      author: "officer",
      submitted_by: "officer",
      published_by: null,
      based_on: base.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const decision = await db
    .insertInto("decisions")
    .values({
      id: uuidv7(),
      case_id: "kill-1",
      kind: "filing",
      outcome: "approved",
      insured_region: "510402",
      category: "retired_resettled",
      as_of: "2025-01-02",
      id_masked: "510402********1236",
      input: JSON.stringify({}),
      chain: JSON.stringify([]),
      output: JSON.stringify({}),
      asked_by: "clerk",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const filing = await db
    .insertInto("filings")
    .values({
      id_number: defaultKeys().seal("510402195001011236"),
      id_hash: defaultKeys().lookupHash("510402195001011236"),
      id_masked: "510402********1236",
      name: "张三",
      sex: "male",
      insured_region: "510402",
      scheme: "employee",
      category: "retired_resettled",
      status: "active",
      destination_region: "460200",
      hospital_name: null,
      hospital_level: null,
      valid_from: "2025-01-02",
      valid_until: null,
      single_use: false,
      change_locked_until: null,
      approved_on: "2025-01-02",
      decision_id: decision.id,
      details: JSON.stringify({}),
      created_by: "clerk",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { versionId: version.id, filingId: filing.id };
}

const lsnBytes = (l: unknown) => {
  const [hi = "0", lo = "0"] = String(l).split("/");
  return Number.parseInt(hi, 16) * 2 ** 32 + Number.parseInt(lo, 16);
};

describe.each(TARGETS)("a process killed mid-transaction, on $name", ({ make }) => {
  let t: FreshTarget;
  let ids: { versionId: number; filingId: string };
  beforeAll(async () => {
    t = await make();
    ids = await withDb(t.target, prepare);
  }, 120_000);
  afterAll(async () => t?.drop());

  it.each(["publish", "filing-change"])(
    "leaves nothing of a %s that was killed before its commit, and the database opens, migrates and takes writes",
    async (scenario) => {
      const before = await withDb(t.target, (db) => snapshot(db, ids.versionId, ids.filingId));
      const id = scenario === "publish" ? String(ids.versionId) : ids.filingId;
      const child = await runChild(t.target, scenario, "kill", id);
      expect(child.stderr).toBe("");
      expect(child.signal).toBe("SIGKILL");
      const written = child.lines.find((l) => l.step === "written");
      // the child did write, inside its transaction, and part of that reached the disk before the kill
      expect(written?.auditRowsSeenInTransaction).toBe(before.auditRows + 2001);
      expect(lsnBytes(written?.walWritten) - lsnBytes(written?.walAtStart)).toBeGreaterThan(1_000_000);
      expect(child.lines.some((l) => l.step === "committed")).toBe(false);

      await withDb(t.target, async (db) => {
        expect(await createStore(db).migrate()).toEqual([]);
        expect(await snapshot(db, ids.versionId, ids.filingId)).toEqual(before);
        // every table reads through, and the same change now commits normally
        for (const table of [
          "users",
          "sessions",
          "rule_set_versions",
          "decisions",
          "filings",
          "filing_events",
          "audit_log",
          "prepayments",
        ]) {
          await sql`select count(*) from ${sql.table(table)}`.execute(db);
        }
        await db.transaction().execute(async (trx) => {
          await createStore(trx).audit.record({ actor: "test", action: "after-kill", entity: scenario });
        });
        expect((await snapshot(db, ids.versionId, ids.filingId)).auditRows).toBe(before.auditRows + 1);
      });
    },
    120_000,
  );

  it("keeps all of a publication whose process was killed just after its commit", async () => {
    const before = await withDb(t.target, (db) => snapshot(db, ids.versionId, ids.filingId));
    const child = await runChild(t.target, "publish", "commit", String(ids.versionId));
    expect(child.stderr).toBe("");
    expect(child.signal).toBe("SIGKILL");
    expect(child.lines.map((l) => l.step)).toEqual(["written", "committed"]);
    const after = await withDb(t.target, (db) => snapshot(db, ids.versionId, ids.filingId));
    expect(after).toEqual({
      ...before,
      version: {
        ...before.version,
        status: "published",
        content: `${before.version.content}\n# published by a process that was then killed\n`,
        hash: "sha256:written-by-the-killed-process",
        revision: before.version.revision + 1,
        published_by: "killed",
      },
      auditRows: before.auditRows + 2001,
    });
  }, 120_000);
});
