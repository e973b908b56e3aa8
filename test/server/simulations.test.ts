import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APPROVED_CASE, DIALECTS, startServer, type TestServer } from "./harness.ts";

/**
 * The simulator on the server: `POST /api/simulations` (cases as text under one or two sources)
 * and `GET /api/rule-sets/versions/:id/impact` (a draft replayed on the last logged decisions),
 * numbers pinned on a small fixed case set, on each database.
 */

/** A Panzhihua resettled retiree, approved; its id carries an ID number (masked for most roles). */
const A = { ...APPROVED_CASE, id: "510402195001011236-a" };
/** The same retiree without the hukou proof: incomplete. */
const B = {
  ...APPROVED_CASE,
  id: "pzh-b",
  filing: { ...APPROVED_CASE.filing, materials: ["filing_form", "ss_card"] },
};
/** A Nanchang case, outside Panzhihua: left out of a Panzhihua draft's impact. */
const N = {
  ...APPROVED_CASE,
  id: "nc-1",
  asOf: "2022-06-01",
  applicant: { idNumber: "360102195503011231", name: "李四" },
  insured: { region: "360102", scheme: "employee", status: "retired" },
};

/** The draft's change: no hukou proof asked of a resettled retiree, and a three-year change lock. */
const HUKOU_PROOF = `  resettled-proof:
    categories: [retired_resettled]
    require: hukou_proof
    label: 户籍证明复印件
    citation: { document: 攀医保〔2017〕10号, clause: 四(一)1(1) }
`;

