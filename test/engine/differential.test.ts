import fc from "fast-check";
import { Engine, type RuleProperties } from "json-rules-engine";
import { describe, expect, it } from "vitest";
import { SIGNATURES } from "../../engine/condition-shapes.ts";
import {
  type Condition,
  type ConditionTrace,
  compileCondition,
  conditionSchema,
  type TriState,
  unknownFacts,
} from "../../engine/conditions.ts";
import { FACT_NAMES, FACTS, type FactName, type Facts, NULLABLE_FACTS } from "../../engine/facts.ts";
import { BUILTIN_OPERATORS, CUSTOM_OPERATORS, OPERATORS, UNARY_OPERATORS } from "../../engine/operators.ts";
import { fromJre } from "../../engine/reference.ts";
import { HOSPITAL_LEVELS } from "../../engine/vocabulary.ts";

/**
 * The compiled path against json-rules-engine itself, condition by condition (ADR 0002).
 *
 * How the two are compared. json-rules-engine runs with `allowUndefinedFacts` and is given only
 * the facts a case has (as `decideWithReference` does), so a missing fact reads `undefined`
 * there. yidi is deliberately three-valued: a leaf with a missing side is `unknown`, and
 * all/any/not combine unknowns Kleene-style. So:
 *   - the traces must be equal once json-rules-engine's is read three-valued (`fromJre`): the same
 *     tree, the same fact and value on each leaf, the same result on every leaf whose sides are
 *     both known;
 *   - where yidi's result is definite (true/false), json-rules-engine's boolean must be the same;
 *   - where yidi's result is `unknown`, json-rules-engine answers true or false on `undefined`
 *     (`undefined === undefined` is true, `undefined < 60` false…): that is the one deliberate
 *     difference, and then some fact the tree reads must be missing.
 * Features json-rules-engine has and yidi refuses at lint (paths, params, condition references,
 * priorities, empty all/any, values of the wrong shape) are listed at the end: refused, never
 * evaluated differently.
 */

type Row = { name: string; condition: Condition; facts: Facts; expected: TriState };
type Outcome = { compiled: ConditionTrace; reference: ConditionTrace; jre: boolean };

const MISSING = Symbol("missing");
const json = (x: unknown) => JSON.parse(JSON.stringify(x));

/** Unary operators get `value: null`, as json-rules-engine requires a value on every leaf (policy.ts). */
function normalize(c: Condition): Condition {
  if ("all" in c) return { all: c.all.map(normalize) };
  if ("any" in c) return { any: c.any.map(normalize) };
  if ("not" in c) return { not: normalize(c.not) };
  return UNARY_OPERATORS.has(c.operator) ? { ...c, value: null } : c;
}

const isGroup = (c: object) => "all" in c || "any" in c;

/** Evaluates a condition both ways: yidi's compiled function and json-rules-engine's `run`. */
async function evaluate(condition: Condition, facts: Facts): Promise<Outcome> {
  const c = normalize(condition);
  const compiled = compileCondition(c)(facts);
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const [name, fn] of Object.entries(CUSTOM_OPERATORS)) engine.addOperator(name, fn);
  engine.addRule({
    name: "r",
    conditions: isGroup(c) ? c : { all: [c] },
    event: { type: "r" },
  } as RuleProperties);
  const given = Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined));
  const { results, failureResults } = await engine.run(given);
  const result = [...results, ...failureResults][0];
  if (!result) throw new Error("json-rules-engine did not evaluate the rule");
  const tree = fromJre(
    (result.toJSON(false) as unknown as { conditions: Parameters<typeof fromJre>[0] }).conditions,
  );
  const reference = isGroup(c) ? tree : ((tree as { all: ConditionTrace[] }).all[0] as ConditionTrace);
  return { compiled, reference, jre: result.result === true };
}

function expectAgreement({ compiled, reference, jre }: Outcome) {
  expect(json(reference), "the same trace, read three-valued").toEqual(json(compiled));
  if (compiled.result !== "unknown") expect(jre, "json-rules-engine's own boolean").toBe(compiled.result);
  else
    expect(unknownFacts(compiled).size, "unknown only when a fact the tree reads is missing").toBeGreaterThan(
      0,
    );
}

