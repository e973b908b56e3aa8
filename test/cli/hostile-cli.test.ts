import { execFile } from "node:child_process";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { terminalSafe } from "../../cli/render.ts";

/** The CLI against hostile files (issue #12): bounded reads, bounded output, no terminal escapes. */
const run = promisify(execFile);
const BIN = join(import.meta.dirname, "..", "..", "bin", "yidi.js");
const ESC = String.fromCharCode(27);
const dir = mkdtempSync(join(tmpdir(), "yidi-hostile-"));

async function yidi(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("node", [BIN, ...args], {
      env: { ...process.env, FORCE_COLOR: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("the CLI against hostile files", () => {
  it("refuses an endless file (/dev/zero) after 10 MiB with one line and exit 1", async () => {
    const zero = join(dir, "zero.yaml");
    symlinkSync("/dev/zero", zero);
    const r = await yidi("decide", zero);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("more than the 10 MiB a file may have: refused");
  }, 60_000);

  it("prints at most 100 problems and a count, however many items are invalid", async () => {
    const many = join(dir, "many.jsonl");
    writeFileSync(many, "{}\n".repeat(20_000));
    const r = await yidi("decide", many);
    expect(r.code).toBe(1);
    // checking stops at 1,000 problems (engine/case-loader.ts), and says so on the last line
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(102);
    expect(lines.at(-2)).toMatch(/… and \d+ more problem\(s\), not shown \(\d+ found\)/);
    expect(lines.at(-1)).toMatch(
      /more than 1,000 problems: the rest of the file, from line \d+, was not checked/,
    );
  }, 120_000);

  it("never sends a control character from a case file to the terminal", async () => {
    const file = join(dir, "ansi.yaml");
    writeFileSync(
      file,
      [
        'id: "x\\u001b[2J\\u001b]0;pwned\\u0007"',
        "asOf: 2017-06-01",
        'applicant: { idNumber: "510402195001011236", name: "a\\u001b[31mred\\r" }',
        'insured: { region: "510402", scheme: employee, status: retired }',
        'filing: { category: retired_resettled, destination: { region: "460200" }, hukouMoved: true, materials: [filing_form, ss_card, hukou_proof] }',
        "---",
      ].join("\n"),
    );
    const bad = join(dir, "ansi-bad.yaml");
    writeFileSync(bad, 'id: "y\\u001b[2J"\nasOf: 2017-06-01\nbogus\\u001b[31m: 1\n');
    for (const f of [file, bad]) {
      const r = await yidi("decide", f);
      // picocolors' own colours are allowed (FORCE_COLOR); nothing else starting with ESC.
      const stray = (r.stdout + r.stderr).replace(new RegExp(`${ESC}\\[\\d+(;\\d+)*m`, "g"), "");
      expect(
        [...stray].filter((c) => c < " " && c !== "\n" && c !== "\t"),
        f,
      ).toEqual([]);
    }
    expect(terminalSafe("a\u001b[2Jb\u202ec\n")).toBe("a\\u{1b}[2Jb\\u{202e}c\\u{a}");
  }, 60_000);
});
