import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caseFormatOf, loadCases } from "../../engine/case-loader.ts";
import { jsonSyntaxError } from "../../engine/json-syntax.ts";
import { lintLibrary } from "../../engine/lint.ts";
import { loadRuleSet } from "../../engine/rule-set-loader.ts";
import { formatProblem } from "../../engine/yaml-source.ts";

const dir = (name: string) => join(import.meta.dirname, "..", "fixtures", name);
const read = (folder: string, f: string) => readFileSync(join(dir(folder), f), "utf8");

function caseProblems(f: string): string[] {
  return loadCases(read("bad-cases", f), f, caseFormatOf(f)).flatMap((l) =>
    l.ok ? [] : l.problems.map(formatProblem),
  );
}

function ruleProblems(f: string): string[] {
  const text = read("bad-rules", f);
  const r = loadRuleSet(text, f);
  if (!r.ok) return r.problems.map(formatProblem);
  return lintLibrary([r.value], [{ file: f, text }]).map(formatProblem);
}

describe("bad cases are refused with the field, line, column and why — never decided", () => {
  it("has a fixture for each validation error", () => {
    expect(readdirSync(dir("bad-cases")).length).toBeGreaterThanOrEqual(22);
  });

  it.each([
    [
      "malformed-yaml.yaml",
      "malformed-yaml.yaml:4:1: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }",
    ],
    ["unknown-key.yaml", 'unknown-key.yaml:9:3: insured.favouriteColour: unknown key "favouriteColour"'],
    [
      "reserved-key.yaml",
      'reserved-key.yaml:10:3: expected.__proto__: "__proto__" is a reserved word and cannot be used as a key',
    ],
    ["unknown-material.yaml", 'unknown-material.yaml:11:24: filing.materials.1: unknown material "passport"'],
    ["unknown-category.yaml", 'unknown-category.yaml:10:13: filing.category: unknown category "tourist"'],
    ["unknown-scheme.yaml", 'unknown-scheme.yaml:7:11: insured.scheme: unknown scheme "commercial"'],
    [
      "unknown-indicator.yaml",
      'unknown-indicator.yaml:12:18: filing.emergency.indicators.0: unknown emergency indicator "sneezing"',
    ],
    ["impossible-date.yaml", "impossible-date.yaml:2:7: asOf: not a real calendar date"],
    [
      "bad-check-digit.yaml",
      "bad-check-digit.yaml:4:13: applicant.idNumber: the ID number's birth date or check digit (GB 11643) is wrong",
    ],
    [
      "sex-mismatch.yaml",
      "sex-mismatch.yaml:5:8: applicant.sex: sex female disagrees with the ID number, which encodes male",
    ],
    [
      "birth-mismatch.yaml",
      "birth-mismatch.yaml:5:14: applicant.birthDate: birth date 1950-01-02 disagrees with the ID number, which encodes 1950-01-01",
    ],
    [
      "unquoted-region.yaml",
      'unquoted-region.yaml:6:11: insured.region: a 6-digit region code in quotes, such as "510402"',
    ],
    [
      "bad-money.yaml",
      'bad-money.yaml:14:14: settlement.totalCost: money is a decimal string such as "1234.50"',
    ],
    [
      "discharge-before-admission.yaml",
      "discharge-before-admission.yaml:12:14: settlement.discharge: discharge 2025-03-01 is before admission 2025-03-10",
    ],
    [
      "self-pay-above-total.yaml",
      "self-pay-above-total.yaml:15:16: settlement.selfPayCost: self-pay (2000.00) and partial self-pay (1000.01) add up to more than the total cost (3000.00)",
    ],
    [
      "duplicate-id.yaml",
      'duplicate-id.yaml:6:7: 1.id: case id "same-person" is already used by case 1 of this file',
    ],
    [
      "malformed-json.json",
      "malformed-json.json:5:79: JSON syntax: unexpected `}`: expected a key in quotes",
    ],
    [
      "alias-bomb.yaml",
      "alias-bomb.yaml:9:10: the YAML aliases (*name) expand too far (more than 100 copies each): refused as a resource-exhaustion attack",
    ],
    ["deep-nesting.yaml", "deep-nesting.yaml:6:120: nested more than 100 levels deep: refused"],
    ["empty.yaml", "empty.yaml:1:1: the file holds no case"],
  ])("%s", (file, expected) => {
    const problems = caseProblems(file);
    expect(problems[0]).toContain(expected);
  });
});