// ---------------------------------------------------------------------------------------------
// The corpus: each operator with matching, non-matching, null, missing and wrong-typed facts;
// fact references as values; nested all/any/not. Modelled on what json-rules-engine's own
// tests exercise (operator, condition, engine-all/any/not, fact-comparison), over yidi's facts.
// ---------------------------------------------------------------------------------------------

const rows: Row[] = [];
const show = (v: unknown) => (v === MISSING ? "missing" : JSON.stringify(v));

/** One leaf, several values of its fact. */
function leaf(fact: FactName, operator: string, value: unknown, cases: [unknown, TriState][]) {
  for (const [factValue, expected] of cases) {
    rows.push({
      name: `${fact} ${operator} ${JSON.stringify(value) ?? ""} | ${fact}=${show(factValue)}`,
      condition: { fact, operator, ...(value !== undefined && { value }) } as Condition,
      facts: factValue === MISSING ? {} : { [fact]: factValue },
      expected,
    });
  }
}

/** A tree, several sets of facts (facts left out are missing). */
function tree(name: string, condition: Condition, cases: [Facts, TriState][]) {
  for (const [facts, expected] of cases) {
    rows.push({ name: `${name} | ${JSON.stringify(facts)}`, condition, facts, expected });
  }
}

const T = true;
const F = false;
const U = "unknown" as const;
const M = MISSING;

// equal / notEqual, on every scalar fact type
leaf("insured.scheme", "equal", "employee", [
  ["employee", T],
  ["urban_resident", F],
  [null, F],
  [M, U],
  [1, F],
]);
leaf("insured.scheme", "notEqual", "employee", [
  ["employee", F],
  ["ncms", T],
  [null, T],
  [M, U],
]);
leaf("filing.agent", "equal", true, [
  [true, T],
  [false, F],
  ["true", F],
  [M, U],
]);
leaf("filing.agent", "notEqual", true, [
  [false, T],
  [true, F],
  [M, U],
]);
leaf("applicant.age", "equal", 60, [
  [60, T],
  [61, F],
  ["60", F],
  [M, U],
]);
leaf("applicant.age", "notEqual", 60, [
  [60, F],
  [59, T],
  [M, U],
]);
leaf("asOf", "equal", "2024-01-01", [
  ["2024-01-01", T],
  ["2024-01-02", F],
]);
leaf("insured.region", "equal", "510400", [
  ["510400", T],
  ["510411", F],
  [M, U],
]);
leaf("filing.channel", "equal", "online", [
  ["online", T],
  ["window", F],
  [M, U],
]);
leaf("previous.changeLockedUntil", "equal", null, [
  [null, T],
  ["2024-06-30", F],
  [M, U],
]);
leaf("previous.changeLockedUntil", "notEqual", null, [
  [null, F],
  ["2024-06-30", T],
  [M, U],
]);

// in / notIn: a list of the fact's type; identity, never substring or prefix
leaf(
  "insured.scheme",
  "in",
  ["employee", "ncms"],
  [
    ["employee", T],
    ["ncms", T],
    ["urban_resident", F],
    [null, F],
    [M, U],
  ],
);
leaf(
  "insured.scheme",
  "notIn",
  ["employee", "ncms"],
  [
    ["employee", F],
    ["urban_resident", T],
    [null, T],
    [M, U],
  ],
);
leaf(
  "applicant.age",
  "in",
  [60, 65],
  [
    [65, T],
    [61, F],
    ["60", F],
    [M, U],
  ],
);
leaf(
  "applicant.age",
  "notIn",
  [60, 65],
  [
    [60, F],
    [61, T],
    [M, U],
  ],
);
leaf(
  "filing.agent",
  "in",
  [true],
  [
    [true, T],
    [false, F],
    [M, U],
  ],
);
leaf(
  "insured.region",
  "in",
  ["110000", "310000"],
  [
    ["110000", T],
    ["110100", F],
    ["510400", F],
    [M, U],
  ],
);
leaf(
  "insured.region",
  "notIn",
  ["110000"],
  [
    ["110000", F],
    ["510400", T],
    ["11", T],
    [M, U],
  ],
);
leaf(
  "asOf",
  "in",
  ["2024-01-01", "2024-07-01"],
  [
    ["2024-07-01", T],
    ["2024-07-02", F],
  ],
);
leaf(
  "filing.category",
  "notIn",
  ["emergency", "referral"],
  [
    ["emergency", F],
    ["long_term_resident", T],
    [M, U],
  ],
);
leaf(
  "previous.changeLockedUntil",
  "in",
  [null, "2024-06-30"],
  [
    [null, T],
    ["2024-06-30", T],
    ["2025-01-01", F],
    [M, U],
  ],
);

