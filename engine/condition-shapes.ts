import { FACTS, NULLABLE_FACTS } from "./facts.ts";
import { isRealDate } from "./schema/common.ts";
import { HOSPITAL_LEVELS } from "./vocabulary.ts";

/**
 * What each operator needs on each side, so a condition lint accepts means the same thing in
 * json-rules-engine and in the compiled path (ADR 0002). json-rules-engine is untyped: `notIn`
 * with a string value is a substring test there, `contains` with a list value is an identity
 * test, `lessThan` with a string compares as JS does. Lint refuses every such shape, for every
 * fact, instead of letting the two engines quietly disagree.
 */

type Spec = { type: string; ids?: readonly string[] };
type Shape = { key: string; what: string; ok: (v: unknown) => boolean };
export type LeafProblem = { path: (string | number)[]; message: string };

const specOf = (fact: string): Spec | undefined => (FACTS as Record<string, Spec>)[fact];
const LIST_TYPES = new Set(["enum-list", "string-list"]);
const isList = (s: Spec) => LIST_TYPES.has(s.type);
const levelIds = HOSPITAL_LEVELS.ids as readonly string[];
const isLevelFact = (s: Spec) =>
  s.type === "enum" && s.ids?.length === levelIds.length && levelIds.every((id) => s.ids?.includes(id));

const REGION: Shape = {
  key: "region",
  what: 'a 6-digit region code in quotes, such as "510400"',
  ok: (v) => typeof v === "string" && /^\d{6}$/.test(v),
};
const DATE: Shape = {
  key: "date",
  what: "a date written YYYY-MM-DD",
  ok: (v) => typeof v === "string" && isRealDate(v),
};
const NUMBER: Shape = {
  key: "number",
  what: "a number",
  ok: (v) => typeof v === "number" && Number.isFinite(v),
};
const BOOLEAN: Shape = { key: "boolean", what: "true or false", ok: (v) => typeof v === "boolean" };
const STRING: Shape = { key: "string", what: "a string in quotes", ok: (v) => typeof v === "string" };
const DECIMAL: Shape = {
  key: "decimal",
  what: 'a number or a decimal string such as "1234.50"',
  ok: (v) => NUMBER.ok(v) || (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v)),
};
const ICD10_RANGE: Shape = {
  key: "icd10",
  what: 'an ICD-10 code or range in quotes, such as "S00-T14" or "R57"',
  ok: (v) =>
    typeof v === "string" && /^[A-Z]\d{2}(\.\d{1,4})?([-–][A-Z]\d{2}(\.\d{1,4})?)?$/.test(v.toUpperCase()),
};
const enumShape = (ids: readonly string[]): Shape => ({
  key: `enum:${[...ids].sort().join(",")}`,
  what: `one of ${ids.join(", ")}`,
  ok: (v) => typeof v === "string" && ids.includes(v),
});

/** The type of a scalar fact's value, or of a list fact's elements. */
function valueShape(s: Spec): Shape {
  switch (s.type) {
    case "enum":
    case "enum-list":
      return enumShape(s.ids ?? []);
    case "boolean":
      return BOOLEAN;
    case "number":
      return NUMBER;
    case "date":
      return DATE;
    case "region":
      return REGION;
    default:
      return STRING;
  }
}

/** The fact's own type, for comparing a fact with a `{ fact }` reference. */
const typeKey = (s: Spec) => (isList(s) ? `list of ${valueShape(s).key}` : valueShape(s).key);
const describeType = (s: Spec) => (isList(s) ? `a list of ${valueShape(s).what}` : valueShape(s).what);

/**
 * What an operator needs. `facts`: the fact types it applies to (and the words for them).
 * `value`: `scalar` a value of the fact's type; `list` a non-empty literal list of them;
 * `element` one element of a list fact; `elements` a list of elements; a Shape a fixed kind.
 * `ref`: the fact types a `{ fact }` value may name (undefined: no reference allowed).
 */
type Signature = {
  facts: (s: Spec) => boolean;
  factWords: string;
  value: "scalar" | "list" | "element" | "elements" | "none" | Shape;
  listOf?: Shape;
  ref?: (fact: Spec, ref: Spec) => boolean;
};

