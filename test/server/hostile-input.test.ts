import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APPROVED_CASE, DIALECTS, PASSWORD, startServer, type TestServer } from "./harness.ts";

/** Bad input is a 4xx, never a 500 (issue #12): NUL characters, numbers beyond int4, hostile YAML. */
describe.each(DIALECTS)("hostile input on $name", (dialect) => {
  let s: TestServer;
  let draftId: number;
  beforeAll(async () => {
    s = await startServer(dialect);
    const history = await s.as("officer", {
      method: "GET",
      url: "/api/rule-sets/history?id=sichuan/panzhihua",
    });
    const base = (history.json().versions as { id: number; status: string }[]).find(
      (v) => v.status === "published",
    );
    const d = await s.as("officer", {
      method: "POST",
      url: "/api/rule-sets/drafts",
      payload: { basedOn: base?.id, version: "2031-01-01" },
    });
    draftId = d.json().id;
  }, 120_000);
  afterAll(async () => s?.close());

  const expect4xx = (r: { statusCode: number; body: string }, what: string) => {
    expect(r.statusCode, `${what}: ${r.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
    expect(r.statusCode, `${what}: ${r.body.slice(0, 300)}`).toBeLessThan(500);
  };

  it("refuses NUL characters in bodies, query strings and paths with 400", async () => {
    const login = await s.app.inject({
      method: "POST",
      url: "/api/login",
      payload: { username: "admin\u0000", password: PASSWORD },
    });
    expect4xx(login, "login username");
    const nulCase = { ...APPROVED_CASE, applicant: { ...APPROVED_CASE.applicant, name: "张\u0000三" } };
    expect4xx(await s.as("clerk", { method: "POST", url: "/api/decisions", payload: nulCase }), "case name");
    expect4xx(
      await s.as("clerk", {
        method: "POST",
        url: "/api/decisions",
        payload: { ...APPROVED_CASE, id: "\u0000" },
      }),
      "case id",
    );
    for (const url of [
      "/api/decisions?caseId=%00",
      "/api/audit?actor=a%00b",
      "/api/filings?name=%00",
      "/api/rule-sets/history?id=%00",
      "/api/decisions/%00",
    ]) {
      const r = await s.as("admin", { method: "GET", url });
      expect(r.statusCode, url).toBe(400);
    }
    const draft = await s.as("officer", {
      method: "PUT",
      url: `/api/rule-sets/drafts/${draftId}`,
      payload: { content: "id: a\u0000b\n", revision: 1 },
    });
    expect(draft.statusCode).toBe(400);
  });

  it("refuses numbers beyond int4 in ids, revisions and limits with a 4xx", async () => {
    const big = "99999999999";
    const tries: [string, string, object?][] = [
      ["GET", `/api/rule-sets/versions/${big}`],
      ["GET", `/api/rule-sets/versions/${big}/yaml`],
      ["GET", `/api/rule-sets/versions/1/diff?against=${big}`],
      ["PUT", `/api/rule-sets/drafts/${draftId}`, { content: "x: 1\n", revision: Number(big) }],
      ["PUT", `/api/rule-sets/drafts/${big}`, { content: "x: 1\n", revision: 1 }],
      ["POST", `/api/rule-sets/versions/${big}/submit`, { revision: 1 }],
      ["POST", "/api/rule-sets/drafts", { basedOn: Number(big), version: "x" }],
      ["PATCH", `/api/users/${big}`, { active: true }],
      ["GET", `/api/audit?limit=${big}`],
      ["POST", `/api/decisions?draft=${big}`, APPROVED_CASE],
      ["GET", `/api/rule-sets/versions/-${big}`],
      ["GET", "/api/rule-sets/versions/1e400"],
    ];
    for (const [method, url, payload] of tries) {
      const r = await s.as("admin", { method, url, ...(payload && { payload }) });
      expect4xx(r, `${method} ${url}`);
    }
  });

  it("refuses a YAML alias bomb, deep nesting and oversized content as a rule-set draft with a 4xx", async () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(", ")}]`,
      ),
    ].join("\n");
    const deep = `${"x:\n".replace("x", "a")}${Array.from({ length: 1000 }, (_, i) => `${" ".repeat(i + 1)}a:`).join("\n")} 1\n`;
    const flowDeep = `a: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`;
    const big = `a: "${"x".repeat(1024 * 1024)}"\n`;
    for (const [name, content] of Object.entries({ bomb, deep, flowDeep, big })) {
      const current = await s.as("officer", { method: "GET", url: `/api/rule-sets/versions/${draftId}` });
      for (const [method, url, payload] of [
        ["PUT", `/api/rule-sets/drafts/${draftId}`, { content, revision: current.json().revision }],
        ["POST", "/api/rule-sets/drafts", { content }],
      ] as const) {
        const r = await s.as("officer", { method, url, payload });
        if (name === "big") {
          expect(r.statusCode).toBe(413);
          continue;
        }
        // A draft's text is kept even when it does not validate (no edit is lost); the answer
        // says it is refused, with one located problem, and nothing crashes.
        expect(r.statusCode, `${name} ${method}: ${r.body.slice(0, 200)}`).toBeLessThan(500);
        const problems = (r.statusCode === 200 ? r.json().problems : r.json().error.problems) as {
          code: string;
        }[];
        if (!problems) throw new Error(`${name} ${method}: ${r.statusCode} ${r.body.slice(0, 300)}`);
        expect(
          problems.map((p) => p.code),
          `${name} ${method}`,
        ).toContain("yaml_limit");
      }
    }
    // The draft is still there and usable.
    expect(
      (await s.as("officer", { method: "GET", url: `/api/rule-sets/versions/${draftId}` })).statusCode,
    ).toBe(200);
  }, 60_000);

  it("refuses money of 400 digits in a case with 400", async () => {
    const settlement = {
      id: "money-400",
      kind: "settlement",
      asOf: "2025-03-15",
      applicant: { idNumber: "360102195801011010", name: "王五" },
      insured: { region: "360102", scheme: "employee", status: "retired" },
      settlement: {
        destination: { region: "460200", hospital: { name: "三亚市人民医院", level: "3" } },
        admission: "2025-03-01",
        discharge: "2025-03-10",
        totalCost: "9".repeat(400),
        inScopeCost: "27000.00",
        selfPaid: "2000.00",
      },
    };
    const r = await s.as("clerk", { method: "POST", url: "/api/decisions", payload: settlement });
    expect(r.statusCode, r.body.slice(0, 300)).toBe(400);
    expect(r.body).toContain("digits");
  });
});
