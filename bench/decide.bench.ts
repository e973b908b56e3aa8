/**
 * Decisions per second, single thread, side by side (`npm run bench`):
 *  (a) the engine's full decision: Decider.decide on parsed cases (ID check, policy lookup,
 *      reasons, missing materials, validity, settlement, processing, trace);
 *  (b) json-rules-engine: `engine.run(facts)` alone on the same policy, and the full reference
 *      decision (decideWithReference);
 *  (c) Panzhihua's rules written by hand (outcome and missing materials only);
 *  (d) zod case parsing (caseSchema.parse), per case.
 * Every contender goes through the same Panzhihua cases; the contenders take turns within each
 * round (the order rotating) so machine noise falls on all alike, and the median round counts.
 *
 * Environment: BENCH_ROUNDS (default 15), BENCH_SAMPLE_MS (time per contender per round, default 200).
 */
import { isDeepStrictEqual } from "node:util";
import {
  type Case,
  caseSchema,
  Decider,
  type Decision,
  decideWithReference,
  type Policy,
  referenceEngine,
  referenceFacts,
} from "../engine/index.ts";
import { readRuleFiles } from "../simulator/rule-files.ts";
import { PANZHIHUA_CASES } from "./fixtures/panzhihua-cases.ts";
import { panzhihuaByHand } from "./panzhihua-by-hand.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 200);
const WARMUP_MS = 400;
const REGION = "510400";

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(1);
}

// ---- setup: rules, parsed cases, the reference engine and its facts ----------------------------

const started = performance.now();
const { ruleSets, problems } = readRuleFiles();
if (problems.length) fail(`rule files have problems (run \`yidi lint\`):\n${JSON.stringify(problems)}`);
const decider = new Decider(ruleSets);
const raws = PANZHIHUA_CASES;
const cases: Case[] = raws.map((r) => caseSchema.parse(r));

const policyOf = (c: Case): Policy => {
  const r = decider.policyFor(c.insured.region, c.asOf);
  if (!r.ok) fail(`${c.id}: ${r.problem.message}`);
  return r.policy;
};
const prepared = cases.map((c) => {
  const policy = policyOf(c);
  return { c, policy, facts: referenceFacts(c, policy) };
});
const keys = new Set(prepared.map((p) => p.policy.key));
if (keys.size !== 1 || !prepared[0]?.policy.chain.some((rs) => rs.region === REGION)) {
  fail(`bench cases should resolve to one Panzhihua chain, got: ${[...keys].join(" | ")}`);
}

const decideOne = (c: Case): Decision => {
  const r = decider.decide(c);
  if (!r.ok) fail(`${c.id}: ${JSON.stringify(r.problems)}`);
  return r.decision;
};

/** The full reference decision, with the same policy lookup as Decider.decide. */
async function decideOneWithReference(c: Case): Promise<Decision> {
  return decideWithReference(c, policyOf(c));
}

// ---- agreement: (a) vs expected, (c) and (b) vs (a) --------------------------------------------

const materialIds = (d: Decision) => d.missingMaterials.map((m) => ("id" in m ? m.id : m.anyOf.join("|")));
const mix = new Map<string, number>();
for (const [i, c] of cases.entries()) {
  const engine = decideOne(c);
  const expected = (raws[i]?.expected as { outcome?: string } | undefined)?.outcome;
  if (engine.outcome !== expected)
    fail(`${c.id}: engine decided ${engine.outcome}, the fixture expects ${expected}`);
  const hand = panzhihuaByHand(c);
  if (hand.outcome !== engine.outcome || !isDeepStrictEqual(hand.missingMaterials, materialIds(engine))) {
    fail(
      `${c.id}: engine and hand-written disagree\n  engine: ${engine.outcome} [${materialIds(engine)}]\n` +
        `  hand:   ${hand.outcome} [${hand.missingMaterials}]`,
    );
  }
  const reference = await decideOneWithReference(c);
  if (!isDeepStrictEqual(reference, engine)) fail(`${c.id}: engine and json-rules-engine decisions differ`);
  const k = `${engine.outcome}`;
  mix.set(k, (mix.get(k) ?? 0) + 1);
}
const categories = new Set(cases.map((c) => c.filing.category ?? c.previous?.category));
if (categories.size < 5 || !["approved", "rejected", "incomplete"].every((o) => mix.has(o))) {
  fail("the bench cases should cover all five categories and approved, rejected and incomplete outcomes");
}

// ---- contenders --------------------------------------------------------------------------------

/** Keeps results alive so no contender's work can be optimised away. */
let sink = 0;

type Contender = {
  key: string;
  label: string;
  unit: string;
  /** One pass over every case. */
  pass: () => void | Promise<void>;
};

