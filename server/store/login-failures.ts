import { type Kysely, sql } from "kysely";

/** The table of migration 0007 (server/store/migrations/0007-login-failures.ts). */
export interface LoginFailuresTable {
  kind: "account" | "address";
  key: string;
  failures: number;
  since: Date;
  locked_until: Date | null;
}

export type FailureKind = LoginFailuresTable["kind"];

/** A counter as read: failures since `since`, locked until `lockedUntil` (ms), 0 when not. */
export type FailureCount = { failures: number; since: number; lockedUntil: number };

/**
 * Login failures per account and per address, in the database: every server on it counts the
 * same attempts (server/throttle.ts holds the rules). A failure is one INSERT … ON CONFLICT DO
 * UPDATE — the count is raised by the database, so concurrent failures on two servers are both
 * counted — which starts a new window when the old one is over and its lock has passed.
 */
export class LoginFailures {
  private readonly db: Kysely<{ login_failures: LoginFailuresTable }>;
  private lastPurge = 0;

  constructor(db: Kysely<unknown>) {
    this.db = db as Kysely<{ login_failures: LoginFailuresTable }>;
  }

  /** The live counters (window not over, or still locked) of these keys. */
  async read(keys: { kind: FailureKind; key: string }[], now: number, windowMs: number) {
    if (!keys.length) return new Map<string, FailureCount>();
    const rows = await this.db
      .selectFrom("login_failures")
      .select(["kind", "key", "failures", "since", "locked_until"])
      .where((eb) => eb.or(keys.map((k) => eb.and([eb("kind", "=", k.kind), eb("key", "=", k.key)]))))
      .execute();
    const out = new Map<string, FailureCount>();
    for (const r of rows) {
      const c = count(r);
      if (now - c.since < windowMs || c.lockedUntil > now) out.set(`${r.kind}:${r.key}`, c);
    }
    return out;
  }

  /**
   * Counts one failure; `lockFor(failures, since)` says the lock it brings (ms since the epoch, 0
   * for none). Returns the counter after it.
   */
  async fail(
    kind: FailureKind,
    key: string,
    now: number,
    windowMs: number,
    lockFor: (c: { failures: number; since: number }) => number,
  ): Promise<FailureCount> {
    await this.purge(now, windowMs);
    const at = new Date(now);
    const windowStart = new Date(now - windowMs);
    // A counter whose window is over and whose lock has passed starts again at 1.
    const stale = sql<boolean>`(login_failures.since <= ${windowStart} and coalesce(login_failures.locked_until, login_failures.since) <= ${at})`;
    const row = await this.db
      .insertInto("login_failures")
      .values({ kind, key, failures: 1, since: at, locked_until: null })
      .onConflict((oc) =>
        oc.columns(["kind", "key"]).doUpdateSet({
          failures: sql`case when ${stale} then 1 else login_failures.failures + 1 end`,
          since: sql`case when ${stale} then ${at} else login_failures.since end`,
          locked_until: sql`case when ${stale} then null else login_failures.locked_until end`,
        }),
      )
      .returning(["failures", "since", "locked_until"])
      .executeTakeFirstOrThrow();
    const c = count(row);
    const lock = lockFor(c);
    if (lock > c.lockedUntil) {
      // A lock only ever grows (another server may have set a longer one meanwhile).
      await this.db
        .updateTable("login_failures")
        .set({ locked_until: sql`greatest(coalesce(locked_until, ${new Date(lock)}), ${new Date(lock)})` })
        .where("kind", "=", kind)
        .where("key", "=", key)
        .execute();
      c.lockedUntil = lock;
    }
    return c;
  }

  /** Forgets an account's failures (a successful login). */
  async clear(kind: FailureKind, key: string): Promise<void> {
    await this.db.deleteFrom("login_failures").where("kind", "=", kind).where("key", "=", key).execute();
  }

  /** Counters whose window is over and whose lock has passed go, at most once a minute. */
  private async purge(now: number, windowMs: number): Promise<void> {
    if (now - this.lastPurge < 60_000) return;
    this.lastPurge = now;
    const at = new Date(now);
    await this.db
      .deleteFrom("login_failures")
      .where("since", "<=", new Date(now - windowMs))
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", at)]))
      .execute();
  }
}

function count(r: {
  failures: number;
  since: Date | string;
  locked_until: Date | string | null;
}): FailureCount {
  return {
    failures: r.failures,
    since: new Date(r.since).getTime(),
    lockedUntil: r.locked_until ? new Date(r.locked_until).getTime() : 0,
  };
}
