import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, build } from "../../server/app.ts";
import { openDatabase } from "../../server/store/database.ts";
import { createStore, type Store } from "../../server/store/index.ts";
import { readRuleFiles } from "../../simulator/rule-files.ts";
import { APPROVED_CASE, DIALECTS, PASSWORD, startServer, type TestServer } from "./harness.ts";

type Summary = {
  id: number;
  ruleSetId: string;
  version: string;
  status: string;
  revision: number;
  effectiveFrom: string | null;
};

/** A Panzhihua case decided on `asOf` (a resettled retiree with every material). */
const caseOn = (asOf: string, id = `rs-${asOf}`) => ({ ...APPROVED_CASE, id, asOf });

async function publishedPanzhihua(s: TestServer): Promise<Summary> {
  const r = await s.as("officer", { method: "GET", url: "/api/rule-sets/history?id=sichuan/panzhihua" });
  const v = (r.json().versions as Summary[]).find(
    (x) => x.status === "published" && x.version === "2017-04-12",
  );
  if (!v) throw new Error("the imported Panzhihua version is missing");
  return v;
}

/** Logs in as a new user with the given roles (created by the admin) and returns a request helper. */
async function newUser(s: TestServer, username: string, roles: string[]) {
  const created = await s.as("admin", {
    method: "POST",
    url: "/api/users",
    payload: { username, password: PASSWORD, roles },
  });
  expect(created.statusCode).toBe(201);
  const login = await s.app.inject({
    method: "POST",
    url: "/api/login",
    payload: { username, password: PASSWORD },
  });
  const token = login.json().token as string;
  return (opts: { method: string; url: string; payload?: object }) =>
    s.app.inject({
      method: opts.method as "GET",
      url: opts.url,
      headers: { authorization: `Bearer ${token}` },
      ...(opts.payload && { payload: opts.payload }),
    });
}

