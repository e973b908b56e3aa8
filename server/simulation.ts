import { Aggregator, DELTA_LABELS } from "../simulator/aggregate.ts";
import type { CsvMapping } from "../simulator/csv-mapping.ts";
import { buildReport, type Report } from "../simulator/report.ts";
import { deciderOf, type RuleSourceSpec, withVersion } from "../simulator/rule-source.ts";
import { runTasks, SetupError, type Simulation, simulateText, type TextInput } from "../simulator/run.ts";
import type { Task } from "../simulator/runner.ts";
import { AppError } from "./errors.ts";
import { maskDeep } from "./mask.ts";
import { parseVersion, versionPath } from "./policy-service.ts";
import type { Store } from "./store/index.ts";
import type { RuleSetVersion } from "./store/rule-sets.ts";

/** A rule source as the API names it: the published versions (each case at its asOf), or one version. */
export type SourceRef = { type: "published" } | { type: "version"; id: number };

/** Above this many bytes of cases a run goes to a worker thread: the server's own thread keeps answering. */
const WORKER_BYTES = 1024 * 1024;
/** Logged decisions per task of an impact run. */
const LINES_PER_TASK = 500;

/** The server's simulator report: `yidi simulate --json`'s, with the labels of the fund-pay buckets. */
export type ServerReport = Report & { deltaLabels: string[] };

/**
 * The simulator on the server's store: rule sources built from the published versions and from
 * any stored version (a draft, one in review, a published one), cases from a request's text or
 * from the decision log. The aggregation and the report are the CLI's (simulator/), not a copy.
 */
export class SimulationService {
  constructor(private readonly store: Store) {}

  /** The published versions as a rule source: each case decided by the versions in force at its asOf. */
  async published(): Promise<RuleSourceSpec> {
    const versions = await this.store.ruleSets.published();
    return {
      label: "published",
      texts: versions.map((v) => ({ file: versionPath(v), text: v.content })),
    };
  }

  /**
   * One stored version substituted into the published chain: its rule set's version for every
   * case, whatever the case's date (the other versions of its rule set are kept for an `extends`
   * that names them, never in force). 404 for an unknown id, 422 when it does not load.
   */
  async version(id: number): Promise<{ spec: RuleSourceSpec; version: RuleSetVersion }> {
    const v = await this.store.ruleSets.get(id);
    if (!v) throw new AppError("NOT_FOUND", `no rule-set version ${id}`);
    const p = parseVersion(v);
    if (!p.ok)
      throw new AppError("RULES_INVALID", `version ${id} does not load; fix its problems first`, p.problems);
    const label = `${v.ruleSetId}@${v.version} (#${v.id}, ${v.status})`;
    return { version: v, spec: withVersion(await this.published(), v, label) };
  }

  async source(ref: SourceRef): Promise<RuleSourceSpec> {
    return ref.type === "published" ? this.published() : (await this.version(ref.id)).spec;
  }

  /** Cases sent as text, under one source or two (the second: the change). */
  async runText(input: TextInput, sources: RuleSourceSpec[], mapping?: CsvMapping): Promise<ServerReport> {
    const workers = Buffer.byteLength(input.text) > WORKER_BYTES ? 1 : 0;
    let sim: Simulation;
    try {
      sim = await simulateText(input, { sources, mapping, workers });
    } catch (e) {
      if (e instanceof SetupError) throw new AppError("VALIDATION", "the CSV cannot be read", e.problems);
      throw e;
    }
    return report(sim, sources);
  }

  /**
   * Logged decisions (lines of `GET /api/decisions/export`) replayed under `sources`: the first
   * reproduces each logged decision (any difference under the same chain is a defect), the
   * second gives the impact. Changed cases carry the logged decision's id.
   */
  async runLog(
    lines: readonly string[],
    sources: RuleSourceSpec[],
    file = "decision-log",
  ): Promise<ServerReport> {
    const started = performance.now();
    let bytes = 0;
    for (const l of lines) bytes += l.length;
    const workers = bytes > WORKER_BYTES ? 1 : 0;
    const tasks = function* (): Generator<Task> {
      for (let i = 0; i < lines.length; i += LINES_PER_TASK) {
        const text = `${lines.slice(i, i + LINES_PER_TASK).join("\n")}\n`;
        yield { type: "jsonl", file, firstLine: i + 1, text, bytes: text.length };
      }
    };
    const data = await runTasks(tasks(), new Aggregator(sources.length), { sources, workers });
    const r = report(
      {
        data,
        fileProblems: [],
        files: 1,
        seconds: (performance.now() - started) / 1000,
        workers,
        sources: sources.map((s) => s.label),
      },
      sources,
    );
    const idAt = (line: number | undefined) => {
      const l = line === undefined ? undefined : lines[line - 1];
      if (!l) return undefined;
      const m = /"decisionId":"([^"]+)"/.exec(l);
      return m?.[1];
    };
    for (const list of [r.changedCases, r.defects, r.invalidRows] as {
      line?: number;
      decisionId?: string;
    }[][])
      for (const c of list) {
        const id = idAt(c.line);
        if (id) c.decisionId = id;
      }
    return r;
  }
}

function report(sim: Simulation, sources: readonly RuleSourceSpec[]): ServerReport {
  const ruleSets = sources.map((s) => deciderOf(s).library.ruleSets);
  return { ...buildReport(sim, ruleSets), deltaLabels: [...DELTA_LABELS] };
}

/**
 * The report as a role sees it: for roles that do not handle applicants' files, every ID number
 * in the lists (changed cases, defects, failures, invalid rows — case ids and messages) masked.
 */
export function reportAsSeen(r: ServerReport, full: boolean): ServerReport {
  if (full) return r;
  return {
    ...r,
    changedCases: maskDeep(r.changedCases),
    defects: maskDeep(r.defects),
    failures: maskDeep(r.failures),
    invalidRows: maskDeep(r.invalidRows),
  };
}
