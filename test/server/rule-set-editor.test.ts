import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APPROVED_CASE, DIALECTS, startServer, type TestServer } from "./harness.ts";

/** The endpoints the web editor calls, on every database. */
type Version = { id: number; version: string; revision: number; content: string; status: string };

async function pzhId(s: TestServer): Promise<number> {
  const r = await s.as("officer", { method: "GET", url: "/api/rule-sets/history?id=sichuan/panzhihua" });
  const v = (r.json().versions as Version[]).find((x) => x.version === "2017-04-12");
  if (!v) throw new Error("no Panzhihua 2017-04-12");
  return v.id;
}

async function draft(s: TestServer, user: string, version: string): Promise<Version> {
  const r = await s.as(user, {
    method: "POST",
    url: "/api/rule-sets/drafts",
    payload: { basedOn: await pzhId(s), version },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

const put = (s: TestServer, user: string, v: { id: number }, content: string, revision: number) =>
  s.as(user, { method: "PUT", url: `/api/rule-sets/drafts/${v.id}`, payload: { content, revision } });

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe.each(DIALECTS)("the rule editor's endpoints on $name", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect);
  }, 60_000);
  afterAll(async () => s?.close());

  it("reports every problem on every save: schema and lint at once, each at its line and column", async () => {
    const d = await draft(s, "officer", "2040-01-01");
    expect((await put(s, "officer", d, d.content, 1)).json().problems).toEqual([]);
    const bad = d.content
      .replace("changeLock: P2Y", "changeLock: two years")
      .replace(
        "citation: { document: 攀医保〔2017〕10号, clause: 一(二) }",
        "citation: { document: 没有的文件, clause: 一(二) }",
      );
    const saved = await put(s, "officer", d, bad, 2);
    expect(saved.statusCode).toBe(200);
    const problems = saved.json().problems as {
      code: string;
      line: number;
      column: number;
      path: string[];
    }[];
    // The schema problem (also where the anchor is reused), then the citation the cross-file lint finds.
    expect(problems[0]).toMatchObject({
      line: lineOf(bad, "changeLock: two years"),
      path: ["validity", "retired_resettled", "changeLock"],
    });
    expect(problems.at(-1)).toMatchObject({ code: "lint", line: lineOf(bad, "没有的文件") });
    expect(problems.filter((p) => p.code === "lint")).toHaveLength(1);
    for (const p of problems) expect(p.column).toBeGreaterThan(0);

    // Syntax errors: only those (there is no data to check), still located.
    const broken = `${bad}\nrules: [unclosed\n`;
    const syntax = (await put(s, "officer", d, broken, 3)).json().problems;
    expect(syntax.length).toBeGreaterThan(0);
    expect(syntax.every((p: { code: string; line?: number }) => p.code === "yaml" && p.line)).toBe(true);

    // A stale save is refused with the current revision, so the editor can rebase without losing the text.
    const stale = await put(s, "officer2", d, d.content, 2);
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({ code: "STALE_REVISION", currentRevision: 4, status: "draft" });
  });

  it("shows the chain merged: what the version inherits, overrides, adds and removes, and from where", async () => {
    const d = await draft(s, "officer", "2041-01-01");
    const changed = d.content
      .replace("changeLock: P2Y", "changeLock: P6M")
      .replace("  change-residence-proof:", "  change-residence-proof: null\n  change-residence-proof-old:");
    expect((await put(s, "officer", d, changed, 1)).json().problems).toEqual([]);
    const r = await s.as("clerk", { method: "GET", url: `/api/rule-sets/versions/${d.id}/inherited` });
    expect(r.statusCode, r.body).toBe(200);
    const { chain, entries } = r.json() as {
      chain: { id: string; version: string }[];
      entries: {
        section: string;
        key: string;
        status: string;
        origin: string;
        overrides?: string;
        value: unknown;
      }[];
    };
    // National versions layer over each other (extends: national@…), the region over the one in force in 2041.
    expect(chain).toEqual([
      { id: "national", version: "2016-12-13" },
      { id: "national", version: "2019-06-01" },
      { id: "national", version: "2023-01-01" },
      { id: "sichuan/panzhihua", version: "2041-01-01" },
    ]);
    const entry = (section: string, key: string) =>
      entries.find((e) => e.section === section && e.key === key);
    expect(entry("validity", "retired_resettled")).toMatchObject({
      status: "overridden",
      origin: "sichuan/panzhihua@2041-01-01",
      overrides: "national@2023-01-01",
      value: { changeLock: "P6M" },
    });
    expect(entry("rules", "card-issued")).toMatchObject({ status: "removed", value: null });
    expect(entry("materials", "change-residence-proof-old")?.status).toBe("added");
    expect(entries.some((e) => e.status === "inherited" && e.origin.startsWith("national@"))).toBe(true);
  });

  it("summarizes a change in the officer's words, in Chinese and English", async () => {
    const d = await draft(s, "officer", "2042-01-01");
    await put(s, "officer", d, d.content.replace("changeLock: P2Y", "changeLock: P6M"), 1);
    const r = await s.as("approver", { method: "GET", url: `/api/rule-sets/versions/${d.id}/summary` });
    expect(r.statusCode, r.body).toBe(200);
    const lock = (
      r.json().changes as { section: string; key: string; message: { zh: string; en: string } }[]
    ).find((c) => c.section === "validity" && c.key === "retired_resettled");
    expect(lock?.message.zh).toContain("变更限制期：2 年 → 6 个月");
    expect(lock?.message.en).toContain("change lock: 2 years → 6 months");
    expect(r.json().changes.some((c: { key: string }) => c.key === "effective.from")).toBe(true);
    const none = await s.as("approver", {
      method: "GET",
      url: `/api/rule-sets/versions/${await pzhId(s)}/summary`,
    });
    expect(none.statusCode).toBe(400);
  });

  it("tries a version on cases typed or pasted, standing in for its rule set whatever the date", async () => {
    const d = await draft(s, "officer", "2043-01-01");
    await put(s, "officer", d, d.content.replace("changeLock: P2Y", "changeLock: P6M"), 1);
    const c = { ...APPROVED_CASE, id: "try-1", asOf: "2017-06-01" };
    const r = await s.as("tester", {
      method: "POST",
      url: `/api/rule-sets/versions/${d.id}/try`,
      payload: { cases: [c, { id: "x" }] },
    });
    expect(r.statusCode, r.body).toBe(200);
    const [ok, bad] = r.json().results;
    expect(r.json().mode).toBe("stand-in");
    expect(ok).toMatchObject({ ok: true, id: "try-1" });
    expect(ok.decision.validity.changeLockedUntil).toBe("2017-11-30");
    expect(ok.decision.ruleSets.at(-1)).toMatchObject({ id: "sichuan/panzhihua", version: "2043-01-01" });
    expect(bad.ok).toBe(false);
    expect(bad.problems.length).toBeGreaterThan(0);

    // resolve: the draft starts in 2043, so a 2017 case is decided by the published version.
    const resolved = await s.as("officer", {
      method: "POST",
      url: `/api/rule-sets/versions/${d.id}/try`,
      payload: { cases: [c], mode: "resolve" },
    });
    expect(resolved.json().results[0].decision.ruleSets.at(-1).version).toBe("2017-04-12");

    const text = "id: pasted\nasOf: 2017-06-01\ninsured: { region: '510402', scheme: nope }\n";
    const pasted = await s.as("approver", {
      method: "POST",
      url: `/api/rule-sets/versions/${d.id}/try`,
      payload: { text },
    });
    const problems = pasted.json().results[0].problems as { line?: number }[];
    expect(problems.some((p) => p.line === 3)).toBe(true);
    const clerk = await s.as("clerk", {
      method: "POST",
      url: `/api/rule-sets/versions/${d.id}/try`,
      payload: { cases: [c] },
    });
    expect(clerk.statusCode).toBe(403);
  });

  it("offers the region's sample cases for the Try panel, each with its own YAML", async () => {
    const d = await draft(s, "officer", "2044-01-01");
    const r = await s.as("officer", { method: "GET", url: `/api/rule-sets/versions/${d.id}/samples` });
    expect(r.statusCode, r.body).toBe(200);
    const samples = r.json() as { file: string; id: string; text: string; region: string }[];
    expect(samples.length).toBeGreaterThan(3);
    expect(samples.every((x) => x.region.startsWith("5104"))).toBe(true);
    expect(samples.map((x) => x.id)).toContain("pzh-resettled-approved");
    const one = samples.find((x) => x.id === "pzh-resettled-approved");
    expect(one?.text.startsWith("id: pzh-resettled-approved\n")).toBe(true);
    const tried = await s.as("officer", {
      method: "POST",
      url: `/api/rule-sets/versions/${d.id}/try`,
      payload: { text: one?.text },
    });
    expect(tried.json().results[0]).toMatchObject({ ok: true, id: "pzh-resettled-approved" });
  });

  it("tells each user which review actions they may take, and why not, as the server enforces them", async () => {
    const d = await draft(s, "officer", "2045-01-01");
    const actions = async (user: string) =>
      (await s.as(user, { method: "GET", url: `/api/rule-sets/versions/${d.id}/actions` })).json();
    expect(await actions("officer")).toMatchObject({
      edit: { allowed: true },
      submit: { allowed: true },
      withdraw: { allowed: false, code: "INVALID_STATE" },
      approve: { allowed: false, code: "FORBIDDEN" },
    });
    expect(
      (
        await s.as("officer", {
          method: "POST",
          url: `/api/rule-sets/versions/${d.id}/submit`,
          payload: { revision: 1 },
        })
      ).statusCode,
    ).toBe(200);
    // The admin submitted nothing: may approve. The officer who wrote it holds no approver role.
    expect((await actions("approver")).approve).toEqual({ allowed: true });
    const admin = await actions("admin");
    expect(admin.approve.allowed).toBe(true);
    expect((await actions("clerk")).approve.code).toBe("FORBIDDEN");
    // An admin who wrote a version may not approve it: the button says why, and the server refuses alike.
    const own = await draft(s, "admin", "2046-01-01");
    await s.as("admin", {
      method: "POST",
      url: `/api/rule-sets/versions/${own.id}/submit`,
      payload: { revision: 1 },
    });
    const mine = (
      await s.as("admin", { method: "GET", url: `/api/rule-sets/versions/${own.id}/actions` })
    ).json();
    expect(mine.approve).toMatchObject({ allowed: false, code: "FOUR_EYES" });
    expect(mine.approve.reason.zh).toContain("四眼");
    const refused = await s.as("admin", {
      method: "POST",
      url: `/api/rule-sets/versions/${own.id}/approve`,
      payload: { effectiveFrom: "2046-01-01", revision: 2 },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({
      code: "FOUR_EYES",
      message: mine.approve.reason.en,
      currentRevision: 2,
    });
    // A draft with problems cannot be submitted: said before the click.
    const broken = await draft(s, "officer", "2047-01-01");
    await put(s, "officer", broken, broken.content.replace("changeLock: P2Y", "changeLock: soon"), 1);
    expect((await actions("officer")).submit).toBeDefined();
    const b = (
      await s.as("officer", { method: "GET", url: `/api/rule-sets/versions/${broken.id}/actions` })
    ).json();
    expect(b.submit).toMatchObject({ allowed: false, code: "RULES_INVALID" });
  });

  it("gives the timeline: lifecycle (superseded once a later version is in force), who and when", async () => {
    const r = await s.as("clerk", { method: "GET", url: "/api/rule-sets/history?id=national" });
    const versions = r.json().versions as { version: string; lifecycle: string }[];
    expect(versions.map((v) => [v.version, v.lifecycle])).toEqual([
      ["2016-12-13", "superseded"],
      ["2019-06-01", "superseded"],
      ["2023-01-01", "published"],
    ]);
    const d = await draft(s, "officer", "2048-01-01");
    await s.as("officer", {
      method: "POST",
      url: `/api/rule-sets/versions/${d.id}/submit`,
      payload: { revision: 1 },
    });
    const approved = await s.as("approver", {
      method: "POST",
      url: `/api/rule-sets/versions/${d.id}/approve`,
      payload: { effectiveFrom: "2048-01-01", revision: 2 },
    });
    expect(approved.statusCode, approved.body).toBe(200);
    const list = (await s.as("tester", { method: "GET", url: "/api/rule-sets" })).json() as {
      id: string;
      versions: Record<string, unknown>[];
    }[];
    const v = list.find((x) => x.id === "sichuan/panzhihua")?.versions.find((x) => x.id === d.id);
    expect(v).toMatchObject({
      region: "510400",
      effectiveFrom: "2048-01-01",
      status: "published",
      lifecycle: "published", // starts later: scheduled, nothing supersedes it
      author: "officer",
      submittedBy: "officer",
      reviewedBy: "approver",
      publishedBy: "approver",
    });
    for (const k of ["createdAt", "submittedAt", "reviewedAt", "publishedAt"])
      expect(v?.[k]).toMatch(/^\d{4}-/);
  });
});

describe("the web editor at /", () => {
  const start = async (editorDir: string) => {
    const [pglite] = DIALECTS;
    if (!pglite) throw new Error("no PGlite");
    const { build } = await import("../../server/app.ts");
    const s = await startServer(pglite);
    await s.app.close();
    const app = await build({ store: s.store, editorDir });
    return {
      app,
      close: async () => {
        await app.close();
        await s.close();
      },
    };
  };

  it("serves the built app: hashed assets cached for a year, index.html revalidated, any app URL → index.html", async () => {
    const dir = mkdtempSync(join(tmpdir(), "yidi-editor-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>yidi editor</title>");
    writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log(1)");
    const { app, close } = await start(dir);
    try {
      const html = { accept: "text/html,application/xhtml+xml" };
      const root = await app.inject({ method: "GET", url: "/", headers: html });
      expect(root.statusCode).toBe(200);
      expect(root.body).toContain("yidi editor");
      expect(root.headers["cache-control"]).toBe("no-cache");
      const asset = await app.inject({ method: "GET", url: "/assets/index-abc123.js" });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      const deep = await app.inject({
        method: "GET",
        url: "/rules/sichuan/panzhihua/versions/3?tab=try",
        headers: html,
      });
      expect(deep.statusCode).toBe(200);
      expect(deep.body).toContain("yidi editor");
      expect(deep.headers["cache-control"]).toBe("no-cache");
      // The API and the docs keep their own answers.
      const api = await app.inject({ method: "GET", url: "/api/nothing-here", headers: html });
      expect(api.statusCode).toBe(404);
      expect(api.json().error.code).toBe("NOT_FOUND");
      expect((await app.inject({ method: "GET", url: "/assets/missing.js" })).statusCode).toBe(404);
      expect((await app.inject({ method: "GET", url: "/docs/json" })).statusCode).toBe(200);
    } finally {
      await close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("says how to build the editor when it is not built", async () => {
    const { app, close } = await start(join(tmpdir(), "yidi-no-editor-here"));
    try {
      const root = await app.inject({ method: "GET", url: "/", headers: { accept: "text/html" } });
      expect(root.statusCode).toBe(200);
      expect(root.headers["content-type"]).toMatch(/^text\/html/);
      expect(root.body).toContain("npm run build:editor");
      const page = await app.inject({ method: "GET", url: "/review", headers: { accept: "text/html" } });
      expect(page.body).toContain("npm run build:editor");
    } finally {
      await close();
    }
  }, 60_000);
});
