import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../../server/store/schema.ts";
import { sessionId } from "../../server/store/users.ts";
import { DIALECTS, PASSWORD, startServer, type TestServer } from "./harness.ts";

/**
 * The authorization matrix: every operation of the OpenAPI document × every role, and × no token,
 * an expired token, a token after a password change and another user's resources (officer2's
 * draft, another user's session). Generated from the document (app.swagger()), so a new route
 * cannot escape it: an operation missing from ACCESS fails the test. No cell may answer 5xx.
 */
const ROLES: Role[] = ["admin", "officer", "approver", "clerk", "tester"];
const ALL = ROLES;
type Access = "public" | readonly Role[];

/** Who may call each operation (admin holds every role's rights). */
const ACCESS: Record<string, Access> = {
  "POST /api/login": "public",
  "POST /api/logout": ALL,
  "GET /api/me": ALL,
  "PUT /api/me/password": ALL,
  "GET /api/me/sessions": ALL,
  "DELETE /api/me/sessions/{id}": ALL,
  "GET /api/users": ["admin"],
  "POST /api/users": ["admin"],
  "PATCH /api/users/{id}": ["admin"],
  "GET /api/audit": ["admin"],
  "GET /api/decisions/export": ["admin", "approver", "tester"],
  "POST /api/decisions": ALL,
  "GET /api/decisions": ALL,
  "GET /api/decisions/{id}": ALL,
  "GET /api/decisions/{id}/notice.html": ALL,
  "GET /api/decisions/{id}/receipt.html": ALL,
  "GET /api/decisions/{id}/slip.html": ALL,
  "POST /api/filings": ["admin", "clerk"],
  "GET /api/filings": ALL,
  "GET /api/filings/{id}": ALL,
  "POST /api/filings/{id}/change": ["admin", "clerk"],
  "POST /api/filings/{id}/revoke": ["admin", "clerk"],
  "POST /api/filings/{id}/extend": ["admin", "clerk"],
  "POST /api/filings/{id}/change/preview": ["admin", "clerk"],
  "POST /api/filings/{id}/revoke/preview": ["admin", "clerk"],
  "POST /api/filings/{id}/extend/preview": ["admin", "clerk"],
  "POST /api/filings/{id}/consume": ["admin", "clerk"],
  "GET /api/filings/export": ["admin", "clerk"],
  "GET /api/filings/{id}/certificate.html": ALL,
  "GET /api/reviews": ["admin", "approver", "clerk"],
  "GET /api/reviews/{decisionId}": ["admin", "approver", "clerk"],
  "POST /api/reviews/{decisionId}": ["admin", "approver"],
  "GET /api/requirements": ALL,
  "POST /api/id-number/check": ALL,
  "GET /api/rule-sets": ALL,
  "GET /api/rule-sets/history": ALL,
  "GET /api/rule-sets/export": ALL,
  "GET /api/rule-sets/versions/{id}": ALL,
  "GET /api/rule-sets/versions/{id}/yaml": ALL,
  "GET /api/rule-sets/versions/{id}/diff": ALL,
  "GET /api/rule-sets/versions/{id}/actions": ALL,
  "GET /api/rule-sets/versions/{id}/inherited": ALL,
  "GET /api/rule-sets/versions/{id}/summary": ALL,
  "POST /api/rule-sets/versions/{id}/validate": ALL,
  "POST /api/rule-sets/drafts": ["admin", "officer"],
  "PUT /api/rule-sets/drafts/{id}": ["admin", "officer"],
  "POST /api/rule-sets/versions/{id}/submit": ["admin", "officer"],
  "POST /api/rule-sets/versions/{id}/withdraw": ["admin", "officer"],
  "POST /api/rule-sets/versions/{id}/approve": ["admin", "approver"],
  "POST /api/rule-sets/versions/{id}/reject": ["admin", "approver"],
  "POST /api/rule-sets/versions/{id}/try": ["admin", "officer", "approver", "tester"],
  "GET /api/rule-sets/versions/{id}/samples": ["admin", "officer", "approver", "tester"],
  "GET /api/rule-sets/versions/{id}/impact": ["admin", "officer", "approver", "tester"],
  "POST /api/simulations": ["admin", "officer", "approver", "tester"],
  "PUT /api/prepayments": ["admin", "officer"],
  "GET /api/prepayments/report": ["admin", "officer", "approver", "tester"],
};

type Op = { key: string; method: string; path: string };

