import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../server/app.ts";
import { DIALECTS, PASSWORD, startServer, type TestServer } from "./harness.ts";

/** Security headers, the Origin check on cookie-authenticated changes, Secure cookies over TLS. */
describe.each(DIALECTS)("headers and origins on $name", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect);
  }, 120_000);
  afterAll(async () => s?.close());

  const cookieOf = async (app = s.app, headers: Record<string, string> = {}) => {
    const r = await app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "officer", password: PASSWORD },
      headers,
    });
    expect(r.statusCode, r.body).toBe(200);
    return r;
  };

  it("sends CSP ('self' only), frame-ancestors 'none', nosniff, Referrer-Policy; no HSTS over plain HTTP", async () => {
    for (const url of ["/", "/api/health", "/docs", "/api/me"]) {
      const r = await s.app.inject({ method: "GET", url, headers: { accept: "text/html" } });
      const csp = String(r.headers["content-security-policy"]);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("worker-src 'self' blob:");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      expect(r.headers["x-frame-options"]).toBe("DENY");
      expect(r.headers["referrer-policy"]).toBe("same-origin");
      expect(r.headers["strict-transport-security"]).toBeUndefined();
    }
    const cookie = String((await cookieOf()).headers["set-cookie"]);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it("refuses a cookie-authenticated change from another site (403), accepts its own origin and bearer tokens", async () => {
    const login = await cookieOf();
    const cookie = `yidi_session=${login.json().token}`;
    const draft = { method: "POST" as const, url: "/api/logout" };
    for (const headers of [
      { origin: "https://evil.example" },
      { origin: "null" },
      { referer: "https://evil.example/page" },
      { origin: "http://localhost:80" },
    ]) {
      const r = await s.app.inject({ ...draft, headers: { cookie, host: "localhost:3000", ...headers } });
      expect(r.statusCode, JSON.stringify(headers)).toBe(403);
      expect(r.json().error.code).toBe("CROSS_ORIGIN");
    }
    // Login from another site's page is refused too (login CSRF).
    const cross = await s.app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "officer", password: PASSWORD },
      headers: { origin: "https://evil.example" },
    });
    expect(cross.statusCode).toBe(403);
    // A bearer token is exempt: no browser sends one by itself.
    const bearer = await s.app.inject({
      method: "GET",
      url: "/api/me",
      headers: { authorization: `Bearer ${s.token("clerk")}`, origin: "https://evil.example" },
    });
    expect(bearer.statusCode).toBe(200);
    const tokenChange = await s.app.inject({
      method: "POST",
      url: "/api/logout",
      headers: { authorization: `Bearer ${(await cookieOf()).json().token}`, origin: "https://evil.example" },
    });
    expect(tokenChange.statusCode).toBe(204);
    // Its own origin (and a same-origin Referer) pass.
    const own = await s.app.inject({
      ...draft,
      headers: { cookie, host: "localhost:3000", origin: "http://localhost:3000" },
    });
    expect(own.statusCode).toBe(204);
  });

  it("sets Secure cookies and HSTS over TLS: YIDI_TLS, or https from a trusted proxy", async () => {
    const tls = await build({ store: s.store, tls: true });
    const viaTls = await cookieOf(tls);
    expect(String(viaTls.headers["set-cookie"])).toMatch(/; Secure/i);
    expect(viaTls.headers["strict-transport-security"]).toContain("max-age=");
    await tls.close();

    const proxied = await build({ store: s.store, trustProxy: true });
    const https = await cookieOf(proxied, { "x-forwarded-proto": "https" });
    expect(String(https.headers["set-cookie"])).toMatch(/; Secure/i);
    expect(https.headers["strict-transport-security"]).toContain("max-age=");
    const http = await cookieOf(proxied, { "x-forwarded-proto": "http" });
    expect(String(http.headers["set-cookie"])).not.toMatch(/Secure/i);
    await proxied.close();
    // Without trust, a client's x-forwarded-proto changes nothing.
    const untrusted = await cookieOf(s.app, { "x-forwarded-proto": "https" });
    expect(String(untrusted.headers["set-cookie"])).not.toMatch(/Secure/i);
  });
});
