/**
 * The decision, side by side (`npm run bench`). Cases are generated, seeded and distinct
 * (bench/cases.ts, from the sample cases: every region, kind, category and chain), never a loop
 * over the samples. Two sets:
 *  - PZH: Panzhihua cases of the chain national@2016-12-13 → sichuan/panzhihua@2017-04-12
 *    (2017-04-12 … 2019-05-31; kinds filing, change, revoke, extend): the one region every
 *    contender encodes — yidi, json-rules-engine (over the rules in scope, and over all 34),
 *    GoRules zen-engine (bench/panzhihua.jdm.json, built from the same policy by
 *    bench/zen-graph.ts) and a hand-written function (bench/panzhihua-by-hand.ts);
 *  - ALL: every region, kind and chain (settlements too): yidi alone, parse + decide + serialize.
 * Before any timing, every contender must agree with yidi on every PZH case (outcome, missing
 * materials, validity, settlement mode), and json-rules-engine's full reference decision must
 * equal yidi's decision, trace and all, on every case of both sets.
 *
 * Timing: the contenders take turns in every round (the order rotating), so a noisy machine
 * slows them alike; each decision is timed alone (the timer's own cost is measured and shown),
 * p50 and p99 per decision over all rounds; ratios are of p50s.
 *
 * Environment: BENCH_CASES (per set, default 10000), BENCH_ROUNDS (default 10), BENCH_SAMPLE_MS
 * (per contender per round, default 150), BENCH_SEED (default 11).
 */
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { Engine, type RuleProperties } from "json-rules-engine";
import {
  type Case,
  caseSchema,
  Decider,
  type Decision,
  decideWithReference,
  decisionJson,
  type Policy,
  parseCase,
  referenceEngine,
  referenceFacts,
  traceJson,
} from "../engine/index.ts";
import { CUSTOM_OPERATORS } from "../engine/operators.ts";
import { readRuleFiles } from "../simulator/rule-files.ts";
import { generateCases, type RawCase, sampleCases } from "./cases.ts";
import { panzhihuaByHand } from "./panzhihua-by-hand.ts";
import { panzhihuaPolicy, ZEN_FROM, ZEN_GRAPH_FILE, ZEN_TO, zenInput } from "./zen-graph.ts";

const N = Number(process.env.BENCH_CASES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 150);
const SEED = Number(process.env.BENCH_SEED ?? 11);

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(1);
}
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

// ---- cases -------------------------------------------------------------------------------------

const t0 = performance.now();
const { ruleSets, problems } = readRuleFiles();
if (problems.length) fail(`rule files have problems (run \`yidi lint\`):\n${JSON.stringify(problems)}`);
const decider = new Decider(ruleSets);
const samples = sampleCases();
const pzhRaw = generateCases(samples, N, {
  seed: SEED,
  regionPrefix: "5104",
  kinds: ["filing", "change", "revoke", "extend"],
  from: ZEN_FROM,
  to: ZEN_TO,
});
const allRaw = generateCases(samples, N, { seed: SEED + 1 });
const parse = (r: RawCase): Case => {
  const p = caseSchema.safeParse(r);
  if (!p.success) fail(`${r.id}: ${p.error.issues[0]?.message}`);
  return p.data;
};
/** The compiled check (engine/schema/case-fast.ts), zod only for what it declines. */
const parseFast = (r: RawCase): Case => {
  const p = parseCase(r);
  if (!p.success) fail(`${r.id}: ${p.error.issues[0]?.message}`);
  return p.data;
};
const pzh = pzhRaw.map(parse);
const all = allRaw.map(parse);
const policy = panzhihuaPolicy(decider);
const decideOne = (c: Case): Decision => {
  const r = decider.decide(c);
  if (!r.ok) fail(`${c.id}: ${JSON.stringify(r.problems)}`);
  return r.decision;
};
/** A decision whose trace has a line per rule but no condition trees (`trace: "rules"`). */
const decideRules = (c: Case): Decision => {
  const r = decider.decide(c, { trace: "rules" });
  if (!r.ok) fail(`${c.id}: ${JSON.stringify(r.problems)}`);
  return r.decision;
};
/** The decision as `POST /api/decisions?trace=false` answers it: every key but the trace. */
const untraced = (d: Decision) => {
  const { trace: _t, ...rest } = d;
  return rest;
};
for (const c of pzh) {
  const r = decider.policyFor(c.insured.region, c.asOf);
  if (!r.ok || r.policy !== policy) fail(`${c.id} does not fall under the one Panzhihua chain`);
}

