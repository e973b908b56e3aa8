import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APPROVED_CASE } from "../fixtures/cases.ts";
import { ADMIN, api, launchChromium, login, type RunningServer, startServer, token } from "./harness.ts";

/**
 * The Content-Security-Policy in a real browser (issue #12): every page of the app, the API's
 * documentation and the printed documents, opened by a user holding every role, in Chromium —
 * no CSP violation reported (securitypolicyviolation events, and console errors), no request to
 * anywhere but 127.0.0.1, and the security headers on `/`, the app's pages and `/api/*`.
 */
const ALL = {
  username: "csp.all",
  password: "every role, one long passphrase",
  roles: ["admin", "officer", "approver", "clerk", "tester"],
};
const CASE = { ...APPROVED_CASE, id: "csp-1" };

type Violation = { page: string; directive: string; blocked: string; source: string };

let server: RunningServer;
let browser: Browser;
let page: Page;
let current = "";
const violations: Violation[] = [];
const consoleErrors: string[] = [];
const offHost: string[] = [];
const pages: string[] = [];

beforeAll(async () => {
  server = await startServer();
  const admin = await token(server.url, ADMIN.username, ADMIN.password);
  await api(server.url, "POST", "/api/users", admin, ALL);
  const t = await token(server.url, ALL.username, ALL.password);
  const history = await api<{ versions: { id: number; status: string }[] }>(
    server.url,
    "GET",
    "/api/rule-sets/history?id=sichuan/panzhihua",
    t,
  );
  const published = history.versions.find((v) => v.status === "published")?.id;
  const draft = await api<{ id: number }>(server.url, "POST", "/api/rule-sets/drafts", t, {
    basedOn: published,
    version: "2031-01-01",
  });
  const decision = await api<{ decisionId: string }>(server.url, "POST", "/api/decisions", t, CASE);
  const filing = await api<{ id: string }>(server.url, "POST", "/api/filings", t, {
    decisionId: decision.decisionId,
  });
  pages.push(
    "/",
    "/rules",
    `/versions/${published}`,
    ...["edit", "inherited", "diff", "try", "impact"].map((tab) => `/versions/${draft.id}/${tab}`),
    "/review",
    "/desk",
    "/registry",
    `/registry/${filing.id}`,
    "/reviews",
    "/prepayments",
    "/simulator",
    "/no-such-page",
    "/docs",
    `/api/decisions/${decision.decisionId}/notice.html`,
    `/api/decisions/${decision.decisionId}/receipt.html`,
    `/api/filings/${filing.id}/certificate.html`,
  );

  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
  // Every violation the browser reports, on any page and in any frame, reaches the test.
  await context.exposeBinding("__cspViolation", (_source, v: Omit<Violation, "page">) => {
    violations.push({ page: current, ...v });
  });
  await context.addInitScript({
    content: `document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation({
      directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile + ":" + e.lineNumber,
    }));`,
  });
  page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(`${current}: ${m.text()}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(`${current}: ${e.message}`));
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (!["data:", "blob:"].includes(url.protocol) && url.hostname !== "127.0.0.1") offHost.push(r.url());
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens a page and lets it finish: its requests done, and a moment for late scripts and styles. */
async function visit(path: string) {
  current = path;
  const res = await page.goto(`${server.url}${path}`);
  expect(res?.status(), path).toBe(200);
  await page.waitForLoadState("networkidle");
  // the app's pages really rendered, signed in (not the login page)
  if (!path.startsWith("/api/") && !path.startsWith("/docs") && path !== "/login")
    await page.getByTestId("current-user").waitFor();
  await page.waitForTimeout(500);
}

describe("the Content-Security-Policy in Chromium", () => {
  it("sends the security headers on /, the app's pages and /api/*", async () => {
    for (const path of ["/", "/login", "/rules", "/api/health", "/api/me", "/api/rule-sets", "/docs"]) {
      const res = await fetch(`${server.url}${path}`);
      const h = res.headers;
      const csp = h.get("content-security-policy") ?? "";
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(h.get("x-content-type-options"), path).toBe("nosniff");
      expect(h.get("referrer-policy"), path).toBe("same-origin");
      expect(h.get("x-frame-options"), path).toBe("DENY");
    }
  });

  it("reports no violation and no request off 127.0.0.1 on any page", async () => {
    await visit("/login");
    await login(page, server.url, ALL.username, ALL.password);
    for (const path of pages) await visit(path);
    expect(pages.length).toBeGreaterThanOrEqual(20);
    // The editor really ran under the policy: monaco's workers and antd's styles included.
    await visit(`/versions/${pages[3]?.split("/")[2]}/edit`);
    await page.getByTestId("yaml-editor").locator(".view-lines").waitFor();

    expect(violations).toEqual([]);
    expect(consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
    expect(offHost).toEqual([]);
  });

  it("would see a violation: an inline script is refused and reported", async () => {
    const before = violations.length;
    current = "(injected)";
    await page.evaluate(
      'const s = document.createElement("script"); s.textContent = "window.__ran = true"; document.body.append(s);',
    );
    await expect.poll(() => violations.length).toBeGreaterThan(before);
    expect(violations.at(-1)?.directive).toMatch(/script-src/);
    expect(await page.evaluate("window.__ran")).toBeUndefined();
    violations.splice(before);
  });
});
