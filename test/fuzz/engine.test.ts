import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadCases } from "../../engine/case-loader.ts";
import { caseSchema, Decider, lintLibrary, loadRuleSet } from "../../engine/index.ts";
import { readRuleFiles } from "../../simulator/rule-files.ts";
import { fuzzRuns } from "./runs.ts";

/**
 * The parsers against random and mutated input: they never throw, and never accept an invalid
 * input — whatever the case schema accepts is decided without throwing, whatever loads as a rule
 * set lints and builds a decider without throwing.
 */
const { ruleSets, files } = readRuleFiles([new URL("../../rules", import.meta.url).pathname]);
const decider = new Decider(ruleSets);
const SAMPLES = ["panzhihua", "settlement", "national", "jiangxi"].flatMap(
  (f) => parse(readFileSync(new URL(`../../simulator/cases/${f}.yaml`, import.meta.url), "utf8")) as object[],
);
const RULE_TEXTS = files.map((f) => readFileSync(f, "utf8"));
const RESERVED = ["__proto__", "constructor", "prototype"];

/** A value like those in cases: plain JSON, odd strings (NUL, escapes), big and odd numbers, reserved keys. */
const oddString = fc.oneof(
  fc.string(),
  fc.constantFrom(
    "",
    "\u0000",
    "\u001b[2J",
    "9".repeat(400),
    "2017-02-30",
    "510402195001011236",
    ...RESERVED,
  ),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    oddString,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom(...RESERVED)), tie("v"), { maxKeys: 4 }),
  ),
})).v;

type Json = Record<string, unknown>;
/** A sample case with one mutation at a random path: a value replaced, a key removed or added. */
function mutate(base: Json, pathPick: number[], mode: number, replacement: unknown, key: string): unknown {
  const copy = structuredClone(base) as Json;
  let node: Json = copy;
  for (const pick of pathPick) {
    const keys = Object.keys(node);
    if (!keys.length) break;
    const k = keys[pick % keys.length] as string;
    const next = node[k];
    if (mode === 0 || !next || typeof next !== "object") {
      if (mode === 1) delete node[k];
      else if (mode === 2)
        Object.defineProperty(node, key, {
          value: replacement,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else node[k] = replacement;
      return copy;
    }
    node = next as Json;
  }
  return copy;
}

const decides = (text: string, format: "json" | "yaml" | "jsonl") => {
  for (const loaded of loadCases(text, "fuzz", format)) {
    if (!loaded.ok) continue;
    // Whatever the loader accepts is a valid case, and is decided (or told it cannot be) without throwing.
    expect(caseSchema.safeParse(loaded.case).success).toBe(true);
    const r = decider.decide(loaded.case);
    expect(typeof r.ok).toBe("boolean");
  }
};

describe("fuzzing the case loader and the decider", () => {
  it("takes any JSON value without throwing", () => {
    fc.assert(
      fc.property(value, (v) => decides(JSON.stringify(v) ?? "null", "json")),
      { numRuns: fuzzRuns(300) },
    );
  }, 120_000);

  it("takes any text as YAML, JSON and JSON Lines without throwing", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        decides(text, "yaml");
        decides(text, "json");
        decides(text, "jsonl");
      }),
      { numRuns: fuzzRuns(300) },
    );
  }, 120_000);

  it("decides or refuses mutated sample cases, never throws", () => {
    fc.assert(
      fc.property(
        fc.nat(SAMPLES.length - 1),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.nat(3),
        value,
        fc.oneof(fc.string(), fc.constantFrom(...RESERVED)),
        (i, path, mode, replacement, key) => {
          const m = mutate(SAMPLES[i] as Json, path, mode, replacement, key);
          decides(JSON.stringify(m), "json");
        },
      ),
      { numRuns: fuzzRuns(200) },
    );
  }, 300_000);
});

describe("fuzzing the rule-set loader and lint", () => {
  it("loads mutated rule-set files without throwing; what loads lints and decides", () => {
    fc.assert(
      fc.property(
        fc.nat(RULE_TEXTS.length - 1),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.nat(40),
            fc.oneof(
              fc.string({ maxLength: 8 }),
              fc.constantFrom(...RESERVED, "&a", "*a", "[", "{", ": ", "\n  ", "- "),
            ),
          ),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        (i, edits) => {
          let text = RULE_TEXTS[i] as string;
          for (const [at, cut, insert] of edits) {
            const pos = at % (text.length + 1);
            text = text.slice(0, pos) + insert + text.slice(pos + cut);
          }
          const r = loadRuleSet(text, "fuzz.yaml");
          if (!r.ok) {
            expect(r.problems.length).toBeGreaterThan(0);
            return;
          }
          const others = ruleSets.filter((rs) => !(rs.id === r.value.id && rs.version === r.value.version));
          lintLibrary([...others, r.value], [{ file: "fuzz.yaml", text }]);
          const d = new Decider([...others, r.value]);
          for (const c of SAMPLES.slice(0, 6)) {
            const loaded = loadCases(JSON.stringify(c), "s", "json")[0];
            if (loaded?.ok) d.decide(loaded.case);
          }
        },
      ),
      { numRuns: fuzzRuns(60) },
    );
  }, 300_000);
});
