import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCases } from "../../engine/index.ts";
import { readRuleFiles } from "../../simulator/rule-files.ts";
import { simulate } from "../../simulator/run.ts";
import { DIALECTS, startServer, type TestServer } from "./harness.ts";

const samples = loadCases(readFileSync("simulator/cases/panzhihua.yaml", "utf8"), "panzhihua.yaml")
  .filter((l) => l.ok)
  .slice(0, 12)
  .map((l) => {
    const { expected: _e, title: _t, ...input } = (l as { case: Record<string, unknown> }).case;
    return input;
  });

describe.each(DIALECTS)("the decision log replays with no difference on $name", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect);
  }, 60_000);
  afterAll(async () => s?.close());

  it("decisions made through the API, exported, replayed under the same rules: every one reproduced", async () => {
    for (const c of samples) {
      const r = await s.as("clerk", { method: "POST", url: "/api/decisions", payload: c });
      expect(r.statusCode).toBe(200);
    }
    const clerk = await s.as("clerk", { method: "GET", url: "/api/decisions/export" });
    expect(clerk.statusCode).toBe(403);
    const r = await s.as("tester", { method: "GET", url: "/api/decisions/export" });
    expect(r.statusCode).toBe(200);
    const lines = r.body.trim().split("\n");
    expect(lines).toHaveLength(samples.length);
    expect(Object.keys(JSON.parse(lines[0] as string)).sort()).toEqual([
      "case",
      "decision",
      "decisionId",
      "loggedAt",
      "ruleSets",
    ]);
    const file = join(mkdtempSync(join(tmpdir(), "yidi-log-")), "log.jsonl");
    writeFileSync(file, r.body);
    const rules = readRuleFiles(["rules"]);
    const texts = rules.files.map((f) => ({ file: f, text: readFileSync(f, "utf8") }));
    const sim = await simulate({ paths: [file], sources: [{ label: "rules", texts }], workers: 0 });
    expect(sim.data.totals).toMatchObject({
      logged: samples.length,
      reproduced: samples.length,
      defects: 0,
      chainChanged: 0,
      invalid: 0,
    });
    const audit = await s.as("admin", { method: "GET", url: "/api/audit?entity=decisions" });
    expect(audit.body).toContain("decisions.export");
  }, 60_000);
});
