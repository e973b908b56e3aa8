import { type Kysely, type Migration, sql } from "kysely";

/**
 * 0009 (issue #11): the decision log's documents — the case as given (`input`), the rule-set chain
 * and the decision (`output`) — stored as `json`, not `jsonb`. Nothing queries inside them (the
 * log is read whole, by id or by the columns beside them), and `jsonb` cost the database its
 * largest share of a decision: parsing each document into its binary form on INSERT. Measured on
 * PostgreSQL 15, 10,000 rows of two 8 KB documents in batches of 50: jsonb 3.2–3.8 s, json
 * 1.3–1.4 s, and 10 % less space. `json` also keeps the text as written: the logged decision is
 * the answer the clerk got, key order included.
 *
 * On the partitioned table the change goes down to every month's partition, in the migration's
 * transaction (a rewrite of the log: seconds per 100,000 rows).
 */
export const decisionDocumentsJsonMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      alter table decisions
        alter column input type json using input::json,
        alter column chain type json using chain::json,
        alter column output type json using output::json
    `.execute(db);
  },
};
