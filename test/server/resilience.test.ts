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
    expect(await terminateBackends(s.target.url)).toBeGreaterThan(0);

    const again = await s.as("clerk", {
      method: "POST",
      url: "/api/decisions",
      payload: { ...APPROVED_CASE, id: "srv-002" },
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().outcome).toBe("approved");
  });
});

describe.runIf(DIALECTS.some((d) => d.name === "postgres"))(
  "a PostgreSQL connection dropped in the middle of a publication",
  () => {
    const postgres = DIALECTS.find((d) => d.name === "postgres");
    let s: TestServer;
    let terminate = false;
    beforeAll(async () => {
      if (!postgres) return;
      s = await startServer(postgres, {
        // Between the publication's UPDATE and its audit entry, the server drops the connection
        // the transaction holds.
        faults: async (point) => {
          if (point !== "publish:after-update" || !terminate || s.target.kind !== "postgres") return;
          terminate = false;
          await terminateBackends(s.target.url);
        },
      });
    }, 60_000);
    afterAll(async () => s?.close());

    it("fails that request with 503 and Retry-After, publishes nothing, and the server keeps serving", async () => {
      const history = await s.as("officer", { method: "GET", url: "/api/rule-sets/history?id=jiangxi" });
      const base = history.json().versions[0];
      const draft = (
        await s.as("officer", {
          method: "POST",
          url: "/api/rule-sets/drafts",
          payload: { basedOn: base.id, version: "2033-01-01" },
        })
      ).json();
      await s.as("officer", {
        method: "POST",
        url: `/api/rule-sets/versions/${draft.id}/submit`,
        payload: { revision: 1 },
      });
      terminate = true;
      const approve = () =>
        s.as("approver", {
          method: "POST",
          url: `/api/rule-sets/versions/${draft.id}/approve`,
          payload: { effectiveFrom: "2033-01-01", revision: 2 },
        });
      const failed = await approve();
      expect(failed.statusCode).toBe(503);
      expect(failed.headers["retry-after"]).toBe("5");
      expect(failed.json().error.code).toBe("DATABASE_UNAVAILABLE");
      const after = await s.as("officer", { method: "GET", url: `/api/rule-sets/versions/${draft.id}` });
      expect(after.json()).toMatchObject({ status: "in_review", publishedAt: null, revision: 2 });
      // The same approval goes through once the connection is back.
      const again = await approve();
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json().status).toBe("published");
    });
  },
);

/** Terminates every other backend connected to the database of `url`, and waits until they are gone. */
async function terminateBackends(url: string): Promise<number> {
  const database = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const killed = await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
      [database],
    );
    for (let i = 0; i < 100; i++) {
      const left = await admin.query(
        "select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
        [database],
      );
      if (left.rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // Give the clients a moment to read the server's farewell.
    await new Promise((r) => setTimeout(r, 100));
    return killed.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}
