import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Decision, parseCase } from "../../engine/index.ts";
import { generate, samplesFor } from "../../simulator/generate.ts";
import { readCaseFiles } from "../../simulator/replay.ts";
import { deciderOf, ruleSource } from "../../simulator/rule-source.ts";
import { type Simulation, simulate, simulateText } from "../../simulator/run.ts";

/**
 * A run decides without condition trees (`trace: "rules"`) and decides again in full only a case
 * that differs from its `expected` or its logged decision. Its report must be the report of a run
 * that decides every case in full: the same counts, coverage, transitions, money, changed cases
 * (with the rule that made the difference), failures and defects word for word — on 2,000
 * generated cases (seed 7), decision-log lines (reproduced, tampered, with and without trees),
 * `expected`s that name the trace's condition trees, and two rule sources.
 */
const base = ruleSource("rules", "rules").spec;
const against = ruleSource("national@2023-01-01", "rules").spec;
if (!base || !against) throw new Error("rules do not load");
const decider = deciderOf(base);

const { files } = readCaseFiles(["simulator/cases"]);
const samples = samplesFor(files.flatMap((f) => f.cases));
const outcomeOf = (raw: unknown) => {
  const p = parseCase(raw);
  const r = p.success ? decider.decide(p.data) : undefined;
  return r?.ok ? r.decision.outcome : undefined;
};
const full = (raw: unknown): Decision => {
  const p = parseCase(raw);
  if (!p.success) throw new Error("generated case invalid");
  const r = decider.decide(p.data);
  if (!r.ok) throw new Error("undecidable");
  return r.decision;
};
const withoutTrees = (d: Decision): Decision => ({
  ...d,
  trace: d.trace.map(({ when: _w, conditions: _c, ...line }) => line),
});

function inputs(): string {
  const dir = mkdtempSync(join(tmpdir(), "yidi-fast-"));
  const lines = [...generate(samples, { count: 2000, seed: 7, outcomeOf })].join("").trim().split("\n");
  const raws = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  // Every 50th case expects another outcome (a failure); every 70th expects its own full trace
  // (condition trees and all: it matches only when decided in full); every 90th expects a tree
  // that is not there (a failure worded from the full decision).
  raws.forEach((r, i) => {
    if (i % 50 === 1)
      r.expected = {
        outcome: "rejected" === (r.expected as { outcome?: string })?.outcome ? "approved" : "rejected",
      };
    else if (i % 70 === 2) r.expected = { outcome: full(r).outcome, trace: full(r).trace };
    else if (i % 90 === 3) r.expected = { trace: [{ conditions: { all: [] } }] };
  });
  writeFileSync(join(dir, "generated.jsonl"), `${raws.map((r) => JSON.stringify(r)).join("\n")}\n`);
  // A decision log: lines logged with trees and without, some reproduced, some tampered with
  // (a defect: another outcome, a trace line dropped — its wording prints the whole trace).
  const log = raws.slice(0, 600).map((raw, i) => {
    const { expected: _e, ...c } = raw;
    let decision: Decision = i % 2 ? full(c) : withoutTrees(full(c));
    if (i % 40 === 5)
      decision = { ...decision, outcome: decision.outcome === "approved" ? "rejected" : "approved" };
    if (i % 40 === 9) decision = { ...decision, trace: decision.trace.slice(1) };
    return JSON.stringify({ case: c, decision });
  });
  writeFileSync(join(dir, "log.jsonl"), `${log.join("\n")}\n`);
  return dir;
}

const comparable = (s: Simulation) => s.data;

describe("the fast path (decisions without condition trees) gives the full path's report", {
  timeout: 120_000,
}, () => {
  const dir = inputs();

  it("one source: 2,000 generated cases and a decision log, word for word", async () => {
    const paths = [dir, "simulator/cases"];
    const fast = await simulate({ paths, sources: [base], workers: 0 });
    const slow = await simulate({ paths, sources: [base], workers: 0, trace: "full" });
    expect(comparable(fast)).toEqual(comparable(slow));
    const t = fast.data.totals;
    // the comparison covered matches, failures (worded from the full decision), reproduced
    // decisions with and without trees, and defects
    expect(t.decided).toBeGreaterThan(2600);
    expect(t.matched).toBeGreaterThan(2000);
    expect(t.mismatched).toBeGreaterThan(40);
    expect(t.reproduced).toBeGreaterThan(500);
    expect(t.defects).toBeGreaterThan(20);
    expect(fast.data.failures.some((f) => f.mismatches.some((m) => m.includes("conditions")))).toBe(true);
    expect(fast.data.defects.some((d) => d.differences.some((m) => m.includes('"conditions"')))).toBe(true);
  });

  it("two sources (the impact of a change), on two worker threads: the same report as in full", async () => {
    const paths = [join(dir, "generated.jsonl"), "simulator/cases"];
    const fast = await simulate({ paths, sources: [base, against], workers: 2 });
    const slow = await simulate({ paths, sources: [base, against], workers: 0, trace: "full" });
    expect(comparable(fast)).toEqual(comparable(slow));
    expect(fast.data.totals.changed).toBeGreaterThan(50);
    expect(fast.data.changedCases.some((c) => c.rule !== null)).toBe(true);
  });
});

describe("JSON Lines read as bytes, chunk by chunk", { timeout: 60_000 }, () => {
  const lines = [...generate(samples, { count: 6, seed: 11 })].join("").trim().split("\n");
  const cases = async (name: string, text: string) => {
    const dir = mkdtempSync(join(tmpdir(), "yidi-jsonl-"));
    const file = join(dir, name);
    writeFileSync(file, text);
    const fromFile = await simulate({ paths: [file], sources: [base], workers: 1 });
    const fromText = await simulateText(
      { file, format: "jsonl", text: text.replace(/^\uFEFF/, "") },
      { sources: [base], workers: 0 },
    );
    // the file (bytes, cut and counted here, decoded in the worker; a BOM dropped) reads as its text does
    expect(fromFile.data).toEqual(fromText.data);
    return fromFile.data;
  };

  it("a BOM, CRLF line ends, a line longer than a chunk, a last line without a line end: lines counted right", async () => {
    const long = `${lines[1]}${" ".repeat(1_200_000)}`;
    const text = `\uFEFF${[lines[0], long, "{not json", lines[2], "", lines[3]].join("\r\n")}\r\n${lines[4]}\n{"id": "x"}`;
    const d = await cases("edge.jsonl", text);
    expect(d.totals).toMatchObject({ cases: 7, decided: 5, invalid: 2 });
    expect(d.invalidRows.map((r) => r.line)).toEqual([3, 8]);
  });

  it("a file of blank lines is said to be empty, as before", async () => {
    const d = await cases("blank.jsonl", "\n  \n\u3000\n");
    expect(d.totals).toMatchObject({ cases: 1, invalid: 1 });
  });
});
