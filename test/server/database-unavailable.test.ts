import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, build } from "../../server/app.ts";
import { bootstrap } from "../../server/bootstrap.ts";
import { databaseUnavailable } from "../../server/hardening.ts";
import { openDatabase } from "../../server/store/database.ts";
import { createStore, type Store } from "../../server/store/index.ts";
import { APPROVED_CASE, DIALECTS, type FreshTarget, freshTarget, PASSWORD } from "./harness.ts";

/**
 * While the database is away (PostgreSQL restarting, failing over, shut down, a connection
 * refused or cut), the API answers 503 DATABASE_UNAVAILABLE with Retry-After — a client retries
 * — not 500; and it answers again by itself once the database is back (issue #12).
 */
describe("which errors mean the database is away", () => {
  it.each([
    [{ code: "ECONNREFUSED" }, true],
    [new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })], "connect"), true],
    [{ code: "57P01", message: "terminating connection due to administrator command" }, true],
    [{ code: "57P03", message: "the database system is starting up" }, true],
    [{ code: "08006" }, true],
    [{ code: "53300", message: "too many clients already" }, true],
    [new Error("Connection terminated unexpectedly"), true],
    [new Error("timeout exceeded when trying to connect"), true],
    [new Error("wrapped", { cause: { code: "ECONNRESET" } }), true],
    [{ code: "23505", message: "duplicate key value" }, false],
    [{ code: "22003", message: "value out of range" }, false],
    [new Error("something else"), false],
    [undefined, false],
  ])("%o → %s", (err, unavailable) => {
    expect(databaseUnavailable(err)).toBe(unavailable);
  });
});

/** A TCP proxy in front of PostgreSQL: stopping it is the database going away for the server. */
class DbProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }
  /** Refuses new connections and cuts the open ones. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe.runIf(DIALECTS.some((d) => d.name === "postgres"))("the database going away (postgres)", () => {
  let fresh: FreshTarget;
  let proxy: DbProxy;
  let store: Store;
  let app: App;
  let token: string;
  beforeAll(async () => {
    fresh = await freshTarget("postgres");
    if (fresh.target.kind !== "postgres") throw new Error("expected PostgreSQL");
    const url = new URL(fresh.target.url);
    proxy = new DbProxy({ host: url.hostname, port: Number(url.port || 5432) });
    await proxy.start();
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    store = createStore(openDatabase({ kind: "postgres", url: url.toString() }));
    await bootstrap(store, { adminUser: "root", adminPassword: PASSWORD });
    const clerk = await store.users.create({ username: "clerk", password: PASSWORD, roles: ["clerk"] });
    token = (await store.users.startSession(clerk.id)).token;
    app = await build({ store });
  }, 60_000);
  afterAll(async () => {
    await proxy?.start();
    await app?.close();
    await store?.close().catch(() => {});
    await fresh?.drop();
  });

  const decide = (id: string) =>
    app.inject({
      method: "POST",
      url: "/api/decisions",
      headers: { authorization: `Bearer ${token}` },
      payload: { ...APPROVED_CASE, id },
    });

  it("answers 503 DATABASE_UNAVAILABLE with Retry-After while it is away, and recovers when it is back", async () => {
    expect((await decide("before")).statusCode).toBe(200);

    await proxy.stop();
    for (const request of [
      () => decide("while-away"),
      () =>
        app.inject({ method: "GET", url: "/api/decisions", headers: { authorization: `Bearer ${token}` } }),
      () =>
        app.inject({ method: "POST", url: "/api/login", payload: { username: "clerk", password: PASSWORD } }),
    ]) {
      const r = await request();
      expect(r.statusCode, r.body).toBe(503);
      expect(r.headers["retry-after"]).toBe("5");
      expect(r.json().error).toMatchObject({ code: "DATABASE_UNAVAILABLE", retryAfter: 5 });
    }

    await proxy.start();
    const back = await decide("after");
    expect(back.statusCode, back.body).toBe(200);
    // Nothing was logged for the request answered 503.
    const list = await app.inject({
      method: "GET",
      url: "/api/decisions",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(list.json().map((d: { caseId: string }) => d.caseId)).toEqual(["after", "before"]);
  });
});
