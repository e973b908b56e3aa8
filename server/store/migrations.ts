import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import type { Keyring } from "../data-keys.ts";
import { idempotencyMigration } from "./migrations/0005-idempotency.ts";
import { loginFailuresMigration } from "./migrations/0007-login-failures.ts";
import { decisionsByMonthMigration } from "./migrations/0008-decisions-by-month.ts";
import { decisionDocumentsJsonMigration } from "./migrations/0009-decision-documents-json.ts";
import { checkValue, reencrypt } from "./personal-data.ts";
import type { Database } from "./schema.ts";

/**
 * Migrations, in code so they ship with the server; the same ones run on PGlite and PostgreSQL,
 * at start-up. Never edit one that has shipped: add the next.
 */
const migrations: Record<string, Migration> = {
  "0001-initial": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("users")
        .addColumn("id", "serial", (c) => c.primaryKey())
        .addColumn("username", "text", (c) => c.notNull().unique())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("roles", "jsonb", (c) => c.notNull())
        .addColumn("display_name", "text")
        .addColumn("active", "boolean", (c) => c.notNull().defaultTo(true))
        .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable("sessions")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn("expires_at", "timestamptz", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("rule_set_versions")
        .addColumn("id", "serial", (c) => c.primaryKey())
        .addColumn("rule_set_id", "text", (c) => c.notNull())
        .addColumn("version", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) =>
          c.notNull().check(sql`status in ('draft', 'in_review', 'published', 'rejected')`),
        )
        .addColumn("content", "text", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .addColumn("region", "text")
        .addColumn("effective_from", "text")
        .addColumn("based_on", "integer", (c) => c.references("rule_set_versions.id"))
        .addColumn("author", "text", (c) => c.notNull())
        .addColumn("submitted_by", "text")
        .addColumn("reviewed_by", "text")
        .addColumn("review_comment", "text")
        .addColumn("published_by", "text")
        .addColumn("published_at", "timestamptz")
        .addColumn("revision", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addUniqueConstraint("rule_set_versions_id_version", ["rule_set_id", "version"])
        .execute();
      await db.schema
        .createTable("decisions")
        .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
        .addColumn("case_id", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("insured_region", "text", (c) => c.notNull())
        .addColumn("category", "text")
        .addColumn("as_of", "text", (c) => c.notNull())
        .addColumn("id_masked", "text", (c) => c.notNull())
        .addColumn("input", "jsonb", (c) => c.notNull())
        .addColumn("chain", "jsonb", (c) => c.notNull())
        .addColumn("output", "jsonb", (c) => c.notNull())
        .addColumn("draft_version_id", "integer", (c) => c.references("rule_set_versions.id"))
        .addColumn("asked_by", "text", (c) => c.notNull())
        .addColumn("asked_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex("decisions_asked_at").on("decisions").column("asked_at").execute();
      await db.schema
        .createTable("filings")
        .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
        .addColumn("id_number", "text", (c) => c.notNull())
        .addColumn("id_masked", "text", (c) => c.notNull())
        .addColumn("name", "text")
        .addColumn("sex", "text", (c) => c.notNull())
        .addColumn("insured_region", "text", (c) => c.notNull())
        .addColumn("scheme", "text", (c) => c.notNull())
        .addColumn("category", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) =>
          c.notNull().check(sql`status in ('active', 'revoked', 'consumed')`),
        )
        .addColumn("destination_region", "text")
        .addColumn("hospital_name", "text")
        .addColumn("hospital_level", "text")
        .addColumn("valid_from", "text", (c) => c.notNull())
        .addColumn("valid_until", "text")
        .addColumn("single_use", "boolean", (c) => c.notNull())
        .addColumn("change_locked_until", "text")
        .addColumn("extensions", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("approved_on", "text", (c) => c.notNull())
        .addColumn("decision_id", "uuid", (c) => c.notNull().references("decisions.id"))
        .addColumn("details", "jsonb", (c) => c.notNull())
        .addColumn("revision", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createIndex("filings_search")
        .on("filings")
        .columns(["insured_region", "category", "status"])
        .execute();
      await db.schema
        .createTable("filing_events")
        .addColumn("id", "serial", (c) => c.primaryKey())
        .addColumn("filing_id", "uuid", (c) => c.notNull().references("filings.id"))
        .addColumn("event", "text", (c) => c.notNull())
        .addColumn("decision_id", "uuid", (c) => c.references("decisions.id"))
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn("detail", "jsonb", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("audit_log")
        .addColumn("id", "serial", (c) => c.primaryKey())
        .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("entity", "text", (c) => c.notNull())
        .addColumn("entity_id", "text")
        .addColumn("detail", "jsonb", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("prepayments")
        .addColumn("id", "serial", (c) => c.primaryKey())
        .addColumn("insured_province", "text", (c) => c.notNull())
        .addColumn("treatment_province", "text", (c) => c.notNull())
        .addColumn("year", "integer", (c) => c.notNull())
        .addColumn("month", "integer", (c) => c.notNull().check(sql`month between 1 and 12`))
        .addColumn("prepayment", "numeric(18, 2)", (c) => c.notNull())
        .addColumn("clearing", "numeric(18, 2)", (c) => c.notNull())
        .addColumn("recorded_by", "text", (c) => c.notNull())
        .addColumn("recorded_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addUniqueConstraint("prepayments_pair_month", [
          "insured_province",
          "treatment_province",
          "year",
          "month",
        ])
        .execute();
    },
  },
  "0002-rule-set-review-dates": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("rule_set_versions")
        .addColumn("submitted_at", "timestamptz")
        .addColumn("reviewed_at", "timestamptz")
        .execute();
    },
  },
  "0003-filing-end-and-manual-reviews": {
    async up(db: Kysely<unknown>) {
      // When a revoked or consumed filing ended (an expired one ends on its valid_until).
      await db.schema.alterTable("filings").addColumn("ended_on", "text").execute();
      await db.schema
        .createIndex("filings_person")
        .on("filings")
        .columns(["id_number", "category", "status"])
        .execute();
      // The manual review queue: one row per logged decision that came out manual_review.
      await db.schema
        .createTable("manual_reviews")
        .addColumn("decision_id", "uuid", (c) => c.primaryKey().references("decisions.id"))
        .addColumn("status", "text", (c) =>
          c.notNull().check(sql`status in ('pending', 'approved', 'rejected')`),
        )
        .addColumn("filing_id", "uuid", (c) => c.references("filings.id"))
        .addColumn("filing_revision", "integer")
        .addColumn("requested_by", "text", (c) => c.notNull())
        .addColumn("requested_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn("decided_by", "text")
        .addColumn("decided_at", "timestamptz")
        .addColumn("reason", "text")
        .execute();
      await db.schema.createIndex("manual_reviews_status").on("manual_reviews").column("status").execute();
    },
  },
  "0004-session-activity": {
    async up(db: Kysely<unknown>) {
      // Idle timeout and the user's own session list (issue #12).
      await db.schema
        .alterTable("sessions")
        .addColumn("last_seen_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.alterTable("sessions").addColumn("client", "text").execute();
      await db.schema.alterTable("sessions").addColumn("address", "text").execute();
      await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();
      await db.schema
        .createIndex("audit_log_entity")
        .on("audit_log")
        .columns(["entity", "entity_id"])
        .execute();
    },
  },
  "0005-idempotency": idempotencyMigration,
  "0007-login-failures": loginFailuresMigration,
  "0008-decisions-by-month": decisionsByMonthMigration,
  "0009-decision-documents-json": decisionDocumentsJsonMigration,
};

/**
 * The migrations that need the data keys (server/data-keys.ts): made for each run. 0006 (issue #12)
 * encrypts the ID numbers and contact data already stored, in the migration's transaction — the
 * upgrade is whole or not at all — and records the key that did it.
 */
const keyed = (keys: Keyring): Record<string, Migration> => ({
  "0006-personal-data-encrypted": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("data_keys")
        .addColumn("key_id", "text", (c) => c.primaryKey())
        .addColumn("check_value", "text", (c) => c.notNull())
        .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn("retired_at", "timestamptz")
        .execute();
      await db.schema.alterTable("filings").addColumn("id_hash", "text").execute();
      await db.schema.dropIndex("filings_person").execute();
      const typed = db as Kysely<Database>;
      await typed
        .insertInto("data_keys")
        .values({ key_id: keys.primary.id, check_value: checkValue(keys) })
        .execute();
      await reencrypt(typed, keys);
      await db.schema
        .alterTable("filings")
        .alterColumn("id_hash", (c) => c.setNotNull())
        .execute();
      await db.schema
        .createIndex("filings_person")
        .on("filings")
        .columns(["id_hash", "category", "status"])
        .execute();
    },
  },
});

/** Brings the database to the migration `name` (tests of an upgrade from an older schema). */
export async function migrateTo(db: Kysely<unknown>, keys: Keyring, name: string): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations, ...keyed(keys) }) };
  const { error } = await new Migrator({ db, provider }).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

/** Brings the database to the latest schema; throws with the failing migration's error. */
export async function migrateToLatest(db: Kysely<unknown>, keys: Keyring): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations, ...keyed(keys) }) };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