// contains / doesNotContain: a list fact and one element
leaf("filing.materials", "contains", "ss_card", [
  [["ss_card", "id_card"], T],
  [["id_card"], F],
  [[], F],
  [null, F],
  ["ss_card", F],
  [M, U],
]);
leaf("filing.materials", "doesNotContain", "ss_card", [
  [["id_card"], T],
  [["ss_card"], F],
  [[], T],
  [null, F],
  [M, U],
]);
leaf("filing.emergency.diagnoses", "contains", "S72.001", [
  [["S72.001"], T],
  [["S72.0"], F],
  [M, U],
]);
leaf("filing.emergency.indicators", "contains", "acute_pain", [
  [["acute_trauma", "acute_pain"], T],
  [["poisoning_accident"], F],
]);

// containsAny: a list fact and a list of elements, or another list fact
leaf(
  "filing.materials",
  "containsAny",
  ["ss_card", "id_card"],
  [
    [["id_card"], T],
    [["filing_form"], F],
    [[], F],
    [null, F],
    [M, U],
  ],
);
tree(
  "indicators containsAny {fact: criteriaMet}",
  {
    fact: "filing.emergency.indicators",
    operator: "containsAny",
    value: { fact: "filing.emergency.criteriaMet" },
  },
  [
    [
      {
        "filing.emergency.indicators": ["acute_pain"],
        "filing.emergency.criteriaMet": ["acute_pain", "acute_trauma"],
      },
      T,
    ],
    [{ "filing.emergency.indicators": ["acute_pain"], "filing.emergency.criteriaMet": ["acute_trauma"] }, F],
    [{ "filing.emergency.indicators": [], "filing.emergency.criteriaMet": [] }, F],
    [{ "filing.emergency.indicators": ["acute_pain"] }, U],
    [{ "filing.emergency.criteriaMet": ["acute_pain"] }, U],
  ],
);

// notEmpty: a list fact, no value
leaf("filing.emergency.criteriaMet", "notEmpty", undefined, [
  [["acute_trauma"], T],
  [[], F],
  [null, F],
  [M, U],
]);
leaf("filing.materials", "notEmpty", undefined, [
  [["ss_card"], T],
  [[], F],
]);

// numbers: json-rules-engine's parseFloat check on the fact, then JS comparison
leaf("applicant.age", "lessThan", 60, [
  [59, T],
  [60, F],
  [61, F],
  [null, F],
  ["59", T],
  ["abc", F],
  [[], F],
  [M, U],
]);
leaf("applicant.age", "lessThanInclusive", 60, [
  [60, T],
  [61, F],
  [59.5, T],
  [M, U],
]);
leaf("applicant.age", "greaterThan", 60, [
  [61, T],
  [60, F],
  [null, F],
  [M, U],
]);
leaf("applicant.age", "greaterThanInclusive", 60, [
  [60, T],
  [59, F],
  [60.5, T],
  ["60", T],
  [M, U],
]);
leaf("filing.residenceYears", "greaterThanInclusive", 2, [
  [2, T],
  [1.5, F],
  [0, F],
  [M, U],
]);
leaf("filing.dispatchYears", "greaterThan", 0, [
  [0, F],
  [0.5, T],
  [M, U],
]);
leaf("previous.extensions", "lessThan", 1, [
  [0, T],
  [1, F],
  [M, U],
]);
tree(
  "residenceYears >= {fact: dispatchYears}",
  {
    fact: "filing.residenceYears",
    operator: "greaterThanInclusive",
    value: { fact: "filing.dispatchYears" },
  },
  [
    [{ "filing.residenceYears": 3, "filing.dispatchYears": 2 }, T],
    [{ "filing.residenceYears": 2, "filing.dispatchYears": 2 }, T],
    [{ "filing.residenceYears": 1, "filing.dispatchYears": 2 }, F],
    [{ "filing.residenceYears": 3 }, U],
    [{ "filing.dispatchYears": 2 }, U],
    [{}, U],
  ],
);

