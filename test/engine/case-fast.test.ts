import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect, isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generateCases, type RawCase, sampleCases } from "../../bench/cases.ts";
import { checkCharacter } from "../../engine/id-number.ts";
import { caseSchema, parseIdNumber, plainMessages } from "../../engine/index.ts";
import { fastCase, idSexAndBirth, parseCase, realDate } from "../../engine/schema/case-fast.ts";
import { isRealDate, reservedKeyIssues } from "../../engine/schema/common.ts";
import { DEFAULT_CASES_DIR } from "../../simulator/replay.ts";

/**
 * The compiled case check (engine/schema/case-fast.ts) against zod's `caseSchema`, the schema it
 * stands in for on the hot path: on valid generated cases and on cases mutated at any field
 * (wrong types, unknown keys, removed fields, boundary values), both accept exactly the same
 * inputs, and an accepted case comes out the same (values and key order).
 */

const zod = (raw: unknown) => caseSchema.safeParse(raw, { error: plainMessages });

/** The sample cases as written, `title` and `expected` kept. */
function samplesAsWritten(): RawCase[] {
  const out: RawCase[] = [];
  for (const f of readdirSync(DEFAULT_CASES_DIR).sort()) {
    if (!f.endsWith(".yaml")) continue;
    const doc = parse(readFileSync(join(DEFAULT_CASES_DIR, f), "utf8")) as RawCase[] | { cases: RawCase[] };
    out.push(...(Array.isArray(doc) ? doc : doc.cases));
  }
  return out;
}

const written = samplesAsWritten();
const generated = generateCases(sampleCases(), 400, { seed: 5 });
const valid = [...written, ...generated].filter((c) => zod(c).success);

const hasUndefined = (v: unknown): boolean =>
  v === undefined || (typeof v === "object" && v !== null && Object.values(v).some(hasUndefined));

/** What must agree: accepted or not, and the output exactly (JSON text keeps the key order). */
const tally = { accepted: 0, rejected: 0 };
function agree(raw: unknown): void {
  const z = zod(raw);
  tally[z.success ? "accepted" : "rejected"]++;
  const f = fastCase(raw);
  // Declined on purpose, zod deciding: a record's `__proto__` key (zod drops it silently) and a
  // key set to `undefined` (no JSON or YAML text makes one).
  const declined = z.success && !f && (reservedKeyIssues(raw).length > 0 || hasUndefined(raw));
  if (!declined && z.success !== (f !== undefined)) {
    throw new Error(
      `zod ${z.success ? "accepts" : "rejects"}, the fast check ${f ? "accepts" : "declines"}: ${inspect(raw, { depth: 9 })}${
        z.success ? "" : `\n${JSON.stringify(z.error.issues)}`
      }`,
    );
  }
  if (z.success && f) {
    expect(JSON.stringify(f)).toBe(JSON.stringify(z.data));
    expect(isDeepStrictEqual(f, z.data)).toBe(true);
  }
}

/** What JSON.parse reads `1e400` as. */
const INF = Number.POSITIVE_INFINITY;

// Values a mutation puts in a field: JSON's kinds, the vocabulary's ids and the edges the
// schema's checks turn on (dates that are not real, levels written as numbers, money forms).
const edge = fc.constantFrom<unknown>(
  "",
  "x",
  "2019-02-29",
  "2020-02-29",
  "2017-13-01",
  "0050-01-01",
  "2017-6-1",
  "510402",
  "51040",
  "3",
  "3A",
  "unrated",
  3,
  3.5,
  -0,
  -1,
  0,
  INF,
  2 ** 60,
  "0.00",
  "12.5",
  "12.345",
  "1234567890123456",
  "123456789012345.99",
  "9999999999999.99",
  "S72.001",
  "s72",
  "employee",
  "retired",
  "referral",
  "emergency",
  "change",
  "settlement",
  "revoke",
  "extend",
  "filing",
  "id_card",
  "filing_form",
  "window",
  "male",
  "female",
  "11010519491231002X",
  "11010519491231002Y",
  "name",
  "phone1",
  "__proto__",
  true,
  false,
  null,
  [],
  ["id_card", "ss_card"],
  ["S72.001"],
  {},
  { fundPaid: "1.00" },
  { region: "510402" },
);
const value = fc.oneof(
  { weight: 4, arbitrary: edge },
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -5, max: 30 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Every path to a field of the case (objects and arrays). */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) paths(x, [...at, i], out);
  } else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}
const KEY_NAMES = [
  "id",
  "kind",
  "asOf",
  "filing",
  "previous",
  "settlement",
  "category",
  "materials",
  "sex",
  "birthDate",
  "status",
  "cardStatus",
  "level",
  "form",
  "extensions",
  "validUntil",
  "selfPayCost",
  "yearToDate",
  "other",
  "__proto__",
];

