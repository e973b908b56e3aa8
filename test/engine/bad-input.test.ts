import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem, loadCases, loadRuleSet } from "../../engine/index.ts";
import { lintLibrary } from "../../engine/lint.ts";

const dir = (name: string) => join(import.meta.dirname, "..", "fixtures", name);
const read = (folder: string, f: string) => readFileSync(join(dir(folder), f), "utf8");

function caseProblems(f: string): string[] {
  return loadCases(read("bad-cases", f), f).flatMap((l) => (l.ok ? [] : l.problems.map(formatProblem)));
}

function ruleProblems(f: string): string[] {
  const text = read("bad-rules", f);
  const r = loadRuleSet(text, f);
  if (!r.ok) return r.problems.map(formatProblem);
  return lintLibrary([r.value], [{ file: f, text }]).map(formatProblem);
}

describe("bad cases are refused with the field, line, column and why — never decided", () => {
  it("has a fixture for each validation error", () => {
    expect(readdirSync(dir("bad-cases")).length).toBeGreaterThanOrEqual(13);
  });

  it.each([
    [
      "malformed-yaml.yaml",
      "malformed-yaml.yaml:4:1: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }",
    ],
    ["unknown-key.yaml", 'unknown-key.yaml:9:3: insured.favouriteColour: unknown key "favouriteColour"'],
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
  ])("%s", (file, expected) => {
    const problems = caseProblems(file);
    expect(problems[0]).toContain(expected);
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