// exact decimals
leaf("applicant.age", "decimalAtLeast", "60.5", [
  [61, T],
  [60, F],
  [null, F],
  [M, U],
]);
leaf("applicant.age", "decimalLessThan", "60", [
  [59, T],
  [60, F],
]);
leaf("applicant.age", "decimalAtMost", 60, [
  [60, T],
  [60.01, F],
]);
leaf("applicant.age", "decimalGreaterThan", "0.1", [
  [1, T],
  [0, F],
]);
leaf("previous.extensions", "decimalEqual", "2.0", [
  [2, T],
  [3, F],
  [M, U],
]);

// dates
leaf("asOf", "dateBefore", "2024-01-01", [
  ["2023-12-31", T],
  ["2024-01-01", F],
  [M, U],
]);
leaf("asOf", "dateOnOrBefore", "2024-01-01", [
  ["2024-01-01", T],
  ["2024-01-02", F],
]);
leaf("asOf", "dateAfter", "2024-01-01", [
  ["2024-01-02", T],
  ["2024-01-01", F],
  [null, F],
]);
leaf("asOf", "dateOnOrAfter", "2024-01-01", [
  ["2024-01-01", T],
  ["2023-12-31", F],
]);
leaf("applicant.birthDate", "dateBefore", "1965-01-01", [
  ["1964-12-31", T],
  ["1965-01-01", F],
  [M, U],
]);
tree(
  "asOf dateAfter {fact: previous.changeLockedUntil}",
  { fact: "asOf", operator: "dateAfter", value: { fact: "previous.changeLockedUntil" } },
  [
    [{ asOf: "2024-07-01", "previous.changeLockedUntil": "2024-06-30" }, T],
    [{ asOf: "2024-06-30", "previous.changeLockedUntil": "2024-06-30" }, F],
    [{ asOf: "2024-07-01", "previous.changeLockedUntil": null }, F],
    [{ asOf: "2024-07-01" }, U],
  ],
);
tree(
  "asOf dateOnOrBefore {fact: previous.validUntil}",
  { fact: "asOf", operator: "dateOnOrBefore", value: { fact: "previous.validUntil" } },
  [
    [{ asOf: "2024-06-30", "previous.validUntil": "2024-06-30" }, T],
    [{ asOf: "2024-07-01", "previous.validUntil": "2024-06-30" }, F],
    [{ asOf: "2024-07-01" }, U],
  ],
);

// regions: by administrative level
leaf("filing.referral.issuerRegion", "inRegion", "510400", [
  ["510411", T],
  ["510400", T],
  ["510104", F],
  ["510000", F],
  [M, U],
]);
leaf("filing.referral.issuerRegion", "notInRegion", "510400", [
  ["510104", T],
  ["510411", F],
  [M, U],
]);
leaf("filing.destination.region", "inRegion", "510000", [
  ["510411", T],
  ["520100", F],
]);
leaf("filing.destination.region", "inRegion", "000000", [["110000", T]]);
tree(
  "destination inRegion {fact: insured.region}",
  { fact: "filing.destination.region", operator: "inRegion", value: { fact: "insured.region" } },
  [
    [{ "filing.destination.region": "510411", "insured.region": "510400" }, T],
    [{ "filing.destination.region": "510104", "insured.region": "510400" }, F],
    [{ "filing.destination.region": "510411" }, U],
  ],
);
tree(
  "destination notEqual {fact: insured.region}",
  { fact: "filing.destination.region", operator: "notEqual", value: { fact: "insured.region" } },
  [
    [{ "filing.destination.region": "510411", "insured.region": "510400" }, T],
    [{ "filing.destination.region": "510400", "insured.region": "510400" }, F],
    [{}, U],
  ],
);