describe.each(DIALECTS)("the simulator on the server, on $name", (dialect) => {
  let s: TestServer;
  let draftId: number;
  const ids: string[] = [];

  beforeAll(async () => {
    s = await startServer(dialect);
    for (const c of [A, B, N]) {
      const r = await s.as("clerk", { method: "POST", url: "/api/decisions", payload: c });
      expect(r.statusCode, r.body).toBe(200);
      ids.push(r.json().decisionId);
    }
    const history = await s.as("officer", {
      method: "GET",
      url: "/api/rule-sets/history?id=sichuan/panzhihua",
    });
    const base = (history.json().versions as { id: number; status: string }[]).find(
      (v) => v.status === "published",
    );
    const draft = await s.as("officer", {
      method: "POST",
      url: "/api/rule-sets/drafts",
      payload: { basedOn: base?.id, version: "2040-01-01" },
    });
    expect(draft.statusCode, draft.body).toBe(201);
    draftId = draft.json().id;
    const content = (draft.json().content as string)
      .replace(HUKOU_PROOF, "")
      .replace("changeLock: P2Y", "changeLock: P3Y");
    expect(content).not.toContain("resettled-proof");
    const saved = await s.as("officer", {
      method: "PUT",
      url: `/api/rule-sets/drafts/${draftId}`,
      payload: { content, revision: draft.json().revision },
    });
    expect(saved.statusCode, saved.body).toBe(200);
  }, 120_000);
  afterAll(async () => s?.close());

  it("impact: the draft's change on the logged Panzhihua decisions, each logged decision reproduced", async () => {
    const r = await s.as("approver", { method: "GET", url: `/api/rule-sets/versions/${draftId}/impact` });
    expect(r.statusCode, r.body).toBe(200);
    const rep = r.json();
    // The Nanchang decision lies outside the draft's region: two decisions replayed, both reproduced.
    expect(rep.sources).toEqual(["published", `sichuan/panzhihua@2040-01-01 (#${draftId}, draft)`]);
    expect(rep.totals).toMatchObject({
      cases: 2,
      logged: 2,
      reproduced: 2,
      defects: 0,
      comparedSources: 2,
      changed: 2,
    });
    expect(rep.transitions).toEqual({ approved: { approved: 1 }, incomplete: { approved: 1 } });
    expect(rep.changes).toEqual({
      outcome: 1,
      validity: 1,
      lock: 2,
      settlementMode: 0,
      dueDate: 0,
      missing: 1,
      fundPay: 0,
    });
    expect(rep.byRegion).toEqual({
      "510402": { cases: 2, changed: 2, outcomeChanged: 1, fundPayDelta: "0.00" },
    });
    const b = rep.changedCases.find((c: { caseId: string }) => c.caseId === "pzh-b");
    expect(b).toMatchObject({
      from: "incomplete",
      to: "approved",
      changes: ["outcome", "validity", "lock", "missing"],
      decisionId: ids[1],
      rule: {
        rule: "materials.resettled-proof",
        ruleSet: "sichuan/panzhihua@2017-04-12",
        before: "false (missing_material)",
        after: "—",
      },
    });
    // Personal data: the case id holding an ID number is masked for an approver, whole for an admin.
    const ownIds = (x: { changedCases: { caseId: string }[] }) => x.changedCases.map((c) => c.caseId).sort();
    expect(ownIds(rep)).toEqual(["510402********1236-a", "pzh-b"]);
    const admin = await s.as("admin", { method: "GET", url: `/api/rule-sets/versions/${draftId}/impact` });
    expect(ownIds(admin.json())).toEqual(["510402195001011236-a", "pzh-b"]);
    // Every region (000000): the Nanchang decision too, unchanged; `last` bounds the decisions read.
    const all = await s.as("tester", {
      method: "GET",
      url: `/api/rule-sets/versions/${draftId}/impact?region=000000`,
    });
    expect(all.json().totals).toMatchObject({ cases: 3, reproduced: 3, changed: 2 });
    const last = await s.as("tester", {
      method: "GET",
      url: `/api/rule-sets/versions/${draftId}/impact?region=000000&last=1`,
    });
    expect(last.json().totals).toMatchObject({ cases: 1, changed: 0 });
    const html = await s.as("approver", {
      method: "GET",
      url: `/api/rule-sets/versions/${draftId}/impact?format=html`,
    });
    expect(html.headers["content-type"]).toMatch(/^text\/html/);
    expect(html.body).toContain("<svg");
    expect(html.body).toContain("materials.resettled-proof");
    expect(html.body).not.toContain("510402195001011236");
  });

  it("impact: roles, an unknown version, a bound on last", async () => {
    const clerk = await s.as("clerk", { method: "GET", url: `/api/rule-sets/versions/${draftId}/impact` });
    expect(clerk.statusCode).toBe(403);
    const officer = await s.as("officer", {
      method: "GET",
      url: `/api/rule-sets/versions/${draftId}/impact`,
    });
    expect(officer.statusCode).toBe(200);
    expect(
      (await s.as("approver", { method: "GET", url: "/api/rule-sets/versions/99999/impact" })).statusCode,
    ).toBe(404);
    const big = await s.as("approver", {
      method: "GET",
      url: `/api/rule-sets/versions/${draftId}/impact?last=1000000`,
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.problems[0].path).toEqual(["querystring", "last"]);
  });

  it("the exported decision log replayed under the published rules: every decision reproduced", async () => {
    const exported = await s.as("tester", { method: "GET", url: "/api/decisions/export" });
    expect(exported.statusCode).toBe(200);
    const r = await s.as("tester", {
      method: "POST",
      url: "/api/simulations",
      payload: { text: exported.body, name: "decisions.jsonl" },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().totals).toMatchObject({
      cases: 3,
      logged: 3,
      reproduced: 3,
      defects: 0,
      chainChanged: 0,
    });
  });

  it("POST /api/simulations: YAML cases against expected, and the draft against the published rules", async () => {
    const yaml = `
- id: pzh-a
  asOf: 2017-06-01
  applicant: { idNumber: "510402195001011236", name: 张三 }
  insured: { region: "510402", scheme: employee, status: retired }
  filing:
    category: retired_resettled
    destination: { region: "460200", hospital: { name: 三亚市人民医院, level: "3A" } }
    hukouMoved: true
    materials: [filing_form, ss_card]
  expected: { outcome: incomplete }
- id: pzh-bad
  asOf: 2017-06-01
  applicant: { idNumber: "510402195001011236" }
  insured: { region: "510402", scheme: employee, status: retired }
  filing:
    category: retired_resettled
    destination: { region: "460200" }
    hukouMoved: maybe
- id: pzh-c
  asOf: 2017-06-01
  applicant: { idNumber: "510402195001011236", name: 张三 }
  insured: { region: "510402", scheme: employee, status: retired }
  filing:
    category: retired_resettled
    destination: { region: "460200", hospital: { name: 三亚市人民医院, level: "3A" } }
    hukouMoved: true
    materials: [filing_form, ss_card, hukou_proof]
  expected: { outcome: rejected }
`;
    const one = await s.as("tester", { method: "POST", url: "/api/simulations", payload: { text: yaml } });
    expect(one.statusCode, one.body).toBe(200);
    const r1 = one.json();
    // One invalid case counted (its line and field said), the run goes on; one matches, one differs.
    expect(r1.totals).toMatchObject({ cases: 3, invalid: 1, decided: 2, matched: 1, mismatched: 1 });
    expect(r1.invalidRows[0]).toMatchObject({ file: "cases.yaml", caseId: "pzh-bad" });
    expect(r1.invalidRows[0].problems[0]).toMatchObject({ path: [1, "filing", "hukouMoved"], line: 19 });
    expect(r1.failures).toEqual([
      expect.objectContaining({
        caseId: "pzh-c",
        mismatches: ['outcome: expected "rejected", got "approved"'],
      }),
    ]);

    const two = await s.as("tester", {
      method: "POST",
      url: "/api/simulations",
      payload: { text: yaml, source: { type: "published" }, against: { type: "version", id: draftId } },
    });
    const r2 = two.json();
    expect(r2.totals).toMatchObject({ comparedSources: 2, changed: 2 });
    expect(r2.transitions).toEqual({ incomplete: { approved: 1 }, approved: { approved: 1 } });
    expect(r2.outcomes).toEqual([{ incomplete: 1, approved: 1 }, { approved: 2 }]);
    // The draft as the only source: it stands in for Panzhihua on every date.
    const draftOnly = await s.as("tester", {
      method: "POST",
      url: "/api/simulations",
      payload: { text: yaml, source: { type: "version", id: draftId } },
    });
    expect(draftOnly.json().totals).toMatchObject({ matched: 0, mismatched: 2 });
    // The HTML report, the same numbers.
    const html = await s.as("tester", {
      method: "POST",
      url: "/api/simulations?format=html",
      payload: { text: yaml, against: { type: "version", id: draftId } },
    });
    expect(html.statusCode).toBe(200);
    expect(html.headers["content-type"]).toMatch(/^text\/html/);
    expect(html.body).toMatch(/<svg[\s\S]*<\/svg>/);
  });

  it("POST /api/simulations: JSON Lines and CSV with a mapping; a bad line counted with its line", async () => {
    const jsonl = `${JSON.stringify({ ...A, expected: { outcome: "approved" } })}\n{"id": "x", "asOf": 3}\n${JSON.stringify(B)}\n`;
    const r = await s.as("tester", { method: "POST", url: "/api/simulations", payload: { text: jsonl } });
    expect(r.statusCode, r.body).toBe(200);
    const rep = r.json();
    expect(rep.totals).toMatchObject({ cases: 3, invalid: 1, decided: 2, matched: 1, unchecked: 1 });
    expect(rep.invalidRows[0]).toMatchObject({ file: "cases.jsonl", line: 2 });
    // A tester sees ID numbers masked in the lists.
    expect(JSON.stringify(rep)).not.toContain("510402195001011236");

    const mapping = `
columns:
  id: 编号
  asOf: 日期
  applicant.idNumber: 身份证号
  applicant.name: 姓名
  insured.region: 参保地
  insured.scheme: { column: 险种, map: { 职工: employee } }
  insured.status: { column: 状态, map: { 退休: retired } }
  filing.category: { column: 类别, map: { 异地安置: retired_resettled } }
  filing.destination.region: 就医地
  filing.hukouMoved: { column: 户籍已迁入, map: { 是: true, 否: false } }
  filing.materials: { column: 材料, split: "、" }
  expected.outcome: 预期结果
constants:
  kind: filing
`;
    const csv = [
      "编号,日期,身份证号,姓名,参保地,险种,状态,类别,就医地,户籍已迁入,材料,预期结果",
      "c1,2017-06-01,510402195001011236,张三,510402,职工,退休,异地安置,460200,是,filing_form、ss_card、hukou_proof,approved",
      "c2,2017-06-01,510402195001011236,张三,510402,职工,退休,异地安置,460200,也许,filing_form,incomplete",
      "c3,2017-06-01,510402195001011236,张三,510402,职工,退休,异地安置,460200,是,filing_form、ss_card,incomplete",
    ].join("\n");
    const c = await s.as("tester", {
      method: "POST",
      url: "/api/simulations",
      payload: { text: csv, format: "csv", mapping },
    });
    expect(c.statusCode, c.body).toBe(200);
    expect(c.json().totals).toMatchObject({ cases: 3, invalid: 1, matched: 2, mismatched: 0 });
    expect(c.json().invalidRows[0]).toMatchObject({ line: 3 });
    expect(c.json().invalidRows[0].problems[0].message).toContain("户籍已迁入");
  });

  it("POST /api/simulations: a text over 1 MiB runs on a worker thread, with the same numbers", async () => {
    const line = `${JSON.stringify({ ...A, expected: { outcome: "approved" } })}\n`;
    const text = line.repeat(Math.ceil((1.1 * 1024 * 1024) / line.length));
    const n = text.split("\n").length - 1;
    const r = await s.as("tester", { method: "POST", url: "/api/simulations", payload: { text } });
    expect(r.statusCode, r.body.slice(0, 500)).toBe(200);
    expect(r.json().workers).toBe(1);
    expect(r.json().totals).toMatchObject({ cases: n, decided: n, matched: n });
  }, 60_000);

  it("runs at most 2 simulations at once: one more is 503 SIMULATOR_BUSY with Retry-After, and the gate reopens", async () => {
    const line = `${JSON.stringify({ ...A, expected: { outcome: "approved" } })}\n`;
    const text = line.repeat(Math.ceil((1.1 * 1024 * 1024) / line.length));
    const post = () => s.as("tester", { method: "POST", url: "/api/simulations", payload: { text } });
    const answers = await Promise.all([post(), post(), post(), post()]);
    const statuses = answers.map((r) => r.statusCode).sort();
    expect(statuses.filter((x) => x === 200).length).toBeGreaterThanOrEqual(2);
    const busy = answers.filter((r) => r.statusCode === 503);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((x) => x === 200 || x === 503)).toBe(true);
    for (const r of busy) {
      expect(r.json().error.code).toBe("SIMULATOR_BUSY");
      expect(r.headers["retry-after"]).toBe("5");
    }
    // Every run finished (or failed) gives its place back.
    const again = await post();
    expect(again.statusCode).toBe(200);
  }, 60_000);

  it("yidi simulate --server: the server's published versions and its draft as rule sources", async () => {
    const address = await s.app.listen({ port: 0, host: "127.0.0.1" });
    const dir = mkdtempSync(join(tmpdir(), "yidi-sim-server-"));
    const exported = await s.as("admin", { method: "GET", url: "/api/decisions/export?region=510400" });
    writeFileSync(join(dir, "log.jsonl"), exported.body);
    const cli = (args: string[]) =>
      promisify(execFile)("node", [join(import.meta.dirname, "../../bin/yidi.js"), ...args], {
        env: { ...process.env, NO_COLOR: "1", YIDI_TOKEN: s.token("tester") },
      }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    const out = join(dir, "report.json");
    const r = await cli([
      "simulate",
      join(dir, "log.jsonl"),
      "--server",
      address,
      "--against",
      `version:${draftId}`,
      "--json",
      out,
    ]);
    expect("stderr" in r ? r.stderr : "").toBe("");
    const rep = JSON.parse(readFileSync(out, "utf8"));
    expect(rep.sources).toEqual([
      `${address} published`,
      `sichuan/panzhihua@2040-01-01 (#${draftId}, draft) at ${address}`,
    ]);
    // The same numbers as the server's own impact: both reproduced, both changed, one incomplete → approved.
    expect(rep.totals).toMatchObject({ logged: 2, reproduced: 2, defects: 0, changed: 2 });
    expect(rep.transitions).toEqual({ approved: { approved: 1 }, incomplete: { approved: 1 } });
    // No token: one clear problem before the run, exit 1.
    const refused = await promisify(execFile)(
      "node",
      [
        join(import.meta.dirname, "../../bin/yidi.js"),
        "simulate",
        join(dir, "log.jsonl"),
        "--server",
        address,
      ],
      { env: { ...process.env, NO_COLOR: "1", YIDI_TOKEN: "" } },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((refused as { code: number }).code).toBe(1);
    expect((refused as { stderr: string }).stderr).toContain("401");
  }, 120_000);

  it("POST /api/simulations: bad input is a clear 4xx", async () => {
    const post = (payload: unknown, user = "tester") =>
      s.as(user, { method: "POST", url: "/api/simulations", payload });
    // Nothing valid: 400 with each problem's line and field.
    const none = await post({ text: "- id: a\n  asOf: yesterday\n" });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.code).toBe("CASE_INVALID");
    expect(none.json().error.problems).toContainEqual(
      expect.objectContaining({ path: [0, "asOf"], line: 2 }),
    );
    // CSV without a mapping; a bad mapping; a header without a mapped column.
    expect((await post({ text: "a,b\n1,2", format: "csv" })).json().error.problems[0].path).toEqual([
      "body",
      "mapping",
    ]);
    const badMapping = await post({ text: "a,b\n1,2", format: "csv", mapping: "columns: {nope.field: a}" });
    expect(badMapping.statusCode).toBe(400);
    expect(badMapping.json().error.problems.length).toBeGreaterThan(0);
    const header = await post({ text: "a,b\n1,2", format: "csv", mapping: "columns: {id: 编号}" });
    expect(header.statusCode).toBe(400);
    expect(header.json().error.problems[0].message).toContain("编号");
    // An unknown version; an empty text; a role that may not simulate.
    expect((await post({ text: "- id: a", source: { type: "version", id: 99999 } })).statusCode).toBe(404);
    expect((await post({ text: "" })).statusCode).toBe(400);
    expect((await post({ text: "- id: a" }, "clerk")).statusCode).toBe(403);
  });
});
