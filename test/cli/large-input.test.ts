import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { APPROVED_CASE } from "../fixtures/cases.ts";

/**
 * Huge invalid input in the CLI (issue #12): 2,000,000 invalid items took 3.2 GB (YAML, JSON)
 * and ran out of memory at 4.4 GB (JSON Lines). Now a YAML or JSON text of more than 200,000
 * values is refused before it is parsed, and a file's checking stops at 1,000 problems (JSON
 * Lines a line at a time, so memory follows what is kept). Peak RSS measured in the child.
 */
const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "yidi-large-"));
/** Well above the CLI's ~160 MB at rest (~175 MB on these inputs now), far below the 3 GB they took. */
const RSS_BOUND = 300 * 1024 * 1024;

async function yidi(...args: string[]) {
  const rssFile = join(dir, `rss-${Math.random()}`);
  let r: { code: number; stdout: string; stderr: string };
  try {
    const { stdout, stderr } = await run(
      "node",
      ["--import", join(ROOT, "test/cli/peak-rss.mjs"), join(ROOT, "bin/yidi.js"), ...args],
      { env: { ...process.env, YIDI_PEAK_RSS_FILE: rssFile, NO_COLOR: "1" }, maxBuffer: 64 * 1024 * 1024 },
    );
    r = { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    r = { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
  return { ...r, peakRss: Number(readFileSync(rssFile, "utf8")) };
}

const N = 500_000;

describe("the CLI against 500,000 invalid items", () => {
  it("refuses a YAML list or a JSON array of them with one line, exit 1, in bounded memory", async () => {
    const yaml = join(dir, "items.yaml");
    writeFileSync(yaml, "- 1\n".repeat(N));
    const json = join(dir, "items.json");
    writeFileSync(json, `[${Array(N).fill("1").join(",")}]`);
    const rules = join(dir, "rules.yaml");
    writeFileSync(rules, `id: sichuan/x\nversion: "2020-01-01"\nrules:\n${"- 1\n".repeat(N)}`);
    for (const args of [
      ["decide", yaml],
      ["decide", json],
      ["lint", rules],
    ]) {
      const r = await yidi(...args);
      expect(r.code, args.join(" ")).toBe(1);
      const lines = r.stderr.trim().split("\n");
      expect(lines[0], args.join(" ")).toMatch(/more than 200,000 values in one text: refused/);
      expect(lines.length, r.stderr.slice(0, 500)).toBeLessThanOrEqual(2);
      expect(r.peakRss, args.join(" ")).toBeLessThan(RSS_BOUND);
    }
  }, 180_000);

  it("checks JSON Lines up to 1,000 problems, prints 100 and says the rest was not checked", async () => {
    const jsonl = join(dir, "items.jsonl");
    writeFileSync(jsonl, "1\n".repeat(N));
    const r = await yidi("decide", jsonl);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(102);
    expect(lines[100]).toMatch(/… and 900 more problem\(s\), not shown \(1000 found\)/);
    expect(lines[101]).toMatch(
      /items\.jsonl:1001:1: more than 1,000 problems: the rest of the file, from line 1001, was not checked/,
    );
    expect(r.peakRss).toBeLessThan(RSS_BOUND);
  }, 180_000);

  it("still decides a JSON Lines file of valid cases after the invalid ones", async () => {
    const ok = JSON.stringify({ ...APPROVED_CASE, id: "ok-1" });

    const mixed = join(dir, "mixed.jsonl");
    writeFileSync(mixed, `1\n${ok}\n`);
    const r = await yidi("decide", "--format", "json", mixed);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toHaveLength(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  }, 60_000);
});
