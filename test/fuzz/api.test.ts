import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, startServer, type TestServer } from "../server/harness.ts";
import { fuzzRuns } from "./runs.ts";

/**
 * Random bodies, query strings and path parameters against every operation of the OpenAPI
 * document (app.inject, as admin and as clerk): the API never answers 5xx to a bad request.
 */
const RESERVED = ["__proto__", "constructor", "prototype"];
const oddString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    "",
    "\u0000",
    "a\u0000b",
    "%00",
    "\u001b[2J",
    "9".repeat(400),
    "99999999999",
    "-1",
    "1e400",
    "NaN",
    ...RESERVED,
  ),
);
const json = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    oddString,
    fc.integer(),
    fc.double(),
    fc.constantFrom(2 ** 31, 2 ** 53, -(2 ** 31) - 1),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom(...RESERVED, "revision", "id", "content", "username", "password"),
      ),
      tie("v"),
      {
        maxKeys: 4,
      },
    ),
  ),
})).v;
const param = fc.oneof(
  oddString,
  fc.integer().map(String),
  fc.constantFrom("1", "00000000-0000-4000-8000-000000000000"),
);

type Op = { method: string; path: string; query: string[] };

describe.each(DIALECTS)("fuzzing the API on $name", (dialect) => {
  let s: TestServer;
  let ops: Op[];
  beforeAll(async () => {
    s = await startServer(dialect);
    await s.app.ready();
    const spec = s.app.swagger() as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
    };
    ops = Object.entries(spec.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([m, op]) => ({
        method: m.toUpperCase(),
        path,
        query: (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name),
      })),
    );
  }, 180_000);
  afterAll(async () => s?.close());

  it("never answers 5xx to random bodies, queries and path parameters on any route", async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.constantFrom("admin", "clerk", "officer"),
        json,
        fc.array(param, { minLength: 3, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), param), { maxLength: 3 }),
        async (pick, user, body, params, query) => {
          // Operations in turn, so every one is reached even in a short run.
          const op = ops[(seen.size < ops.length ? seen.size : pick) % ops.length] as Op;
          seen.add(`${op.method} ${op.path}`);
          let n = 0;
          const path = op.path.replace(/\{[^}]+\}/g, () =>
            encodeURIComponent(params[n++ % params.length] ?? "1"),
          );
          const qs = op.query.length
            ? query.map(([i, v]) => `${op.query[i % op.query.length]}=${encodeURIComponent(v)}`).join("&")
            : "";
          // Logging out or changing a password would end the session the fuzzing uses.
          if (["POST /api/logout", "PUT /api/me/password"].includes(`${op.method} ${op.path}`)) return;
          const r = await s.as(user, {
            method: op.method,
            url: `${path}${qs ? `?${qs}` : ""}`,
            ...(op.method !== "GET" && { payload: body as object }),
          });
          expect(
            r.statusCode,
            `${op.method} ${path}?${qs} ${JSON.stringify(body)?.slice(0, 200)}: ${r.body.slice(0, 200)}`,
          ).toBeLessThan(500);
        },
      ),
      { numRuns: fuzzRuns(Math.max(300, ops.length * 4)) },
    );
    expect(seen.size).toBe(ops.length);
  }, 600_000);
});
