/**
 * Growth (`npm run bench:growth`): how the decision's cost grows with the rules and with the
 * cases, drawn to docs/bench-growth.png (ECharts server-side SVG → PNG with @resvg/resvg-js).
 *  - rules: Panzhihua's chain with 0 … 990 more rules in scope of every filing (each a real
 *    condition tree on the case's facts, a warning when it fails, so outcomes stay as they were),
 *    µs per decision (p50) for yidi and for json-rules-engine `run()` over the rules in scope, on
 *    the same distinct cases, interleaved;
 *  - cases: 10k, 100k and 1M distinct generated cases (every region, kind and chain) decided in
 *    one process, generated and parsed in chunks of 10,000 and never all held: µs per decision
 *    over the whole run and the process's peak RSS.
 *
 * Environment: GROWTH_MAX_CASES (default 1000000), GROWTH_RULE_CASES (cases per rules point, default 400).
 */
import { writeFileSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts";
import { Engine, type RuleProperties } from "json-rules-engine";
import { type Case, caseSchema, Decider, type LoadedRuleSet, referenceFacts } from "../engine/index.ts";
import { CUSTOM_OPERATORS } from "../engine/operators.ts";
import { readRuleFiles } from "../simulator/rule-files.ts";
import { generateCases, sampleCases } from "./cases.ts";
import { ZEN_FROM, ZEN_TO } from "./zen-graph.ts";

const MAX_CASES = Number(process.env.GROWTH_MAX_CASES ?? 1_000_000);
const RULE_CASES = Number(process.env.GROWTH_RULE_CASES ?? 400);
const OUT = new URL("../docs/bench-growth.png", import.meta.url);

const { ruleSets } = readRuleFiles();
const samples = sampleCases();
const mb = (b: number) => b / 2 ** 20;

// ---- rules: 10 → 1,000 in scope -----------------------------------------------------------------

const EXTRA = [0, 20, 90, 290, 990];
const pzhRaw = generateCases(samples, RULE_CASES, {
  seed: 21,
  regionPrefix: "5104",
  kinds: ["filing"],
  from: ZEN_FROM,
  to: ZEN_TO,
});
const pzh = pzhRaw.map((r) => caseSchema.parse(r));
const FACT_TESTS = [
  { fact: "insured.region", operator: "inRegion", value: "510000" },
  { fact: "applicant.age", operator: "greaterThanInclusive", value: 0 },
  {
    fact: "insured.scheme",
    operator: "in",
    value: ["employee", "urban_rural_resident", "urban_resident", "ncms"],
  },
  { fact: "asOf", operator: "dateOnOrAfter", value: "2000-01-01" },
];
function withExtraRules(extra: number): LoadedRuleSet[] {
  return ruleSets.map((rs) => {
    if (rs.id !== "sichuan/panzhihua") return rs;
    const rules = { ...rs.rules };
    for (let i = 0; i < extra; i++) {
      rules[`extra-${i}`] = {
        kinds: ["filing"],
        conditions: { any: [FACT_TESTS[i % 4], { not: FACT_TESTS[(i + 1) % 4] }] },
        onFail: "warn",
        message: `extra rule ${i}`,
        citation: { document: "攀医保〔2017〕10号", clause: "bench" },
      } as never;
    }
    return { ...rs, rules, hash: `${rs.hash}+${extra}` };
  });
}
type RulePoint = { inScope: number; yidi: number; jre: number };
const rulePoints: RulePoint[] = [];
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
for (const extra of EXTRA) {
  const decider = new Decider(withExtraRules(extra));
  const policy = (
    decider.policyFor("510402", ZEN_FROM) as { ok: true; policy: import("../engine/index.ts").Policy }
  ).policy;
  const engines = new Map<string, Engine>();
  const engineFor = (c: Case) => {
    const cat = c.filing.category ?? "";
    let e = engines.get(cat);
    if (!e) {
      e = new Engine([], { allowUndefinedFacts: true });
      for (const [name, fn] of Object.entries(CUSTOM_OPERATORS)) e.addOperator(name, fn);
      for (const rule of policy.rulesFor(c.kind, c.filing.category)) {
        const wrap = (x: object) => ("all" in x || "any" in x ? x : { all: [x] });
        if (rule.when)
          e.addRule({
            name: `${rule.id}#w`,
            conditions: wrap(rule.when),
            event: { type: "w" },
          } as RuleProperties);
        e.addRule({
          name: rule.id,
          conditions: wrap(rule.conditions),
          event: { type: "c" },
        } as RuleProperties);
      }
      engines.set(cat, e);
    }
    return e;
  };
  const inScope = median(pzh.map((c) => policy.rulesFor(c.kind, c.filing.category).length));
  const ys: number[] = [];
  const js: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const c of pzh) {
      let t = performance.now();
      decider.decide(c);
      ys.push(performance.now() - t);
      t = performance.now();
      await engineFor(c).run(referenceFacts(c, policy));
      js.push(performance.now() - t);
    }
  }
  rulePoints.push({
    inScope,
    yidi: median(ys.slice(pzh.length)) * 1000,
    jre: median(js.slice(pzh.length)) * 1000,
  });
  const p = rulePoints.at(-1) as RulePoint;
  console.log(
    `rules in scope ${p.inScope}: yidi ${p.yidi.toFixed(1)} µs, json-rules-engine run() ${p.jre.toFixed(1)} µs per decision (p50)`,
  );
}

