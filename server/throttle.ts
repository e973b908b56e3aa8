import { BoundedCache } from "../engine/index.ts";
import type { LoginFailures } from "./store/login-failures.ts";

/**
 * Login throttling. Per account: 5 failures within 15 minutes lock it, first for 1 minute, then doubling with each
 * further failure up to 15 minutes; a success resets its count. Per address: 50 failures within
 * 15 minutes lock the address until the window ends. While locked, every attempt — right password
 * or not — is refused with 429 and Retry-After, and is not checked against the database.
 *
 * The server counts in the database (SharedLoginThrottle, migration 0007): several servers on one
 * database count the same attempts, so a load balancer does not multiply them. LoginThrottle
 * counts in this process's memory (a bounded map), for a caller without a database.
 */
export interface Throttle {
  /** Seconds to wait before the next attempt for this account from this address, or 0. */
  retryAfter(account: string, address: string): Promise<number> | number;
  failed(account: string, address: string): Promise<void> | void;
  succeeded(account: string): Promise<void> | void;
  /** Whether this address failed already in the current window (before this failure). */
  addressSeen(address: string): Promise<boolean> | boolean;
}
export type ThrottleLimits = {
  accountFailures: number;
  addressFailures: number;
  windowMs: number;
  /** The first account lock; doubles with each further failure, up to `windowMs`. */
  baseLockMs: number;
};

export const DEFAULT_LIMITS: ThrottleLimits = {
  accountFailures: 5,
  addressFailures: 50,
  windowMs: 15 * 60_000,
  baseLockMs: 60_000,
};

type Count = { failures: number; since: number; lockedUntil: number };

/** The account lock after `failures` failures (ms from now), 0 below the limit. */
const accountLock = (limits: ThrottleLimits, failures: number) =>
  failures >= limits.accountFailures
    ? Math.min(limits.windowMs, limits.baseLockMs * 2 ** (failures - limits.accountFailures))
    : 0;

/** Login throttling counted in the database: shared by every server on it. */
export class SharedLoginThrottle implements Throttle {
  constructor(
    private readonly failures: LoginFailures,
    readonly limits: ThrottleLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  async retryAfter(account: string, address: string): Promise<number> {
    const t = this.now();
    const live = await this.failures.read(
      [
        { kind: "account", key: account.toLowerCase() },
        { kind: "address", key: address },
      ],
      t,
      this.limits.windowMs,
    );
    const wait = Math.max(0, ...[...live.values()].map((c) => c.lockedUntil));
    return wait > t ? Math.ceil((wait - t) / 1000) : 0;
  }

  async failed(account: string, address: string): Promise<void> {
    const t = this.now();
    const { windowMs, addressFailures } = this.limits;
    await this.failures.fail("account", account.toLowerCase(), t, windowMs, (c) => {
      const lock = accountLock(this.limits, c.failures);
      return lock ? t + lock : 0;
    });
    await this.failures.fail("address", address, t, windowMs, (c) =>
      c.failures >= addressFailures ? c.since + windowMs : 0,
    );
  }

  async succeeded(account: string): Promise<void> {
    await this.failures.clear("account", account.toLowerCase());
  }

  async addressSeen(address: string): Promise<boolean> {
    const live = await this.failures.read(
      [{ kind: "address", key: address }],
      this.now(),
      this.limits.windowMs,
    );
    return (live.get(`address:${address}`)?.failures ?? 0) > 1;
  }
}

export class LoginThrottle implements Throttle {
  private readonly accounts: BoundedCache<string, Count>;
  private readonly addresses: BoundedCache<string, Count>;

  constructor(
    readonly limits: ThrottleLimits = DEFAULT_LIMITS,
    size = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    this.accounts = new BoundedCache(size);
    this.addresses = new BoundedCache(size);
  }

  /** Seconds to wait before the next attempt for this account from this address, or 0. */
  retryAfter(account: string, address: string): number {
    const t = this.now();
    const wait = Math.max(
      this.live(this.accounts, account.toLowerCase(), t)?.lockedUntil ?? 0,
      this.live(this.addresses, address, t)?.lockedUntil ?? 0,
    );
    return wait > t ? Math.ceil((wait - t) / 1000) : 0;
  }

  failed(account: string, address: string): void {
    const t = this.now();
    const { addressFailures, windowMs } = this.limits;
    const a = this.bump(this.accounts, account.toLowerCase(), t);
    const lock = accountLock(this.limits, a.failures);
    if (lock) a.lockedUntil = t + lock;
    const ad = this.bump(this.addresses, address, t);
    if (ad.failures >= addressFailures) ad.lockedUntil = ad.since + windowMs;
  }

  succeeded(account: string): void {
    this.accounts.delete(account.toLowerCase());
  }

  /** Whether this address failed already in the current window (before this failure). */
  addressSeen(address: string): boolean {
    return (this.live(this.addresses, address, this.now())?.failures ?? 0) > 1;
  }

  private live(map: BoundedCache<string, Count>, key: string, t: number): Count | undefined {
    const c = map.get(key);
    if (c && t - c.since >= this.limits.windowMs && c.lockedUntil <= t) {
      map.delete(key);
      return undefined;
    }
    return c;
  }

  private bump(map: BoundedCache<string, Count>, key: string, t: number): Count {
    const c = this.live(map, key, t) ?? map.set(key, { failures: 0, since: t, lockedUntil: 0 });
    c.failures++;
    return c;
  }
}