describe("one round of validation: every problem of a case at once", () => {
  it("reports schema errors and the checks across fields together, in line order", () => {
    expect(caseProblems("several-problems.yaml")).toMatchInlineSnapshot(`
      [
        "several-problems.yaml:5:13: applicant.idNumber: the ID number's birth date or check digit (GB 11643) is wrong",
        "several-problems.yaml:9:11: insured.scheme: unknown scheme "employe" (one of: employee, urban_rural_resident, urban_resident, ncms)",
        "several-problems.yaml:11:3: insured.favouriteColour: unknown key "favouriteColour"",
        "several-problems.yaml:14:14: settlement.discharge: discharge 2025-03-01 is before admission 2025-03-10",
        "several-problems.yaml:17:16: settlement.selfPayCost: self-pay (3000.01) and partial self-pay (0.00) add up to more than the total cost (3000.00)",
      ]
    `);
  });

  it("checks sex and birth date against the ID number even when another field is malformed", () => {
    const text = [
      "id: x",
      "asOf: 2017-06-01",
      'applicant: { idNumber: "510402195001011236", sex: female, birthDate: 1950-01-02 }',
      "insured: { region: 510402, scheme: employee, status: retired }",
      "filing: { category: retired_resettled }",
    ].join("\n");
    const loaded = loadCases(text, "x.yaml");
    expect(loaded.flatMap((l) => (l.ok ? [] : l.problems))).toMatchInlineSnapshot(`
      [
        {
          "code": "custom",
          "column": 51,
          "file": "x.yaml",
          "line": 3,
          "message": "sex female disagrees with the ID number, which encodes male",
          "path": [
            "applicant",
            "sex",
          ],
        },
        {
          "code": "custom",
          "column": 70,
          "file": "x.yaml",
          "line": 3,
          "message": "birth date 1950-01-02 disagrees with the ID number, which encodes 1950-01-01",
          "path": [
            "applicant",
            "birthDate",
          ],
        },
        {
          "code": "invalid_type",
          "column": 20,
          "file": "x.yaml",
          "line": 4,
          "message": "a 6-digit region code in quotes, such as "510402"",
          "path": [
            "insured",
            "region",
          ],
        },
      ]
    `);
  });

  it("reports a duplicate id even when either case has other problems", () => {
    const text = read("bad-cases", "duplicate-id.yaml").replace("scheme: employee", "scheme: employe");
    expect(
      loadCases(text, "d.yaml").flatMap((l) => (l.ok ? [] : l.problems.map(formatProblem))),
    ).toMatchInlineSnapshot(`
        [
          "d.yaml:4:40: 0.insured.scheme: unknown scheme "employe" (one of: employee, urban_rural_resident, urban_resident, ncms)",
          "d.yaml:6:7: 1.id: case id "same-person" is already used by case 1 of this file",
        ]
      `);
  });
});

