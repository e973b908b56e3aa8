import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "..", "..", "bin", "yidi.js");
const FIXTURES = join(import.meta.dirname, "..", "fixtures");

async function yidi(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("node", [BIN, ...args], { env: { ...process.env, NO_COLOR: "1" } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const caseFile = (yaml: string) => {
  const d = mkdtempSync(join(tmpdir(), "yidi-cli-"));
  const f = join(d, "cases.yaml");
  writeFileSync(f, yaml);
  return f;
};

const TWO_CASES = `
- id: ok-1
  asOf: 2017-06-01
  applicant: { idNumber: "510402195001011236" }
  insured: { region: "510402", scheme: employee, status: retired }
  filing:
    category: retired_resettled
    destination: { region: "460200" }
    hukouMoved: true
    materials: [filing_form, ss_card, hukou_proof]
- id: ok-2
  asOf: 2017-06-01
  applicant: { idNumber: "510402195001011236" }
  insured: { region: "510402", scheme: employee, status: retired }
  filing: { category: retired_resettled, destination: { region: "460200" }, hukouMoved: true, materials: [] }
`;

describe("yidi CLI", { timeout: 30_000 }, () => {
  it("decide --format json prints one decision per case, in file order, exit 0", async () => {
    const r = await yidi("decide", caseFile(TWO_CASES), "--format", "json");
    expect(r.code).toBe(0);
    const decisions = JSON.parse(r.stdout);
    expect(decisions.map((d: { caseId: string; outcome: string }) => [d.caseId, d.outcome])).toEqual([
      ["ok-1", "approved"],
      ["ok-2", "incomplete"],
    ]);
  });

  it("decide prints zh-CN labels by default and English with --lang en", async () => {
    const f = caseFile(TWO_CASES);
    expect((await yidi("decide", f)).stdout).toContain("准予备案");
    expect((await yidi("--lang", "en", "decide", f)).stdout).toContain("approved");
  });

  it("decide exits 1 and names file:line:column when a case is invalid, still deciding the others", async () => {
    const bad = `${TWO_CASES}\n- id: bad\n  asOf: 2017-06-01\n  applicant: { idNumber: "510402195001011234" }\n  insured: { region: "510402", scheme: employee }\n`;
    const r = await yidi("decide", caseFile(bad), "--format", "json");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toHaveLength(2);
    expect(r.stderr).toMatch(/cases\.yaml:19:\d+: 2\.applicant\.idNumber: .*check digit/);
  });

  it("lint is clean on the project's rule sets", async () => {
    const r = await yidi("lint");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/8 file\(s\), 8 rule set\(s\): no problems/);
  });

  it("lint exits 1 with file:line:column on a broken rule set", async () => {
    const r = await yidi("lint", join(FIXTURES, "bad-rules", "unknown-fact.yaml"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /unknown-fact\.yaml:11:25: rules\.r1\.conditions\.fact: unknown fact "insured\.schema"/,
    );
  });

  it("rules lists every region with versions, effective dates and sources", async () => {
    const r = await yidi("rules");
    expect(r.code).toBe(0);
    for (const s of [
      "national",
      "sichuan/panzhihua",
      "jiangxi",
      "jiangxi/nanchang",
      "liaoning/fushun",
      "医保发〔2022〕22号",
    ]) {
      expect(r.stdout).toContain(s);
    }
    expect(r.stdout).toContain("二手摘要");
  });

  it("settle prints the 附件6 slip, with the ID number masked, as text and as a printable page", async () => {
    const cases = join(import.meta.dirname, "..", "..", "simulator", "cases", "settlement.yaml");
    const text = await yidi("settle", cases);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("海南省跨省异地就医住院结算单");
    expect(text.stdout).toMatch(/#参保地基金1 基本医疗保险统筹基金\s+22270\.00/);
    expect(text.stdout).toContain("基金支付合计：22270.00    个人现金支付：7730.00");
    expect(text.stdout).toContain("360102********1010");
    expect(text.stdout).not.toContain("360102196003011010");
    const html = await yidi("settle", cases, "--format", "html");
    expect(html.stdout).toMatch(/^<!doctype html>/);
    expect(html.stdout).toContain("<th>本次起付标准</th><td>800.00</td>");
  });

  it("settle gives, for every sample settlement, the fund and cash lines its case expects", async () => {
    const { readFileSync } = await import("node:fs");
    const { parse } = await import("yaml");
    const file = join(import.meta.dirname, "..", "..", "simulator", "cases", "settlement.yaml");
    const cases = parse(readFileSync(file, "utf8")) as {
      id: string;
      expected: { benefits: Record<string, string> };
    }[];
    const r = await yidi("settle", file, "--format", "json");
    expect(r.code).toBe(0);
    const slips = JSON.parse(r.stdout) as { totals: [string, string][] }[];
    expect(slips).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      const totals = Object.fromEntries(slips[i]?.totals ?? []);
      if (c.expected.benefits.fundPay) expect(totals.基金支付合计, c.id).toBe(c.expected.benefits.fundPay);
      if (c.expected.benefits.personalPay)
        expect(totals.个人现金支付, c.id).toBe(c.expected.benefits.personalPay);
    });
  });

  it("settle refuses a case that is not a settlement", async () => {
    const r = await yidi("settle", caseFile(TWO_CASES));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("case ok-1 is a filing, not a settlement");
  });

  it("exits 2 on a usage error", async () => {
    expect((await yidi("decide", "--format", "xml", "x.yaml")).code).toBe(2);
    expect((await yidi("frobnicate")).code).toBe(2);
  });
});