// hospital levels
leaf("filing.destination.hospital.level", "levelAtLeast", "3", [
  ["3A", T],
  ["3", T],
  ["2", F],
  ["unrated", F],
  [M, U],
]);
tree(
  "destination level levelAtLeast {fact: issuerLevel}",
  {
    fact: "filing.destination.hospital.level",
    operator: "levelAtLeast",
    value: { fact: "filing.referral.issuerLevel" },
  },
  [
    [{ "filing.destination.hospital.level": "3A", "filing.referral.issuerLevel": "3A" }, T],
    [{ "filing.destination.hospital.level": "3", "filing.referral.issuerLevel": "3A" }, F],
    [{ "filing.destination.hospital.level": "3A", "filing.referral.issuerLevel": "2" }, T],
    [{ "filing.destination.hospital.level": "3" }, U],
  ],
);
tree(
  "destination level levelAbove {fact: issuerLevel} (a referral to a higher level)",
  {
    fact: "filing.destination.hospital.level",
    operator: "levelAbove",
    value: { fact: "filing.referral.issuerLevel" },
  },
  [
    [{ "filing.destination.hospital.level": "3A", "filing.referral.issuerLevel": "3" }, T],
    [{ "filing.destination.hospital.level": "3A", "filing.referral.issuerLevel": "3A" }, F],
    [{ "filing.destination.hospital.level": "2", "filing.referral.issuerLevel": "3" }, F],
    [{ "filing.referral.issuerLevel": "2" }, U],
  ],
);
leaf("filing.sameCity", "equal", false, [
  [false, T],
  [true, F],
  [M, U],
]);
tree(
  "category equal {fact: previous.category}",
  { fact: "filing.category", operator: "equal", value: { fact: "previous.category" } },
  [
    [{ "filing.category": "referral", "previous.category": "referral" }, T],
    [{ "filing.category": "referral", "previous.category": "emergency" }, F],
    [{ "previous.category": "referral" }, U],
    [{}, U],
  ],
);

// ICD-10 ranges
leaf(
  "filing.emergency.diagnoses",
  "icd10In",
  ["S00-T14", "R57"],
  [
    [["S72.001"], T],
    [["R57.1"], T],
    [["J45.9"], F],
    [["J45.9", "T14.9"], T],
    [[], F],
    [M, U],
  ],
);

