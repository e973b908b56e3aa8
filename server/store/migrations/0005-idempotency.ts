import { type Kysely, type Migration, sql } from "kysely";

/**
 * 0005 (issue #12): the Idempotency-Key of each `POST /api/decisions` that sent one, per user,
 * with the hash of the request it came with and the decision it logged (null while the first
 * request is still being decided). Kept 24 hours (server/store/idempotency.ts).
 */
export const idempotencyMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("idempotency_keys")
      .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("request_hash", "text", (c) => c.notNull())
      .addColumn("decision_id", "uuid", (c) => c.references("decisions.id"))
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint("idempotency_keys_pk", ["user_id", "key"])
      .execute();
    await db.schema
      .createIndex("idempotency_keys_created_at")
      .on("idempotency_keys")
      .column("created_at")
      .execute();
  },
};
