import { type LoadedRuleSet, SECTIONS } from "../engine/index.ts";
import type { AggregateData, CoverageEntry } from "./aggregate.ts";
import type { Simulation } from "./run.ts";

/** What `--json` writes and `POST /api/simulations` answers: the aggregate with coverage listed. */
export type Report = Omit<AggregateData, "coverage"> & {
  sources: string[];
  files: number;
  seconds: number;
  workers: number;
  casesPerSecond: number;
  coverage: { source: string; rules: CoverageEntry[]; neverExercised: { ruleSet: string; rule: string }[] }[];
};

/** The id a rule-set entry's trace line carries (as the engine writes it). */
const traceId = (section: string, key: string) =>
  section === "rules" ? key : section === "categories" ? `category.${key}` : `${section}.${key}`;

/** The report of a simulation; `ruleSets[i]` are the rule sets of source i (for the never-exercised list). */
export function buildReport(sim: Simulation, ruleSets: readonly (readonly LoadedRuleSet[])[]): Report {
  const { coverage, ...rest } = sim.data;
  const decided = sim.data.totals.cases;
  return {
    sources: sim.sources,
    files: sim.files,
    seconds: Math.round(sim.seconds * 1000) / 1000,
    workers: sim.workers,
    casesPerSecond: sim.seconds > 0 ? Math.round(decided / sim.seconds) : 0,
    ...rest,
    coverage: coverage.map((cov, i) => {
      const rules = Object.values(cov).sort((a, b) =>
        a.ruleSet < b.ruleSet ? -1 : a.ruleSet > b.ruleSet ? 1 : a.rule < b.rule ? -1 : 1,
      );
      const neverExercised: { ruleSet: string; rule: string }[] = [];
      for (const rs of ruleSets[i] ?? []) {
        const origin = `${rs.id}@${rs.version}`;
        for (const section of SECTIONS) {
          if (section === "emergencyCriteria") continue;
          const entries = (rs as unknown as Record<string, Record<string, unknown> | undefined>)[section];
          for (const [key, v] of Object.entries(entries ?? {})) {
            const rule = traceId(section, key);
            if (v !== null && !cov[`${origin} ${rule}`]) neverExercised.push({ ruleSet: origin, rule });
          }
        }
      }
      return { source: sim.sources[i] ?? "", rules, neverExercised };
    }),
  };
}

const xml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c,
  );

/**
 * JUnit XML for CI: one test case per compared case that failed, per invalid row, per defect
 * (the passing ones are counted, not listed: a million cases would make a file nobody opens).
 */
export function junitXml(r: Report): string {
  const t = r.totals;
  const failures = t.mismatched + t.defects;
  const errors = t.invalid + t.undecidable;
  const tests = t.compared + t.logged + t.invalid + t.undecidable;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="yidi simulate" tests="${tests}" failures="${failures}" errors="${errors}" time="${r.seconds}">`,
    `  <testsuite name="yidi simulate" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${t.unchecked}" time="${r.seconds}">`,
  ];
  const at = (x: { file: string; line?: number | undefined }) =>
    `${x.file}${x.line !== undefined ? `:${x.line}` : ""}`;
  for (const f of r.failures)
    out.push(
      `    <testcase classname="${xml(f.file)}" name="${xml(f.caseId)}"><failure message="differs from expected">${xml(`${at(f)}\n${f.mismatches.join("\n")}`)}</failure></testcase>`,
    );
  for (const d of r.defects)
    out.push(
      `    <testcase classname="${xml(d.file)}" name="${xml(d.caseId)}"><failure message="logged decision not reproduced">${xml(`${at(d)}\n${d.differences.join("\n")}`)}</failure></testcase>`,
    );
  for (const i of r.invalidRows)
    out.push(
      `    <testcase classname="${xml(i.file)}" name="${xml(i.caseId ?? at(i))}"><error message="invalid case">${xml(i.problems.map((p) => `${at({ file: p.file ?? i.file, line: p.line })}: ${p.path.join(".")}: ${p.message}`).join("\n"))}</error></testcase>`,
    );
  const passed = t.matched + t.reproduced;
  if (passed) out.push(`    <testcase classname="yidi simulate" name="${passed} case(s) matched"/>`);
  out.push("  </testsuite>", "</testsuites>", "");
  return out.join("\n");
}