// all / any / not, nested, with missing facts
const A: Condition = { fact: "applicant.age", operator: "greaterThanInclusive", value: 60 };
const B: Condition = { fact: "insured.scheme", operator: "equal", value: "employee" };
const C: Condition = { fact: "filing.agent", operator: "equal", value: true };
const f = (age?: number, scheme?: string, agent?: boolean): Facts => ({
  ...(age !== undefined && { "applicant.age": age }),
  ...(scheme !== undefined && { "insured.scheme": scheme }),
  ...(agent !== undefined && { "filing.agent": agent }),
});
tree("all[A, B]", { all: [A, B] }, [
  [f(65, "employee"), T],
  [f(65, "ncms"), F],
  [f(55, "employee"), F],
  [f(65), U],
  [f(55), F],
  [f(), U],
]);
tree("any[A, B]", { any: [A, B] }, [
  [f(65, "ncms"), T],
  [f(55, "ncms"), F],
  [f(undefined, "employee"), T],
  [f(undefined, "ncms"), U],
  [f(), U],
]);
tree("not A", { not: A }, [
  [f(65), F],
  [f(55), T],
  [f(), U],
]);
tree("not all[A, B]", { not: { all: [A, B] } }, [
  [f(65, "employee"), F],
  [f(55), T],
  [f(65), U],
]);
tree("not any[A, B]", { not: { any: [A, B] } }, [
  [f(55, "ncms"), T],
  [f(undefined, "employee"), F],
  [f(55), U],
]);
tree("all[A, any[B, not C]]", { all: [A, { any: [B, { not: C }] }] }, [
  [f(65, "ncms", false), T],
  [f(65, "ncms", true), F],
  [f(65, undefined, false), T],
  [f(65, undefined, true), U],
  [f(55, "employee", false), F],
]);
tree("any[all[A, B], all[not B, C]]", { any: [{ all: [A, B] }, { all: [{ not: B }, C] }] }, [
  [f(65, "employee"), T],
  [f(55, "ncms", true), T],
  [f(55, "ncms", false), F],
  [f(55, undefined, true), U],
  [f(undefined, "employee", false), U],
]);
tree("not not A", { not: { not: A } }, [
  [f(65), T],
  [f(), U],
]);
tree("all[A] (one child)", { all: [A] }, [[f(65), T]]);
tree("any[A] (one child)", { any: [A] }, [[f(55), F]]);
tree("all[A, A] (the same leaf twice)", { all: [A, A] }, [
  [f(60), T],
  [f(), U],
]);
tree("four levels deep", { all: [{ any: [{ not: { all: [A, B] } }, C] }, { not: { not: { any: [B] } } }] }, [
  [f(55, "employee", false), T],
  [f(65, "employee", false), F],
  [f(65, "employee", true), T],
  [f(65, "ncms", true), F],
  [f(undefined, "employee", true), T],
  [f(undefined, "employee", false), U],
]);
tree(
  "the change lock: no lock, or after it",
  {
    any: [
      { fact: "previous.changeLockedUntil", operator: "equal", value: null },
      { fact: "asOf", operator: "dateAfter", value: { fact: "previous.changeLockedUntil" } },
    ],
  },
  [
    [{ asOf: "2024-03-01", "previous.changeLockedUntil": null }, T],
    [{ asOf: "2024-07-01", "previous.changeLockedUntil": "2024-06-30" }, T],
    [{ asOf: "2024-06-01", "previous.changeLockedUntil": "2024-06-30" }, F],
    [{ asOf: "2024-06-01" }, U],
  ],
);
tree(
  "retirement age by sex",
  {
    any: [
      {
        all: [
          { fact: "applicant.sex", operator: "equal", value: "male" },
          { fact: "applicant.age", operator: "greaterThanInclusive", value: 60 },
        ],
      },
      {
        all: [
          { fact: "applicant.sex", operator: "equal", value: "female" },
          { fact: "applicant.age", operator: "greaterThanInclusive", value: 50 },
        ],
      },
    ],
  },
  [
    [{ "applicant.sex": "male", "applicant.age": 60 }, T],
    [{ "applicant.sex": "female", "applicant.age": 55 }, T],
    [{ "applicant.sex": "male", "applicant.age": 55 }, F],
    [{ "applicant.sex": "female" }, U],
  ],
);

describe(`a corpus of ${rows.length} condition cases: the compiled path and json-rules-engine agree`, () => {
  it("has at least 150 cases, every one lint-clean", () => {
    expect(rows.length).toBeGreaterThanOrEqual(150);
    for (const r of rows) expect(conditionSchema.safeParse(r.condition).error, r.name).toBeUndefined();
  });

  it.each(rows.map((r) => [r.name, r] as const))("%s", async (_name, r) => {
    const outcome = await evaluate(r.condition, r.facts);
    expect(outcome.compiled.result, "the result the corpus expects").toBe(r.expected);
    expectAgreement(outcome);
  });
});

// ---------------------------------------------------------------------------------------------
// Random condition trees over yidi's facts (only what lint accepts) and random facts, some
// missing: the compiled path equals json-rules-engine, modulo the three-valued difference.
// ---------------------------------------------------------------------------------------------

type Spec = { type: string; ids?: readonly string[] };
const specOf = (name: string) => (FACTS as Record<string, Spec>)[name] as Spec;

