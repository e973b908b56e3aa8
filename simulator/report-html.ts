import * as echarts from "echarts";
import { DELTA_LABELS, type Slice } from "./aggregate.ts";
import type { Report } from "./report.ts";

/** CJK fonts as the reader's system has them; nothing is fetched (the file opens offline). */
const FONT =
  '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';

const esc = (s: unknown) =>
  String(s).replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] ?? c);

/** One chart as inline SVG, rendered without a browser (ECharts' server-side SVG). */
function svg(option: echarts.EChartsCoreOption, width = 720, height = 360): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  chart.setOption({ animation: false, textStyle: { fontFamily: FONT }, ...option });
  const out = chart.renderToSVGString();
  chart.dispose();
  return out;
}

const OUTCOMES = ["approved", "incomplete", "manual_review", "rejected"];

function table(head: string[], rows: (string | number)[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

const sliceRows = (s: Record<string, Slice>) =>
  Object.entries(s)
    .sort((a, b) => b[1].changed - a[1].changed || (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => [k, v.cases, v.changed, v.outcomeChanged, v.fundPayDelta]);

/**
 * The simulation report as one self-contained HTML file: summary, outcome transitions (a
 * heat-map matrix), fund-pay deltas (a histogram), coverage (a bar per rule set: exercised and
 * never exercised), breakdowns by region, category and scheme, and the changed cases with the
 * rule that made the difference.
 */
export function reportHtml(r: Report, title = "yidi simulate"): string {
  const t = r.totals;
  const parts: string[] = [];
  parts.push(
    `<h1>${esc(title)}</h1>`,
    `<p>${esc(r.sources.join(" → "))} · ${r.files} file(s) · ${t.cases} case(s) · ${r.seconds} s · ${r.casesPerSecond} cases/s · ${r.workers} worker(s)</p>`,
    table(["", "count"], [
      ["cases read", t.cases],
      ["invalid (not decided)", t.invalid],
      ["no rule set for region and date", t.undecidable],
      ["decided", t.decided],
      ["compared with expected: matched", t.matched],
      ["compared with expected: differ", t.mismatched],
      ["without expected (not compared)", t.unchecked],
      ["logged decisions replayed", t.logged],
      ["logged: reproduced exactly", t.reproduced],
      ["logged: differ under the same chain (defects)", t.defects],
      ["logged: another rule-set chain now", t.chainChanged],
      ...(r.sources.length > 1
        ? [
            ["decided by both sources", t.comparedSources],
            ["changed", t.changed],
          ]
        : []),
    ] as (string | number)[][]),
  );
  const outcomeRow = (i: number) => OUTCOMES.map((o) => r.outcomes[i]?.[o] ?? 0);
  parts.push(
    "<h2>Outcomes</h2>",
    svg({
      tooltip: {},
      legend: { data: r.sources },
      xAxis: { type: "category", data: OUTCOMES },
      yAxis: { type: "value" },
      series: r.sources.map((s, i) => ({ name: s, type: "bar", data: outcomeRow(i) })),
    }),
  );
  if (r.sources.length > 1) {
    const data: [number, number, number][] = [];
    let max = 1;
    OUTCOMES.forEach((from, x) => {
      OUTCOMES.forEach((to, y) => {
        const n = r.transitions[from]?.[to] ?? 0;
        max = Math.max(max, n);
        data.push([x, y, n]);
      });
    });
    parts.push(
      "<h2>Outcome transitions</h2>",
      `<p>rows: ${esc(r.sources[0])}; columns: ${esc(r.sources[1])}</p>`,
      table(
        ["from \\ to", ...OUTCOMES],
        OUTCOMES.map((from) => [from, ...OUTCOMES.map((to) => r.transitions[from]?.[to] ?? 0)]),
      ),
      svg({
        tooltip: {},
        grid: { left: 120, bottom: 80 },
        xAxis: { type: "category", data: OUTCOMES, name: "before", axisLabel: { rotate: 20 } },
        yAxis: { type: "category", data: OUTCOMES, name: "after" },
        visualMap: { min: 0, max, calculable: false, orient: "horizontal", left: "center", bottom: 0 },
        series: [{ type: "heatmap", data, label: { show: true } }],
      }),
      "<h2>What changed</h2>",
      table(["", "cases"], Object.entries(r.changes)),
      "<h2>Fund payment</h2>",
      table(
        ["", "yuan"],
        [
          ["settlements priced by both", r.fundPay.compared],
          ["with a different fund payment", r.fundPay.changed],
          ["sum before", r.fundPay.before],
          ["sum after", r.fundPay.after],
          ["sum of deltas", r.fundPay.sum],
          ["smallest delta", r.fundPay.min ?? "—"],
          ["largest delta", r.fundPay.max ?? "—"],
        ],
      ),
      svg({
        tooltip: {},
        grid: { bottom: 90 },
        xAxis: { type: "category", data: [...DELTA_LABELS], axisLabel: { rotate: 35 } },
        yAxis: { type: "value", name: "cases" },
        series: [{ type: "bar", data: r.fundPay.buckets }],
      }),
      "<h2>By region</h2>",
      table(["region", "cases", "changed", "outcome changed", "fund-pay delta"], sliceRows(r.byRegion)),
      "<h2>By category</h2>",
      table(["category", "cases", "changed", "outcome changed", "fund-pay delta"], sliceRows(r.byCategory)),
      "<h2>By scheme</h2>",
      table(["scheme", "cases", "changed", "outcome changed", "fund-pay delta"], sliceRows(r.byScheme)),
      `<h2>Changed cases${r.dropped.changedCases ? ` (first ${r.changedCases.length}; ${r.dropped.changedCases} more)` : ""}</h2>`,
      table(
        [
          "case",
          "where",
          "region",
          "category",
          "before → after",
          "changes",
          "fund-pay delta",
          "first differing rule",
        ],
        r.changedCases.map((c) => [
          c.caseId,
          `${c.file}${c.line ? `:${c.line}` : ""}`,
          c.region,
          c.category ?? "—",
          `${c.from} → ${c.to}`,
          c.changes.join(", "),
          c.fundPayDelta ?? "—",
          c.rule ? `${c.rule.rule} (${c.rule.ruleSet}): ${c.rule.before} → ${c.rule.after}` : "—",
        ]),
      ),
    );
  }
  for (const cov of r.coverage) {
    const bySet = new Map<string, { hit: number; never: number }>();
    for (const e of cov.rules) {
      const v = bySet.get(e.ruleSet) ?? { hit: 0, never: 0 };
      v.hit++;
      bySet.set(e.ruleSet, v);
    }
    for (const e of cov.neverExercised) {
      const v = bySet.get(e.ruleSet) ?? { hit: 0, never: 0 };
      v.never++;
      bySet.set(e.ruleSet, v);
    }
    const sets = [...bySet.keys()].sort();
    parts.push(
      `<h2>Coverage — ${esc(cov.source)}</h2>`,
      svg(
        {
          tooltip: {},
          legend: { data: ["exercised", "never exercised"] },
          grid: { left: 220 },
          xAxis: { type: "value" },
          yAxis: { type: "category", data: sets },
          series: [
            { name: "exercised", type: "bar", stack: "n", data: sets.map((s) => bySet.get(s)?.hit ?? 0) },
            {
              name: "never exercised",
              type: "bar",
              stack: "n",
              data: sets.map((s) => bySet.get(s)?.never ?? 0),
            },
          ],
        },
        720,
        Math.max(200, 40 + sets.length * 28),
      ),
      table(
        ["rule set", "rule", "type", "clause", "evaluated", "passed", "failed", "unknown", "decided"],
        cov.rules.map((e) => [
          e.ruleSet,
          e.rule,
          e.type,
          e.citation ?? "—",
          e.evaluated,
          e.passed,
          e.failed,
          e.unknown,
          e.decided,
        ]),
      ),
      `<h3>Never exercised (${cov.neverExercised.length})</h3>`,
      table(
        ["rule set", "rule"],
        cov.neverExercised.map((e) => [e.ruleSet, e.rule]),
      ),
    );
  }
  if (r.failures.length)
    parts.push(
      "<h2>Differ from expected</h2>",
      table(
        ["case", "where", "differences"],
        r.failures.map((f) => [f.caseId, `${f.file}:${f.line ?? ""}`, f.mismatches.join("; ")]),
      ),
    );
  if (r.defects.length)
    parts.push(
      "<h2>Defects: logged decisions not reproduced</h2>",
      table(
        ["case", "where", "differences"],
        r.defects.map((f) => [f.caseId, `${f.file}:${f.line ?? ""}`, f.differences.join("; ")]),
      ),
    );
  if (r.invalidRows.length)
    parts.push(
      "<h2>Invalid rows</h2>",
      table(
        ["where", "case", "problems"],
        r.invalidRows.map((i) => [
          `${i.file}:${i.line ?? ""}`,
          i.caseId ?? "—",
          i.problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("; "),
        ]),
      ),
    );
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body { font-family: ${FONT}; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
svg { display: block; margin: .5rem 0; }
</style></head><body>
${parts.join("\n")}
</body></html>
`;
}