describe("case files in JSON and JSON Lines", () => {
  it("reads JSON as one case, a list, or {cases: [...]}, with line and column", () => {
    const one = read("bad-cases", "malformed-json.json").replace('"retired", }', '"retired" }');
    expect(loadCases(one, "c.json", "json").map((l) => l.ok)).toEqual([true]);
    expect(
      loadCases(`[${one}, ${one.replace('"malformed-json"', '"b"')}]`, "c.json", "json").map((l) => l.ok),
    ).toEqual([true, true]);
    const wrapped = `{"cases": [${one.replace('"scheme": "employee"', '"scheme": "employe"')}]}`;
    expect(
      loadCases(wrapped, "c.json", "json").flatMap((l) => (l.ok ? [] : l.problems.map(formatProblem))),
    ).toMatchInlineSnapshot(`
        [
          "c.json:5:46: cases.0.insured.scheme: unknown scheme "employe" (one of: employee, urban_rural_resident, urban_resident, ncms)",
        ]
      `);
  });

  it("reads JSON Lines one case per line: a bad line gives its line number and the others are still read", () => {
    const loaded = loadCases(read("bad-cases", "jsonl-bad-line.jsonl"), "c.jsonl", "jsonl");
    expect(
      loaded.map((l) => (l.ok ? `ok ${l.case.id}` : l.problems.map(formatProblem).join("; "))),
    ).toMatchInlineSnapshot(`
        [
          "ok line-1",
          "c.jsonl:2:142: JSON syntax: unexpected \`"\`: expected , or }",
          "c.jsonl:3:66: applicant.idNumber: the ID number's birth date or check digit (GB 11643) is wrong",
        ]
      `);
  });

  it("finds the first JSON syntax error wherever JSON.parse fails, and only there", () => {
    const broken = fc.oneof(
      fc.json(),
      fc.string(),
      fc.json().map((t) => t.slice(0, -1)),
      fc.json().map((t) => `${t},`),
    );
    fc.assert(
      fc.property(broken, (t) => {
        let valid = true;
        try {
          JSON.parse(t);
        } catch {
          valid = false;
        }
        expect(jsonSyntaxError(t) === undefined).toBe(valid);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("hostile YAML is refused with one problem, never a crash", () => {
  it("refuses a text over 10 MiB", () => {
    const big = `id: x\n# ${"x".repeat(10 * 1024 * 1024)}\n`;
    expect(loadCases(big, "big.yaml").flatMap((l) => (l.ok ? [] : l.problems.map(formatProblem)))).toEqual([
      "big.yaml: the text is longer than 10 MiB: refused",
    ]);
  });

  it.each([
    [
      "flow",
      `a: ${"[".repeat(20_000)}${"]".repeat(20_000)}`,
      "x.yaml:1:103: nested more than 100 levels deep: refused",
    ],
    [
      "block",
      Array.from({ length: 500 }, (_, i) => `${" ".repeat(i)}k:`).join("\n"),
      "x.yaml:101:101: nested more than 100 levels deep: refused",
    ],
    ["sequence", `${"- ".repeat(5000)}x`, "x.yaml:1:1: nested more than 100 levels deep: refused"],
  ])("refuses %s nesting deeper than 100 levels", (_, text, expected) => {
    expect(loadCases(text, "x.yaml").flatMap((l) => (l.ok ? [] : l.problems.map(formatProblem)))).toEqual([
      expected,
    ]);
  });
});

describe("broken rule-set files give file:line:column errors a policy officer understands", () => {
  it.each([
    ["malformed-yaml.yaml", "malformed-yaml.yaml:12:5: YAML syntax:"],
    ["unknown-fact.yaml", 'unknown-fact.yaml:11:25: rules.r1.conditions.fact: unknown fact "insured.schema"'],
    [
      "unknown-value.yaml",
      'unknown-value.yaml:11:65: rules.r1.conditions.value: "employe" is not a known value of insured.scheme',
    ],
    [
      "unknown-material.yaml",
      'unknown-material.yaml:11:14: materials.m1.require: unknown material "passport"',
    ],
    ["unknown-key.yaml", 'unknown-key.yaml:13:5: rules.r1.mesage: unknown key "mesage"'],
    [
      "reserved-key.yaml",
      'reserved-key.yaml:10:3: materials.constructor: "constructor" is a reserved word and cannot be used as a key',
    ],
    [
      "reserved-key.yaml",
      'reserved-key.yaml:14:3: rules.__proto__: "__proto__" is a reserved word and cannot be used as a key',
    ],
    [
      "bad-period.yaml",
      "bad-period.yaml:11:15: validity.referral.duration: a period such as P1M, P2Y or P6M (ISO 8601)",
    ],
    [
      "unknown-citation.yaml",
      'unknown-citation.yaml:13:27: validity.referral.citation.document: cites "别的文件", which is not among the sources',
    ],
    [
      "unknown-parent.yaml",
      'unknown-parent.yaml:6:10: extends: extends "atlantis", but no rule set has that id',
    ],
    ["missing-citation.yaml", "rules.r1.citation: required: this field is missing"],
  ])("%s", (file, expected) => {
    expect(ruleProblems(file).join("\n")).toContain(expected);
  });
});

describe("a rule-set file whose indentation was lost (pasted into a form that trims it)", () => {
  const text = readFileSync(join(import.meta.dirname, "../../rules/jiangxi/2017-11-23.yaml"), "utf8");
  const flattened = text.replace(/^ +/gm, " ");
  const problems = (() => {
    const r = loadRuleSet(flattened, "jiangxi.yaml");
    return r.ok ? [] : r.problems;
  })();

  it("points at the first broken line, not at hundreds of knock-on duplicate keys", () => {
    const firstIndented = text.split("\n").findIndex((l) => /^ {2,}/.test(l)) + 1;
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.length).toBeLessThanOrEqual(11);
    expect(problems[0]?.line).toBeLessThanOrEqual(firstIndented + 1);
    expect(
      problems.every((p) => p.message.startsWith("YAML syntax:") || p.message.includes("more YAML")),
    ).toBe(true);
  });

  it("says how many more problems it left out", () => {
    const r = loadRuleSet(`${flattened}\n`.repeat(3), "jiangxi.yaml");
    const last = r.ok ? undefined : r.problems.at(-1);
    expect(last?.message).toMatch(/^\d+ more YAML problems after these; fix these first/);
  });
});