const NUMBERS = [0, 1, 2, 1.5, 49, 50, 59, 60, 61];
const DATES = ["1964-12-31", "2023-12-31", "2024-01-01", "2024-06-30", "2024-07-01"];
const REGIONS = ["000000", "110000", "110100", "510000", "510400", "510411", "510104", "520100"];
const DIAGNOSES = ["S72.001", "T14.9", "R57.1", "J45.9", "A09.9", "K92.1"];
const ICD10_RANGES = ["S00-T14", "R57", "A00-B99", "K92.0-K92.2", "J45"];
const DECIMALS = ["60.5", "0.30", "2.0", "59"];

/** A value of the fact's own type (a list fact: a list of its elements). */
function ownValue(s: Spec): fc.Arbitrary<unknown> {
  switch (s.type) {
    case "enum":
      return fc.constantFrom(...(s.ids ?? []));
    case "enum-list":
      return fc.subarray([...(s.ids ?? [])], { maxLength: 3 });
    case "string-list":
      return fc.subarray(DIAGNOSES, { maxLength: 3 });
    case "boolean":
      return fc.boolean();
    case "number":
      return fc.constantFrom(...NUMBERS);
    case "date":
      return fc.constantFrom(...DATES);
    case "region":
      return fc.constantFrom(...REGIONS);
    default:
      return fc.string();
  }
}

/** One element of a list fact, or a value of a scalar fact (null too where the fact may be null). */
function scalarValue(name: string): fc.Arbitrary<unknown> {
  const s = specOf(name);
  const element =
    s.type === "enum-list"
      ? fc.constantFrom(...(s.ids ?? []))
      : s.type === "string-list"
        ? fc.constantFrom(...DIAGNOSES)
        : ownValue(s);
  return NULLABLE_FACTS.has(name) ? fc.oneof(element, fc.constant(null)) : element;
}

/** A value for a leaf `fact operator ?`: what SIGNATURES says the operator needs. */
function valueFor(fact: string, operator: string): fc.Arbitrary<unknown> {
  const sig = SIGNATURES[operator];
  if (!sig) throw new Error(`no signature for ${operator}`);
  const spec = specOf(fact);
  const refs = sig.ref ? FACT_NAMES.filter((n) => sig.ref?.(spec, specOf(n))) : [];
  const ref = refs.length ? [fc.constantFrom(...refs).map((n) => ({ fact: n }))] : [];
  const v = sig.value;
  if (v === "none") return fc.constant(undefined);
  if (v === "list") {
    const item = sig.listOf ? fc.constantFrom(...ICD10_RANGES) : scalarValue(fact);
    return fc.array(item, { minLength: 1, maxLength: 3 });
  }
  if (v === "scalar" || v === "element") return fc.oneof(scalarValue(fact), ...ref);
  if (v === "elements") return fc.oneof(fc.array(scalarValue(fact), { minLength: 1, maxLength: 3 }), ...ref);
  const literal =
    v.key === "number"
      ? fc.constantFrom(...NUMBERS)
      : v.key === "decimal"
        ? fc.constantFrom<unknown>(...NUMBERS, ...DECIMALS)
        : v.key === "date"
          ? fc.constantFrom(...DATES)
          : v.key === "region"
            ? fc.constantFrom(...REGIONS)
            : fc.constantFrom(...HOSPITAL_LEVELS.ids);
  return fc.oneof(literal, ...ref);
}

const operatorsOf = (fact: string) =>
  Object.keys(SIGNATURES).filter((op) => op in OPERATORS && SIGNATURES[op]?.facts(specOf(fact)));

const leafArb: fc.Arbitrary<Condition> = fc
  .constantFrom(...FACT_NAMES)
  .chain((fact) => fc.constantFrom(...operatorsOf(fact)).map((operator) => ({ fact, operator })))
  .chain(({ fact, operator }) =>
    valueFor(fact, operator).map(
      (value) => ({ fact, operator, ...(value !== undefined && { value }) }) as Condition,
    ),
  );