/** Values of the field's own kind, near the edges the checks turn on. */
const day = fc
  .integer({ min: Date.UTC(1899, 0, 1) / 864e5, max: Date.UTC(2031, 0, 1) / 864e5 })
  .map((d) => new Date(d * 864e5).toISOString().slice(0, 10));
const money = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 18n }).map(String),
  fc.tuple(fc.nat(99_999), fc.constantFrom("", ".5", ".05", ".50", ".123")).map(([n, f]) => `${n}${f}`),
  fc
    .tuple(fc.integer({ min: 12, max: 17 }), fc.constantFrom("", ".99"))
    .map(([n, f]) => `${"9".repeat(n)}${f}`),
);
const typed: Record<string, fc.Arbitrary<unknown>> = {
  date: day,
  money,
  count: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom(1.5, 2 ** 53, 2 ** 53 - 1, -0, INF)),
  years: fc.oneof(fc.double({ min: -2, max: 40 }), fc.constantFrom(-0, INF, -1e-9)),
  level: fc.constantFrom<unknown>(1, 2, 3, 4, "3A", "3", 3.0, "unrated", "4", 0, "2 "),
  form: fc.dictionary(
    fc.constantFrom("name", "phone1", "hospitalName", "nope", "__proto__"),
    fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom<unknown>(null, 1, INF, true, [], {})),
    { maxKeys: 3 },
  ),
};
const FIELD_KIND: Record<string, keyof typeof typed> = {
  asOf: "date",
  birthDate: "date",
  approvedOn: "date",
  validUntil: "date",
  admission: "date",
  discharge: "date",
  totalCost: "money",
  selfPayCost: "money",
  partialSelfPayCost: "money",
  fundPaid: "money",
  extensions: "count",
  residenceYears: "years",
  dispatchYears: "years",
  level: "level",
  issuerLevel: "level",
  hospitalLevel: "level",
  form: "form",
};

type Mutation = {
  kind: "set" | "delete" | "add";
  pick: number;
  key: string;
  value: unknown;
  own: Record<string, unknown>;
  useOwn: boolean;
};
const mutation = fc.record({
  kind: fc.constantFrom<Mutation["kind"]>("set", "set", "set", "delete", "add"),
  pick: fc.nat(),
  key: fc.constantFrom(...KEY_NAMES),
  value,
  own: fc.record(typed),
  useOwn: fc.boolean(),
});

