import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, build } from "../../server/app.ts";
import { bootstrap } from "../../server/bootstrap.ts";
import { openDatabase } from "../../server/store/database.ts";
import { createStore, type Store } from "../../server/store/index.ts";
import { DIALECTS, type FreshTarget, freshTarget, PASSWORD } from "./harness.ts";

/**
 * Login throttling across servers (issue #12): two app instances on one PostgreSQL database, as
 * behind a load balancer (docs/deploy.md), count the same failures — an attacker alternating
 * between them gets no more attempts than against one.
 */
describe.runIf(DIALECTS.some((d) => d.name === "postgres"))("login throttling shared by two servers", () => {
  let db: FreshTarget;
  const stores: Store[] = [];
  const apps: App[] = [];
  beforeAll(async () => {
    db = await freshTarget("postgres");
    for (let i = 0; i < 2; i++) {
      const store = createStore(openDatabase(db.target));
      await bootstrap(store, { adminUser: "root", adminPassword: PASSWORD });
      stores.push(store);
      apps.push(await build({ store }));
    }
    for (const username of ["target", "forgetful", "bystander"])
      await stores[0]?.users.create({ username, password: PASSWORD, roles: ["clerk"] });
  }, 120_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const store of stores) await store.close();
    await db?.drop();
  });

  const login = (server: number, username: string, password: string, remoteAddress: string) =>
    (apps[server] as App).inject({
      method: "POST",
      url: "/api/login",
      payload: { username, password },
      remoteAddress,
    });

  it("locks an account after 5 failures spread over both servers, on both", async () => {
    for (let i = 0; i < 5; i++)
      expect((await login(i % 2, "target", `wrong ${i}`, "10.1.0.1")).statusCode).toBe(401);
    for (const server of [0, 1]) {
      const r = await login(server, "target", PASSWORD, "10.1.0.2");
      expect(r.statusCode, `server ${server}`).toBe(429);
      expect(r.json().error.code).toBe("TOO_MANY_ATTEMPTS");
      expect(Number(r.headers["retry-after"])).toBeGreaterThan(50);
    }
  });

  it("a success on one server resets the count on the other", async () => {
    // failures on one, the success on the other: each round starts from nothing on both
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++)
        expect((await login(0, "forgetful", "nope", "10.2.0.1")).statusCode, `round ${round}`).toBe(401);
      expect((await login(1, "forgetful", PASSWORD, "10.2.0.1")).statusCode).toBe(200);
    }
  });

  it("locks an address after 50 failures spread over both servers, counted once each", async () => {
    const tries = Array.from({ length: 80 }, (_, i) => login(i % 2, `nobody-${i}`, "whatever", "10.3.0.1"));
    // concurrently: both servers raise one count in the database, none is lost (attempts already
    // past the check when the 50th failure lands are still answered 401, and counted)
    const codes = (await Promise.all(tries)).map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401).length).toBeGreaterThanOrEqual(50);
    expect(codes.every((c) => c === 401 || c === 429)).toBe(true);
    for (const server of [0, 1])
      expect((await login(server, "bystander", PASSWORD, "10.3.0.1")).statusCode).toBe(429);
    expect((await login(1, "bystander", PASSWORD, "10.3.0.2")).statusCode).toBe(200);
    const rows = await stores[0]?.loginFailures.read(
      [{ kind: "address", key: "10.3.0.1" }],
      Date.now(),
      15 * 60_000,
    );
    expect(rows?.get("address:10.3.0.1")?.failures).toBe(codes.filter((c) => c === 401).length);
  }, 60_000);
});
