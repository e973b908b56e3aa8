import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import { type LockHolder, lockFolder } from "./folder-lock.ts";
import type { Database } from "./schema.ts";

// PostgreSQL returns numeric as a string already; keep int8 (count(*)) as a JS number.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export type DatabaseTarget = { kind: "pglite"; dataDir: string | null } | { kind: "postgres"; url: string };

/**
 * Opens the database: a PostgreSQL server when a URL is given, otherwise the embedded PGlite
 * in a data folder (or in memory for `dataDir: null`, as tests use). A data folder is locked
 * for this process until `destroy()` (see folder-lock.ts): a second process refuses to open it
 * with a FolderLockedError naming the holder.
 */
export function openDatabase(
  target: DatabaseTarget,
  opts: { onStaleLock?: (holder: LockHolder) => void } = {},
): Kysely<Database> {
  if (target.kind === "postgres") {
    // A server that does not answer (a failover, a network partition) fails a request after 5 s
    // (a 503 with Retry-After, server/hardening.ts) instead of holding it for ever.
    const pool = new pg.Pool({ connectionString: target.url, max: 10, connectionTimeoutMillis: 5000 });
    // A connection the server drops (a restart, a failover, an administrator's terminate) is
    // reported as an `error` event: on the pool while the connection sits idle, on the client
    // while a request holds it (between the statements of a transaction). Unheard, either event
    // crashes the process. The request's next statement fails instead (its transaction rolls
    // back, the caller gets a 503 with Retry-After), and the pool replaces the dead connection.
    const dropped = (e: Error) => console.error(`yidi: a PostgreSQL connection was dropped: ${e.message}`);
    pool.on("connect", (client) => client.on("error", dropped));
    pool.on("error", () => {}); // the same event, re-emitted for idle connections: logged above
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  if (!target.dataDir) return new Kysely<Database>({ dialect: new PGliteDialect(new PGlite()) });
  mkdirSync(target.dataDir, { recursive: true });
  const release = lockFolder(
    target.dataDir,
    opts.onStaleLock ??
      ((h) =>
        console.error(
          `yidi: took over the lock of ${target.dataDir} left by process ${h.pid} on ${h.host} (started ${h.startedAt}), which is no longer running`,
        )),
  );
  let db: Kysely<Database>;
  try {
    db = new Kysely<Database>({ dialect: new PGliteDialect(new PGlite(target.dataDir)) });
  } catch (e) {
    release();
    throw e;
  }
  const destroy = db.destroy.bind(db);
  db.destroy = async () => {
    try {
      await destroy();
    } finally {
      release();
    }
  };
  return db;
}

export function describeTarget(t: DatabaseTarget): string {
  return t.kind === "postgres"
    ? `PostgreSQL ${t.url.replace(/\/\/[^@]*@/, "//***@")}`
    : `PGlite ${t.dataDir ?? "(memory)"}`;
}