const { condition: treeArb } = fc.letrec<{ condition: Condition }>((tie) => ({
  condition: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    leafArb,
    fc.array(tie("condition"), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
    fc.array(tie("condition"), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
    tie("condition").map((not) => ({ not })),
  ),
}));

/** Every fact of the vocabulary, each missing a quarter of the time (null sometimes where it may be). */
const factsArb: fc.Arbitrary<Facts> = fc.record(
  Object.fromEntries(
    FACT_NAMES.map((name) => {
      const own = ownValue(specOf(name));
      const value = NULLABLE_FACTS.has(name) ? fc.oneof(own, fc.constant(null)) : own;
      return [
        name,
        fc.oneof({ weight: 3, arbitrary: value }, { weight: 1, arbitrary: fc.constant(undefined) }),
      ];
    }),
  ) as Record<FactName, fc.Arbitrary<unknown>>,
) as fc.Arbitrary<Facts>;

describe("random condition trees and random facts (fast-check)", () => {
  it("generates only trees lint accepts", () => {
    fc.assert(
      fc.property(treeArb, (t) => {
        expect(conditionSchema.safeParse(t).error).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("compiled == json-rules-engine, modulo yidi's unknown for missing facts", async () => {
    const seen = { definite: 0, unknown: 0 };
    await fc.assert(
      fc.asyncProperty(treeArb, factsArb, async (t, facts) => {
        const outcome = await evaluate(t, facts);
        expectAgreement(outcome);
        seen[outcome.compiled.result === "unknown" ? "unknown" : "definite"]++;
      }),
      { numRuns: 400 },
    );
    // Both kinds of result were exercised, not only unknowns.
    expect(seen.definite).toBeGreaterThan(100);
    expect(seen.unknown).toBeGreaterThan(20);
  });
});

// ---------------------------------------------------------------------------------------------
// What json-rules-engine accepts and yidi refuses at lint, so the two never disagree on it.
// ---------------------------------------------------------------------------------------------

describe("json-rules-engine features yidi refuses at lint", () => {
  const refused: [string, unknown][] = [
    ["a path into a fact", { fact: "insured.region", operator: "equal", value: "510400", path: "$.code" }],
    ["fact params", { fact: "applicant.age", operator: "equal", value: 60, params: { unit: "years" } }],
    ["a condition reference", { condition: "retired" }],
    ["an empty all (json-rules-engine: true)", { all: [] }],
    ["an empty any (json-rules-engine: false)", { any: [] }],
    ["a priority", { all: [A], priority: 2 }],
    ["a named condition", { fact: "applicant.age", operator: "equal", value: 60, name: "sixty" }],
    [
      "a fact reference with a path",
      { fact: "filing.category", operator: "equal", value: { fact: "previous.category", path: "$.id" } },
    ],
    ["an operator yidi does not have", { fact: "insured.region", operator: "startsWith", value: "51" }],
    ["a binary operator without a value", { fact: "applicant.age", operator: "equal" }],
    [
      "in with a string (a substring test there)",
      { fact: "insured.region", operator: "notIn", value: "110000" },
    ],
    [
      "contains with a list (an identity test there)",
      { fact: "filing.materials", operator: "contains", value: ["ss_card"] },
    ],
    [
      "lessThan with a string (JS coercion there)",
      { fact: "applicant.age", operator: "lessThan", value: "60" },
    ],
    [
      "equal on a list fact (an identity test there)",
      { fact: "filing.materials", operator: "equal", value: "ss_card" },
    ],
    [
      "in with a fact reference (throws there when the fact is missing)",
      { fact: "filing.category", operator: "in", value: { fact: "previous.category" } },
    ],
  ];
  it.each(refused)("%s", (_name, condition) => {
    expect(conditionSchema.safeParse(condition).success).toBe(false);
  });

  it("shows why: notIn with a string disagreed on most regions before lint refused it (issue #7)", async () => {
    const c = { fact: "insured.region", operator: "notIn", value: "110000" } as Condition;
    const disagreements = [];
    for (const region of REGIONS) {
      const { compiled, jre } = await evaluate(c, { "insured.region": region });
      expect(compiled.result).toBe(BUILTIN_OPERATORS.notIn(region, "110000"));
      if (jre !== compiled.result) disagreements.push(region);
    }
    // json-rules-engine: "110000".indexOf(region) === -1; yidi: never (the value is not a list).
    expect(disagreements).toEqual(["000000", "110100", "510000", "510400", "510411", "510104", "520100"]);
  });
});
