import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SIGNATURES } from "../../engine/condition-shapes.ts";
import { formatProblem, lintLibrary, loadRuleSet } from "../../engine/index.ts";
import { OPERATOR_NAMES } from "../../engine/operators.ts";

const dir = join(import.meta.dirname, "..", "fixtures", "bad-rules");

function problems(f: string): string[] {
  const text = readFileSync(join(dir, f), "utf8");
  const r = loadRuleSet(text, f);
  if (!r.ok) return r.problems.map(formatProblem);
  return lintLibrary([r.value], [{ file: f, text }]).map(formatProblem);
}

describe("lint refuses a condition whose value json-rules-engine and yidi would read differently", () => {
  it.each([
    [
      "in-not-a-list.yaml",
      'in-not-a-list.yaml:11:65: rules.r1.conditions.value: operator notIn on insured.region needs a non-empty list, each item a 6-digit region code in quotes, such as "510400"; found the string "110000" (json-rules-engine would read a string as a substring test; for a region and the places within it use inRegion / notInRegion)',
    ],
    [
      "in-wrong-element.yaml",
      'in-wrong-element.yaml:11:66: rules.r1.conditions.value.1: each item of in\'s list must be a number; found the string "65"',
    ],
    [
      "operator-wrong-fact.yaml",
      'operator-wrong-fact.yaml:11:51: rules.r1.conditions.operator: operator lessThan applies to a number fact; insured.region is a 6-digit region code in quotes, such as "510400". For insured.region use one of: equal, notEqual, in, notIn, inRegion, notInRegion',
    ],
    [
      "numeric-string.yaml",
      'numeric-string.yaml:11:79: rules.r1.conditions.value: operator greaterThanInclusive on applicant.age needs a number, or a { fact } reference; found the string "60"',
    ],
    [
      "date-not-a-date.yaml",
      'date-not-a-date.yaml:11:59: rules.r1.conditions.value: operator dateAfter on asOf needs a date written YYYY-MM-DD, or a { fact } reference; found the string "2020-02-30"',
    ],
    [
      "contains-a-list.yaml",
      "contains-a-list.yaml:11:70: rules.r1.conditions.value: operator contains on filing.materials needs one of filing_form, ",
    ],
    ["contains-a-list.yaml", "found a list (to match any of several, use containsAny)"],
    [
      "equal-wrong-type.yaml",
      'equal-wrong-type.yaml:11:63: rules.r1.conditions.value: operator equal on filing.agent needs true or false, or a { fact } reference; found the string "true"',
    ],
    [
      "region-not-6-digits.yaml",
      'region-not-6-digits.yaml:11:82: rules.r1.conditions.value: operator inRegion on filing.referral.issuerRegion needs a 6-digit region code in quotes, such as "510400", or a { fact } reference; found the string "5104"',
    ],
    [
      "unknown-ref-fact.yaml",
      'unknown-ref-fact.yaml:11:67: rules.r1.conditions.value.fact: unknown fact "previous.lockedUntil"',
    ],
    [
      "ref-wrong-type.yaml",
      'ref-wrong-type.yaml:11:79: rules.r1.conditions.value: operator notEqual on filing.destination.region (a 6-digit region code in quotes, such as "510400") cannot compare it with insured.scheme (one of employee, ',
    ],
    [
      "ref-not-allowed.yaml",
      "ref-not-allowed.yaml:11:63: rules.r1.conditions.value: operator in needs a literal list, not a fact reference (json-rules-engine fails when the referenced fact is missing)",
    ],
    [
      "ref-with-path.yaml",
      'ref-with-path.yaml:11:99: rules.r1.conditions.value.path: unknown key "path": a fact reference is { fact: NAME } only (no path or params)',
    ],
    [
      "null-not-meaningful.yaml",
      "null-not-meaningful.yaml:11:65: rules.r1.conditions.value: operator equal on insured.scheme needs one of employee, ",
    ],
    [
      "null-not-meaningful.yaml",
      "found null (null is a value only for facts that may be null: previous.changeLockedUntil)",
    ],
    [
      "unary-with-value.yaml",
      "unary-with-value.yaml:11:82: rules.r1.conditions.value: operator notEmpty takes no value; found a list",
    ],
    [
      "bad-icd10-range.yaml",
      'bad-icd10-range.yaml:11:91: rules.r1.conditions.value.1: each item of icd10In\'s list must be an ICD-10 code or range in quotes, such as "S00-T14" or "R57"; found the string "fracture"',
    ],
    [
      "unknown-operator.yaml",
      'unknown-operator.yaml:11:51: rules.r1.conditions.operator: unknown operator "regex"',
    ],
  ])("%s", (file, expected) => {
    const found = problems(file);
    expect(found.join("\n")).toContain(expected);
    expect(found, "one problem, where the officer wrote it").toHaveLength(1);
  });

  it("knows the value shape of every operator the engine has", () => {
    for (const op of OPERATOR_NAMES) expect(SIGNATURES, op).toHaveProperty(op);
  });
});
