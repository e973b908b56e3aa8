import { statSync, writeFileSync } from "node:fs";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import pc from "picocolors";
import { caseSchema, type Lang, type Problem, plainMessages } from "../engine/index.ts";
import { type CsvMapping, parseMapping } from "../simulator/csv-mapping.ts";
import { listFiles, readText } from "../simulator/files.ts";
import { generate, samplesFor } from "../simulator/generate.ts";
import { readCaseFiles } from "../simulator/replay.ts";
import { buildReport, junitXml, type Report } from "../simulator/report.ts";
import { deciderOf, type RuleSourceSpec, ruleSource, serverRuleSource } from "../simulator/rule-source.ts";
import { defaultWorkers, SetupError, SIMULATION_EXTENSIONS, simulate } from "../simulator/run.ts";
import { renderProblems } from "./render.ts";

/** Below this many bytes of input the run stays in this thread (starting workers costs more). */
const SMALL_RUN_BYTES = 4 * 1024 * 1024;
/** Invalid rows, failures and defects printed one by one; the rest are counted. */
const PRINTED = 50;

type Opts = {
  server?: string;
  token?: string;
  source?: string;
  against?: string;
  mapping?: string;
  report?: string;
  json?: string;
  junit?: string;
  workers?: string;
};

function summaryLine(r: Report, fileProblems: number, lang: Lang): string {
  const t = r.totals;
  const n = {
    decided: t.decided,
    passed: t.matched,
    failed: t.mismatched,
    unchecked: t.unchecked,
    invalid: t.invalid + t.undecidable,
    files: fileProblems,
  };
  const zh = lang === "zh";
  const base = zh
    ? [
        `已判定 ${n.decided} 个案例：${n.passed} 个与 expected 一致，${n.failed} 个不一致`,
        n.unchecked ? `，${n.unchecked} 个没有 expected，未比对` : "",
        t.logged
          ? `；重放 ${t.logged} 个已记录的决定：${t.reproduced} 个完全一致，${t.defects} 个不一致（缺陷）${t.chainChanged ? `，${t.chainChanged} 个的规则链已不同` : ""}`
          : "",
        n.invalid ? `；${n.invalid} 个案例无效` : "",
        n.files ? `；${n.files} 个文件无法读取` : "",
      ]
    : [
        `${n.decided} case(s) decided: ${n.passed} matched their \`expected\`, ${n.failed} did not`,
        n.unchecked ? `, ${n.unchecked} have no \`expected\` and were not compared` : "",
        t.logged
          ? `; ${t.logged} logged decision(s) replayed: ${t.reproduced} reproduced exactly, ${t.defects} differ (defects)${t.chainChanged ? `, ${t.chainChanged} under another rule-set chain now (hashes differ)` : ""}`
          : "",
        n.invalid ? `; ${n.invalid} case(s) invalid` : "",
        n.files ? `; ${n.files} path(s) could not be read` : "",
      ];
  return base.join("");
}

