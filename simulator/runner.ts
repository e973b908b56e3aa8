import { CORE_SCHEMA, load as fastYaml } from "js-yaml";
import {
  type Case,
  type CaseFormat,
  type Decider,
  type Decision,
  loadCases,
  type Problem,
  parseCase,
} from "../engine/index.ts";
import { type AggregateData, Aggregator, type CaseAt } from "./aggregate.ts";
import { type CsvMapping, mapRecord } from "./csv-mapping.ts";
import { readText } from "./files.ts";
import { compareExpected } from "./replay.ts";
import { deciderOf, type RuleSourceSpec } from "./rule-source.ts";
import { simpleYaml } from "./simple-yaml.ts";

/** A unit of work: a chunk of JSON Lines, a batch of CSV records, or a whole YAML/JSON file. */
export type Task =
  | { type: "jsonl"; file: string; firstLine: number; text: string; bytes: number }
  /** whole lines of a JSON Lines file as read (UTF-8; the file's first chunk may start with a BOM) */
  | { type: "jsonl-bytes"; file: string; firstLine: number; data: Uint8Array; bytes: number }
  | { type: "csv"; file: string; header: string[]; rows: { line: number; values: string[] }[]; bytes: number }
  | { type: "file"; file: string; format: CaseFormat; bytes: number }
  | { type: "text"; file: string; format: CaseFormat; text: string; bytes: number };

/** A line of an exported decision log: the case as given, and the decision first given. */
type LogLine = { case: unknown; decision: Decision };
const isLogLine = (v: unknown): v is LogLine =>
  typeof v === "object" && v !== null && "case" in v && "decision" in v && !("asOf" in v);

