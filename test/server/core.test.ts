import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APPROVED_CASE, DIALECTS, PASSWORD, startServer, type TestServer } from "./harness.ts";

describe.each(DIALECTS)("server core on $name", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect);
  }, 60_000);
  afterAll(async () => s?.close());

  describe("login and sessions", () => {
    it("returns a bearer token for a right password, and 401 for a wrong one", async () => {
      const ok = await s.app.inject({
        method: "POST",
        url: "/api/login",
        payload: { username: "clerk", password: PASSWORD },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().token).toMatch(/^[\w-]{40,}$/);
      expect(ok.headers["set-cookie"]).toMatch(/yidi_session=.*HttpOnly/);
      const me = await s.app.inject({
        method: "GET",
        url: "/api/me",
        headers: { authorization: `Bearer ${ok.json().token}` },
      });
      expect(me.json()).toMatchObject({ username: "clerk", roles: ["clerk"] });
      const bad = await s.app.inject({
        method: "POST",
        url: "/api/login",
        payload: { username: "clerk", password: "nope" },
      });
      expect(bad.statusCode).toBe(401);
      expect(bad.json().error.code).toBe("BAD_CREDENTIALS");
    });

    it("accepts the session cookie as well as the bearer token", async () => {
      const ok = await s.app.inject({
        method: "POST",
        url: "/api/login",
        payload: { username: "tester", password: PASSWORD },
      });
      const cookie = String(ok.headers["set-cookie"]).split(";")[0] ?? "";
      const me = await s.app.inject({ method: "GET", url: "/api/me", headers: { cookie } });
      expect(me.json().username).toBe("tester");
    });

    it("refuses requests without a session (401) and ends a session at logout", async () => {
      expect((await s.app.inject({ method: "GET", url: "/api/decisions" })).statusCode).toBe(401);
      // Authentication comes before validation: an anonymous caller learns nothing about the body.
      const anon = await s.app.inject({ method: "POST", url: "/api/decisions", payload: { nonsense: true } });
      expect(anon.statusCode).toBe(401);
      const ok = await s.app.inject({
        method: "POST",
        url: "/api/login",
        payload: { username: "clerk", password: PASSWORD },
      });
      const headers = { authorization: `Bearer ${ok.json().token}` };
      expect((await s.app.inject({ method: "POST", url: "/api/logout", headers })).statusCode).toBe(204);
      expect((await s.app.inject({ method: "GET", url: "/api/me", headers })).statusCode).toBe(401);
    });
  });

  describe("decisions", () => {
    it("decides a case with the published rule sets and logs it with the chain's hashes", async () => {
      const r = await s.as("clerk", { method: "POST", url: "/api/decisions", payload: APPROVED_CASE });
      expect(r.statusCode).toBe(200);
      const d = r.json();
      expect(d.outcome).toBe("approved");
      expect(d.ruleSets.map((x: { id: string }) => x.id)).toEqual(["national", "sichuan/panzhihua"]);
      const logged = await s.as("clerk", { method: "GET", url: `/api/decisions/${d.decisionId}` });
      expect(logged.statusCode).toBe(200);
      expect(logged.json()).toMatchObject({
        caseId: "srv-001",
        outcome: "approved",
        askedBy: "clerk",
        idMasked: "510402********1236",
        chain: d.ruleSets,
      });
      expect(logged.json().input.applicant.idNumber).toBe("510402195001011236");
    });

    it("masks ID numbers in the log list, and in the input for roles that do not handle files", async () => {
      const list = await s.as("tester", { method: "GET", url: "/api/decisions?outcome=approved" });
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain("510402195001011236");
      expect(list.json()[0].idMasked).toBe("510402********1236");
      const one = await s.as("tester", { method: "GET", url: `/api/decisions/${list.json()[0].id}` });
      expect(one.json().input.applicant.idNumber).toBe("510402********1236");
    });

    it("filters the log by outcome, region and category", async () => {
      await s.as("clerk", {
        method: "POST",
        url: "/api/decisions",
        payload: { ...APPROVED_CASE, id: "srv-002", filing: { ...APPROVED_CASE.filing, materials: [] } },
      });
      const incomplete = await s.as("clerk", {
        method: "GET",
        url: "/api/decisions?outcome=incomplete&region=510400",
      });
      expect(incomplete.json().map((x: { caseId: string }) => x.caseId)).toEqual(["srv-002"]);
      const none = await s.as("clerk", { method: "GET", url: "/api/decisions?region=360000" });
      expect(none.json()).toEqual([]);
    });

    it("answers a bad case with 400 and every field path", async () => {
      const r = await s.as("clerk", {
        method: "POST",
        url: "/api/decisions",
        payload: { ...APPROVED_CASE, asOf: "2017-02-30", applicant: { idNumber: "510402195001011234" } },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.code).toBe("CASE_INVALID");
      expect(r.json().error.problems.map((p: { path: string[] }) => p.path.join("."))).toEqual(
        expect.arrayContaining(["asOf", "applicant.idNumber"]),
      );
    });

    it("answers an unknown decision id with 404", async () => {
      const r = await s.as("clerk", {
        method: "GET",
        url: "/api/decisions/00000000-0000-0000-0000-000000000000",
      });
      expect(r.statusCode).toBe(404);
      expect((await s.as("clerk", { method: "GET", url: "/api/decisions/not-a-uuid" })).statusCode).toBe(404);
    });

    it("refuses an oversize body with 413", async () => {
      const r = await s.as("clerk", {
        method: "POST",
        url: "/api/decisions",
        payload: { ...APPROVED_CASE, title: "x".repeat(1_200_000) },
      });
      expect(r.statusCode).toBe(413);
      expect(r.json().error.code).toBe("PAYLOAD_TOO_LARGE");
    });

    it("lets only officers, approvers and testers try a draft", async () => {
      const r = await s.as("clerk", {
        method: "POST",
        url: "/api/decisions?draft=1",
        payload: APPROVED_CASE,
      });
      expect(r.statusCode).toBe(403);
    });
  });

  describe("users and the audit log (admin)", () => {
    it("lets an admin create a user with roles, and audits it", async () => {
      const r = await s.as("admin", {
        method: "POST",
        url: "/api/users",
        payload: { username: "newclerk", password: "long enough passphrase", roles: ["clerk"] },
      });
      expect(r.statusCode).toBe(201);
      const audit = await s.as("admin", { method: "GET", url: "/api/audit?entity=user" });
      expect(audit.json()[0]).toMatchObject({
        actor: "admin",
        action: "user.create",
        detail: { username: "newclerk" },
      });
      expect(JSON.stringify(audit.json())).not.toContain("long enough passphrase");
    });

    it("refuses user administration and the audit log to other roles (403)", async () => {
      for (const user of ["officer", "approver", "clerk", "tester"]) {
        expect((await s.as(user, { method: "GET", url: "/api/users" })).statusCode).toBe(403);
        expect((await s.as(user, { method: "GET", url: "/api/audit" })).statusCode).toBe(403);
      }
    });

    it("deactivating a user ends their sessions", async () => {
      const created = await s.as("admin", {
        method: "POST",
        url: "/api/users",
        payload: { username: "temp", password: "long enough passphrase", roles: ["tester"] },
      });
      const login = await s.app.inject({
        method: "POST",
        url: "/api/login",
        payload: { username: "temp", password: "long enough passphrase" },
      });
      const headers = { authorization: `Bearer ${login.json().token}` };
      await s.as("admin", {
        method: "PATCH",
        url: `/api/users/${created.json().id}`,
        payload: { active: false },
      });
      expect((await s.app.inject({ method: "GET", url: "/api/me", headers })).statusCode).toBe(401);
    });
  });

  it("guards every route in the API document: anonymous calls get 401 (only login is open)", async () => {
    const spec = (await s.app.inject({ method: "GET", url: "/docs/json" })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const open: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const method of Object.keys(ops)) {
        const url = path.replace(/\{[^}]+\}/g, "1");
        const r = await s.app.inject({
          method: method.toUpperCase() as "GET",
          url,
          ...(method !== "get" && { payload: {} }),
        });
        checked++;
        if (r.statusCode !== 401) open.push(`${method.toUpperCase()} ${path} → ${r.statusCode}`);
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect(open).toEqual(["POST /api/login → 400"]);
  });

  it("serves the OpenAPI document and the docs page", async () => {
    const spec = await s.app.inject({ method: "GET", url: "/docs/json" });
    expect(spec.statusCode).toBe(200);
    expect(Object.keys(spec.json().paths)).toEqual(expect.arrayContaining(["/api/decisions", "/api/login"]));
    expect((await s.app.inject({ method: "GET", url: "/docs" })).statusCode).toBeLessThan(400);
  });
});