/** A case changed at one place (JSON round-trip first: the input is what a request body parses to). */
function mutate(c: unknown, ms: Mutation[]): unknown {
  const raw = JSON.parse(JSON.stringify(c));
  for (const m of ms) {
    const ps = paths(raw);
    const path = ps[m.pick % ps.length] as (string | number)[];
    if (path.length === 0) {
      // defineProperty: an own key even when it is `__proto__` (as JSON.parse makes it)
      if (m.kind === "add")
        Object.defineProperty(raw, m.key, {
          value: structuredClone(m.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      continue;
    }
    let parent = raw;
    for (const p of path.slice(0, -1)) parent = parent[p];
    const last = path[path.length - 1] as string | number;
    const kind = FIELD_KIND[String(last)];
    // A copy: the pool's constants are shared across runs and a later mutation may change them.
    if (m.kind === "set") parent[last] = structuredClone(kind && m.useOwn ? m.own[kind] : m.value);
    else if (m.kind === "delete") {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else {
      const target = parent[last];
      const kind = FIELD_KIND[m.key];
      const v = structuredClone(kind && m.useOwn ? m.own[kind] : m.value);
      if (target && typeof target === "object" && !Array.isArray(target))
        Object.defineProperty(target, m.key, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else parent[last] = v;
    }
  }
  return raw;
}

describe("the compiled case check agrees with zod's caseSchema", () => {
  it("accepts every valid case, with zod's output (defaults, ID-number fields, key order)", () => {
    expect(valid.length).toBeGreaterThan(300);
    for (const c of valid) {
      expect(fastCase(c), JSON.stringify(c)).toBeDefined();
      agree(c);
      // YAML reads `level: 3` as a number: the same case either way
      agree(JSON.parse(JSON.stringify(c)));
    }
  });

  it("agrees on cases mutated at any field: the same accepted, the same rejected, the same output", () => {
    tally.accepted = 0;
    tally.rejected = 0;
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, ms) => {
        agree(mutate(valid[i], ms));
      }),
      { numRuns: 20_000, seed: 11 },
    );
    // Both sides of the line are well exercised: many mutations keep the case valid, many break it.
    expect(tally.accepted).toBeGreaterThan(3000);
    expect(tally.rejected).toBeGreaterThan(8000);
  }, 60_000);

  it("agrees at the edges of money: self-pay exactly the total, amounts beyond 2^53 cents", () => {
    const bill = valid.find((c) => c.settlement) as RawCase;
    const withBill = (b: Record<string, string>) => ({ ...bill, settlement: { ...bill.settlement, ...b } });
    const cases = [
      { totalCost: "100.00", selfPayCost: "60.00", partialSelfPayCost: "40" },
      { totalCost: "100.00", selfPayCost: "60.00", partialSelfPayCost: "40.01" },
      { totalCost: "99999999999999.99", selfPayCost: "99999999999999.98", partialSelfPayCost: "0.02" },
      { totalCost: "99999999999999.99", selfPayCost: "99999999999999.98", partialSelfPayCost: "0.01" },
      { totalCost: "999999999999999.99", selfPayCost: "999999999999999.98", partialSelfPayCost: "0.02" },
      { totalCost: "9999999999999.99", selfPayCost: "9999999999999.98", partialSelfPayCost: "0.02" },
      { totalCost: "9999999999999.99", selfPayCost: "9999999999999.98", partialSelfPayCost: "0.01" },
    ];
    const accepted = cases.map((b) => {
      agree(withBill(b));
      return fastCase(withBill(b)) !== undefined;
    });
    expect(accepted).toEqual([true, false, false, true, false, false, true]);
    // A form value JSON reads as Infinity (1e400) is not a number the schema takes.
    const formCase = valid.find((c) => c.filing?.form) as RawCase;
    const inf = JSON.parse(JSON.stringify(formCase).replace('"form":{', '"form":{"phone1":1e400,'));
    agree(inf);
    expect(fastCase(inf)).toBeUndefined();
  });

  it("reads dates and ID numbers as the schema's checks do (isRealDate, parseIdNumber)", () => {
    const digit = fc.constantFrom(..."0123456789");
    const d = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((x) => x.join(""));
    // dates: every shape near YYYY-MM-DD, leap days, years before 100, months 00 and 13, day 31
    const dateLike = fc.oneof(
      fc.tuple(d(4), d(2), d(2)).map(([y, m, x]) => `${y}-${m}-${x}`),
      fc
        .tuple(
          fc.integer({ min: 0, max: 9999 }),
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 32 }),
        )
        .map(
          ([y, m, x]) =>
            `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(x).padStart(2, "0")}`,
        ),
      fc.string({ maxLength: 11 }),
      fc.constantFrom(
        "2000-02-29",
        "1900-02-29",
        "2100-02-29",
        "2024-02-29",
        "0099-01-01",
        "0100-01-01",
        "2017-1-011",
      ),
    );
    fc.assert(
      fc.property(dateLike, (s) => {
        expect(realDate(s), s).toBe(isRealDate(s));
      }),
      { numRuns: 20_000, seed: 3 },
    );
    // ID numbers: valid check characters and not, birth dates real and not
    const idLike = fc.oneof(
      fc
        .tuple(
          d(6),
          fc.integer({ min: 0, max: 9999 }),
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 32 }),
          d(3),
        )
        .map(([r, y, m, x, q]) => {
          const first = `${r}${String(y).padStart(4, "0")}${String(m).padStart(2, "0")}${String(x).padStart(2, "0")}${q}`;
          return first + checkCharacter(first);
        }),
      fc.tuple(d(17), fc.constantFrom(..."0123456789Xx ")).map(([a, b]) => a + b),
      fc.string({ maxLength: 19 }),
    );
    fc.assert(
      fc.property(idLike, (id) => {
        const p = parseIdNumber(id);
        expect(idSexAndBirth(id), id).toEqual(
          p.ok ? { sex: p.info.sex, birthDate: p.info.birthDate } : undefined,
        );
      }),
      { numRuns: 20_000, seed: 4 },
    );
  });

  it("rejects a case zod rejects and says what zod says (parseCase falls back to zod for the words)", () => {
    const [c] = valid;
    const bad = { ...(c as RawCase), insured: { ...(c as RawCase).insured, scheme: "gold" }, extra: 1 };
    expect(fastCase(bad)).toBeUndefined();
    const p = parseCase(bad);
    expect(p.success).toBe(false);
    if (!p.success) expect(p.error.issues).toEqual(zod(bad).error?.issues);
    expect(p.success || p.error.issues.map((i) => i.message).join(" ")).toMatch(/unknown scheme "gold"/);
  });

  it("declines odd inputs zod may read otherwise (undefined values, objects with a prototype), leaving them to zod", () => {
    const [c] = valid;
    expect(fastCase({ ...(c as RawCase), title: undefined })).toBeUndefined();
    expect(fastCase(Object.assign(Object.create({ extra: 1 }), c))).toBeUndefined();
    expect(parseCase({ ...(c as RawCase), title: undefined }).success).toBe(
      zod({ ...(c as RawCase), title: undefined }).success,
    );
  });
});
