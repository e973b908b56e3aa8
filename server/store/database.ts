import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import type { Database } from "./schema.ts";

// PostgreSQL returns numeric as a string already; keep int8 (count(*)) as a JS number.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export type DatabaseTarget = { kind: "pglite"; dataDir: string | null } | { kind: "postgres"; url: string };

/**
 * Opens the database: a PostgreSQL server when a URL is given, otherwise the embedded PGlite
 * in a data folder (or in memory for `dataDir: null`, as tests use).
 */
export function openDatabase(target: DatabaseTarget): Kysely<Database> {
  if (target.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: target.url, max: 10 });
    // An idle connection the server drops (restart, failover, an administrator's terminate) is
    // reported on the pool; unheard, that event would crash the process. The pool discards the
    // client and opens a new one for the next query, so a line on stderr is all it needs.
    pool.on("error", (e) => {
      console.error(`yidi: an idle PostgreSQL connection failed and was discarded: ${e.message}`);
    });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  const client = target.dataDir ? new PGlite(target.dataDir) : new PGlite();
  return new Kysely<Database>({ dialect: new PGliteDialect(client) });
}

export function describeTarget(t: DatabaseTarget): string {
  return t.kind === "postgres"
    ? `PostgreSQL ${t.url.replace(/\/\/[^@]*@/, "//***@")}`
    : `PGlite ${t.dataDir ?? "(memory)"}`;
}
