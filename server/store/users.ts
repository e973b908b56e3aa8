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

const SESSION_HOURS = 12;
const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

/** Users, password hashes (argon2id) and sessions (random tokens, stored only as hashes). */
export class UserStore {
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
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("username", "=", username)
      .executeTakeFirst();
    if (!row?.active) {
      await hash(password); // spend the same time whether or not the user exists
      return undefined;
    }
    return (await verify(row.password_hash, password)) ? toUser(row) : undefined;
  }

  async startSession(userId: number): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
    await this.db
      .insertInto("sessions")
      .values({ token_hash: tokenHash(token), user_id: userId, expires_at: expiresAt })
      .execute();
    return { token, expiresAt };
  }

  async userForToken(token: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .selectAll("users")
      .where("sessions.token_hash", "=", tokenHash(token))
      .where("sessions.expires_at", ">", new Date())
      .where("users.active", "=", true)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async endSession(token: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("token_hash", "=", tokenHash(token)).execute();
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
