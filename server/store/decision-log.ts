import { randomFillSync } from "node:crypto";
import { type Insertable, type Kysely, sql } from "kysely";
import { isNoPartition } from "./decision-partitions.ts";
import type { Database, DecisionsTable } from "./schema.ts";

const pool = Buffer.alloc(4096);
let at = pool.length;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Made in the app, so a
 * decision's id is known before its row is written (and rows sort by time across servers).
 *
 * @example uuidv7() // "0190f3c2-8a1b-7c3d-9e4f-…"
 */
export function uuidv7(now = Date.now()): string {
  if (at + 10 > pool.length) {
    randomFillSync(pool);
    at = 0;
  }
  const b = new Array<string>(16);
  let ms = now;
  for (let i = 5; i >= 0; i--) {
    b[i] = HEX[ms % 256] as string;
    ms = Math.floor(ms / 256);
  }
  b[6] = HEX[0x70 | ((pool[at] as number) & 0x0f)] as string;
  b[7] = HEX[pool[at + 1] as number] as string;
  b[8] = HEX[0x80 | ((pool[at + 2] as number) & 0x3f)] as string;
  for (let i = 9; i < 16; i++) b[i] = HEX[pool[at + i - 6] as number] as string;
  at += 10;
  return `${b[0]}${b[1]}${b[2]}${b[3]}-${b[4]}${b[5]}-${b[6]}${b[7]}-${b[8]}${b[9]}-${b[10]}${b[11]}${b[12]}${b[13]}${b[14]}${b[15]}`;
}

export type DecisionRow = Insertable<DecisionsTable> & { id: string };

/** The Idempotency-Key a logged decision completes (server/store/idempotency.ts). */
export type KeyToComplete = { userId: number; key: string };

/** A key's row already holds a decision, or was taken over: its request must not be acknowledged. */
export class KeyTakenOver extends Error {
  constructor() {
    super("the Idempotency-Key was taken over by a retry before this decision was logged");
  }
}

type Waiting = {
  row: DecisionRow;
  key: KeyToComplete | undefined;
  resolve: () => void;
  reject: (e: unknown) => void;
};

/**
 * The decision log's writer: rows wait at most `maxWaitMs` (or until `maxRows` are waiting) and
 * go in one multi-row INSERT, a statement that commits whole or not at all. `append` resolves
 * only once its row's INSERT has committed, and a failed INSERT fails every request of its batch,
 * so an answer is never given for a decision that is not in the log. A batch refused because a
 * row's month has no partition (migration 0008) is retried once after `missingPartition` made it.
 *
 * A row sent with its request's Idempotency-Key completes the key (sets its decision) in the same
 * transaction as the INSERT: the key names a decision exactly when that decision is in the log, so
 * a process dying between the two can no longer leave a logged decision whose key a retry takes
 * over (and logs again). A key that is no longer this request's (taken over after
 * `ABANDONED_AFTER_S`) gets its row taken out again before the commit, and its request fails alone.
 *
 * @example await log.append(row) // the row is committed
 */
export class DecisionLog {
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxRows = 50,
    private readonly maxWaitMs = 2,
    private readonly missingPartition?: (rows: DecisionRow[]) => Promise<void>,
  ) {}

  append(row: DecisionRow, key?: KeyToComplete): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, key, resolve, reject });
      if (this.waiting.length >= this.maxRows) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  /** Writes what is waiting now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    if (!batch.length) return;
    this.waiting = [];
    const rows = batch.map((w) => w.row);
    const keyed = batch.filter((w) => w.key);
    /** The waiting requests whose keys were taken over (their rows not committed). */
    let lost = new Set<Waiting>();
    const insert = async () => {
      if (!keyed.length) {
        await this.db.insertInto("decisions").values(rows).execute();
        return;
      }
      lost = await this.db.transaction().execute(async (tx) => {
        await tx.insertInto("decisions").values(rows).execute();
        const done = await completeKeys(tx, keyed);
        const gone = keyed.filter((w) => !done.has(w.row.id));
        if (gone.length)
          await tx
            .deleteFrom("decisions")
            .where(
              "id",
              "in",
              gone.map((w) => w.row.id),
            )
            .execute();
        return new Set(gone);
      });
    };
    const write = insert()
      .catch(async (e: unknown) => {
        if (!this.missingPartition || !isNoPartition(e)) throw e;
        await this.missingPartition(rows);
        return insert();
      })
      .then(
        () => {
          for (const w of batch) {
            if (lost.has(w)) w.reject(new KeyTakenOver());
            else w.resolve();
          }
        },
        (e: unknown) => {
          for (const w of batch) w.reject(e);
        },
      )
      .finally(() => this.writes.delete(write));
    this.writes.add(write);
  }

  /** Writes everything waiting and waits for every write (before the database is closed). */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all([...this.writes]);
  }
}

/**
 * Sets each key's decision, in one UPDATE, where the key is still claimed and waiting (no decision
 * yet); the ids of the decisions whose key was set.
 */
async function completeKeys(tx: Kysely<Database>, keyed: Waiting[]): Promise<Set<string>> {
  const values = sql.join(
    keyed.map((w) => sql`(${w.key?.userId}::integer, ${w.key?.key}::text, ${w.row.id}::uuid)`),
  );
  const { rows } = await sql<{ decision_id: string }>`
    update idempotency_keys k set decision_id = v.decision_id
    from (values ${values}) as v(user_id, key, decision_id)
    where k.user_id = v.user_id and k.key = v.key and k.decision_id is null
    returning k.decision_id::text as decision_id
  `.execute(tx);
  return new Set(rows.map((r) => r.decision_id));
}
