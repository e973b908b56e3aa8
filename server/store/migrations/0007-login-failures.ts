import { type Kysely, type Migration, sql } from "kysely";

/**
 * 0007 (issue #12): login failures counted in the database, so that every server on one database
 * counts the same attempts (server/throttle.ts). One row per account (its username, lower case)
 * and per address that failed in the current window: how many times since when, and the lock.
 */
export const loginFailuresMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("login_failures")
      .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('account', 'address')`))
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("failures", "integer", (c) => c.notNull())
      .addColumn("since", "timestamptz", (c) => c.notNull())
      .addColumn("locked_until", "timestamptz")
      .addPrimaryKeyConstraint("login_failures_pk", ["kind", "key"])
      .execute();
    await db.schema.createIndex("login_failures_since").on("login_failures").column("since").execute();
  },
};
