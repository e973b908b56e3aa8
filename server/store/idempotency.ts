import { type ColumnType, type Kysely, sql } from "kysely";

/** The table of migration 0005 (server/store/migrations/0005-idempotency.ts). */
export interface IdempotencyKeysTable {
  user_id: number;
  key: string;
  request_hash: string;
  decision_id: string | null;
  created_at: ColumnType<Date, never, never>;
}

/** How long a key is remembered: a retry within this time gets the first answer. */
export const IDEMPOTENCY_TTL_HOURS = 24;
/**
 * A key claimed this long ago whose request never finished (its process died between the claim
 * and the answer) is taken over by the next request with it. A request's decision is logged
 * within milliseconds; a minute is far beyond any live request.
 */
export const ABANDONED_AFTER_S = 60;

/** What a request with an Idempotency-Key finds. */
export type Claim =
  /** The key is this request's: decide, log, then `complete` (or `release` on failure). */
  | { state: "claimed" }
  /** A request with the same key and the same body was answered: its decision. */
  | { state: "done"; decisionId: string }
  /** A request with the same key and the same body is still being decided. */
  | { state: "pending" }
  /** The key was used for a different request. */
  | { state: "mismatch" };

/**
 * Idempotency keys of `POST /api/decisions`, per user, kept `IDEMPOTENCY_TTL_HOURS`. The claim is
 * one INSERT … ON CONFLICT DO NOTHING on the primary key (user, key): of two concurrent requests
 * with one key exactly one claims it, the other waits for its decision — one decision is logged.
 */
export class IdempotencyKeys {
  private readonly db: Kysely<{ idempotency_keys: IdempotencyKeysTable }>;
  private lastPurge = 0;

  constructor(db: Kysely<unknown>) {
    this.db = db as Kysely<{ idempotency_keys: IdempotencyKeysTable }>;
  }

  async claim(userId: number, key: string, requestHash: string): Promise<Claim> {
    await this.purge();
    // An expired key, or one abandoned by a process that died mid-request, is free again.
    await this.db
      .deleteFrom("idempotency_keys")
      .where("user_id", "=", userId)
      .where("key", "=", key)
      .where((e) =>
        e.or([
          e("created_at", "<", sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`),
          e.and([
            e("decision_id", "is", null),
            e("created_at", "<", sql<Date>`now() - make_interval(secs => ${ABANDONED_AFTER_S})`),
          ]),
        ]),
      )
      .execute();
    const claimed = await this.db
      .insertInto("idempotency_keys")
      .values({ user_id: userId, key, request_hash: requestHash, decision_id: null })
      .onConflict((oc) => oc.columns(["user_id", "key"]).doNothing())
      .returning("key")
      .executeTakeFirst();
    if (claimed) return { state: "claimed" };
    const row = await this.db
      .selectFrom("idempotency_keys")
      .select(["request_hash", "decision_id"])
      .where("user_id", "=", userId)
      .where("key", "=", key)
      .executeTakeFirst();
    // Released by a failed first request between our INSERT and SELECT: ours to claim.
    if (!row) return this.claim(userId, key, requestHash);
    if (row.request_hash !== requestHash) return { state: "mismatch" };
    return row.decision_id ? { state: "done", decisionId: row.decision_id } : { state: "pending" };
  }

  /** The claimed key's request logged this decision. */
  async complete(userId: number, key: string, decisionId: string): Promise<void> {
    await this.db
      .updateTable("idempotency_keys")
      .set({ decision_id: decisionId })
      .where("user_id", "=", userId)
      .where("key", "=", key)
      .execute();
  }

  /** The claimed key's request failed (nothing logged): a retry decides afresh. */
  async release(userId: number, key: string): Promise<void> {
    await this.db
      .deleteFrom("idempotency_keys")
      .where("user_id", "=", userId)
      .where("key", "=", key)
      .where("decision_id", "is", null)
      .execute();
  }

  /** Forgets keys older than the TTL, at most once a minute per process. */
  async purge(now = Date.now()): Promise<void> {
    if (now - this.lastPurge < 60_000) return;
    this.lastPurge = now;
    await this.db
      .deleteFrom("idempotency_keys")
      .where("created_at", "<", sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`)
      .execute();
  }
}
