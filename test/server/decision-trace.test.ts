import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decider, type Decision, parseCase } from "../../engine/index.ts";
import { readRuleFiles } from "../../simulator/rule-files.ts";
import { compareLogged } from "../../simulator/runner.ts";
import { APPROVED_CASE, DIALECTS, startServer, type TestServer } from "./harness.ts";

/**
 * POST /api/decisions?trace=false (issue #11): the answer leaves out the trace and is otherwise
 * the same decision; the log keeps a line per rule (result, effect, detail, citation) without the
 * condition trees, so the notice still cites every missing item and a replay of the logged case
 * under its chain gives the same decision, trees and all.
 */
const INCOMPLETE = {
  ...APPROVED_CASE,
  id: "trace-incomplete",
  // one material missing, and a filing form with required fields left empty
  filing: { ...APPROVED_CASE.filing, materials: ["filing_form", "ss_card"], form: { phone1: "" } },
};

describe.each(DIALECTS)("POST /api/decisions?trace=false ($name)", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect);
  }, 60_000);
  afterAll(async () => s?.close());

  const decide = async (payload: object, query = "") => {
    const r = await s.as("clerk", { method: "POST", url: `/api/decisions${query}`, payload });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as Decision & { decisionId: string };
  };
  const logged = async (id: string) =>
    (await s.as("clerk", { method: "GET", url: `/api/decisions/${id}` })).json() as {
      input: Record<string, unknown>;
      output: Decision;
    };

  it("answers without the trace, the decision otherwise the same", async () => {
    const full = await decide(INCOMPLETE);
    const bare = await decide(INCOMPLETE, "?trace=false");
    expect(full.trace.length).toBeGreaterThan(3);
    expect("trace" in bare).toBe(false);
    const { trace: _t, decisionId: _a, ...rest } = full;
    const { decisionId: _b, ...bareRest } = bare;
    expect(bareRest).toEqual(rest);
    expect(bare.outcome).toBe("incomplete");
    expect(bare.missingFields.length).toBeGreaterThan(0);
    // ?trace=true is the default
    expect((await decide({ ...INCOMPLETE, id: "trace-true" }, "?trace=true")).trace).toEqual(full.trace);
  });

  it("logs a line per rule without the condition trees; the notice cites every missing item", async () => {
    const full = await decide({ ...INCOMPLETE, id: "trace-log-full" });
    const bare = await decide({ ...INCOMPLETE, id: "trace-log-bare" }, "?trace=false");
    const fullLog = await logged(full.decisionId);
    const bareLog = await logged(bare.decisionId);
    expect(fullLog.output.trace.some((t) => t.conditions !== undefined)).toBe(true);
    expect(bareLog.output.trace.some((t) => t.conditions !== undefined || t.when !== undefined)).toBe(false);
    expect(bareLog.output.trace).toEqual(
      fullLog.output.trace.map(({ when: _w, conditions: _c, ...line }) => line),
    );
    const notice = async (id: string) =>
      (await s.as("clerk", { method: "GET", url: `/api/decisions/${id}/notice.html` })).body;
    const [a, b] = [await notice(full.decisionId), await notice(bare.decisionId)];
    expect(b).toContain("一次性告知书");
    expect(b.replaceAll("trace-log-bare", "ID")).toBe(a.replaceAll("trace-log-full", "ID"));
  });

  it("replays: the logged case decided again under its chain is the logged decision, and gives the trees", async () => {
    const bare = await decide({ ...INCOMPLETE, id: "trace-replay" }, "?trace=false");
    const log = await logged(bare.decisionId);
    const parsed = parseCase(log.input);
    expect(parsed.success).toBe(true);
    if (!parsed.success) return;
    const again = new Decider(readRuleFiles().ruleSets).decide(parsed.data);
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    expect(compareLogged(log.output, again.decision)).toEqual({ sameChain: true, differences: [] });
    expect(again.decision.trace.some((t) => t.conditions !== undefined)).toBe(true);
  });

  it("refuses a trace value other than true or false", async () => {
    const r = await s.as("clerk", { method: "POST", url: "/api/decisions?trace=no", payload: APPROVED_CASE });
    expect(r.statusCode).toBe(400);
  });
});