// json-rules-engine over the rules in scope: one Engine per (kind, category), as yidi selects them.
const scoped = new Map<string, Engine>();
function scopedEngine(c: Case): Engine {
  const category = c.filing.category ?? c.previous?.category;
  const k = `${c.kind}|${category}`;
  let e = scoped.get(k);
  if (!e) {
    e = new Engine([], { allowUndefinedFacts: true });
    for (const [name, fn] of Object.entries(CUSTOM_OPERATORS)) e.addOperator(name, fn);
    for (const rule of policy.rulesFor(c.kind, category)) {
      const wrap = (x: object) => ("all" in x || "any" in x ? x : { all: [x] });
      if (rule.when)
        e.addRule({
          name: `${rule.id}#when`,
          conditions: wrap(rule.when),
          event: { type: "w" },
        } as RuleProperties);
      e.addRule({ name: rule.id, conditions: wrap(rule.conditions), event: { type: "c" } } as RuleProperties);
    }
    scoped.set(k, e);
  }
  return e;
}
/**
 * zen-engine is installed by `npm run bench` itself (`npm install --no-save`), not locked as a
 * devDependency: the registry lacks some of its platform packages, and a lock naming them makes
 * `npm ci` refuse to install. Only the two calls the bench makes are typed here.
 */
type ZenDecision = { evaluate(input: object): Promise<{ result: unknown }> };
type ZenModule = { ZenEngine: new () => { createDecision(graph: unknown): ZenDecision } };
const zenModule = "@gorules/zen-engine";
const { ZenEngine } = (await import(zenModule)) as ZenModule;
const zen = new ZenEngine().createDecision(JSON.parse(readFileSync(ZEN_GRAPH_FILE, "utf8")));

// ---- agreement, before any timing --------------------------------------------------------------

const materialIds = (d: Decision) => d.missingMaterials.map((m) => ("id" in m ? m.id : m.anyOf.join("|")));
const essentials = (d: Pick<Decision, "outcome" | "validity" | "settlementMode">, missing: string[]) => ({
  outcome: d.outcome,
  missingMaterials: missing,
  validity: d.validity,
  settlementMode: d.settlementMode,
});
const mix = new Map<string, number>();
for (const c of pzh) {
  const d = decideOne(c);
  const want = essentials(d, materialIds(d));
  const hand = panzhihuaByHand(c);
  if (!isDeepStrictEqual(essentials(hand, hand.missingMaterials), want))
    fail(`${c.id}: hand-written disagrees\n  yidi: ${JSON.stringify(want)}\n  hand: ${JSON.stringify(hand)}`);
  const z = (await zen.evaluate(zenInput(c, policy))).result as Record<string, unknown>;
  const zd = {
    outcome: z.outcome,
    missingMaterials: z.missingMaterials,
    validity: z.validity ?? null,
    settlementMode: z.settlementMode ?? null,
  };
  if (!isDeepStrictEqual(zd, want))
    fail(`${c.id}: zen-engine disagrees\n  yidi: ${JSON.stringify(want)}\n  zen:  ${JSON.stringify(zd)}`);
  if (!isDeepStrictEqual(await decideWithReference(c, policy), d))
    fail(`${c.id}: json-rules-engine's decision differs`);
  const k = `${c.kind} ${d.outcome}`;
  mix.set(k, (mix.get(k) ?? 0) + 1);
}
for (const c of all) {
  const r = decider.policyFor(c.insured.region, c.asOf);
  if (!r.ok) fail(r.problem.message);
  if (!isDeepStrictEqual(await decideWithReference(c, r.policy), decideOne(c)))
    fail(`${c.id}: json-rules-engine's decision differs`);
}
allRaw.forEach((r, i) => {
  if (JSON.stringify(parseFast(r)) !== JSON.stringify(all[i]))
    fail(`${r.id}: the compiled check disagrees with zod`);
});
const chains = new Set(
  all.map((c) => (decider.policyFor(c.insured.region, c.asOf) as { policy: Policy }).policy.key),
);
const regions = new Set(all.map((c) => c.insured.region.slice(0, 4)));
const kinds = new Set(all.map((c) => c.kind));
for (const o of ["approved", "rejected", "incomplete", "manual_review"])
  if (![...mix.keys()].some((k) => k.endsWith(o))) fail(`no Panzhihua case came out ${o}`);
