import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Response as LightMyRequestResponse } from "light-my-request";
import pg from "pg";
import { type App, type AppDeps, build } from "../../server/app.ts";
import { bootstrap } from "../../server/bootstrap.ts";
import { type DatabaseTarget, openDatabase } from "../../server/store/database.ts";
import { createStore, type Store } from "../../server/store/index.ts";
import type { Role } from "../../server/store/schema.ts";

/**
 * Every server test runs against each available database: PGlite (in memory) always, and the
 * PostgreSQL server at YIDI_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
 * when it answers. With YIDI_REQUIRE_POSTGRES=1 (CI) a missing server is an error, not a skip.
 */
const PG_URL = process.env.YIDI_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (e) {
    if (process.env.YIDI_REQUIRE_POSTGRES === "1")
      throw new Error(`PostgreSQL required but not reachable at ${PG_URL}: ${e}`);
    return false;
  }
}

/** A fresh, empty database of one kind, and how to throw it away. */
export type FreshTarget = { target: DatabaseTarget; drop(): Promise<void> };

/**
 * A fresh database: PGlite in memory (or in a temp data folder with `onDisk`, for tests that
 * reopen it from another process), or a new database on the PostgreSQL server.
 */
export async function freshTarget(
  kind: "pglite" | "postgres",
  opts: { onDisk?: boolean } = {},
): Promise<FreshTarget> {
  if (kind === "pglite") {
    if (!opts.onDisk) return { target: { kind: "pglite", dataDir: null }, drop: async () => {} };
    const dir = mkdtempSync(join(tmpdir(), "yidi-test-"));
    return {
      target: { kind: "pglite", dataDir: dir },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `yidi_test_${randomBytes(6).toString("hex")}`;
  const admin = async (query: string) => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await c.query(query);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    target: { kind: "postgres", url: url.toString() },
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

export type Dialect = {
  name: "pglite" | "postgres";
  /** `now`: the clock the store logs decisions by (default Date.now). */
  open(opts?: {
    now?: () => number;
  }): Promise<{ store: Store; target: DatabaseTarget; drop(): Promise<void> }>;
};

const dialect = (name: Dialect["name"]): Dialect => ({
  name,
  async open(opts = {}) {
    const { target, drop } = await freshTarget(name);
    return { store: createStore(openDatabase(target), undefined, opts), target, drop };
  },
});
const pglite = dialect("pglite");
const postgres = dialect("postgres");

export const DIALECTS: Dialect[] = [pglite, ...((await postgresAvailable()) ? [postgres] : [])];

export const PASSWORD = "correct horse battery";
export const USERS: Record<string, Role[]> = {
  officer: ["officer"],
  officer2: ["officer"],
  approver: ["approver"],
  approver2: ["approver"],
  clerk: ["clerk"],
  tester: ["tester"],
  admin: ["admin"],
};

export type TestServer = {
  app: App;
  store: Store;
  /** The database the server runs on. */
  target: DatabaseTarget;
  /** A bearer token for one of USERS. */
  token(user: keyof typeof USERS | string): string;
  /** app.inject with the user's token. */
  as(
    user: string,
    opts: { method: string; url: string; payload?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
};

/** A migrated store with the project's rule sets imported, one user per role, and the app built. */
export async function startServer(
  dialect: Dialect,
  deps: Pick<AppDeps, "faults" | "today" | "logger"> = {},
  storeOpts: { now?: () => number } = {},
): Promise<TestServer> {
  const { store, target, drop } = await dialect.open(storeOpts);
  await bootstrap(store, { adminUser: "root", adminPassword: PASSWORD });
  const tokens = new Map<string, string>();
  for (const [username, roles] of Object.entries(USERS)) {
    const u = await store.users.create({ username, password: PASSWORD, roles });
    tokens.set(username, (await store.users.startSession(u.id)).token);
  }
  const app = await build({ store, ...deps });
  const token = (user: string) => {
    const t = tokens.get(user);
    if (!t) throw new Error(`no test user ${user}`);
    return t;
  };
  return {
    app,
    store,
    target,
    token,
    as: (user, { payload, headers, method, url }) =>
      app.inject({
        method: method as "GET",
        url,
        headers: { ...headers, authorization: `Bearer ${token(user)}` },
        ...(payload !== undefined && { payload: payload as object }),
      }),
    async close() {
      await app.close();
      await store.close();
      await drop();
    },
  };
}

export { APPROVED_CASE, MANUAL_REVIEW_CASE, REFERRAL_CASE } from "../fixtures/cases.ts";
