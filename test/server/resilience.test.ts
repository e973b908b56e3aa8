import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APPROVED_CASE, DIALECTS, startServer, type TestServer } from "./harness.ts";

/**
 * The PostgreSQL server may drop connections the pool holds idle (a restart, a failover, an
 * administrator's pg_terminate_backend). The service must keep answering: the dropped
 * connections are discarded and new ones opened, and the process does not crash on the pool's
 * error event.
 */
describe.runIf(DIALECTS.some((d) => d.name === "postgres"))("a dropped PostgreSQL connection", () => {
  const postgres = DIALECTS.find((d) => d.name === "postgres");
  let s: TestServer;
  beforeAll(async () => {
    if (postgres) s = await startServer(postgres);
  }, 60_000);
  afterAll(async () => s?.close());

  it("is replaced, and the next request is answered", async () => {
    const first = await s.as("clerk", { method: "POST", url: "/api/decisions", payload: APPROVED_CASE });
    expect(first.statusCode).toBe(200);

    if (s.target.kind !== "postgres") throw new Error("expected a PostgreSQL target");
    const database = new URL(s.target.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: s.target.url });
    await admin.connect();
    try {
      const killed = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
        [database],
      );
      expect(killed.rowCount).toBeGreaterThan(0);
      // The backends are gone once the server no longer lists them; then give the pool a moment
      // to read their farewell before the next request takes a connection.
      for (let i = 0; i < 100; i++) {
        const left = await admin.query(
          "select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
          [database],
        );
        if (left.rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await admin.end();
    }

    const again = await s.as("clerk", {
      method: "POST",
      url: "/api/decisions",
      payload: { ...APPROVED_CASE, id: "srv-002" },
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().outcome).toBe("approved");
  });
});