const scalarFact = (s: Spec) => !isList(s);
const sameType = (a: Spec, b: Spec) => typeKey(a) === typeKey(b);
const ofType = (t: string) => (s: Spec) => s.type === t;
const scalar: Signature = {
  facts: scalarFact,
  factWords: "a fact that is not a list",
  value: "scalar",
  ref: sameType,
};
const scalarList: Signature = { facts: scalarFact, factWords: "a fact that is not a list", value: "list" };
const numeric: Signature = {
  facts: ofType("number"),
  factWords: "a number fact",
  value: NUMBER,
  ref: sameType,
};
const decimal: Signature = {
  facts: ofType("number"),
  factWords: "a number fact",
  value: DECIMAL,
  ref: sameType,
};
const dated: Signature = { facts: ofType("date"), factWords: "a date fact", value: DATE, ref: sameType };
const regional: Signature = {
  facts: ofType("region"),
  factWords: "a region fact",
  value: REGION,
  ref: sameType,
};

const level: Signature = {
  facts: isLevelFact,
  factWords: "a hospital-level fact",
  value: enumShape(levelIds),
  ref: (_f, r) => isLevelFact(r),
};

/** Every operator of engine/operators.ts; an operator without a signature is refused by lint. */
export const SIGNATURES: Readonly<Record<string, Signature>> = {
  equal: scalar,
  notEqual: scalar,
  in: scalarList,
  notIn: scalarList,
  contains: {
    facts: isList,
    factWords: "a list fact",
    value: "element",
    ref: (f, r) => !isList(r) && valueShape(f).key === valueShape(r).key,
  },
  doesNotContain: {
    facts: isList,
    factWords: "a list fact",
    value: "element",
    ref: (f, r) => !isList(r) && valueShape(f).key === valueShape(r).key,
  },
  containsAny: { facts: isList, factWords: "a list fact", value: "elements", ref: sameType },
  notEmpty: { facts: isList, factWords: "a list fact", value: "none" },
  lessThan: numeric,
  lessThanInclusive: numeric,
  greaterThan: numeric,
  greaterThanInclusive: numeric,
  decimalLessThan: decimal,
  decimalAtMost: decimal,
  decimalGreaterThan: decimal,
  decimalAtLeast: decimal,
  decimalEqual: decimal,
  dateBefore: dated,
  dateOnOrBefore: dated,
  dateAfter: dated,
  dateOnOrAfter: dated,
  inRegion: regional,
  notInRegion: regional,
  levelAtLeast: level,
  levelAbove: level,
  icd10In: {
    facts: (s) => s.type === "string-list",
    factWords: "a list of ICD-10 codes",
    value: "list",
    listOf: ICD10_RANGE,
  },
};

/** How a value reads in a message: `the string "110000"`, `the number 3`, `a list`. */
export function found(v: unknown): string {
  if (v === undefined) return "no value";
  if (v === null) return "null";
  if (Array.isArray(v)) return v.length ? "a list" : "an empty list";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  if (typeof v === "number" || typeof v === "boolean") return `the ${typeof v} ${v}`;
  if (isRef(v)) return `a reference to fact ${JSON.stringify(v.fact)}`;
  return "a map";
}

const isRef = (v: unknown): v is { fact: unknown } =>
  typeof v === "object" && v !== null && !Array.isArray(v) && "fact" in v;

/** Operators that apply to a fact, for the hint in a message. */
const operatorsFor = (s: Spec) =>
  Object.entries(SIGNATURES)
    .filter(([, sig]) => sig.facts(s))
    .map(([op]) => op)
    .join(", ");

/**
 * Problems of one leaf `{ fact, operator, value }`: the operator applies to the fact's type,
 * and the value has the shape the operator needs for that fact. Paths are relative to the leaf.
 */