const setupS = ((performance.now() - t0) / 1000).toFixed(1);

// ---- contenders --------------------------------------------------------------------------------

let sink = 0;
type Contender = {
  key: string;
  label: string;
  set: "PZH" | "ALL";
  /** One decision (or run) of case i of the set. */
  one: (i: number) => unknown;
  async?: boolean;
  /** Decisions per call (a batch is timed whole and counted as this many). */
  per?: number;
};
const contenders: Contender[] = [
  {
    key: "yidi",
    label: "yidi Decider.decide: full decision with trace",
    set: "PZH",
    one: (i) => decideOne(pzh[i] as Case).trace.length,
  },
  {
    key: "jre-scope",
    label: "json-rules-engine run(): the rules in scope only (facts built, no decision)",
    set: "PZH",
    async: true,
    one: async (i) => {
      const c = pzh[i] as Case;
      return (await scopedEngine(c).run(referenceFacts(c, policy))).results.length;
    },
  },
  {
    key: "jre-all",
    label: "json-rules-engine run(): all 34 rules (facts built, no decision)",
    set: "PZH",
    async: true,
    one: async (i) =>
      (await referenceEngine(policy).run(referenceFacts(pzh[i] as Case, policy))).results.length,
  },
  {
    key: "zen",
    label: "zen-engine evaluate(): the whole decision graph (input built)",
    set: "PZH",
    async: true,
    one: async (i) =>
      ((await zen.evaluate(zenInput(pzh[i] as Case, policy))).result as { outcome: string }).outcome.length,
  },
  {
    key: "zen32",
    label: "zen-engine evaluate(), 32 at once: wall time / 32 (its throughput)",
    set: "PZH",
    async: true,
    per: 32,
    one: async (i) => {
      const batch: Promise<unknown>[] = [];
      for (let k = 0; k < 32; k++)
        batch.push(zen.evaluate(zenInput(pzh[(i + k) % pzh.length] as Case, policy)));
      return (await Promise.all(batch)).length;
    },
  },
  {
    key: "hand",
    label: "hand-written TypeScript: the whole decision, no trace",
    set: "PZH",
    one: (i) => panzhihuaByHand(pzh[i] as Case).missingMaterials.length,
  },
  {
    key: "yidi-all",
    label: "yidi Decider.decide, every region/kind/chain",
    set: "ALL",
    one: (i) => decideOne(all[i] as Case).trace.length,
  },
  {
    key: "yidi-rules",
    label: 'yidi Decider.decide, trace "rules" (no condition trees), every region/kind/chain',
    set: "ALL",
    one: (i) => decideRules(all[i] as Case).trace.length,
  },
  {
    key: "parse",
    label: "zod caseSchema.parse of the raw case",
    set: "ALL",
    one: (i) => parse(allRaw[i] as RawCase).filing.materials.length,
  },
  {
    key: "parse-fast",
    label: "compiled case check (parseCase) of the raw case",
    set: "ALL",
    one: (i) => parseFast(allRaw[i] as RawCase).filing.materials.length,
  },
  {
    key: "stringify",
    label: "JSON.stringify of the decision, full trace",
    set: "ALL",
    one: (i) => JSON.stringify(decisionsAll[i]).length,
  },
  {
    key: "stringify-none",
    label: "JSON.stringify of the decision without trace",
    set: "ALL",
    one: (i) => JSON.stringify(untracedAll[i]).length,
  },
  {
    key: "json-none",
    label: "decisionJson (shared parts' text reused) of the decision without trace",
    set: "ALL",
    one: (i) => decisionJson(decisionsRulesAll[i] as Decision, "trace").length,
  },
  {
    key: "pds",
    label: "before: zod + full decision + JSON.stringify, per case",
    set: "ALL",
    one: (i) => JSON.stringify(decideOne(parse(allRaw[i] as RawCase))).length,
  },
  {
    key: "pds-fast",
    label: "compiled check + full decision + JSON.stringify, per case",
    set: "ALL",
    one: (i) => JSON.stringify(decideOne(parseFast(allRaw[i] as RawCase))).length,
  },
  {
    key: "pds-none",
    label: "compiled check + decision without trace + JSON.stringify",
    set: "ALL",
    one: (i) => JSON.stringify(untraced(decideRules(parseFast(allRaw[i] as RawCase)))).length,
  },
  {
    key: "pds-none-json",
    label: "compiled check + decision without trace + decisionJson (the answer)",
    set: "ALL",
    one: (i) => decisionJson(decideRules(parseFast(allRaw[i] as RawCase)), "trace").length,
  },
  {
    key: "pds-api",
    label: "the same + the rules' trace serialized for the log (?trace=false)",
    set: "ALL",
    one: (i) => {
      const d = decideRules(parseFast(allRaw[i] as RawCase));
      const head = decisionJson(d, "trace");
      // As the server writes the log row: the rules' lines shared, their text kept (traceJson).
      return `${head.slice(0, -1)},"trace":${traceJson(d.trace)}}`.length + head.length;
    },
  },
  { key: "timer", label: "(the timer alone: subtract from the above)", set: "ALL", one: (i) => i },
];
const decisionsAll = all.map(decideOne);
const decisionsRulesAll = all.map(decideRules);
const untracedAll = decisionsRulesAll.map(untraced);
all.forEach((c, i) => {
  if (decisionJson(decisionsAll[i] as Decision) !== JSON.stringify(decisionsAll[i]))
    fail(`${c.id}: decisionJson differs from JSON.stringify`);
  if (decisionJson(decisionsRulesAll[i] as Decision, "trace") !== JSON.stringify(untracedAll[i]))
    fail(`${c.id}: decisionJson differs from JSON.stringify (without trace)`);
});