// ---- cases: 10k → 1M, streamed -----------------------------------------------------------------

type CasePoint = { n: number; usPerDecision: number; peakRssMb: number; seconds: number };
const casePoints: CasePoint[] = [];
const decider = new Decider(ruleSets);
const CHUNK = 10_000;
let peak = 0;
for (const n of [10_000, 100_000, 1_000_000].filter((x) => x <= MAX_CASES)) {
  let decideMs = 0;
  let decided = 0;
  const started = performance.now();
  for (let chunk = 0; chunk * CHUNK < n; chunk++) {
    const parsed: Case[] = [];
    for (const r of generateCases(samples, Math.min(CHUNK, n - chunk * CHUNK), { seed: 1000 + chunk })) {
      const p = caseSchema.safeParse(r);
      if (p.success) parsed.push(p.data);
    }
    const t = performance.now();
    for (const c of parsed) if (decider.decide(c).ok) decided++;
    decideMs += performance.now() - t;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  casePoints.push({
    n,
    usPerDecision: (decideMs * 1000) / decided,
    peakRssMb: mb(peak),
    seconds: (performance.now() - started) / 1000,
  });
  const p = casePoints.at(-1) as CasePoint;
  console.log(
    `${n.toLocaleString("en")} cases: ${p.usPerDecision.toFixed(2)} µs per decision (decide only), peak RSS ${p.peakRssMb.toFixed(0)} MB, ${p.seconds.toFixed(0)} s with generating and parsing`,
  );
}

// ---- chart -------------------------------------------------------------------------------------

const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: 1100, height: 460 });
chart.setOption({
  animation: false,
  backgroundColor: "#fff",
  title: [
    {
      text: "µs per decision vs rules in scope (Panzhihua filings, p50)",
      left: "3%",
      textStyle: { fontSize: 14 },
    },
    {
      text: "µs per decision and peak RSS vs distinct cases (all regions)",
      left: "53%",
      textStyle: { fontSize: 14 },
    },
  ],
  legend: { bottom: 0, data: ["yidi", "json-rules-engine run()", "yidi µs/decision", "peak RSS MB"] },
  grid: [
    { left: "6%", right: "54%", top: 60, bottom: 70 },
    { left: "56%", right: "6%", top: 60, bottom: 70 },
  ],
  xAxis: [
    { type: "log", gridIndex: 0, name: "rules", nameLocation: "middle", nameGap: 28 },
    {
      type: "category",
      gridIndex: 1,
      name: "distinct cases",
      nameLocation: "middle",
      nameGap: 28,
      data: casePoints.map((p) => p.n.toLocaleString("en")),
    },
  ],
  yAxis: [
    { type: "log", gridIndex: 0, name: "µs" },
    { type: "value", gridIndex: 1, name: "µs", min: 0 },
    { type: "value", gridIndex: 1, name: "MB", position: "right", min: 0 },
  ],
  series: [
    {
      name: "yidi",
      type: "line",
      xAxisIndex: 0,
      yAxisIndex: 0,
      data: rulePoints.map((p) => [p.inScope, p.yidi]),
      label: { show: true, formatter: (x: { value: number[] }) => (x.value[1] as number).toFixed(0) },
    },
    {
      name: "json-rules-engine run()",
      type: "line",
      xAxisIndex: 0,
      yAxisIndex: 0,
      data: rulePoints.map((p) => [p.inScope, p.jre]),
      label: { show: true, formatter: (x: { value: number[] }) => (x.value[1] as number).toFixed(0) },
    },
    {
      name: "yidi µs/decision",
      type: "line",
      xAxisIndex: 1,
      yAxisIndex: 1,
      data: casePoints.map((p) => p.usPerDecision),
      label: { show: true, formatter: (x: { value: number }) => x.value.toFixed(1) },
    },
    {
      name: "peak RSS MB",
      type: "bar",
      xAxisIndex: 1,
      yAxisIndex: 2,
      barWidth: 18,
      data: casePoints.map((p) => p.peakRssMb),
      label: {
        show: true,
        position: "top",
        formatter: (x: { value: number }) => x.value.toFixed(0),
      },
    },
  ],
});
const svg = chart.renderToSVGString();
chart.dispose();
const png = new Resvg(svg, {
  font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  background: "#fff",
})
  .render()
  .asPng();
writeFileSync(OUT, png);
console.log(`wrote ${OUT.pathname} (${png.length} bytes)`);