export function leafProblems(leaf: { fact: string; operator: string; value?: unknown }): LeafProblem[] {
  const spec = specOf(leaf.fact);
  const sig = SIGNATURES[leaf.operator];
  if (!spec) return [{ path: ["fact"], message: `unknown fact ${JSON.stringify(leaf.fact)}` }];
  if (!sig) {
    return [
      {
        path: ["operator"],
        message: `operator ${JSON.stringify(leaf.operator)} has no value shape in engine/condition-shapes.ts; for ${leaf.fact} use one of: ${operatorsFor(spec)}`,
      },
    ];
  }
  const op = leaf.operator;
  const v = leaf.value;
  if (!sig.facts(spec)) {
    return [
      {
        path: ["operator"],
        message: `operator ${op} applies to ${sig.factWords}; ${leaf.fact} is ${describeType(spec)}. For ${leaf.fact} use one of: ${operatorsFor(spec)}`,
      },
    ];
  }
  if (sig.value === "none") {
    return v === undefined || v === null
      ? []
      : [{ path: ["value"], message: `operator ${op} takes no value; found ${found(v)}` }];
  }
  if (isRef(v)) return refProblems(leaf.fact, spec, op, sig, v);

  const nullable = NULLABLE_FACTS.has(leaf.fact);
  const elementOk = (shape: Shape) => (x: unknown) => shape.ok(x) || (x === null && nullable);
  const orNull = nullable ? ", or null" : "";
  const want = (shape: Shape) => `${shape.what}${orNull}`;
  if (sig.value === "list" || sig.value === "elements") {
    const shape = sig.listOf ?? valueShape(spec);
    const ok = sig.listOf ? shape.ok : elementOk(shape);
    const what = sig.listOf ? shape.what : want(shape);
    if (!Array.isArray(v) || v.length === 0) {
      const hint =
        typeof v === "string" && (op === "in" || op === "notIn")
          ? ` (json-rules-engine would read a string as a substring test${spec.type === "region" ? "; for a region and the places within it use inRegion / notInRegion" : ""})`
          : "";
      return [
        {
          path: ["value"],
          message: `operator ${op} on ${leaf.fact} needs a non-empty list, each item ${what}; found ${found(v)}${hint}`,
        },
      ];
    }
    return v.flatMap((x, i) =>
      ok(x)
        ? []
        : [
            {
              path: ["value", i],
              message:
                notKnown(leaf.fact, shape, x) ??
                `each item of ${op}'s list must be ${what}; found ${found(x)}`,
            },
          ],
    );
  }
  const shape = sig.value === "scalar" || sig.value === "element" ? valueShape(spec) : sig.value;
  const ok = sig.value === "scalar" ? elementOk(shape) : shape.ok;
  if (ok(v)) return [];
  const unknownValue = notKnown(leaf.fact, shape, v);
  if (unknownValue) return [{ path: ["value"], message: unknownValue }];
  const what = sig.value === "scalar" ? want(shape) : shape.what;
  const hint =
    Array.isArray(v) && sig.value === "element"
      ? " (to match any of several, use containsAny)"
      : Array.isArray(v) && sig.value === "scalar"
        ? " (to match any of several, use in)"
        : v === null
          ? ` (null is a value only for facts that may be null: ${[...NULLABLE_FACTS].join(", ")})`
          : "";
  return [
    {
      path: ["value"],
      message: `operator ${op} on ${leaf.fact} needs ${what}${sig.ref ? `, or a { fact } reference` : ""}; found ${found(v)}${hint}`,
    },
  ];
}

/** A string that is not in an enum's vocabulary: say so in the vocabulary's words. */
function notKnown(fact: string, shape: Shape, v: unknown): string | undefined {
  if (!shape.key.startsWith("enum:") || typeof v !== "string") return undefined;
  return `${JSON.stringify(v)} is not a known value of ${fact} (${shape.what})`;
}

function refProblems(
  fact: string,
  spec: Spec,
  op: string,
  sig: Signature,
  v: { fact: unknown },
): LeafProblem[] {
  const extra = Object.keys(v).filter((k) => k !== "fact");
  if (extra.length) {
    return extra.map((k) => ({
      path: ["value", k],
      message: `unknown key "${k}": a fact reference is { fact: NAME } only (no path or params)`,
    }));
  }
  const name = v.fact;
  const ref = typeof name === "string" ? specOf(name) : undefined;
  if (!ref) return [{ path: ["value", "fact"], message: `unknown fact ${JSON.stringify(name)}` }];
  if (!sig.ref) {
    return [
      {
        path: ["value"],
        message: `operator ${op} needs a literal list, not a fact reference (json-rules-engine fails when the referenced fact is missing)`,
      },
    ];
  }
  if (sig.ref(spec, ref)) return [];
  return [
    {
      path: ["value"],
      message: `operator ${op} on ${fact} (${describeType(spec)}) cannot compare it with ${String(name)} (${describeType(ref)})`,
    },
  ];
}
