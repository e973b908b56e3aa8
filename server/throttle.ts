import { BoundedCache } from "../engine/index.ts";

/**
 * Login throttling, in this process's memory (a bounded map: the oldest entries make room).
 * Per account: 5 failures within 15 minutes lock it, first for 1 minute, then doubling with each
 * further failure up to 15 minutes; a success resets its count. Per address: 50 failures within
 * 15 minutes lock the address until the window ends. While locked, every attempt — right password
 * or not — is refused with 429 and Retry-After, and is not checked against the database.
 * Several servers each count their own attempts (see docs/errors.md, TOO_MANY_ATTEMPTS).
 */
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

export class LoginThrottle {
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
    const { accountFailures, addressFailures, windowMs, baseLockMs } = this.limits;
    const a = this.bump(this.accounts, account.toLowerCase(), t);
    if (a.failures >= accountFailures)
      a.lockedUntil = t + Math.min(windowMs, baseLockMs * 2 ** (a.failures - accountFailures));
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
