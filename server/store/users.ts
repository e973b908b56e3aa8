import { createHash, randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import type { Kysely } from "kysely";
import type { Database, Role } from "./schema.ts";

export type User = {
  id: number;
  username: string;
  roles: Role[];
  displayName: string | null;
  active: boolean;
};

/** A session as its user sees it (GET /api/me/sessions): never its token. */
export type SessionInfo = {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  client: string | null;
  address: string | null;
};

/** How long a session lives: idle (no request) and at most (from login). */
export type SessionPolicy = { idleMs: number; lifetimeMs: number };
export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 30 * 60_000, lifetimeMs: 12 * 3600_000 };

/** A login's outcome: the user, or why not (kept apart for throttling and the audit log). */
export type LoginCheck = { user: User } | { failure: "unknown_user" | "wrong_password" | "inactive" };

const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");
/** A session's public id: the first 16 hex digits of its token's hash (not enough to find the token). */
export const sessionId = (token: string) => tokenHash(token).slice(0, 16);
const SESSION_ID = /^[0-9a-f]{16}$/;
/** A session's last_seen_at is written at most this often (a write per request otherwise). */
const TOUCH_MS = 60_000;

/** Users, password hashes (argon2id) and sessions (random tokens, stored only as hashes). */
export class UserStore {
  /** Set by the server from its configuration (YIDI_SESSION_IDLE_MINUTES, YIDI_SESSION_HOURS). */
  policy: SessionPolicy = DEFAULT_SESSION_POLICY;

  constructor(private readonly db: Kysely<Database>) {}

  async count(): Promise<number> {
    const r = await this.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async create(u: {
    username: string;
    password: string;
    roles: Role[];
    displayName?: string | null;
  }): Promise<User> {
    const row = await this.db
      .insertInto("users")
      .values({
        username: u.username,
        password_hash: await hash(u.password),
        roles: JSON.stringify(u.roles),
        display_name: u.displayName ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  }

  async list(): Promise<User[]> {
    return (await this.db.selectFrom("users").selectAll().orderBy("id").execute()).map(toUser);
  }

  async byUsername(username: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("username", "=", username)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async update(
    id: number,
    patch: { roles?: Role[] | undefined; active?: boolean | undefined; password?: string | undefined },
  ): Promise<User | undefined> {
    const values: Record<string, unknown> = {};
    if (patch.roles) values.roles = JSON.stringify(patch.roles);
    if (patch.active !== undefined) values.active = patch.active;
    if (patch.password) values.password_hash = await hash(patch.password);
    // An empty patch changes nothing (and `update … set` with no column is not SQL).
    if (Object.keys(values).length === 0) return this.byId(id);
    const row = await this.db
      .updateTable("users")
      .set(values)
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
    if (row && patch.active === false)
      await this.db.deleteFrom("sessions").where("user_id", "=", id).execute();
    return row && toUser(row);
  }

  /** Checks a password; returns the user only when it matches and the account is active. */
  async authenticate(username: string, password: string): Promise<User | undefined> {
    const r = await this.check(username, password);
    return "user" in r ? r.user : undefined;
  }

  /** Checks a password, and says why it failed (unknown user, wrong password, inactive account). */
  async check(username: string, password: string): Promise<LoginCheck> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("username", "=", username)
      .executeTakeFirst();
    if (!row) {
      await hash(password); // spend the same time whether or not the user exists
      return { failure: "unknown_user" };
    }
    if (!(await verify(row.password_hash, password))) return { failure: "wrong_password" };
    return row.active ? { user: toUser(row) } : { failure: "inactive" };
  }

  async startSession(
    userId: number,
    meta: { client?: string | undefined; address?: string | undefined } = {},
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + this.policy.lifetimeMs);
    await this.db
      .insertInto("sessions")
      .values({
        token_hash: tokenHash(token),
        user_id: userId,
        expires_at: expiresAt,
        client: meta.client?.slice(0, 200) ?? null,
        address: meta.address?.slice(0, 100) ?? null,
      })
      .execute();
    return { token, expiresAt };
  }

  /**
   * The user of a live session: not past its absolute expiry, used within the idle timeout, its
   * user active. Marks the session used (at most once a minute).
   */
  async userForToken(token: string): Promise<User | undefined> {
    const now = Date.now();
    const row = await this.db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .selectAll("users")
      .select("sessions.last_seen_at")
      .where("sessions.token_hash", "=", tokenHash(token))
      .where("sessions.expires_at", ">", new Date(now))
      .where("sessions.last_seen_at", ">", new Date(now - this.policy.idleMs))
      .where("users.active", "=", true)
      .executeTakeFirst();
    if (!row) return undefined;
    if (now - new Date(row.last_seen_at).getTime() >= Math.min(TOUCH_MS, this.policy.idleMs / 4)) {
      await this.db
        .updateTable("sessions")
        .set({ last_seen_at: new Date(now) })
        .where("token_hash", "=", tokenHash(token))
        .execute();
    }
    return toUser(row);
  }

  async endSession(token: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("token_hash", "=", tokenHash(token)).execute();
  }

  /** A user's live sessions, the most recently used first. */
  async sessions(userId: number): Promise<SessionInfo[]> {
    const now = Date.now();
    const rows = await this.db
      .selectFrom("sessions")
      .selectAll()
      .where("user_id", "=", userId)
      .where("expires_at", ">", new Date(now))
      .where("last_seen_at", ">", new Date(now - this.policy.idleMs))
      .orderBy("last_seen_at", "desc")
      .execute();
    const iso = (d: Date | string) => new Date(d).toISOString();
    return rows.map((r) => ({
      id: r.token_hash.slice(0, 16),
      createdAt: iso(r.created_at),
      lastSeenAt: iso(r.last_seen_at),
      expiresAt: iso(r.expires_at),
      client: r.client,
      address: r.address,
    }));
  }

  /** Ends one of the user's sessions by its public id; false when the user has none such. */
  async endSessionById(userId: number, id: string): Promise<boolean> {
    if (!SESSION_ID.test(id)) return false;
    const r = await this.db
      .deleteFrom("sessions")
      .where("user_id", "=", userId)
      .where("token_hash", "like", `${id}%`)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Ends every session of the user but the one of `keepToken`; returns how many ended. */
  async endSessions(userId: number, keepToken?: string): Promise<number> {
    let q = this.db.deleteFrom("sessions").where("user_id", "=", userId);
    if (keepToken) q = q.where("token_hash", "<>", tokenHash(keepToken));
    return Number((await q.executeTakeFirst()).numDeletedRows);
  }

  async byId(id: number): Promise<User | undefined> {
    const row = await this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toUser(row);
  }

  /**
   * The active admins, with their rows locked until the transaction ends (so two concurrent
   * changes cannot each remove "the other" last admin). Call inside a transaction.
   */
  async activeAdminsLocked(): Promise<number[]> {
    const rows = await this.db
      .selectFrom("users")
      .select(["id", "roles"])
      .where("active", "=", true)
      .orderBy("id")
      .forUpdate()
      .execute();
    return rows
      .filter((r) => toUser({ ...r, username: "", display_name: null, active: true }).roles.includes("admin"))
      .map((r) => r.id);
  }
}

function toUser(row: {
  id: number;
  username: string;
  roles: Role[] | string;
  display_name: string | null;
  active: boolean;
}): User {
  const roles = typeof row.roles === "string" ? (JSON.parse(row.roles) as Role[]) : row.roles;
  return { id: row.id, username: row.username, roles, displayName: row.display_name, active: row.active };
}
