import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caseSchema, type Decision } from "../../engine/index.ts";
import { APPROVED_CASE, DIALECTS, startServer, type TestServer } from "./harness.ts";

/**
 * GET /api/decisions/export streams the log a page at a time (keyset on asked_at and id): more
 * rows than a page, each exactly once and oldest first, audited with the count sent; and the
 * exported file replays to the same decisions.
 */
const ROWS = 2_500;

describe.each(DIALECTS)("the decision-log export, streamed, on $name", (dialect) => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startServer(dialect);
    const first = await s.as("clerk", { method: "POST", url: "/api/decisions", payload: APPROVED_CASE });
    expect(first.statusCode, first.body).toBe(200);
    const { decisionId: _id, ...decision } = first.json() as Decision & { decisionId: string };
    const c = caseSchema.parse(APPROVED_CASE);
    const output = JSON.stringify(decision);
    // The rest written as the API writes them (the batched writer), many within one millisecond.
    for (let i = 1; i < ROWS; i += 250)
      await Promise.all(
        Array.from({ length: Math.min(250, ROWS - i) }, () =>
          s.store.decisions.log(c, APPROVED_CASE, decision as Decision, "clerk", null, output),
        ),
      );
  }, 180_000);
  afterAll(async () => s?.close());

  it("sends every logged decision once, oldest first, as a stream, and audits the count", async () => {
    const r = await s.as("tester", { method: "GET", url: "/api/decisions/export" });
    expect(r.statusCode).toBe(200);
    // A stream: sent in chunks, with no length announced up front.
    expect(r.headers["content-length"]).toBeUndefined();
    expect(r.headers["transfer-encoding"]).toBe("chunked");
    const lines = r.body
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { decisionId: string; loggedAt: string });
    expect(lines).toHaveLength(ROWS);
    expect(new Set(lines.map((l) => l.decisionId)).size).toBe(ROWS);
    const times = lines.map((l) => l.loggedAt);
    expect([...times].sort()).toEqual(times);
    const [entry] = await s.store.audit.list({ entity: "decisions" });
    expect(entry).toMatchObject({ action: "decisions.export", detail: { count: ROWS } });
    // Filtered: none outside Panzhihua, all within.
    const none = await s.as("tester", { method: "GET", url: "/api/decisions/export?region=360000" });
    expect(none.body).toBe("");
  });

  it("replays, exported, to the decisions first given", async () => {
    // The first 1,000 lines (the whole export is larger than a simulation request may be).
    const all = (await s.as("tester", { method: "GET", url: "/api/decisions/export" })).body.split("\n");
    const exported = { body: `${all.slice(0, 1000).join("\n")}\n` };
    const r = await s.as("tester", {
      method: "POST",
      url: "/api/simulations",
      payload: { text: exported.body, name: "decisions.jsonl" },
    });
    expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
    expect(r.json().totals).toMatchObject({ cases: 1000, logged: 1000, reproduced: 1000, defects: 0 });
  }, 60_000);
});