const samplesOf = new Map(contenders.map((c) => [c.key, [] as number[]]));
const cursor = new Map(contenders.map((c) => [c.key, 0]));
const wall = new Map(contenders.map((c) => [c.key, { n: 0, ms: 0 }]));

async function turn(c: Contender, ms: number, record: boolean): Promise<void> {
  const size = c.set === "PZH" ? pzh.length : all.length;
  const out = samplesOf.get(c.key) as number[];
  let i = cursor.get(c.key) as number;
  const start = performance.now();
  const until = start + ms;
  let n = 0;
  while (performance.now() < until) {
    for (let k = 0; k < 64; k++) {
      const a = process.hrtime.bigint();
      const r = c.async ? await c.one(i) : c.one(i);
      const b = process.hrtime.bigint();
      sink += typeof r === "number" ? r : 1;
      const per = c.per ?? 1;
      if (record) out.push(Number(b - a) / per);
      i = (i + per) % size;
      n += per;
    }
  }
  cursor.set(c.key, i);
  if (record) {
    const w = wall.get(c.key) as { n: number; ms: number };
    w.n += n;
    w.ms += performance.now() - start;
  }
}

for (const c of contenders) await turn(c, 300, false); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (let j = 0; j < contenders.length; j++)
    await turn(contenders[(j + round) % contenders.length] as Contender, SAMPLE_MS, true);
}

// ---- report ------------------------------------------------------------------------------------

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? Number.NaN;
const stats = new Map(
  contenders.map((c) => {
    const xs = (samplesOf.get(c.key) as number[]).sort((a, b) => a - b);
    const w = wall.get(c.key) as { n: number; ms: number };
    return [
      c.key,
      { p50: pct(xs, 0.5) / 1000, p99: pct(xs, 0.99) / 1000, n: xs.length, perS: (w.n / w.ms) * 1000 },
    ];
  }),
);
const s = (k: string) => stats.get(k) as { p50: number; p99: number; n: number; perS: number };
const us = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1)).padStart(7);
const mem = process.memoryUsage();

