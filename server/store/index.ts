import type { Kysely, Transaction } from "kysely";
import { AuditStore } from "./audit.ts";
import { DecisionStore } from "./decisions.ts";
import { FilingStore } from "./filings.ts";
import { ManualReviewStore } from "./manual-reviews.ts";
import { migrateToLatest } from "./migrations.ts";
import { PrepaymentStore } from "./prepayments.ts";
import { RuleSetStore } from "./rule-sets.ts";
import type { Database } from "./schema.ts";
import { UserStore } from "./users.ts";

/**
 * The storage the server needs, behind one interface; the implementation is kysely over
 * PGlite or PostgreSQL. `transaction` gives a Store whose every part writes in one
 * transaction: all of it commits, or none of it.
 */
export interface Store {
  readonly users: UserStore;
  readonly audit: AuditStore;
  readonly decisions: DecisionStore;
  readonly filings: FilingStore;
  readonly reviews: ManualReviewStore;
  readonly ruleSets: RuleSetStore;
  readonly prepayments: PrepaymentStore;
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

export function createStore(db: Kysely<Database>): Store {
  const decisions = new DecisionStore(db);
  return {
    users: new UserStore(db),
    audit: new AuditStore(db),
    decisions,
    filings: new FilingStore(db),
    reviews: new ManualReviewStore(db),
    ruleSets: new RuleSetStore(db),
    prepayments: new PrepaymentStore(db),
    transaction: (fn) =>
      db.isTransaction
        ? fn(createStore(db))
        : db.transaction().execute((trx: Transaction<Database>) => fn(createStore(trx))),
    migrate: () => migrateToLatest(db as Kysely<unknown>),
    close: async () => {
      await decisions.drain();
      await db.destroy();
    },
  };
}
