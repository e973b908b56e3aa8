import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, PASSWORD, startServer, type TestServer } from "./harness.ts";

/** Access (issue #12): throttling, sessions, the password policy, the last admin. */
describe.each(DIALECTS)("access on $name", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect);
  }, 120_000);
  afterAll(async () => s?.close());

  const login = (username: string, password: string, remoteAddress = "10.0.0.1") =>
    s.app.inject({ method: "POST", url: "/api/login", payload: { username, password }, remoteAddress });
  const withToken = (token: string, method: string, url: string, payload?: object) =>
    s.app.inject({
      method: method as "GET",
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload && { payload }),
    });
  const newUser = async (username: string, roles = ["clerk"]) => {
    const r = await s.as("admin", {
      method: "POST",
      url: "/api/users",
      payload: { username, password: PASSWORD, roles },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: number };
  };

  it("locks an account after 5 failures: the right password is refused with 429 and Retry-After", async () => {
    await newUser("target");
    for (let i = 0; i < 5; i++)
      expect((await login("target", `wrong ${i}`, "10.0.1.1")).statusCode).toBe(401);
    for (const address of ["10.0.1.1", "10.0.1.2"]) {
      const locked = await login("target", PASSWORD, address);
      expect(locked.statusCode).toBe(429);
      expect(locked.json().error.code).toBe("TOO_MANY_ATTEMPTS");
      expect(Number(locked.headers["retry-after"])).toBeGreaterThan(50);
      expect(Number(locked.headers["retry-after"])).toBeLessThanOrEqual(60);
    }
    // Another account from the same address is not locked.
    expect((await login("clerk", PASSWORD, "10.0.1.1")).statusCode).toBe(200);
  });

  it("a success resets the account's count", async () => {
    await newUser("forgetful");
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect((await login("forgetful", "nope", "10.0.2.1")).statusCode).toBe(401);
      expect((await login("forgetful", PASSWORD, "10.0.2.1")).statusCode).toBe(200);
    }
  });

  it("locks an address after 50 failures, and writes at most one audit row for unknown users", async () => {
    const before = (await s.store.audit.list({ actor: undefined, limit: 100_000 })).length;
    const codes: number[] = [];
    for (let i = 0; i < 200; i++) codes.push((await login(`nobody-${i}`, "whatever", "10.0.3.1")).statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(50);
    expect(codes.filter((c) => c === 429)).toHaveLength(150);
    expect((await login("clerk", PASSWORD, "10.0.3.1")).statusCode).toBe(429);
    expect((await login("clerk", PASSWORD, "10.0.3.2")).statusCode).toBe(200);
    const after = await s.store.audit.list({ limit: 100_000 });
    const failed = after.slice(0, after.length - before).filter((e) => e.action === "login.failed");
    expect(failed).toHaveLength(1);
  }, 120_000);

  it("refuses usernames that are too long or hold NUL or control characters with 400", async () => {
    for (const username of ["x".repeat(65), "ad\u0000min", "a\u001b[31mb", "", "名字"]) {
      const r = await login(username, "whatever", "10.0.4.1");
      expect(r.statusCode, username).toBe(400);
    }
    expect((await login("admin", "pass\u0000word", "10.0.4.1")).statusCode).toBe(400);
  });

  it("a password change ends every other session of the user; this one stays", async () => {
    await newUser("changer");
    const a = (await login("changer", PASSWORD, "10.0.5.1")).json().token as string;
    const b = (await login("changer", PASSWORD, "10.0.5.2")).json().token as string;
    const sessions = await withToken(a, "GET", "/api/me/sessions");
    expect(sessions.json()).toHaveLength(2);
    expect(sessions.json().filter((x: { current: boolean }) => x.current)).toHaveLength(1);
    const weak = await withToken(a, "PUT", "/api/me/password", {
      currentPassword: PASSWORD,
      newPassword: "password",
    });
    expect(weak.statusCode).toBe(400);
    const wrong = await withToken(a, "PUT", "/api/me/password", {
      currentPassword: "not it at all",
      newPassword: "a brand new passphrase",
    });
    expect(wrong.statusCode).toBe(401);
    const changed = await withToken(a, "PUT", "/api/me/password", {
      currentPassword: PASSWORD,
      newPassword: "a brand new passphrase",
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toEqual({ endedSessions: 1 });
    expect((await withToken(b, "GET", "/api/me")).statusCode).toBe(401);
    expect((await withToken(a, "GET", "/api/me")).statusCode).toBe(200);
    expect((await login("changer", PASSWORD, "10.0.5.3")).statusCode).toBe(401);
    expect((await login("changer", "a brand new passphrase", "10.0.5.3")).statusCode).toBe(200);
  });

  it("an admin's password reset ends every session of the user", async () => {
    const u = await newUser("reset-me");
    const t = (await login("reset-me", PASSWORD, "10.0.6.1")).json().token as string;
    const r = await s.as("admin", {
      method: "PATCH",
      url: `/api/users/${u.id}`,
      payload: { password: "another long passphrase" },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect((await withToken(t, "GET", "/api/me")).statusCode).toBe(401);
  });

  it("lists and ends the user's own sessions, never another user's", async () => {
    await newUser("devices");
    const a = (await login("devices", PASSWORD, "10.0.7.1")).json().token as string;
    const b = (await login("devices", PASSWORD, "10.0.7.2")).json().token as string;
    const list = (await withToken(a, "GET", "/api/me/sessions")).json() as {
      id: string;
      current: boolean;
      address: string;
    }[];
    const other = list.find((x) => !x.current);
    expect(other?.address).toBe("10.0.7.2");
    expect(JSON.stringify(list)).not.toContain(a);
    // Another user cannot end it.
    expect((await s.as("clerk", { method: "DELETE", url: `/api/me/sessions/${other?.id}` })).statusCode).toBe(
      404,
    );
    expect((await withToken(b, "GET", "/api/me")).statusCode).toBe(200);
    expect((await withToken(a, "DELETE", `/api/me/sessions/${other?.id}`)).statusCode).toBe(204);
    expect((await withToken(b, "GET", "/api/me")).statusCode).toBe(401);
    expect((await withToken(a, "DELETE", "/api/me/sessions/zz")).statusCode).toBe(400);
  });

  it("ends a session after the idle timeout, and at its absolute lifetime however active", async () => {
    const saved = s.store.users.policy;
    try {
      await newUser("idler");
      s.store.users.policy = { idleMs: 1_500, lifetimeMs: 3600_000 };
      const idle = (await login("idler", PASSWORD, "10.0.8.1")).json().token as string;
      expect((await withToken(idle, "GET", "/api/me")).statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 2_200));
      expect((await withToken(idle, "GET", "/api/me")).statusCode).toBe(401);

      s.store.users.policy = { idleMs: 3600_000, lifetimeMs: 2_000 };
      const busy = (await login("idler", PASSWORD, "10.0.8.1")).json().token as string;
      for (let i = 0; i < 4; i++) {
        expect((await withToken(busy, "GET", "/api/me")).statusCode).toBe(200);
        await new Promise((r) => setTimeout(r, 300));
      }
      await new Promise((r) => setTimeout(r, 1_500));
      expect((await withToken(busy, "GET", "/api/me")).statusCode).toBe(401);
    } finally {
      s.store.users.policy = saved;
    }
  }, 60_000);

  it("refuses short, common and username-equal passwords", async () => {
    const cases: [string, string][] = [
      ["short", "elevenchars"],
      ["common", "password"],
      ["common12", "qwertyuiop123"],
      ["samename12345", "samename12345"],
    ];
    for (const [username, password] of cases) {
      const r = await s.as("admin", {
        method: "POST",
        url: "/api/users",
        payload: { username, password, roles: ["clerk"] },
      });
      expect(r.statusCode, `${username}/${password}: ${r.body}`).toBe(400);
    }
  });

  it("keeps the last active admin", async () => {
    const users = (await s.as("admin", { method: "GET", url: "/api/users" })).json() as {
      id: number;
      username: string;
    }[];
    const root = users.find((u) => u.username === "root");
    const admin = users.find((u) => u.username === "admin");
    // Two admins: one may step down.
    const down = await s.as("admin", {
      method: "PATCH",
      url: `/api/users/${root?.id}`,
      payload: { roles: ["officer"] },
    });
    expect(down.statusCode, down.body).toBe(200);
    for (const payload of [{ roles: ["officer"] }, { active: false }]) {
      const r = await s.as("admin", { method: "PATCH", url: `/api/users/${admin?.id}`, payload });
      expect(r.statusCode, r.body).toBe(409);
      expect(r.json().error.code).toBe("LAST_ADMIN");
    }
    expect((await s.as("admin", { method: "GET", url: "/api/me" })).json().roles).toEqual(["admin"]);
    const back = await s.as("admin", {
      method: "PATCH",
      url: `/api/users/${root?.id}`,
      payload: { roles: ["admin"] },
    });
    expect(back.statusCode).toBe(200);
  });
});