async function draftFrom(s: TestServer, user: string, basedOn: number, version: string, extra: object = {}) {
  const r = await s.as(user, {
    method: "POST",
    url: "/api/rule-sets/drafts",
    payload: { basedOn, version, ...extra },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as Summary & { content: string };
}

/** POSTs a review action (submit, approve, reject, withdraw) on a version as `user`. */
function act(s: TestServer, user: string, id: number, action: string, payload: object) {
  return s.as(user, { method: "POST", url: `/api/rule-sets/versions/${id}/${action}`, payload });
}

async function edit(s: TestServer, user: string, id: number, content: string, revision: number) {
  return s.as(user, { method: "PUT", url: `/api/rule-sets/drafts/${id}`, payload: { content, revision } });
}

describe.each(DIALECTS)("rule sets on $name", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect);
  }, 60_000);
  afterAll(async () => s?.close());

  describe("reading", () => {
    it("lists every imported rule set with its versions and statuses", async () => {
      const r = await s.as("clerk", { method: "GET", url: "/api/rule-sets" });
      expect(r.statusCode).toBe(200);
      const list = r.json() as { id: string; versions: Summary[] }[];
      expect(list.map((x) => x.id)).toEqual(
        expect.arrayContaining([
          "national",
          "sichuan/panzhihua",
          "jiangxi",
          "jiangxi/nanchang",
          "liaoning/fushun",
        ]),
      );
      const national = list.find((x) => x.id === "national");
      expect(national?.versions.map((v) => [v.version, v.status])).toEqual([
        ["2016-12-13", "published"],
        ["2019-06-01", "published"],
        ["2023-01-01", "published"],
      ]);
      expect(JSON.stringify(list)).not.toContain('"content"');
    });

    it("gives one version with its content, its revision as ETag, and its YAML text", async () => {
      const pzh = await publishedPanzhihua(s);
      const r = await s.as("tester", { method: "GET", url: `/api/rule-sets/versions/${pzh.id}` });
      expect(r.statusCode).toBe(200);
      expect(r.headers.etag).toBe(`"${pzh.revision}"`);
      expect(r.json()).toMatchObject({
        ruleSetId: "sichuan/panzhihua",
        version: "2017-04-12",
        status: "published",
        region: "510400",
        effectiveFrom: "2017-04-12",
        file: "rules/sichuan/panzhihua/2017-04-12.yaml",
      });
      expect(r.json().hash).toMatch(/^sha256:[0-9a-f]{64}$/);
      const yaml = await s.as("clerk", { method: "GET", url: `/api/rule-sets/versions/${pzh.id}/yaml` });
      expect(yaml.statusCode).toBe(200);
      expect(yaml.headers["content-type"]).toMatch(/^text\/yaml/);
      expect(yaml.body).toBe(r.json().content);
      expect(yaml.body).toContain("# Panzhihua (Sichuan) filing rules");
    });

    it("answers unknown ids with 404 on every route", async () => {
      const gets = ["", "/yaml", "/diff?against=1"];
      for (const suffix of gets) {
        const r = await s.as("officer", { method: "GET", url: `/api/rule-sets/versions/999999${suffix}` });
        expect(r.statusCode, suffix).toBe(404);
        expect(r.json().error.code).toBe("NOT_FOUND");
      }
      expect(
        (await s.as("officer", { method: "GET", url: "/api/rule-sets/versions/1/diff?against=999999" }))
          .statusCode,
      ).toBe(404);
      expect(
        (await s.as("officer", { method: "POST", url: "/api/rule-sets/versions/999999/validate" }))
          .statusCode,
      ).toBe(404);
      expect(
        (await s.as("officer", { method: "GET", url: "/api/rule-sets/history?id=hainan" })).statusCode,
      ).toBe(404);
      expect((await edit(s, "officer", 999999, "id: x", 1)).statusCode).toBe(404);
      const posts: [string, string, object][] = [
        ["officer", "submit", { revision: 1 }],
        ["approver", "approve", { effectiveFrom: "2030-01-01", revision: 1 }],
        ["approver", "reject", { comment: "no", revision: 1 }],
        ["officer", "withdraw", {}],
      ];
      for (const [user, action, payload] of posts) {
        const r = await s.as(user, {
          method: "POST",
          url: `/api/rule-sets/versions/999999/${action}`,
          payload,
        });
        expect(r.statusCode, action).toBe(404);
      }
      const d = await s.as("officer", {
        method: "POST",
        url: "/api/rule-sets/drafts",
        payload: { basedOn: 999999, version: "x" },
      });
      expect(d.statusCode).toBe(404);
      expect((await s.as("officer", { method: "GET", url: "/api/rule-sets/versions/abc" })).statusCode).toBe(
        400,
      );
    });
  });

  it("runs the four-eyes flow: draft, edit, validate, diff, submit, approve with a date; decisions follow the date", async () => {
    const pzh = await publishedPanzhihua(s);
    const before = await s.as("clerk", {
      method: "POST",
      url: "/api/decisions",
      payload: caseOn("2025-03-01", "before-publish"),
    });
    expect(before.json().validity.changeLockedUntil).toBe("2027-02-28");

    // A user holding both officer and approver rights writes the draft; another officer submits it.
    const dual = await newUser(s, "dual", ["officer", "approver"]);
    const created = await dual({
      method: "POST",
      url: "/api/rule-sets/drafts",
      payload: { basedOn: pzh.id, version: "2025-01-01" },
    });
    expect(created.statusCode, created.body).toBe(201);
    const draft = created.json();
    expect(draft).toMatchObject({
      status: "draft",
      revision: 1,
      author: "dual",
      basedOn: pzh.id,
      ruleSetId: "sichuan/panzhihua",
      version: "2025-01-01",
    });
    // Only `version:` and `effective.from` changed; comments and quoting are kept.
    expect(draft.content).toContain('version: "2025-01-01"');
    expect(draft.content).toContain("effective: { from: 2025-01-01 }");
    expect(draft.content).toContain("# Panzhihua (Sichuan) filing rules");

    const edited = await edit(
      s,
      "officer",
      draft.id,
      draft.content.replace("changeLock: P2Y", "changeLock: P3Y"),
      1,
    );
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ revision: 2, problems: [] });

    const valid = await s.as("officer", {
      method: "POST",
      url: `/api/rule-sets/versions/${draft.id}/validate`,
    });
    expect(valid.json()).toEqual({ ok: true, problems: [], formatted: [] });

    const diff = await s.as("approver", { method: "GET", url: `/api/rule-sets/versions/${draft.id}/diff` });
    expect(diff.statusCode).toBe(200);
    expect(diff.headers["content-type"]).toMatch(/^text\/x-diff/);
    expect(diff.body).toContain("--- rules/sichuan/panzhihua/2017-04-12.yaml");
    expect(diff.body).toContain("+++ rules/sichuan/panzhihua/2025-01-01.yaml");
    expect(diff.body).toContain("-    changeLock: P2Y\n+    changeLock: P3Y");
    expect(diff.body).toContain('+version: "2025-01-01"');
    const against = await s.as("approver", {
      method: "GET",
      url: `/api/rule-sets/versions/${pzh.id}/diff?against=${draft.id}`,
    });
    expect(against.body).toContain("+    changeLock: P2Y");

    const submitted = await act(s, "officer", draft.id, "submit", { revision: 2 });
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json()).toMatchObject({ status: "in_review", submittedBy: "officer", author: "dual" });

    // In review, nobody edits it; the author and the submitter cannot approve it.
    expect((await edit(s, "officer", draft.id, draft.content, 3)).json().error.code).toBe("INVALID_STATE");
    const byAuthor = await dual({
      method: "POST",
      url: `/api/rule-sets/versions/${draft.id}/approve`,
      payload: { effectiveFrom: "2025-02-01", revision: 3 },
    });
    expect(byAuthor.statusCode).toBe(403);
    expect(byAuthor.json().error.code).toBe("FOUR_EYES");
    const bySubmitterRole = await act(s, "officer", draft.id, "approve", {
      effectiveFrom: "2025-02-01",
      revision: 3,
    });
    expect(bySubmitterRole.statusCode).toBe(403);
    expect(bySubmitterRole.json().error.code).toBe("FORBIDDEN");
    // Decisions still use the published version only.
    const meanwhile = await s.as("clerk", {
      method: "POST",
      url: "/api/decisions",
      payload: caseOn("2025-03-01", "in-review"),
    });
    expect(meanwhile.json().validity.changeLockedUntil).toBe("2027-02-28");

    const approved = await act(s, "approver", draft.id, "approve", {
      effectiveFrom: "2025-02-01",
      revision: 3,
      comment: "三年变更限制期",
    });
    expect(approved.statusCode, approved.body).toBe(200);
    const pub = approved.json();
    expect(pub).toMatchObject({
      status: "published",
      effectiveFrom: "2025-02-01",
      reviewedBy: "approver",
      publishedBy: "approver",
      reviewComment: "三年变更限制期",
    });
    expect(pub.content).toContain("effective: { from: 2025-02-01 }");
    expect(pub.hash).not.toBe(submitted.json().hash);
    expect(pub.publishedAt).toMatch(/^\d{4}-/);

    const after = await s.as("clerk", {
      method: "POST",
      url: "/api/decisions",
      payload: caseOn("2025-03-01", "after"),
    });
    expect(after.statusCode).toBe(200);
    expect(after.json().validity.changeLockedUntil).toBe("2028-02-29");
    expect(after.json().ruleSets.at(-1)).toEqual({
      id: "sichuan/panzhihua",
      version: "2025-01-01",
      hash: pub.hash,
    });
    const earlier = await s.as("clerk", {
      method: "POST",
      url: "/api/decisions",
      payload: caseOn("2025-01-15", "earlier"),
    });
    expect(earlier.json().validity.changeLockedUntil).toBe("2027-01-14");
    expect(earlier.json().ruleSets.at(-1)).toMatchObject({ id: "sichuan/panzhihua", version: "2017-04-12" });

    // Published: immutable.
    expect((await edit(s, "officer", pub.id, pub.content, pub.revision)).json().error.code).toBe(
      "INVALID_STATE",
    );
    const again = await act(s, "approver2", pub.id, "approve", {
      effectiveFrom: "2026-01-01",
      revision: pub.revision,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe("INVALID_STATE");

    const history = await s.as("clerk", {
      method: "GET",
      url: "/api/rule-sets/history?id=sichuan/panzhihua",
    });
    expect(history.json().versions.map((v: Summary) => [v.version, v.status])).toEqual(
      expect.arrayContaining([
        ["2017-04-12", "published"],
        ["2025-01-01", "published"],
      ]),
    );
    const audit = await s.as("admin", {
      method: "GET",
      url: `/api/audit?entity=rule_set_version&entityId=${draft.id}`,
    });
    expect(audit.json().map((e: { action: string; actor: string }) => `${e.action}:${e.actor}`)).toEqual([
      "ruleset.publish:approver",
      "ruleset.submit:officer",
      "ruleset.edit:officer",
      "ruleset.draft:dual",
    ]);
  });

  it("refuses approval by the submitter (four eyes), and lets another approver reject with a comment", async () => {
    const jx = (await s.as("officer", { method: "GET", url: "/api/rule-sets/history?id=jiangxi" })).json()
      .versions[0] as Summary;
    const dual2 = await newUser(s, "dual2", ["officer", "approver"]);
    const draft = await draftFrom(s, "officer", jx.id, "2030-01-01");
    const sub = await dual2({
      method: "POST",
      url: `/api/rule-sets/versions/${draft.id}/submit`,
      payload: { revision: 1 },
    });
    expect(sub.statusCode, sub.body).toBe(200);
    for (const [action, payload] of [
      ["approve", { effectiveFrom: "2030-01-01", revision: 2 }],
      ["reject", { comment: "no", revision: 2 }],
    ] as const) {
      const r = await dual2({
        method: "POST",
        url: `/api/rule-sets/versions/${draft.id}/${action}`,
        payload,
      });
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe("FOUR_EYES");
    }
    const rejected = await act(s, "approver2", draft.id, "reject", { comment: "缺少依据", revision: 2 });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({
      status: "rejected",
      reviewedBy: "approver2",
      reviewComment: "缺少依据",
      publishedAt: null,
    });
    const late = await act(s, "approver", draft.id, "approve", { effectiveFrom: "2030-01-01", revision: 2 });
    expect(late.json().error.code).toBe("INVALID_STATE");
    // Rework starts from the rejected version.
    const rework = await draftFrom(s, "officer", draft.id, "2030-01-02");
    expect(rework).toMatchObject({ status: "draft", basedOn: draft.id });
  });

  it("lets an officer withdraw a version from review to fix it, and submit it again", async () => {
    const jx = (await s.as("officer", { method: "GET", url: "/api/rule-sets/history?id=jiangxi" })).json()
      .versions[0] as Summary;
    const draft = await draftFrom(s, "officer", jx.id, "2031-01-01");
    const submit = (revision: number) => act(s, "officer", draft.id, "submit", { revision });
    expect((await submit(1)).statusCode).toBe(200);

    const withdrawn = await act(s, "officer2", draft.id, "withdraw", { comment: "补充依据" });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: "draft", submittedBy: null, revision: 3 });
    // Withdrawn, it is a draft again: the approver has nothing to approve, the officer edits it.
    const approve = await act(s, "approver", draft.id, "approve", {
      effectiveFrom: "2031-01-01",
      revision: 2,
    });
    expect(approve.statusCode).toBe(409);
    expect(approve.json().error.code).toBe("INVALID_STATE");
    const edited = await edit(s, "officer", draft.id, `${draft.content}\n# 依据已补充\n`, 3);
    expect(edited.statusCode, edited.body).toBe(200);
    expect((await submit(4)).json()).toMatchObject({ status: "in_review", revision: 5 });
    // The approver who opened revision 2 may not publish what revision 5 says without seeing it.
    const stale = await act(s, "approver", draft.id, "approve", { effectiveFrom: "2031-01-01", revision: 2 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({ code: "STALE_REVISION", currentRevision: 5 });

    const audit = await s.as("admin", {
      method: "GET",
      url: `/api/audit?entity=rule_set_version&entityId=${draft.id}`,
    });
    const withdrawal = (audit.json() as { action: string; actor: string; detail: object }[]).find(
      (e) => e.action === "ruleset.withdraw",
    );
    expect(withdrawal).toMatchObject({
      actor: "officer2",
      detail: { comment: "补充依据", submittedBy: "officer" },
    });

    // Once decided, it cannot be withdrawn.
    await act(s, "approver", draft.id, "reject", { comment: "仍缺依据", revision: 5 });
    const late = await act(s, "officer", draft.id, "withdraw", {});
    expect(late.statusCode).toBe(409);
    expect(late.json().error).toMatchObject({ code: "INVALID_STATE", status: "rejected" });
  });

  it("keeps four eyes across edits and withdrawals: who edited or withdrew a version may not decide on it", async () => {
    const jx = (await s.as("officer", { method: "GET", url: "/api/rule-sets/history?id=jiangxi" })).json()
      .versions[0] as Summary;
    const editor = await newUser(s, "dual-editor", ["officer", "approver"]);
    const withdrawer = await newUser(s, "dual-withdrawer", ["officer", "approver"]);
    const draft = await draftFrom(s, "officer", jx.id, "2032-01-01");
    const edited = await editor({
      method: "PUT",
      url: `/api/rule-sets/drafts/${draft.id}`,
      payload: { content: `${draft.content}\n# 已核对\n`, revision: 1 },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    const submit = (revision: number) => act(s, "officer", draft.id, "submit", { revision });
    expect((await submit(2)).statusCode).toBe(200);
    const byEditor = await editor({
      method: "POST",
      url: `/api/rule-sets/versions/${draft.id}/approve`,
      payload: { effectiveFrom: "2032-01-01", revision: 3 },
    });
    expect(byEditor.statusCode).toBe(403);
    expect(byEditor.json().error).toMatchObject({ code: "FOUR_EYES" });
    expect(byEditor.json().error.message).toContain("dual-editor edited");

    const withdrawn = await withdrawer({
      method: "POST",
      url: `/api/rule-sets/versions/${draft.id}/withdraw`,
      payload: {},
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect((await submit(4)).statusCode).toBe(200);
    const byWithdrawer = await withdrawer({
      method: "POST",
      url: `/api/rule-sets/versions/${draft.id}/reject`,
      payload: { comment: "不同意", revision: 5 },
    });
    expect(byWithdrawer.statusCode).toBe(403);
    expect(byWithdrawer.json().error.message).toContain("dual-withdrawer withdrew");

    const published = await act(s, "approver", draft.id, "approve", {
      effectiveFrom: "2032-01-01",
      revision: 5,
    });
    expect(published.json()).toMatchObject({ status: "published", publishedBy: "approver" });
  });

  it("detects concurrent edits (optimistic locking) and keeps the first edit", async () => {
    const pzh = await publishedPanzhihua(s);
    const draft = await draftFrom(s, "officer", pzh.id, "2031-01-01");
    const first = draft.content.replace("changeLock: P1Y", "changeLock: P18M");
    const second = draft.content.replace("duration: P1M", "duration: P2M");
    const a = await edit(s, "officer", draft.id, first, 1);
    const b = await edit(s, "officer2", draft.id, second, 1);
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(409);
    expect(b.json().error).toMatchObject({ code: "STALE_REVISION", currentRevision: 2 });
    const now = await s.as("officer", { method: "GET", url: `/api/rule-sets/versions/${draft.id}` });
    expect(now.json()).toMatchObject({ content: first, revision: 2 });
    expect(now.headers.etag).toBe('"2"');

    // If-Match works as the revision too; a stale one is refused the same way.
    const viaHeader = await s.as("officer2", {
      method: "PUT",
      url: `/api/rule-sets/drafts/${draft.id}`,
      payload: { content: second },
      headers: { "if-match": '"2"' },
    });
    expect(viaHeader.statusCode, viaHeader.body).toBe(200);
    expect(viaHeader.json().revision).toBe(3);
    const staleHeader = await s.as("officer", {
      method: "PUT",
      url: `/api/rule-sets/drafts/${draft.id}`,
      payload: { content: first },
      headers: { "if-match": '"2"' },
    });
    expect(staleHeader.statusCode).toBe(409);
    const none = await s.as("officer", {
      method: "PUT",
      url: `/api/rule-sets/drafts/${draft.id}`,
      payload: { content: first },
    });
    expect(none.statusCode).toBe(400);

    // A stale submission is refused too.
    const staleSubmit = await act(s, "officer", draft.id, "submit", { revision: 2 });
    expect(staleSubmit.json().error.code).toBe("STALE_REVISION");
  });

  it("validates like `yidi lint` (file:line:column), stores invalid drafts, and refuses to submit them", async () => {
    const pzh = await publishedPanzhihua(s);
    const draft = await draftFrom(s, "officer", pzh.id, "2032-01-01");
    const lines = draft.content.split("\n");
    const lockLine = lines.findIndex((l) => l.includes("changeLock: P2Y")) + 1;
    const citeLine = lines.findIndex((l) => l.includes("clause: 一(二) }")) + 1;
    // A wrong value, and a citation of a document the chain does not list.
    const bad = draft.content
      .replace("changeLock: P2Y", "changeLock: three years")
      .replace(
        "citation: { document: 攀医保〔2017〕10号, clause: 一(二) }",
        "citation: { document: 不存在的文件, clause: 一(二) }",
      );
    const stored = await edit(s, "officer", draft.id, bad, 1);
    expect(stored.statusCode).toBe(200);
    expect(stored.json().problems.length).toBeGreaterThan(0);

    const v = await s.as("officer", { method: "POST", url: `/api/rule-sets/versions/${draft.id}/validate` });
    expect(v.statusCode).toBe(200);
    expect(v.json().ok).toBe(false);
    expect(v.json().problems[0]).toMatchObject({
      file: "rules/sichuan/panzhihua/2032-01-01.yaml",
      line: lockLine,
      path: ["validity", "retired_resettled", "changeLock"],
    });
    expect(v.json().formatted[0]).toMatch(
      new RegExp(
        `^rules/sichuan/panzhihua/2032-01-01\\.yaml:${lockLine}:\\d+: validity\\.retired_resettled\\.changeLock: `,
      ),
    );

    const refused = await act(s, "officer", draft.id, "submit", { revision: 2 });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe("RULES_INVALID");
    expect(refused.json().error.problems[0].line).toBe(lockLine);

    // Fix the value: the schema passes, the cross-file lint still finds the citation.
    const lintOnly = bad.replace("changeLock: three years", "changeLock: P2Y");
    await edit(s, "officer", draft.id, lintOnly, 2);
    const lint = (
      await s.as("officer", { method: "POST", url: `/api/rule-sets/versions/${draft.id}/validate` })
    ).json();
    expect(lint.ok).toBe(false);
    expect(lint.problems).toHaveLength(1);
    expect(lint.problems[0]).toMatchObject({
      code: "lint",
      line: citeLine,
      file: "rules/sichuan/panzhihua/2032-01-01.yaml",
    });
    expect(lint.problems[0].message).toContain("不存在的文件");

    // Broken YAML is kept as typed, and reported where it breaks.
    const broken = `${lintOnly}\nrules: [unclosed\n`;
    const kept = await edit(s, "officer", draft.id, broken, 3);
    expect(kept.statusCode).toBe(200);
    expect(
      (await s.as("officer", { method: "GET", url: `/api/rule-sets/versions/${draft.id}/yaml` })).body,
    ).toBe(broken);
    const y = (
      await s.as("officer", { method: "POST", url: `/api/rule-sets/versions/${draft.id}/validate` })
    ).json();
    expect(y.problems[0]).toMatchObject({ code: "yaml", file: "rules/sichuan/panzhihua/2032-01-01.yaml" });
    expect(y.problems[0].line).toBeGreaterThan(lines.length - 1);

    // A draft whose start date clashes with a published version of the same rule set.
    const clash = await draftFrom(s, "officer", pzh.id, "clash", { effectiveFrom: "2017-04-12" });
    const c = (
      await s.as("officer", { method: "POST", url: `/api/rule-sets/versions/${clash.id}/validate` })
    ).json();
    expect(c.formatted.join("\n")).toContain(
      "effective.from: another version of sichuan/panzhihua starts on 2017-04-12",
    );
  });

  it("creates a new rule set from YAML, refuses a duplicate version name, and names problems in bad YAML", async () => {
    const pzh = await s.as("officer", {
      method: "GET",
      url: `/api/rule-sets/versions/${(await publishedPanzhihua(s)).id}`,
    });
    const content = (pzh.json().content as string)
      .replace("id: sichuan/panzhihua", "id: sichuan/panzhihua/renhe")
      .replace('region: "510400"', 'region: "510411"')
      .replace('version: "2017-04-12"', 'version: "2024-01-01"')
      .replace("extends: national", "extends: sichuan/panzhihua");
    const created = await s.as("officer", {
      method: "POST",
      url: "/api/rule-sets/drafts",
      payload: { content },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      ruleSetId: "sichuan/panzhihua/renhe",
      version: "2024-01-01",
      basedOn: null,
      region: "510411",
    });
    const v = (
      await s.as("officer", { method: "POST", url: `/api/rule-sets/versions/${created.json().id}/validate` })
    ).json();
    expect(v).toMatchObject({ ok: true });

    const dup = await s.as("officer", { method: "POST", url: "/api/rule-sets/drafts", payload: { content } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe("DUPLICATE");
    const dup2 = await s.as("officer", {
      method: "POST",
      url: "/api/rule-sets/drafts",
      payload: { basedOn: pzh.json().id, version: "2017-04-12" },
    });
    expect(dup2.json().error.code).toBe("DUPLICATE");

    const nameless = await s.as("officer", {
      method: "POST",
      url: "/api/rule-sets/drafts",
      payload: { content: "title: x\nversion: 3\n" },
    });
    expect(nameless.statusCode).toBe(422);
    expect(nameless.json().error.problems.map((p: { path: string[] }) => p.path[0])).toEqual([
      "id",
      "version",
    ]);
    expect(nameless.json().error.problems[1]).toMatchObject({ line: 2, column: 10 });
    const bad = await s.as("officer", {
      method: "POST",
      url: "/api/rule-sets/drafts",
      payload: { basedOn: 1, version: "../x" },
    });
    expect(bad.statusCode).toBe(400);
  });

  it("lets officers, approvers and testers try a draft, not clerks", async () => {
    const pzh = await publishedPanzhihua(s);
    const draft = await draftFrom(s, "officer2", pzh.id, "2033-01-01");
    await edit(s, "officer2", draft.id, draft.content.replace("changeLock: P2Y", "changeLock: P5Y"), 1);
    const c = caseOn("2033-06-01", "try-draft");
    const tried = await s.as("officer", {
      method: "POST",
      url: `/api/decisions?draft=${draft.id}`,
      payload: c,
    });
    expect(tried.statusCode, tried.body).toBe(200);
    expect(tried.json().ruleSets.at(-1)).toMatchObject({ id: "sichuan/panzhihua", version: "2033-01-01" });
    expect(tried.json().validity.changeLockedUntil).toBe("2038-05-31");
    const published = await s.as("officer", { method: "POST", url: "/api/decisions", payload: c });
    expect(published.json().ruleSets.at(-1).version).not.toBe("2033-01-01");
    expect(
      (await s.as("tester", { method: "POST", url: `/api/decisions?draft=${draft.id}`, payload: c }))
        .statusCode,
    ).toBe(200);
    expect(
      (await s.as("clerk", { method: "POST", url: `/api/decisions?draft=${draft.id}`, payload: c }))
        .statusCode,
    ).toBe(403);
  });

  it("holds every role rule", async () => {
    const pzh = await publishedPanzhihua(s);
    const draft = await draftFrom(s, "officer", pzh.id, "2034-01-01");
    // Every request is one the role may make but that changes nothing (an unknown base, a stale revision, a draft
    // not in review), so the loop leaves no trace; the roles not allowed get 403 first.
    const routes: { roles: string[]; method: string; url: string; payload?: object }[] = [
      {
        roles: ["officer", "admin"],
        method: "POST",
        url: "/api/rule-sets/drafts",
        payload: { basedOn: 999999, version: "role-test" },
      },
      {
        roles: ["officer", "admin"],
        method: "PUT",
        url: `/api/rule-sets/drafts/${draft.id}`,
        payload: { content: draft.content, revision: 99 },
      },
      {
        roles: ["officer", "admin"],
        method: "POST",
        url: `/api/rule-sets/versions/${draft.id}/submit`,
        payload: { revision: 99 },
      },
      {
        roles: ["approver", "admin"],
        method: "POST",
        url: `/api/rule-sets/versions/${draft.id}/approve`,
        payload: { effectiveFrom: "2034-01-01", revision: 99 },
      },
      {
        roles: ["approver", "admin"],
        method: "POST",
        url: `/api/rule-sets/versions/${draft.id}/reject`,
        payload: { comment: "x", revision: 99 },
      },
      {
        roles: ["officer", "admin"],
        method: "POST",
        url: `/api/rule-sets/versions/${draft.id}/withdraw`,
        payload: {},
      },
    ];
    for (const route of routes) {
      for (const user of ["officer", "approver", "clerk", "tester", "admin"]) {
        const r = await s.as(user, route);
        if (route.roles.includes(user))
          expect(r.statusCode, `${user} ${route.method} ${route.url}`).not.toBe(403);
        else {
          expect(r.statusCode, `${user} ${route.method} ${route.url}`).toBe(403);
          expect(r.json().error.code).toBe("FORBIDDEN");
        }
      }
      const anon = await s.app.inject({
        method: route.method as "GET",
        url: route.url,
        ...(route.payload && { payload: route.payload }),
      });
      expect(anon.statusCode).toBe(401);
    }
    const reads = [
      { method: "GET", url: "/api/rule-sets" },
      { method: "GET", url: "/api/rule-sets/history?id=national" },
      { method: "GET", url: `/api/rule-sets/versions/${draft.id}` },
      { method: "GET", url: `/api/rule-sets/versions/${draft.id}/yaml` },
      { method: "GET", url: `/api/rule-sets/versions/${draft.id}/diff` },
      { method: "POST", url: `/api/rule-sets/versions/${draft.id}/validate` },
      { method: "GET", url: "/api/rule-sets/export" },
    ];
    for (const route of reads) {
      for (const user of ["officer", "approver", "clerk", "tester", "admin"]) {
        expect((await s.as(user, route)).statusCode, `${user} ${route.url}`).toBe(200);
      }
      expect((await s.app.inject({ method: route.method as "GET", url: route.url })).statusCode).toBe(401);
    }
  });

  it("exports every published version as YAML files that lint clean", async () => {
    const r = await s.as("tester", { method: "GET", url: "/api/rule-sets/export" });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toBe("application/zip");
    const files = unzipSync(new Uint8Array(r.rawPayload));
    const names = Object.keys(files).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        "rules/national/2016-12-13.yaml",
        "rules/sichuan/panzhihua/2017-04-12.yaml",
        "rules/sichuan/panzhihua/2025-01-01.yaml",
        "rules/liaoning/fushun/16.yaml",
      ]),
    );
    expect(names.some((n) => n.includes("2031-01-01"))).toBe(false); // a draft
    const dir = mkdtempSync(join(tmpdir(), "yidi-export-"));
    try {
      for (const [name, data] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), strFromU8(data));
      }
      const linted = readRuleFiles([join(dir, "rules")]);
      expect(linted.problems).toEqual([]);
      expect(linted.ruleSets).toHaveLength(names.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("documents the routes in the OpenAPI document", async () => {
    const spec = (await s.app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        "/api/rule-sets",
        "/api/rule-sets/history",
        "/api/rule-sets/drafts",
        "/api/rule-sets/drafts/{id}",
        "/api/rule-sets/versions/{id}/approve",
        "/api/rule-sets/export",
      ]),
    );
    expect(spec.paths["/api/rule-sets/versions/{id}/approve"].post.tags).toEqual(["rule-sets"]);
  });
});

describe.each(DIALECTS)("rule-set publication is atomic on $name", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, {
      faults: (point) => {
        if (point === "publish:after-update") throw new Error("crash");
      },
    });
  }, 60_000);
  afterAll(async () => s?.close());

  it("rolls a publication back completely when it fails between the update and the audit entry", async () => {
    const pzh = await publishedPanzhihua(s);
    const draft = await draftFrom(s, "officer", pzh.id, "2025-01-01");
    const edited = await edit(
      s,
      "officer",
      draft.id,
      draft.content.replace("changeLock: P2Y", "changeLock: P3Y"),
      1,
    );
    await act(s, "officer", draft.id, "submit", { revision: 2 });
    const before = (
      await s.as("officer", { method: "GET", url: `/api/rule-sets/versions/${draft.id}` })
    ).json();
    expect(before.status).toBe("in_review");
    const policiesBefore = s.app.policies.publishedRuleSets();

    const r = await act(s, "approver", draft.id, "approve", { effectiveFrom: "2025-02-01", revision: 3 });
    expect(r.statusCode).toBe(500);
    expect(r.json().error.code).toBe("INTERNAL");

    const after = (
      await s.as("officer", { method: "GET", url: `/api/rule-sets/versions/${draft.id}` })
    ).json();
    expect(after).toEqual(before);
    expect(after.content).toBe(edited.json().content);
    expect(after).toMatchObject({
      status: "in_review",
      publishedAt: null,
      publishedBy: null,
      effectiveFrom: "2025-01-01",
    });
    const audit = await s.as("admin", {
      method: "GET",
      url: `/api/audit?entity=rule_set_version&entityId=${draft.id}`,
    });
    expect(audit.json().map((e: { action: string }) => e.action)).not.toContain("ruleset.publish");
    expect(s.app.policies.publishedRuleSets()).toBe(policiesBefore);
    const decision = await s.as("clerk", {
      method: "POST",
      url: "/api/decisions",
      payload: caseOn("2025-03-01"),
    });
    expect(decision.json().ruleSets.at(-1).version).toBe("2017-04-12");
    expect(decision.json().validity.changeLockedUntil).toBe("2027-02-28");
    expect(
      (await s.as("officer", { method: "GET", url: "/api/rule-sets?status=published" }))
        .json()
        .find((x: { id: string }) => x.id === "sichuan/panzhihua").versions,
    ).toHaveLength(1);
  });
});

