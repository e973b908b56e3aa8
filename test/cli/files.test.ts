import { execFile } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DERIVED_FACTS, FACT_NAMES } from "../../engine/facts.ts";
import { vocabulary } from "../../engine/index.ts";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "yidi.js");
const BAD = join(ROOT, "test", "fixtures", "bad-cases");

type Run = { code: number; stdout: string; stderr: string };

/** Runs the CLI as a user would, in `cwd` (a fresh folder unless given). */
async function yidi(args: string[], cwd = ROOT): Promise<Run> {
  try {
    const { stdout, stderr } = await run("node", [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const folder = () => mkdtempSync(join(tmpdir(), "yidi-files-"));

const CASE = (id: string, extra = "") =>
  `{"id": "${id}", "asOf": "2017-06-01", "applicant": {"idNumber": "510402195001011236"}, "insured": {"region": "510402", "scheme": "employee", "status": "retired"}, "filing": {"category": "retired_resettled", "destination": {"region": "460200"}, "hukouMoved": true, "materials": ["filing_form", "ss_card", "hukou_proof"]}${extra}}`;
const EXPECT_APPROVED = `, "expected": {"outcome": "approved"}`;

/** A file nobody can read, root included: on Linux, a symlink to /proc/self/mem (EIO). */
function unreadable(dir: string): string {
  const f = join(dir, "unreadable.yaml");
  if (process.platform === "linux") symlinkSync("/proc/self/mem", f);
  else {
    writeFileSync(f, "id: x\n");
    chmodSync(f, 0o000);
  }
  return f;
}

/** A hostile YAML file of each kind, in a fresh folder. */
function hostile(): Record<string, string> {
  const d = folder();
  const big = join(d, "oversized.yaml");
  writeFileSync(big, `id: big\n# ${"x".repeat(11 * 1024 * 1024)}\n`);
  return {
    "alias bomb": join(BAD, "alias-bomb.yaml"),
    "excessive nesting": join(BAD, "deep-nesting.yaml"),
    oversized: big,
  };
}

describe("yidi reads what it is given, or says in one line why not", { timeout: 60_000 }, () => {
  it("simulate walks a folder for .yaml, .yml, .json and .jsonl files", async () => {
    const d = folder();
    writeFileSync(join(d, "a.yaml"), `- ${CASE("yaml-1", EXPECT_APPROVED)}\n`);
    writeFileSync(join(d, "b.yml"), CASE("yml-1", EXPECT_APPROVED));
    writeFileSync(
      join(d, "c.json"),
      `{"cases": [${CASE("json-1", EXPECT_APPROVED)}, ${CASE("json-2", EXPECT_APPROVED)}]}`,
    );
    writeFileSync(
      join(d, "d.jsonl"),
      `${CASE("jsonl-1", EXPECT_APPROVED)}\n${CASE("jsonl-2", EXPECT_APPROVED)}\n`,
    );
    writeFileSync(join(d, "notes.txt"), "not a case");
    const r = await yidi(["--lang", "en", "simulate", "."], d);
    expect(r.stdout).toBe("6 case(s) decided: 6 matched their `expected`, 0 did not\n");
    expect(r.code).toBe(0);
  });

  it("never skips a named file in silence: an unknown extension is an error line", async () => {
    const d = folder();
    writeFileSync(join(d, "cases.txt"), CASE("txt"));
    writeFileSync(join(d, "ok.json"), CASE("ok", EXPECT_APPROVED));
    const r = await yidi(["--lang", "en", "simulate", "cases.txt", "ok.json"], d);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatchInlineSnapshot(`
      "error cases.txt: not a case file (.yaml, .yml, .json, .jsonl or .csv)
      1 case(s) decided: 1 matched their \`expected\`, 0 did not; 1 path(s) could not be read
      "
    `);
  });

  it("decides a JSON Lines file line by line: a bad line gives its number and the others are decided", async () => {
    const r = await yidi(["decide", "--format", "json", join(BAD, "jsonl-bad-line.jsonl")]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).map((d: { caseId: string }) => d.caseId)).toEqual(["line-1"]);
    expect(
      r.stderr
        .split("\n")
        .filter(Boolean)
        .map((l) => l.replace(BAD, "BAD")),
    ).toEqual([
      'error BAD/jsonl-bad-line.jsonl:2:142: JSON syntax: unexpected `"`: expected , or }',
      "error BAD/jsonl-bad-line.jsonl:3:66: applicant.idNumber: the ID number's birth date or check digit (GB 11643) is wrong",
    ]);
  });

  it("reports every problem of a case in one run: schema errors and the checks across fields", async () => {
    const r = await yidi(["decide", "test/fixtures/bad-cases/several-problems.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatchInlineSnapshot(`
      "error test/fixtures/bad-cases/several-problems.yaml:5:13: applicant.idNumber: the ID number's birth date or check digit (GB 11643) is wrong
      error test/fixtures/bad-cases/several-problems.yaml:9:11: insured.scheme: unknown scheme "employe" (one of: employee, urban_rural_resident, urban_resident, ncms)
      error test/fixtures/bad-cases/several-problems.yaml:11:3: insured.favouriteColour: unknown key "favouriteColour"
      error test/fixtures/bad-cases/several-problems.yaml:14:14: settlement.discharge: discharge 2025-03-01 is before admission 2025-03-10
      error test/fixtures/bad-cases/several-problems.yaml:17:16: settlement.selfPayCost: self-pay (3000.01) and partial self-pay (0.00) add up to more than the total cost (3000.00)
      "
    `);
  });

  describe.each([
    ["decide", ["decide"]],
    ["settle", ["settle"]],
    ["simulate", ["simulate"]],
    ["lint", ["lint"]],
  ])("%s", (_, command) => {
    it("a missing path is one line and exit 1", async () => {
      const r = await yidi([...command, "no/such/file.yaml"], folder());
      expect(r.code).toBe(1);
      expect(r.stderr + r.stdout).toMatch(/^error no\/such\/file\.yaml: no such file or folder\n/);
      expect((r.stderr + r.stdout).split("\n").filter(Boolean).length).toBeLessThanOrEqual(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it("an unreadable file is one line and exit 1", async () => {
      const d = folder();
      unreadable(d);
      const r = await yidi([...command, "unreadable.yaml"], d);
      expect(r.code).toBe(1);
      expect(r.stderr + r.stdout).toMatch(/^error unreadable\.yaml: cannot be read: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it.each(Object.entries(hostile()))("a hostile YAML file (%s) is one line and exit 1", async (_, file) => {
      const r = await yidi([...command, file]);
      expect(r.code).toBe(1);
      const lines = (r.stderr + r.stdout).split("\n").filter((l) => l.startsWith("error"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/refused/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it("a usage error is exit 2", async () => {
      expect((await yidi([...command, "--no-such-option"])).code).toBe(2);
    });
  });

  it("a missing --rules folder is one line and exit 1", async () => {
    const r = await yidi([
      "--rules",
      "no-rules",
      "decide",
      join(BAD, "..", "..", "..", "simulator", "cases"),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error no-rules: no such file or folder\n");
  });
});

describe("paths are printed as typed", { timeout: 60_000 }, () => {
  it("a relative path stays relative and an absolute one absolute", async () => {
    const d = folder();
    mkdirSync(join(d, "sub"));
    copyFileSync(join(BAD, "bad-check-digit.yaml"), join(d, "sub", "bad.yaml"));
    const rel = await yidi(["decide", "sub/bad.yaml"], d);
    expect(rel.stderr).toMatch(/^error sub\/bad\.yaml:4:13: /);
    const abs = await yidi(["decide", join(d, "sub", "bad.yaml")]);
    expect(abs.stderr.startsWith(`error ${join(d, "sub", "bad.yaml")}:4:13: `)).toBe(true);
    const folderRel = await yidi(["decide", "sub"], d);
    expect(folderRel.stderr).toMatch(/^error sub\/bad\.yaml:4:13: /);
  });
});

describe("lint --rules DIR finds the parents of the files it lints in DIR", { timeout: 60_000 }, () => {
  const nanchang = join(ROOT, "rules", "jiangxi", "nanchang");
  const copy = () => {
    const d = folder();
    mkdirSync(join(d, "draft"));
    for (const f of readdirSync(nanchang)) copyFileSync(join(nanchang, f), join(d, "draft", f));
    return d;
  };

  it("resolves `extends` from the rule-set folder", async () => {
    const d = copy();
    const r = await yidi(["lint", "--rules", join(ROOT, "rules"), "draft"], d);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ file\(s\), \d+ rule set\(s\): no problems\n$/);
  });

  it("says the parent is missing when DIR does not have it", async () => {
    const d = copy();
    mkdirSync(join(d, "empty"));
    const r = await yidi(["lint", "--rules", "empty", "draft"], d);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error draft\/[\d-]+\.yaml:\d+:\d+: extends: extends "jiangxi", but no rule set has that id$/m,
    );
  });
});

describe("decisions speak the reader's language", { timeout: 60_000 }, () => {
  const FORM_CASE = `id: mf
asOf: 2017-06-01
applicant: { idNumber: "510402195001011236" }
insured: { region: "510402", scheme: employee, status: retired }
filing:
  category: retired_resettled
  destination: { region: "460200" }
  channel: window
  materials: [filing_form, ss_card, hukou_proof]
  form: { name: 张三 }
`;

  it("labels missing fields in Chinese, with 、 between them, and in English with --lang en", async () => {
    const d = folder();
    writeFileSync(join(d, "c.yaml"), FORM_CASE);
    const zh = await yidi(["decide", "c.yaml"], d);
    expect(zh.stdout).toContain(
      "缺少信息: 户籍是否已迁入就医地、家庭住址、异地联系地址、联系电话1、医疗机构名称、医疗机构级别",
    );
    const en = await yidi(["--lang", "en", "decide", "c.yaml"], d);
    expect(en.stdout).toContain(
      "Missing information: household registration moved to the destination, home address, off-site contact address, phone 1, hospital name, hospital level",
    );
    expect(zh.stdout).not.toMatch(/homeAddress|hukouMoved/);
  });
});

describe("simulate says plainly what it compared", { timeout: 60_000 }, () => {
  it("counts cases without `expected` apart: decided, not compared, not passed", async () => {
    const d = folder();
    writeFileSync(
      join(d, "c.jsonl"),
      [
        CASE("with-1", EXPECT_APPROVED),
        CASE("with-2", `, "expected": {"outcome": "rejected"}`),
        CASE("without-1"),
        CASE("without-2"),
        CASE("without-3"),
      ].join("\n"),
    );
    const en = await yidi(["--lang", "en", "simulate", "c.jsonl"], d);
    expect(en.code).toBe(1);
    expect(en.stdout).toMatchInlineSnapshot(`
      "FAIL c.jsonl with-2
            outcome: expected "rejected", got "approved"
      5 case(s) decided: 1 matched their \`expected\`, 1 did not, 3 have no \`expected\` and were not compared
      "
    `);
    const zh = await yidi(["simulate", "c.jsonl"], d);
    expect(zh.stdout).toContain(
      "已判定 5 个案例：1 个与 expected 一致，1 个不一致，3 个没有 expected，未比对",
    );
  });

  it("exits 0 when every compared case matches, even if some have no `expected`", async () => {
    const d = folder();
    writeFileSync(join(d, "c.json"), `[${CASE("with", EXPECT_APPROVED)}, ${CASE("without")}]`);
    const r = await yidi(["--lang", "en", "simulate", "c.json"], d);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "2 case(s) decided: 1 matched their `expected`, 0 did not, 1 have no `expected` and were not compared\n",
    );
  });
});

describe("the CLI stands on the engine's public surface", () => {
  it("imports nothing from engine/ but engine/index.ts", () => {
    const cli = join(ROOT, "cli");
    for (const f of readdirSync(cli).filter((n) => n.endsWith(".ts"))) {
      const text = readFileSync(join(cli, f), "utf8");
      const engineImports = [...text.matchAll(/from "(\.\.\/engine\/[^"]+)"/g)].map((m) => m[1]);
      expect(
        engineImports.filter((i) => i !== "../engine/index.ts"),
        f,
      ).toEqual([]);
    }
  });

  it("has a Chinese and an English label for every field a decision may find missing", () => {
    const fields = [...FACT_NAMES.filter((f) => !DERIVED_FACTS.has(f)), ...vocabulary.FORM_FIELDS.ids];
    const labelled = { ...vocabulary.FORM_FIELDS.labels, ...vocabulary.CASE_FIELDS.labels };
    const unlabelled = fields.filter((f) => !(f in labelled) || vocabulary.fieldLabel(f, "zh") === f);
    expect(unlabelled).toEqual([]);
  });
});