describe.each(DIALECTS)("authorization matrix on $name", (dialect) => {
  let s: TestServer;
  let ops: Op[];
  let params: Record<string, string>;
  let expired: string;
  let afterChange: string;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    s = await startServer(dialect);
    await s.app.ready();
    const spec = s.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    ops = Object.entries(spec.paths).flatMap(([path, byMethod]) =>
      Object.keys(byMethod).map((m) => ({
        key: `${m.toUpperCase()} ${path}`,
        method: m.toUpperCase(),
        path,
      })),
    );
    for (const u of await s.store.users.list()) ids.set(u.username, u.id);
    // Another user's resources: officer2's draft, and a session of officer2's.
    const history = await s.as("officer2", {
      method: "GET",
      url: "/api/rule-sets/history?id=sichuan/panzhihua",
    });
    const base = (history.json().versions as { id: number; status: string }[]).find(
      (v) => v.status === "published",
    );
    const draft = await s.as("officer2", {
      method: "POST",
      url: "/api/rule-sets/drafts",
      payload: { basedOn: base?.id, version: "2040-01-01" },
    });
    const others = await s.store.users.startSession(ids.get("officer2") ?? 0);
    params = {
      id: String(draft.json().id),
      decisionId: "00000000-0000-4000-8000-000000000000",
      session: sessionId(others.token),
    };
    // An expired token, and one that outlived a password change.
    const saved = s.store.users.policy;
    s.store.users.policy = { ...saved, lifetimeMs: 1 };
    expired = (await s.store.users.startSession(ids.get("clerk") ?? 0)).token;
    s.store.users.policy = saved;
    const changer = await s.store.users.create({ username: "changer", password: PASSWORD, roles: ["admin"] });
    afterChange = (await s.store.users.startSession(changer.id)).token;
    const keep = (await s.store.users.startSession(changer.id)).token;
    const changed = await s.app.inject({
      method: "PUT",
      url: "/api/me/password",
      headers: { authorization: `Bearer ${keep}` },
      payload: { currentPassword: PASSWORD, newPassword: "an entirely new passphrase" },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    await new Promise((r) => setTimeout(r, 5));
  }, 180_000);
  afterAll(async () => s?.close());

  const urlOf = (op: Op) =>
    op.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
      op.path.startsWith("/api/me/sessions") ? (params.session ?? "") : (params[name] ?? "1"),
    );
  const call = (op: Op, token?: string) =>
    s.app.inject({
      method: op.method as "GET",
      url: urlOf(op),
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(op.method !== "GET" && { payload: {} }),
    });
  const codeOf = (r: { statusCode: number; body: string }) => {
    try {
      return r.statusCode >= 400 ? (JSON.parse(r.body)?.error?.code as string) : "";
    } catch {
      return "";
    }
  };

  it("has an expected access for every operation of the OpenAPI document, and none for a route that is gone", () => {
    expect(ops.length).toBeGreaterThan(40);
    expect(
      ops.map((o) => o.key).filter((k) => !(k in ACCESS)),
      "operations missing from ACCESS",
    ).toEqual([]);
    expect(
      Object.keys(ACCESS).filter((k) => !ops.some((o) => o.key === k)),
      "ACCESS rows with no route",
    ).toEqual([]);
  });

  it("admits exactly the roles of the table, refuses the others with 403, and never answers 5xx", async () => {
    const wrong: string[] = [];
    let cells = 0;
    for (const op of ops) {
      const access = ACCESS[op.key] ?? [];
      for (const role of ROLES) {
        // A fresh session per cell: logout, a password change or ending a session use theirs up.
        const { token } = await s.store.users.startSession(ids.get(role) ?? 0);
        const r = await call(op, token);
        cells++;
        const code = codeOf(r);
        const admitted = !["UNAUTHENTICATED", "FORBIDDEN"].includes(code);
        const expected = access === "public" || access.includes(role);
        if (r.statusCode >= 500) wrong.push(`${op.key} as ${role}: ${r.statusCode} ${r.body.slice(0, 120)}`);
        else if (admitted !== expected)
          wrong.push(
            `${op.key} as ${role}: ${r.statusCode} ${code} (expected ${expected ? "admitted" : "403"})`,
          );
        else if (!expected && r.statusCode !== 403)
          wrong.push(`${op.key} as ${role}: ${r.statusCode}, not 403`);
      }
    }
    expect(cells).toBe(ops.length * ROLES.length);
    expect(wrong).toEqual([]);
  }, 300_000);

  it.each([
    ["no token", () => undefined],
    ["an expired token", () => expired],
    ["a token from before a password change", () => afterChange],
    ["a made-up token", () => "x".repeat(43)],
  ])(
    "answers %s with 401 on every route but login",
    async (_, token) => {
      const wrong: string[] = [];
      for (const op of ops) {
        if (ACCESS[op.key] === "public") continue;
        const r = await call(op, token());
        if (r.statusCode !== 401 || codeOf(r) !== "UNAUTHENTICATED") wrong.push(`${op.key}: ${r.statusCode}`);
      }
      expect(wrong).toEqual([]);
    },
    120_000,
  );

  it("never lets a user end another user's session", async () => {
    const r = await s.as("clerk", { method: "DELETE", url: `/api/me/sessions/${params.session}` });
    expect(r.statusCode).toBe(404);
    const list = await s.as("officer2", { method: "GET", url: "/api/me/sessions" });
    expect((list.json() as { id: string }[]).map((x) => x.id)).toContain(params.session);
  });
});
