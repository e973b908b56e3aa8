/**
 * The engine against a baseline copy of it, in one process: `BASE=/path/to/checkout npx tsx
 * bench/engine-ab.ts` (a checkout of another commit, e.g. `git worktree add /tmp/base HEAD` with
 * node_modules linked in; only its engine/ is loaded). Both must give the very same text for every
 * generated case — the ?trace=false answer, and the whole decision with the rules' and the full
 * trace — before any timing. Then both time the ALL line of `npm run bench` (compiled check +
 * decision with the rules' trace + decisionJson without it) in alternating rounds, so a busy
 * machine slows them alike; p50 and p90 per case, the timer's own cost subtracted.
 *
 * Environment: BASE (required), BENCH_CASES (default 10000), BENCH_ROUNDS (default 20),
 * BENCH_SAMPLE_MS (per side per round, default 150), BENCH_SEED (default 12, the ALL set's).
 */
import * as current from "../engine/index.ts";
import { readRuleFiles } from "../simulator/rule-files.ts";
import { generateCases, type RawCase, sampleCases } from "./cases.ts";

type Engine = typeof current;
type Form = "answer" | "rules" | "full";

const BASE = process.env.BASE;
if (!BASE) {
  console.error("engine-ab: set BASE to the checkout to compare with");
  process.exit(1);
}
const N = Number(process.env.BENCH_CASES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 150);
const SEED = Number(process.env.BENCH_SEED ?? 12);

const baseline = (await import(`${BASE}/engine/index.ts`)) as Engine;
const { ruleSets, problems } = readRuleFiles();
if (problems.length) throw new Error(`rule files have problems: ${JSON.stringify(problems)}`);
const raws = generateCases(sampleCases(), N, { seed: SEED });

/** Parse, decide and serialize one raw case, as the form asks. */
function pipeline(engine: Engine): (r: RawCase, form?: Form) => string {
  const decider = new engine.Decider(ruleSets);
  return (r, form = "answer") => {
    const p = engine.parseCase(r);
    if (!p.success) throw new Error(`${r.id}: ${p.error.issues[0]?.message}`);
    const d = decider.decide(p.data, { trace: form === "full" ? "full" : "rules" });
    if (!d.ok) throw new Error(`${r.id}: ${JSON.stringify(d.problems)}`);
    return form === "answer" ? engine.decisionJson(d.decision, "trace") : JSON.stringify(d.decision);
  };
}
const sides = [
  { name: "baseline", run: pipeline(baseline), ns: [] as number[], i: 0 },
  { name: "current ", run: pipeline(current), ns: [] as number[], i: 0 },
];
type Side = (typeof sides)[number];

let differences = 0;
for (const r of raws) {
  for (const form of ["answer", "rules", "full"] as const) {
    const [a, b] = sides.map((s) => s.run(r, form));
    if (a !== b && differences++ < 3) console.log(`differs: ${r.id} (${form})`);
  }
}
console.log(`agreement: ${differences} differences over ${raws.length} cases × 3 forms`);
if (differences) process.exit(1);

let sink = 0;
function turn(s: Side, ms: number, record: boolean): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    for (let k = 0; k < 64; k++) {
      const a = process.hrtime.bigint();
      sink += s.run(raws[s.i] as RawCase).length;
      const b = process.hrtime.bigint();
      if (record) s.ns.push(Number(b - a));
      s.i = (s.i + 1) % raws.length;
    }
  }
}
for (const s of sides) turn(s, 1000, false);
for (let round = 0; round < ROUNDS; round++)
  for (let j = 0; j < sides.length; j++) turn(sides[(j + round) % sides.length] as Side, SAMPLE_MS, true);

const timer: number[] = [];
for (let k = 0; k < 100_000; k++) {
  const a = process.hrtime.bigint();
  timer.push(Number(process.hrtime.bigint() - a));
}
const pct = (xs: number[], p: number) => xs.sort((x, y) => x - y)[Math.floor(p * xs.length)] as number;
const t = pct(timer, 0.5);
const us = (ns: number) => ((ns - t) / 1000).toFixed(2);
for (const s of sides)
  console.log(
    `${s.name}: p50 ${us(pct(s.ns, 0.5))} µs, p90 ${us(pct(s.ns, 0.9))} µs per case (${s.ns.length} timed)`,
  );
if (sink === 42) console.log("");
