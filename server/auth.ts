import type {} from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import { BoundedCache } from "../engine/index.ts";
import { AppError } from "./errors.ts";
import type { Store } from "./store/index.ts";
import type { Role } from "./store/schema.ts";
import type { User } from "./store/users.ts";

export const SESSION_COOKIE = "yidi_session";

declare module "fastify" {
  interface FastifyRequest {
    user: User | null;
  }
}

/** The bearer token or the session cookie of a request. */
export function requestToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith("Bearer ")) return h.slice(7).trim();
  return req.cookies?.[SESSION_COOKIE];
}

/**
 * Sessions looked up in the last few seconds, per store: a lookup is a database round trip
 * (~2 ms on PGlite) on every request otherwise. Logout and every change to a user clear it at
 * once in this process; another server process sharing the database sees a deactivation within
 * SESSION_CACHE_MS.
 */
const SESSION_CACHE_MS = 10_000;
const SESSION_CACHE_SIZE = 10_000;
const sessionCaches = new WeakMap<Store, BoundedCache<string, { user: User; until: number }>>();

function cacheOf(store: Store) {
  let c = sessionCaches.get(store);
  if (!c) {
    c = new BoundedCache(SESSION_CACHE_SIZE);
    sessionCaches.set(store, c);
  }
  return c;
}

export async function userForToken(store: Store, token: string): Promise<User | undefined> {
  const cache = cacheOf(store);
  const hit = cache.get(token);
  const now = Date.now();
  if (hit && hit.until > now) return hit.user;
  const user = await store.users.userForToken(token);
  // Never cached longer than a quarter of the idle timeout (an active session is marked used in
  // time) nor of the lifetime (an expired one ends within a quarter of it: 10 s at most by default).
  const { idleMs, lifetimeMs } = store.users.policy;
  const ttl = Math.min(SESSION_CACHE_MS, idleMs / 4, lifetimeMs / 4);
  if (user) cache.set(token, { user, until: now + ttl });
  else cache.delete(token);
  return user;
}

/** Forget cached sessions: one token (logout), or all of them (a user was changed). */
export function forgetSessions(store: Store, token?: string): void {
  if (token) cacheOf(store).delete(token);
  else cacheOf(store).clear();
}

/**
 * An onRequest hook that admits only logged-in users holding one of `roles` (admin holds every
 * role's rights except where a route says otherwise).
 */
export function requireRoles(store: Store, ...roles: Role[]) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const token = requestToken(req);
    const user = token ? await userForToken(store, token) : undefined;
    if (!user) throw new AppError("UNAUTHENTICATED");
    req.user = user;
    if (!user.roles.some((r) => roles.includes(r))) {
      throw new AppError("FORBIDDEN", `this needs one of the roles: ${roles.join(", ")}`);
    }
  };
}

export const hasRole = (user: User | null, ...roles: Role[]) =>
  !!user && user.roles.some((r) => roles.includes(r));