/** The summary table of a run with two sources: transitions and what changed. */
function impactTable(r: Report): string {
  const outcomes = ["approved", "incomplete", "manual_review", "rejected"];
  const w = 14;
  const pad = (s: string | number) => String(s).padStart(w);
  const lines = [
    `${r.sources[0]} → ${r.sources[1]}: ${r.totals.changed} of ${r.totals.comparedSources} case(s) changed`,
    `${"from \\ to".padEnd(w)}${outcomes.map(pad).join("")}`,
    ...outcomes.map((f) => `${f.padEnd(w)}${outcomes.map((t) => pad(r.transitions[f]?.[t] ?? 0)).join("")}`),
    `changed: ${Object.entries(r.changes)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    `fund pay: ${r.fundPay.changed} of ${r.fundPay.compared} settlement(s) differ, sum of deltas ${r.fundPay.sum} (before ${r.fundPay.before}, after ${r.fundPay.after})`,
  ];
  return `${lines.join("\n")}\n`;
}

function render(r: Report, fileProblems: Problem[], lang: Lang): { text: string; failed: boolean } {
  const lines: string[] = [];
  if (fileProblems.length) lines.push(renderProblems(fileProblems));
  const more = (n: number, shown: number) => (n > shown ? [`… ${n - shown} more`] : []);
  for (const i of r.invalidRows.slice(0, PRINTED))
    lines.push(
      `${pc.red(lang === "zh" ? "无效" : "INVALID")} ${i.file}${i.line ? `:${i.line}` : ""} ${i.caseId ?? ""}`.trimEnd(),
      renderProblems(i.problems),
    );
  lines.push(...more(r.totals.invalid + r.totals.undecidable, Math.min(PRINTED, r.invalidRows.length)));
  for (const f of r.failures.slice(0, PRINTED))
    lines.push(
      `${pc.red(lang === "zh" ? "不一致" : "FAIL")} ${f.file} ${f.caseId}`,
      ...f.mismatches.map((m) => `      ${m}`),
    );
  lines.push(...more(r.totals.mismatched, Math.min(PRINTED, r.failures.length)));
  for (const d of r.defects.slice(0, PRINTED))
    lines.push(
      `${pc.red(lang === "zh" ? "缺陷" : "DEFECT")} ${d.file}:${d.line ?? ""} ${d.caseId}`,
      ...d.differences.map((m) => `      ${m}`),
    );
  lines.push(...more(r.totals.defects, Math.min(PRINTED, r.defects.length)));
  lines.push(summaryLine(r, fileProblems.length, lang));
  let text = `${lines.join("\n")}\n`;
  if (r.sources.length > 1) text += impactTable(r);
  const t = r.totals;
  return { text, failed: t.mismatched + t.invalid + t.undecidable + t.defects + fileProblems.length > 0 };
}

/** `yidi simulate` and `yidi generate`. */
export function registerSimulate(program: Command, defaults: { casesDir: string }): void {
  program
    .command("simulate")
    .description(
      "replay cases (YAML, JSON, JSON Lines, CSV, exported decision logs): compare with expected, with the decision logged, or with another rule source",
    )
    .argument("[paths...]", "case files, decision logs (.jsonl), CSV files or folders", [defaults.casesDir])
    .option(
      "--source <source>",
      "rule source: a folder, a rule-set file (a draft beside --rules) or id@version (default: --rules)",
    )
    .option(
      "--against <source>",
      "a second rule source: the impact of the change (folder, rule-set file or id@version)",
    )
    .option(
      "--server <url>",
      'take the rule sources from a running server: --source/--against "published" (default) or "version:ID"',
    )
    .option("--token <token>", "the bearer token for --server (default: $YIDI_TOKEN)")
    .option("--mapping <file>", "the column mapping of CSV files (YAML; docs/csv-mapping.md)")
    .option("--report <file>", "write a self-contained HTML report")
    .option("--json <file>", "write the report data as JSON")
    .option("--junit <file>", "write JUnit XML (CI)")
    .option("--workers <n>", "worker threads (default: 2 on big inputs, none on small ones)")
    .action(async (paths: string[], opts: Opts) => {
      const { rules, lang } = program.opts<{ rules: string; lang: Lang }>();
      const setup: Problem[] = [];
      const specs: RuleSourceSpec[] = [];
      const token = opts.token ?? process.env.YIDI_TOKEN;
      for (const arg of [
        opts.source ?? (opts.server ? "published" : rules),
        ...(opts.against ? [opts.against] : []),
      ]) {
        const s = opts.server ? await serverRuleSource(opts.server, token, arg) : ruleSource(arg, rules);
        if (s.spec) specs.push(s.spec);
        else setup.push(...s.problems);
      }
      let mapping: CsvMapping | undefined;
      if (opts.mapping) {
        const text = readText(opts.mapping);
        if (!text.ok) setup.push(text.problem);
        else {
          const m = parseMapping(text.text, opts.mapping);
          if (m.mapping) mapping = m.mapping;
          else setup.push(...m.problems);
        }
      }
      const workers = opts.workers === undefined ? undefined : Number(opts.workers);
      if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0))
        setup.push({
          code: "usage",
          path: [],
          message: `--workers ${opts.workers}: a whole number, 0 or more`,
        });
      if (setup.length) {
        process.stderr.write(`${renderProblems(setup)}\n`);
        process.exitCode = 1;
        return;
      }
      const bar =
        process.stderr.isTTY && !process.env.CI
          ? new SingleBar({
              format: " {bar} {percentage}% | {cases} cases | {eta_formatted}",
              hideCursor: true,
              stream: process.stderr,
            })
          : undefined;
      let started = false;
      try {
        const sim = await simulate({
          paths,
          sources: specs,
          mapping,
          workers: workers ?? (inputBytes(paths) < SMALL_RUN_BYTES ? 0 : defaultWorkers()),
          onProgress: (p) => {
            if (!bar) return;
            if (!started) {
              bar.start(p.totalBytes || 1, 0, { cases: 0 });
              started = true;
            }
            bar.update(p.bytes, { cases: p.cases });
          },
        });
        bar?.stop();
        const report = buildReport(
          sim,
          specs.map((s) => deciderOf(s).library.ruleSets),
        );
        const out = render(report, sim.fileProblems, lang);
        process.stdout.write(out.text);
        if (opts.json) writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
        if (opts.junit) writeFileSync(opts.junit, junitXml(report));
        if (opts.report) {
          // Loaded here: its charts (echarts, ~3 MB) would slow every other command's start.
          const { reportHtml } = await import("../simulator/report-html.ts");
          writeFileSync(opts.report, reportHtml(report));
        }
        process.exitCode = out.failed ? 1 : 0;
      } catch (e) {
        bar?.stop();
        if (e instanceof SetupError) {
          process.stderr.write(`${renderProblems(e.problems)}\n`);
          process.exitCode = 1;
          return;
        }
        throw e;
      }
    });

  program
    .command("generate")
    .description("write a synthetic, seeded history of cases as JSON Lines to standard output")
    .requiredOption("--count <n>", "how many cases")
    .option("--seed <s>", "the seed (same seed, same cases)", "1")
    .option("--region <code>", "only regions within this code (e.g. 510400, 360000)")
    .option("--from <date>", "earliest asOf", "2017-01-01")
    .option("--to <date>", "latest asOf", "2025-12-31")
    .option("--no-expected", "no expected outcome (by default each case expects what the rules decide)")
    .action(
      async (opts: {
        count: string;
        seed: string;
        region?: string;
        from: string;
        to: string;
        expected: boolean;
      }) => {
        const { rules } = program.opts<{ rules: string }>();
        const count = Number(opts.count);
        const seed = Number(opts.seed);
        if (!Number.isInteger(count) || count < 0 || !Number.isInteger(seed))
          throw new Error("--count and --seed are whole numbers");
        for (const d of [opts.from, opts.to])
          if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new Error(`${d}: a date as YYYY-MM-DD`);
        const { files } = readCaseFiles([defaults.casesDir]);
        const samples = samplesFor(
          files.flatMap((f) => f.cases),
          opts.region,
        );
        const src = opts.expected ? ruleSource(rules, rules) : undefined;
        if (src && !src.spec) throw new Error(src.problems.map((p) => p.message).join("; "));
        const decider = src?.spec && deciderOf(src.spec);
        const outcomeOf = decider
          ? (c: unknown) => {
              const p = caseSchema.safeParse(c, { error: plainMessages });
              if (!p.success) return undefined;
              const d = decider.decide(p.data);
              return d.ok ? d.decision.outcome : undefined;
            }
          : undefined;
        for (const chunk of generate(samples, {
          count,
          seed,
          region: opts.region,
          from: opts.from,
          to: opts.to,
          outcomeOf,
        })) {
          if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once("drain", r));
        }
      },
    );
}

function inputBytes(paths: readonly string[]): number {
  let n = 0;
  for (const f of listFiles(paths, SIMULATION_EXTENSIONS, "a case file").files) n += statSync(f).size;
  return n;
}
