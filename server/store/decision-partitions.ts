import { type Kysely, sql } from "kysely";

/** China time (UTC+8, no daylight saving): a month of the log starts at 00:00 in Beijing. */
const CHINA_OFFSET_MS = 8 * 3_600_000;
/** Months made ahead of the current one, at start-up and every hour. */
export const MONTHS_AHEAD = 2;
const HOUR_MS = 3_600_000;
/** One advisory lock (any fixed number) serialises the servers creating partitions. */
const PARTITION_LOCK = 7_208_111;

/** A month of the decision log, `{ year, month }` (month 1–12), in China time. */
export type LogMonth = { year: number; month: number };

/** The month (China time) of a Unix millisecond. */
export function monthOf(ms: number): LogMonth {
  const d = new Date(ms + CHINA_OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
}

/** The first millisecond of a month (00:00 China time on its first day). */
export function monthStart({ year, month }: LogMonth): number {
  return Date.UTC(year, month - 1, 1) - CHINA_OFFSET_MS;
}

/** The month `n` months after `m`. */
export function addMonths({ year, month }: LogMonth, n: number): LogMonth {
  const i = year * 12 + (month - 1) + n;
  return { year: Math.floor(i / 12), month: (i % 12) + 1 };
}

/** A month's partition: `decisions_2026_11`. */
export const partitionName = ({ year, month }: LogMonth) =>
  `decisions_${year}_${String(month).padStart(2, "0")}`;

/**
 * The smallest UUID of a millisecond: its 12 hex digits, then zeros. Every UUIDv7 made in that
 * millisecond or later sorts at or after it, every one made before sorts before it.
 *
 * @example uuidBound(0x0190f3c28a1b) // "0190f3c2-8a1b-0000-0000-000000000000"
 */
export function uuidBound(ms: number): string {
  const h = Math.max(0, Math.floor(ms)).toString(16).padStart(12, "0");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-0000-0000-000000000000`;
}

/** The Unix milliseconds a UUIDv7 was made at (its first 48 bits). */
export const uuidMs = (id: string) => Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

/**
 * How far a logged decision's `asked_at` may be from its id's time: none for a row logged since
 * 0008 (the same millisecond, of the server's clock) or given its id by 0008; for one logged with
 * a UUIDv7 before 0008, asked_at was the database's now() — the id's time plus the moments to the
 * INSERT, or minus those of its transaction, and any gap between the server's and the database's
 * clocks. Filters by time bound the id by a day more, so they still find every row and PostgreSQL
 * reads only the months concerned (one more at most).
 */
export const ID_TIME_SLACK_MS = 24 * HOUR_MS;

/** The id range of rows asked in [from, to): for partition pruning beside the asked_at filter. */
export function idBounds(from?: Date, to?: Date): { min?: string; max?: string } {
  const ok = (d?: Date): d is Date => !!d && Number.isFinite(d.getTime());
  return {
    ...(ok(from) && { min: uuidBound(from.getTime() - ID_TIME_SLACK_MS) }),
    ...(ok(to) && { max: uuidBound(to.getTime() + ID_TIME_SLACK_MS) }),
  };
}

const monthKey = (m: LogMonth) => m.year * 12 + m.month - 1;

/**
 * Creates a month's partition of `decisions` unless it is attached already, with the other
 * servers kept out by an advisory lock held to the end of `tx`'s transaction (so two servers
 * doing it at once both succeed: the second finds the first's). `tx` must be in a transaction.
 */
async function createMonths(tx: Kysely<unknown>, months: LogMonth[]): Promise<void> {
  await sql`select pg_advisory_xact_lock(${PARTITION_LOCK})`.execute(tx);
  const attached = await attachedNames(tx);
  for (const m of months) {
    const name = partitionName(m);
    if (attached.has(name)) continue;
    const from = uuidBound(monthStart(m));
    const to = uuidBound(monthStart(addMonths(m, 1)));
    await sql`create table if not exists ${sql.id(name)} partition of decisions for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(
      tx,
    );
  }
}

async function attachedNames(db: Kysely<unknown>): Promise<Set<string>> {
  const r = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'decisions'::regclass`.execute(db);
  return new Set(r.rows.map((x) => x.name));
}

/** The months from `first` to `last`, both included. */
export function monthsBetween(first: LogMonth, last: LogMonth): LogMonth[] {
  const out: LogMonth[] = [];
  for (let m = first; monthKey(m) <= monthKey(last); m = addMonths(m, 1)) out.push(m);
  return out;
}

/** Creates the partitions of `months` not attached yet, in `tx`'s transaction (a migration's). */
export const createPartitions = (tx: Kysely<unknown>, months: LogMonth[]) => createMonths(tx, months);

/**
 * The month partitions of the decision log (migration 0008): made for the current month and the
 * next two at start-up and then every hour, and on demand for a decision whose month has none
 * (a clock far ahead, a month an operator dropped). Shared by a store and its transactions; the
 * months known to exist are remembered, so a decision's insert costs no catalog query.
 *
 * @example await partitions.start(); … partitions.stop()
 */
export class DecisionPartitions {
  private readonly known = new Set<number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Kysely<unknown>,
    readonly now: () => number = Date.now,
  ) {}

  /** Ensures this month and the next two now, and again every hour until `stop()`. */
  async start(): Promise<void> {
    await this.ensureAhead();
    this.timer ??= setInterval(() => {
      this.ensureAhead().catch((e: unknown) =>
        console.error(`yidi: could not create the decision log's next partitions: ${String(e)}`),
      );
    }, HOUR_MS).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Ensures the current month's partition and the next two's. */
  ensureAhead(): Promise<void> {
    const now = monthOf(this.now());
    return this.ensure(monthsBetween(now, addMonths(now, MONTHS_AHEAD)));
  }

  /** True when the partition of the month of `ms` is known to exist (no query). */
  has(ms: number): boolean {
    return this.known.has(monthKey(monthOf(ms)));
  }

  /**
   * Ensures the partitions of `months`, in `tx`'s transaction when given (a decision logged
   * inside a transaction: the partition commits with it), else in a transaction of its own.
   */
  async ensure(months: LogMonth[], tx?: Kysely<unknown>): Promise<void> {
    const missing = months.filter((m) => !this.known.has(monthKey(m)));
    if (!missing.length) return;
    if (tx) await createMonths(tx, missing);
    else await this.db.transaction().execute((t) => createMonths(t, missing));
    // Known once committed; inside a caller's transaction, only for the rest of it (a rollback
    // would take the partition away), so it is not remembered there.
    if (!tx) for (const m of missing) this.known.add(monthKey(m));
  }

  /** Forgets what was made (after an operator detached or dropped a month). */
  forget(): void {
    this.known.clear();
  }
}

/** PostgreSQL's answer to a row whose month has no partition (SQLSTATE 23514). */
export function isNoPartition(e: unknown): boolean {
  const x = e as { code?: unknown; message?: unknown } | null;
  return x?.code === "23514" && /no partition of relation/.test(String(x.message));
}