const contenders: Contender[] = [
  {
    key: "a",
    label: "(a) engine: Decider.decide, full decision",
    unit: "decisions",
    pass: () => {
      for (const c of cases) sink += decideOne(c).trace.length;
    },
  },
  {
    key: "b",
    label: "(b) json-rules-engine engine.run(facts) only",
    unit: "runs",
    pass: async () => {
      for (const p of prepared) sink += (await referenceEngine(p.policy).run(p.facts)).results.length;
    },
  },
  {
    key: "b*",
    label: "(b) reference: decideWithReference, full",
    unit: "decisions",
    pass: async () => {
      for (const c of cases) sink += (await decideOneWithReference(c)).trace.length;
    },
  },
  {
    key: "c",
    label: "(c) hand-written TypeScript (outcome+materials)",
    unit: "decisions",
    pass: () => {
      for (const c of cases) sink += panzhihuaByHand(c).missingMaterials.length;
    },
  },
  {
    key: "d",
    label: "(d) zod caseSchema.parse, per case",
    unit: "parses",
    pass: () => {
      for (const r of raws) sink += caseSchema.parse(r).filing.materials.length;
    },
  },
];

/** Runs `passes` passes; returns elapsed milliseconds. */
async function sample(c: Contender, passes: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < passes; i++) {
    const r = c.pass();
    if (r) await r;
  }
  return performance.now() - t0;
}

// Warm-up and calibration: passes per sample so that one sample takes about SAMPLE_MS.
const passes = new Map<string, number>();
for (const c of contenders) {
  let n = 1;
  let ms = await sample(c, n);
  while (ms < WARMUP_MS) {
    n *= 2;
    ms = await sample(c, n);
  }
  passes.set(c.key, Math.max(1, Math.round((n * SAMPLE_MS) / ms)));
}

const perCase = new Map<string, number[]>(contenders.map((c) => [c.key, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (let j = 0; j < contenders.length; j++) {
    const c = contenders[(round + j) % contenders.length] as Contender;
    const n = passes.get(c.key) ?? 1;
    const ms = await sample(c, n);
    perCase.get(c.key)?.push((ms * 1000) / (n * cases.length));
  }
}

// ---- report ------------------------------------------------------------------------------------

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((x, y) => x - y);
  const i = (s.length - 1) * q;
  const lo = s[Math.floor(i)] ?? 0;
  const hi = s[Math.ceil(i)] ?? 0;
  return lo + (hi - lo) * (i - Math.floor(i));
};
const median = (k: string) => quantile(perCase.get(k) ?? [], 0.5);
const spread = (k: string) => {
  const xs = perCase.get(k) ?? [];
  return ((quantile(xs, 0.75) - quantile(xs, 0.25)) / 2 / quantile(xs, 0.5)) * 100;
};
const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const engineUs = median("a");

console.log(
  `\nyidi decide benchmark — ${cases.length} Panzhihua cases (${[...mix].map(([o, n]) => `${n} ${o}`).join(", ")}),` +
    ` chain ${prepared[0]?.policy.chain.map((rs) => `${rs.id}@${rs.version}`).join(" > ")}`,
);
console.log(
  `node ${process.version}, single thread; ${ROUNDS} rounds × ~${SAMPLE_MS} ms per contender, interleaved; median round\n`,
);
const header = ["contender", "per second", "µs each", "± (IQR/2)", "engine is"];
const rows = contenders.map((c) => {
  const us = median(c.key);
  const ratio = us / engineUs;
  const vs =
    c.key === "a" ? "—" : ratio >= 1 ? `${ratio.toFixed(1)}× faster` : `${(1 / ratio).toFixed(1)}× slower`;
  return [c.label, `${fmtInt(1e6 / us)} ${c.unit}/s`, us.toFixed(2), `${spread(c.key).toFixed(1)}%`, vs];
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
const line = (cells: string[]) =>
  cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const r of rows) console.log(line(r));

const parseUs = median("d");
console.log(
  `\nengine vs json-rules-engine run: ${(median("b") / engineUs).toFixed(1)}× faster` +
    ` (vs full reference decision: ${(median("b*") / engineUs).toFixed(1)}×)`,
);
console.log(`engine vs hand-written:          ${(engineUs / median("c")).toFixed(1)}× slower`);
console.log(
  `parse + decide per case:         ${(parseUs + engineUs).toFixed(2)} µs (${fmtInt(1e6 / (parseUs + engineUs))}/s);` +
    ` target (a) ≥ 50,000/s: ${1e6 / engineUs >= 50_000 ? "met" : "NOT met"}`,
);
console.log(
  `(a), (c) and the reference agree on all ${cases.length} cases; ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
if (sink === Number.MIN_VALUE) console.log(sink);