console.log(
  `yidi decision bench — Node ${process.version}, ${N} distinct generated cases per set (seed ${SEED}), ${ROUNDS} interleaved rounds × ${SAMPLE_MS} ms, setup and agreement ${setupS} s`,
);
console.log(
  `  PZH: ${pzh.length} Panzhihua cases ${ZEN_FROM}…${ZEN_TO}, one chain; mix ${[...mix]
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")}`,
);
console.log(
  `  ALL: ${all.length} cases, ${regions.size} cities, kinds ${[...kinds].sort().join("/")}, ${chains.size} chains`,
);
console.log(
  "  agreement: yidi = hand-written = zen-engine on every PZH case (outcome, missing materials, validity, mode);",
);
console.log(
  "             yidi = json-rules-engine's full reference decision (trace included) on every case of both sets\n",
);
console.log(`  ${"contender".padEnd(78)} set    p50 µs  p99 µs   per s`);
for (const c of contenders) {
  const x = s(c.key);
  console.log(
    `  ${c.label.padEnd(78)} ${c.set.padEnd(4)} ${us(x.p50)} ${us(x.p99)} ${Math.round(x.perS).toLocaleString("en").padStart(9)}`,
  );
}
const timer = s("timer").p50;
const net = (k: string) => Math.max(s(k).p50 - timer, 0.001);
const ratio = (k: string) => (net(k) / net("yidi")).toFixed(1);
console.log("\n  ratios of p50 per decision, timer subtracted, same PZH cases:");
// zen-engine's better figure counts: one at a time or 32 at once.
const zenKey = net("zen32") < net("zen") ? "zen32" : "zen";
const zenHow = zenKey === "zen" ? "one at a time" : "32 at once";
console.log(
  `    zen-engine whole graph (${zenHow}) / yidi full decision: ${ratio(zenKey)}×  (target ≥ 20×)  ${Number(ratio(zenKey)) >= 20 ? "met" : "MISSED"}`,
);
console.log(
  `    json-rules-engine run() in scope / yidi full decision: ${ratio("jre-scope")}×  (target ≥ 50×)  ${Number(ratio("jre-scope")) >= 50 ? "met" : "MISSED"}`,
);
console.log(`    json-rules-engine run() all rules / yidi full decision: ${ratio("jre-all")}×`);
console.log(
  `    hand-written / yidi full decision:                     ${(net("hand") / net("yidi")).toFixed(2)}×`,
);
const at = (k: string) => s(k).p50 - timer;
const pdsNone = at("pds-none-json");
console.log(
  `  parse + decide + serialize, ALL cases, p50 per case (target ≤ 8 µs), same run:\n` +
    `    before  (zod, full decision, JSON.stringify):              ${at("pds").toFixed(2)} µs\n` +
    `    after   (compiled check, full decision, JSON.stringify):   ${at("pds-fast").toFixed(2)} µs\n` +
    `    after   (compiled check, no trace, JSON.stringify):        ${at("pds-none").toFixed(2)} µs\n` +
    `    after   (compiled check, no trace, decisionJson: ?trace=false's answer): ${pdsNone.toFixed(2)} µs  ${pdsNone <= 8 ? "met" : "MISSED"}\n` +
    `    after   (the same + the log's rules trace serialized):      ${at("pds-api").toFixed(2)} µs`,
);
console.log(
  `    parts: parse zod ${at("parse").toFixed(2)} / compiled ${at("parse-fast").toFixed(2)} µs; decide full ${at("yidi-all").toFixed(2)} / rules ${at("yidi-rules").toFixed(2)} µs; stringify full ${at("stringify").toFixed(2)} / without trace ${at("stringify-none").toFixed(2)} / decisionJson without trace ${at("json-none").toFixed(2)} µs`,
);
console.log(
  `  memory at the end: RSS ${mb(mem.rss)}, heap ${mb(mem.heapUsed)} (${2 * N} parsed cases, ${N} decisions and the timings held)`,
);
if (sink === 42) console.log("");
