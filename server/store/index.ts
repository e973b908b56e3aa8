import type { Kysely, Transaction } from "kysely";
import { defaultKeys, type Keyring } from "../data-keys.ts";
import { AuditStore } from "./audit.ts";
import { DecisionPartitions } from "./decision-partitions.ts";
import { DecisionStore } from "./decisions.ts";
import { FilingStore } from "./filings.ts";
import { IdempotencyKeys } from "./idempotency.ts";
import { LoginFailures } from "./login-failures.ts";
import { ManualReviewStore } from "./manual-reviews.ts";
import { migrateToLatest } from "./migrations.ts";
import { checkKeys, type RotationReport, reencrypt } from "./personal-data.ts";
import { PrepaymentStore } from "./prepayments.ts";
import { RuleSetStore } from "./rule-sets.ts";
import type { Database } from "./schema.ts";
import { UserStore } from "./users.ts";

/**
 * The storage the server needs, behind one interface; the implementation is kysely over
 * PGlite or PostgreSQL. `transaction` gives a Store whose every part writes in one
 * transaction: all of it commits, or none of it.
 *
 * ID numbers and contact data are encrypted at rest with `keys` (server/data-keys.ts; the server and
 * the CLI resolve them with `resolveKeys`; without them, YIDI_DATA_KEY or a key for this process).
 * `migrate` checks that the keys open this database's data (a DataKeyError otherwise);
 * `reencrypt` brings every stored value under the primary key (`yidi admin rotate-key`).
 */
export interface Store {
  readonly users: UserStore;
  readonly audit: AuditStore;
  readonly decisions: DecisionStore;
  readonly filings: FilingStore;
  readonly reviews: ManualReviewStore;
  readonly ruleSets: RuleSetStore;
  readonly prepayments: PrepaymentStore;
  /** Idempotency-Key of POST /api/decisions (migration 0005). */
  readonly idempotency: IdempotencyKeys;
  /** Login failures per account and address, shared by the servers on this database (migration 0007). */
  readonly loginFailures: LoginFailures;
  readonly keys: Keyring;
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  migrate(): Promise<string[]>;
  reencrypt(opts?: {
    batch?: number;
    onBatch?: (table: string, rows: number) => void;
  }): Promise<RotationReport>;
  close(): Promise<void>;
}

/**
 * `opts.now` is the clock decisions are logged by (tests of another month); `opts.partitions` is
 * the parent store's, for a transaction's store.
 */
export function createStore(
  db: Kysely<Database>,
  keys: Keyring = defaultKeys(),
  opts: { now?: () => number; partitions?: DecisionPartitions } = {},
): Store {
  const partitions = opts.partitions ?? new DecisionPartitions(db as Kysely<unknown>, opts.now);
  const decisions = new DecisionStore(db, keys, partitions);
  return {
    keys,
    users: new UserStore(db),
    audit: new AuditStore(db, keys),
    decisions,
    filings: new FilingStore(db, keys),
    reviews: new ManualReviewStore(db, keys),
    ruleSets: new RuleSetStore(db),
    prepayments: new PrepaymentStore(db),
    idempotency: new IdempotencyKeys(db as Kysely<unknown>),
    loginFailures: new LoginFailures(db as Kysely<unknown>),
    transaction: (fn) =>
      db.isTransaction
        ? fn(createStore(db, keys, { partitions }))
        : db
            .transaction()
            .execute((trx: Transaction<Database>) => fn(createStore(trx, keys, { partitions }))),
    migrate: async () => {
      const applied = await migrateToLatest(db as Kysely<unknown>, keys);
      await checkKeys(db, keys);
      // The decision log's partitions for this month and the next two, and every hour.
      if (!db.isTransaction) await partitions.start();
      return applied;
    },
    reencrypt: (opts) => reencrypt(db, keys, opts),
    close: async () => {
      partitions.stop();
      await decisions.drain();
      await db.destroy();
    },
  };
}