describe.each(DIALECTS)("two server processes on one $name database", (dialect) => {
  let s: TestServer;
  let other: App;
  let otherStore: Store | undefined;
  beforeAll(async () => {
    s = await startServer(dialect);
    // A second server on the same data: its own connection pool on PostgreSQL; on (in-memory)
    // PGlite, which one process owns, the same store under a second app.
    otherStore = s.target.kind === "postgres" ? createStore(openDatabase(s.target)) : undefined;
    other = await build({ store: otherStore ?? s.store, policyRefreshMs: 0 });
  }, 60_000);
  afterAll(async () => {
    await other?.close();
    await otherStore?.close();
    await s?.close();
  });

  it("decides on the second with a version the first published", async () => {
    const decideOnOther = (id: string) =>
      other.inject({
        method: "POST",
        url: "/api/decisions",
        headers: { authorization: `Bearer ${s.token("clerk")}` },
        payload: caseOn("2025-03-01", id),
      });
    const before = await decideOnOther("other-before");
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json().validity.changeLockedUntil).toBe("2027-02-28");

    const pzh = await publishedPanzhihua(s);
    const draft = await draftFrom(s, "officer", pzh.id, "2025-01-01");
    await edit(s, "officer", draft.id, draft.content.replace("changeLock: P2Y", "changeLock: P3Y"), 1);
    await act(s, "officer", draft.id, "submit", { revision: 2 });
    const approved = await act(s, "approver", draft.id, "approve", {
      effectiveFrom: "2025-02-01",
      revision: 3,
    });
    expect(approved.statusCode, approved.body).toBe(200);

    const after = await decideOnOther("other-after");
    expect(after.json().ruleSets.at(-1)).toMatchObject({ id: "sichuan/panzhihua", version: "2025-01-01" });
    expect(after.json().validity.changeLockedUntil).toBe("2028-02-29");
  });

  it("keeps deciding with what it has when a published version will not load on it", async () => {
    // As a newer server might publish a format this one does not know: a published row whose
    // content does not load here.
    await s.store.ruleSets.importPublished(
      {
        id: "national",
        version: "2099-01-01",
        hash: "sha256:0",
        region: "000000",
        effective: { from: "2099-01-01" },
      } as never,
      "id: national\nversion: '2099-01-01'\nsections-of-the-future: {}\n",
      "test",
    );
    const r = await other.inject({
      method: "POST",
      url: "/api/decisions",
      headers: { authorization: `Bearer ${s.token("clerk")}` },
      payload: caseOn("2025-03-01", "other-unloadable"),
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().ruleSets.at(-1)).toMatchObject({ id: "sichuan/panzhihua", version: "2025-01-01" });
  });
});