type Issue = { path: PropertyKey[]; message: string; code?: string };
const issueProblems = (issues: readonly Issue[], file: string, line: number | undefined, prefix: string[]) =>
  issues.map(
    (i): Problem => ({
      code: i.code ?? "invalid",
      path: [...prefix, ...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
      message: i.message,
      file,
      ...(line !== undefined && { line }),
    }),
  );

/**
 * How much trace a run asks of each decision. A run reads of a decision its outcome, reasons,
 * trace lines (coverage, the rule that made a difference) and the rest, never the condition
 * trees, so it decides without them (`rules`). Only a case that differs from its `expected` or
 * its logged decision is decided again in full, its difference worded from the full decision
 * (an `expected` or a logged decision may hold trees). A comparison that finds no difference
 * finds none in full either: `compareExpected` compares only the keys the other side gives, and
 * any key it reads in a tree is missing from a decision without trees (a difference).
 * `full` (every decision with its trees) is the reference the fast path is tested against.
 */
const FULL = { trace: "full" } as const;
const RULES = { trace: "rules" } as const;

/**
 * Decides cases under one or two rule sources and aggregates the results (one per worker, or
 * in the process for a small run). Each case is validated with the case schema (zod); a case
 * that fails is re-read by the located loader only then, to word its problems with line and
 * column — the fast path never pays for locating.
 */
export class CaseRunner {
  private readonly deciders: Decider[];
  private readonly trace: typeof FULL | typeof RULES;
  readonly agg: Aggregator;

  constructor(
    sources: readonly RuleSourceSpec[],
    private readonly mapping?: CsvMapping,
    trace: "full" | "rules" = "rules",
  ) {
    this.trace = trace === "full" ? FULL : RULES;
    this.deciders = sources.map(deciderOf);
    this.agg = new Aggregator(sources.length);
  }

  run(task: Task): void {
    if (task.type === "jsonl-bytes") {
      const { data } = task;
      let text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
      if (task.firstLine === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.jsonl(task.file, task.firstLine, text);
    } else if (task.type === "jsonl") this.jsonl(task.file, task.firstLine, task.text);
    else if (task.type === "csv") this.csv(task.file, task.header, task.rows);
    else if (task.type === "text") this.text(task.file, task.format, task.text);
    else this.file(task.file, task.format);
  }

  data(): AggregateData {
    return this.agg.data();
  }

  /** Lines of a JSON Lines file (a case, or a decision-log line `{case, decision}`), from `firstLine`. */
  jsonl(file: string, firstLine: number, text: string): void {
    let start = 0;
    let line = firstLine;
    while (start < text.length) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      const s = text.slice(start, end);
      if (s.trim() !== "") this.jsonlLine(file, line, s);
      start = end + 1;
      line++;
    }
  }

  private jsonlLine(file: string, line: number, s: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(s);
    } catch {
      this.locatedLine(file, line, s);
      return;
    }
    if (isLogLine(raw)) {
      const p = parseCase(raw.case);
      const id = idOf(raw.case);
      if (!p.success)
        this.agg.invalid({
          file,
          line,
          ...(id && { caseId: id }),
          problems: issueProblems(p.error.issues, file, line, ["case"]),
        });
      else this.decide(p.data, { file, line, caseId: p.data.id }, raw.decision);
      return;
    }
    const p = parseCase(raw);
    if (p.success) this.decide(p.data, { file, line, caseId: p.data.id });
    else this.locatedLine(file, line, s);
  }

  /** A bad line, worded by the located loader (file:line:column). */
  private locatedLine(file: string, line: number, s: string): void {
    const [loaded] = loadCases(s, file, "jsonl");
    const problems = loaded && !loaded.ok ? loaded.problems.map((p) => ({ ...p, line })) : [];
    const id = loaded && !loaded.ok ? loaded.id : undefined;
    this.agg.invalid({ file, line, ...(id && { caseId: id }), problems });
  }

  /** CSV records through the column mapping; a cell's problem names its line, column and field. */
  csv(file: string, header: readonly string[], rows: readonly { line: number; values: string[] }[]): void {
    const mapping = this.mapping;
    if (!mapping) throw new Error(`${file}: a CSV file needs a column mapping (--mapping FILE)`);
    const index = new Map(header.map((h, i) => [h.trim(), i]));
    const columnOf = new Map(mapping.columns.map((c) => [c.field.join("."), c.column]));
    for (const { line, values } of rows) {
      const { raw, problems: cells } = mapRecord(mapping, index, values);
      const id = idOf(raw);
      const p = parseCase(raw);
      if (p.success && cells.length === 0) {
        this.decide(p.data, { file, line, caseId: p.data.id });
        continue;
      }
      const problems: Problem[] = cells.map((c) => ({
        code: "csv_value",
        path: c.field.split("."),
        file,
        line,
        message: `column ${c.column}: ${c.message}`,
      }));
      if (!p.success) {
        for (const pr of issueProblems(p.error.issues, file, line, [])) {
          const field = pr.path.filter((x) => typeof x === "string").join(".");
          const column = columnOf.get(field);
          problems.push({ ...pr, message: column ? `column ${column}: ${pr.message}` : pr.message });
        }
      }
      this.agg.invalid({ file, line, ...(id && { caseId: id }), problems });
    }
  }

  /** A whole YAML or JSON file: parsed by a fast parser; on any problem, by the located loader. */
  file(file: string, format: CaseFormat): void {
    const r = readText(file);
    if (!r.ok) {
      this.agg.invalid({ file, problems: [r.problem] });
      return;
    }
    this.text(file, format, r.text);
  }

  /** A whole YAML or JSON text (a file's, or one sent to the server), named `file` in problems. */
  text(file: string, format: CaseFormat, text: string): void {
    // An empty JSON Lines text goes to the located loader, which says it is empty.
    if (format === "jsonl" && text.trim() !== "") {
      this.jsonl(file, 1, text);
      return;
    }
    const fast = this.fastFile(text, format);
    if (fast) {
      fast.forEach((c, i) => {
        this.decide(c, { file, caseId: c.id, line: i + 1 });
      });
      return;
    }
    for (const loaded of loadCases(text, file, format)) {
      if (!loaded.ok) {
        const line = loaded.problems[0]?.line;
        this.agg.invalid({
          file,
          ...(line !== undefined && { line }),
          ...(loaded.id && { caseId: loaded.id }),
          problems: loaded.problems,
        });
      } else this.decide(loaded.case, { file, caseId: loaded.case.id });
    }
  }

  /** Every case of a file when each is valid and ids are distinct; else undefined (read it again, located). */
  private fastFile(text: string, format: CaseFormat): Case[] | undefined {
    let data: unknown;
    try {
      // Anchors and aliases go the careful way (the located reader caps their expansion).
      if (format === "yaml" && /(^|[\s[{,:-])[&*][^\s]/m.test(text)) return undefined;
      // Plain case YAML by the simple reader; anything else by js-yaml (same values either way).
      data =
        format === "json" ? JSON.parse(text) : (simpleYaml(text) ?? fastYaml(text, { schema: CORE_SCHEMA }));
    } catch {
      return undefined;
    }
    if (data === null || data === undefined) return undefined;
    const list = Array.isArray(data)
      ? data
      : typeof data === "object" && "cases" in data
        ? (data as { cases: unknown }).cases
        : [data];
    if (!Array.isArray(list)) return undefined;
    const out: Case[] = [];
    const ids = new Set<string>();
    for (const raw of list) {
      const p = parseCase(raw);
      if (!p.success || ids.has(p.data.id)) return undefined;
      ids.add(p.data.id);
      out.push(p.data);
    }
    return out;
  }

  /** Decides a valid case under each source, compares it, and adds it to the aggregate. */
  decide(c: Case, at: CaseAt, logged?: Decision): void {
    const decisions: Decision[] = [];
    for (const d of this.deciders) {
      const r = d.decide(c, this.trace);
      if (!r.ok) {
        this.agg.undecidable({
          file: at.file,
          ...(at.line !== undefined && { line: at.line }),
          caseId: at.caseId,
          problems: r.problems.map((p) => ({
            ...p,
            file: at.file,
            ...(at.line !== undefined && { line: at.line }),
          })),
        });
        return;
      }
      decisions.push(r.decision);
    }
    let a = decisions[0] as Decision;
    const meta = { region: c.insured.region, category: a.category, scheme: c.insured.scheme };
    if (c.expected) {
      let mismatches = compareExpected(c.expected, a);
      // A difference is worded from the full decision (an `expected` may name a condition tree).
      if (mismatches.length && this.trace !== FULL) {
        a = this.full(c);
        mismatches = compareExpected(c.expected, a);
      }
      this.agg.decided(at, meta, decisions, { mismatches });
    } else if (logged) {
      let check = compareLogged(logged, a);
      if (check.sameChain && check.differences.length && this.trace !== FULL) {
        a = this.full(c);
        check = compareLogged(logged, a);
      }
      this.agg.decided(at, meta, decisions, { logged: check });
    } else this.agg.decided(at, meta, decisions, {});
  }

  /** The first source's decision with its condition trees. */
  private full(c: Case): Decision {
    const r = (this.deciders[0] as Decider).decide(c, FULL);
    if (!r.ok) throw new Error(`${c.id}: decided without trees but not with them`);
    return r.decision;
  }
}

const idOf = (raw: unknown): string | undefined => {
  const id = typeof raw === "object" && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === "string" && id !== "" ? id : undefined;
};

const chainKey = (d: Pick<Decision, "ruleSets">) =>
  (d.ruleSets ?? []).map((r) => `${r.id}@${r.version}#${r.hash}`).join(">");

/**
 * A logged decision against the decision made now. Same chain (ids, versions, content hashes):
 * any difference is a defect, listed path by path. A different chain is said, not compared.
 */
export function compareLogged(
  logged: Decision,
  now: Decision,
): { differences: string[]; sameChain: boolean } {
  if (chainKey(logged) !== chainKey(now)) {
    return { sameChain: false, differences: [`ruleSets: logged ${chainKey(logged)}, now ${chainKey(now)}`] };
  }
  if (JSON.stringify(logged) === JSON.stringify(now)) return { sameChain: true, differences: [] };
  const differences = compareExpected(logged, now);
  for (const k of Object.keys(now)) if (!(k in logged)) differences.push(`${k}: not in the logged decision`);
  // Same values, other key order: not a difference in the decision.
  return { sameChain: true, differences };
}
