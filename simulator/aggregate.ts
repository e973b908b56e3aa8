import { Decimal } from "decimal.js";
import type { Decision, Problem } from "../engine/index.ts";

/**
 * A simulation's results, aggregated on the fly: counts, outcome transitions, money deltas,
 * breakdowns and rule coverage grow with the number of distinct keys (outcomes, regions, rules),
 * never with the number of cases. The lists (failures, invalid rows, changed cases, defects) keep
 * the first `LIST_CAP` entries and count the rest. Each worker keeps one; `merge` joins them.
 */
export const LIST_CAP = 1000;

/** Where a case sits: file, line (JSONL, CSV, or the case's first line in YAML/JSON), id. */
export type CaseAt = { file: string; line?: number; caseId: string };

export type Failure = CaseAt & { mismatches: string[] };
export type InvalidRow = { file: string; line?: number; caseId?: string; problems: Problem[] };
/** A logged decision that the same rule-set chain decides differently now: a defect. */
export type Defect = CaseAt & { differences: string[] };
export type ChangedCase = CaseAt & {
  region: string;
  category: string | null;
  scheme: string;
  from: string;
  to: string;
  changes: string[];
  fundPayDelta: string | null;
  /** The first trace entry that differs between the two sources: the rule that made the difference. */
  rule: { rule: string; ruleSet: string; before: string; after: string } | null;
};

/** How a rule (or material requirement, or clause) fared across the cases that reached it. */
export type CoverageEntry = {
  ruleSet: string;
  rule: string;
  type: string;
  citation: string | null;
  /** cases whose trace holds it */
  evaluated: number;
  passed: number;
  failed: number;
  unknown: number;
  /** cases in which it gave a reject / manual_review / unknown reason: it set the outcome */
  decided: number;
};

export type Slice = { cases: number; changed: number; outcomeChanged: number; fundPayDelta: string };

/** Fund-pay delta buckets (yuan): the upper bound of each, the last open. */
export const DELTA_EDGES = [-10000, -1000, -100, -10, 0, 10, 100, 1000, 10000] as const;
export const DELTA_LABELS = [
  "< −10000",
  "−10000 … −1000",
  "−1000 … −100",
  "−100 … −10",
  "−10 … 0",
  "0 … 10",
  "10 … 100",
  "100 … 1000",
  "1000 … 10000",
  "≥ 10000",
] as const;

export type Totals = {
  /** cases read (valid or not) */
  cases: number;
  /** rows or cases that failed validation (the run goes on) */
  invalid: number;
  /** valid cases no rule set could decide (no chain for the region and date) */
  undecidable: number;
  decided: number;
  /** cases with `expected`, compared */
  compared: number;
  matched: number;
  mismatched: number;
  /** decided, without `expected`, not a logged decision: not compared */
  unchecked: number;
  /** decision-log lines replayed against their logged decision */
  logged: number;
  reproduced: number;
  /** logged decisions decided differently under the same chain (same hashes): defects */
  defects: number;
  /** logged decisions whose chain (versions or hashes) differs from the source's: not comparable as identity */
  chainChanged: number;
  /** with --against: cases decided by both sources, and those whose decision changed */
  comparedSources: number;
  changed: number;
};

export type AggregateData = {
  totals: Totals;
  outcomes: Record<string, number>[];
  transitions: Record<string, Record<string, number>>;
  changes: Record<
    "outcome" | "validity" | "lock" | "settlementMode" | "dueDate" | "missing" | "fundPay",
    number
  >;
  fundPay: {
    compared: number;
    changed: number;
    sum: string;
    before: string;
    after: string;
    min: string | null;
    max: string | null;
    buckets: number[];
  };
  byRegion: Record<string, Slice>;
  byCategory: Record<string, Slice>;
  byScheme: Record<string, Slice>;
  coverage: Record<string, CoverageEntry>[];
  failures: Failure[];
  invalidRows: InvalidRow[];
  defects: Defect[];
  changedCases: ChangedCase[];
  dropped: { failures: number; invalidRows: number; defects: number; changedCases: number };
};

const zeroTotals = (): Totals => ({
  cases: 0,
  invalid: 0,
  undecidable: 0,
  decided: 0,
  compared: 0,
  matched: 0,
  mismatched: 0,
  unchecked: 0,
  logged: 0,
  reproduced: 0,
  defects: 0,
  chainChanged: 0,
  comparedSources: 0,
  changed: 0,
});

export function emptyAggregate(sources: number): AggregateData {
  return {
    totals: zeroTotals(),
    outcomes: Array.from({ length: sources }, () => ({})),
    transitions: {},
    changes: { outcome: 0, validity: 0, lock: 0, settlementMode: 0, dueDate: 0, missing: 0, fundPay: 0 },
    fundPay: {
      compared: 0,
      changed: 0,
      sum: "0.00",
      before: "0.00",
      after: "0.00",
      min: null,
      max: null,
      buckets: DELTA_LABELS.map(() => 0),
    },
    byRegion: {},
    byCategory: {},
    byScheme: {},
    coverage: Array.from({ length: sources }, () => ({})),
    failures: [],
    invalidRows: [],
    defects: [],
    changedCases: [],
    dropped: { failures: 0, invalidRows: 0, defects: 0, changedCases: 0 },
  };
}

/** The calculated fund payment of a settlement decision, or null. */
const fundPayOf = (d: Decision): string | null => (d.benefits?.calculated ? d.benefits.fundPay : null);

const citationText = (c: { document: string; clause?: string } | undefined) =>
  c ? `${c.document}${c.clause ? ` ${c.clause}` : ""}` : null;

/**
 * The aggregate of one worker (or of the whole run): add cases as they are decided, then
 * `data()`. Money sums are Decimals while adding and decimal strings in the data.
 */
export class Aggregator {
  readonly d: AggregateData;
  private sum = new Decimal(0);
  private before = new Decimal(0);
  private after = new Decimal(0);
  private min: Decimal | null = null;
  private max: Decimal | null = null;
  private readonly slices = new Map<string, { s: Slice; delta: Decimal }>();
  /** Per source: rule set → rule → its coverage entry (the same objects as `d.coverage`). */
  private readonly coverIndex: Map<string, Map<string, CoverageEntry>>[];

  constructor(readonly sources: number) {
    this.d = emptyAggregate(sources);
    this.coverIndex = Array.from({ length: sources }, () => new Map());
  }

  invalid(row: InvalidRow): void {
    this.d.totals.cases++;
    this.d.totals.invalid++;
    this.push("invalidRows", row);
  }

  undecidable(row: InvalidRow): void {
    this.d.totals.cases++;
    this.d.totals.undecidable++;
    this.push("invalidRows", row);
  }

  private push<K extends "failures" | "invalidRows" | "defects" | "changedCases">(
    k: K,
    v: AggregateData[K][number],
  ): void {
    const list = this.d[k] as unknown[];
    if (list.length < LIST_CAP) list.push(v);
    else this.d.dropped[k]++;
  }

  /**
   * One decided case: its decision under each source (the second with --against), what it
   * expected, and (for a decision-log line) the decision first given.
   */
  decided(
    at: CaseAt,
    meta: { region: string; category: string | null; scheme: string },
    decisions: Decision[],
    check: { mismatches?: string[] | undefined; logged?: { differences: string[]; sameChain: boolean } },
  ): void {
    const t = this.d.totals;
    t.cases++;
    t.decided++;
    const a = decisions[0] as Decision;
    for (let i = 0; i < decisions.length; i++) {
      const dec = decisions[i] as Decision;
      const o = this.d.outcomes[i] as Record<string, number>;
      o[dec.outcome] = (o[dec.outcome] ?? 0) + 1;
      this.cover(i, dec);
    }
    if (check.mismatches) {
      t.compared++;
      if (check.mismatches.length) {
        t.mismatched++;
        this.push("failures", { ...at, mismatches: check.mismatches });
      } else t.matched++;
    } else if (check.logged) {
      t.logged++;
      if (!check.logged.sameChain) t.chainChanged++;
      else if (check.logged.differences.length) {
        t.defects++;
        this.push("defects", { ...at, differences: check.logged.differences });
      } else t.reproduced++;
    } else t.unchecked++;
    const b = decisions[1];
    if (b) this.impact(at, meta, a, b);
  }

  /**
   * A decision's trace lines and reasons counted into source i's coverage. Entries are found by
   * rule set, then rule (the engine's own strings, hashed once), never by a key built per line.
   */
  private cover(i: number, dec: Decision): void {
    const index = this.coverIndex[i] as Map<string, Map<string, CoverageEntry>>;
    let rules: Map<string, CoverageEntry> | undefined;
    let ruleSet: string | undefined;
    for (const tr of dec.trace) {
      if (tr.ruleSet !== ruleSet) {
        ruleSet = tr.ruleSet;
        rules = index.get(ruleSet);
        if (rules === undefined) {
          rules = new Map();
          index.set(ruleSet, rules);
        }
      }
      let e = (rules as Map<string, CoverageEntry>).get(tr.rule);
      if (e === undefined) {
        e = {
          ruleSet: tr.ruleSet,
          rule: tr.rule,
          type: tr.type,
          citation: citationText(tr.citation),
          evaluated: 0,
          passed: 0,
          failed: 0,
          unknown: 0,
          decided: 0,
        };
        (rules as Map<string, CoverageEntry>).set(tr.rule, e);
        (this.d.coverage[i] as Record<string, CoverageEntry>)[`${tr.ruleSet} ${tr.rule}`] = e;
      }
      e.evaluated++;
      if (tr.result === true) e.passed++;
      else if (tr.result === false) e.failed++;
      else e.unknown++;
    }
    for (const r of dec.reasons) {
      if (r.effect === "pass") continue;
      const e = index.get(r.ruleSet)?.get(r.code);
      if (e) e.decided++;
    }
  }

  private slice(kind: "byRegion" | "byCategory" | "byScheme", key: string) {
    const k = `${kind}\u0000${key}`;
    let v = this.slices.get(k);
    if (!v) {
      v = { s: { cases: 0, changed: 0, outcomeChanged: 0, fundPayDelta: "0.00" }, delta: new Decimal(0) };
      this.slices.set(k, v);
      this.d[kind][key] = v.s;
    }
    return v;
  }

  private impact(
    at: CaseAt,
    meta: { region: string; category: string | null; scheme: string },
    a: Decision,
    b: Decision,
  ): void {
    const t = this.d.totals;
    t.comparedSources++;
    const row = this.d.transitions[a.outcome] ?? {};
    this.d.transitions[a.outcome] = row;
    row[b.outcome] = (row[b.outcome] ?? 0) + 1;
    const changes: string[] = [];
    const c = this.d.changes;
    if (a.outcome !== b.outcome) {
      c.outcome++;
      changes.push("outcome");
    }
    const va = a.validity;
    const vb = b.validity;
    if (
      (va?.from ?? null) !== (vb?.from ?? null) ||
      (va?.until ?? null) !== (vb?.until ?? null) ||
      (va?.singleUse ?? null) !== (vb?.singleUse ?? null)
    ) {
      c.validity++;
      changes.push("validity");
    }
    if ((va?.changeLockedUntil ?? null) !== (vb?.changeLockedUntil ?? null)) {
      c.lock++;
      changes.push("lock");
    }
    if (a.settlementMode !== b.settlementMode) {
      c.settlementMode++;
      changes.push("settlementMode");
    }
    if (a.processing.dueDate !== b.processing.dueDate || a.processing.immediate !== b.processing.immediate) {
      c.dueDate++;
      changes.push("dueDate");
    }
    if (missingKey(a) !== missingKey(b)) {
      c.missing++;
      changes.push("missing");
    }
    const fa = fundPayOf(a);
    const fb = fundPayOf(b);
    let delta: Decimal | null = null;
    if (fa !== null && fb !== null) {
      const f = this.d.fundPay;
      f.compared++;
      delta = new Decimal(fb).minus(fa);
      this.before = this.before.plus(fa);
      this.after = this.after.plus(fb);
      if (!delta.isZero()) {
        f.changed++;
        c.fundPay++;
        changes.push("fundPay");
        this.sum = this.sum.plus(delta);
        if (this.min === null || delta.lt(this.min)) this.min = delta;
        if (this.max === null || delta.gt(this.max)) this.max = delta;
        let i = 0;
        while (i < DELTA_EDGES.length && delta.gte(DELTA_EDGES[i] as number)) i++;
        (f.buckets[i] as number)++;
      }
    } else if ((fa === null) !== (fb === null)) {
      c.fundPay++;
      changes.push("fundPay");
    }
    const changed = changes.length > 0;
    if (changed) t.changed++;
    for (const [kind, key] of [
      ["byRegion", meta.region],
      ["byCategory", meta.category ?? "—"],
      ["byScheme", meta.scheme],
    ] as const) {
      const v = this.slice(kind, key);
      v.s.cases++;
      if (changed) v.s.changed++;
      if (a.outcome !== b.outcome) v.s.outcomeChanged++;
      if (delta && !delta.isZero()) {
        v.delta = v.delta.plus(delta);
        v.s.fundPayDelta = v.delta.toFixed(2);
      }
    }
    if (changed) {
      this.push("changedCases", {
        ...at,
        ...meta,
        from: a.outcome,
        to: b.outcome,
        changes,
        fundPayDelta: delta ? delta.toFixed(2) : null,
        rule: firstDifference(a, b),
      });
    }
  }

  /** The data, money as decimal strings. */
  data(): AggregateData {
    const f = this.d.fundPay;
    f.sum = this.sum.toFixed(2);
    f.before = this.before.toFixed(2);
    f.after = this.after.toFixed(2);
    f.min = this.min?.toFixed(2) ?? null;
    f.max = this.max?.toFixed(2) ?? null;
    return this.d;
  }
}

const missingKey = (d: Decision) =>
  `${d.missingMaterials.map((m) => ("id" in m ? m.id : m.anyOf.join("|"))).join(",")};${d.missingFields.join(",")}`;

const traceWord = (t: Decision["trace"][number] | undefined) =>
  t === undefined ? "—" : `${String(t.result)}${t.effect ? ` (${t.effect})` : ""}`;

/**
 * The first trace entry that differs between two decisions — the rule that made the
 * difference. Entries are matched by rule id (and occurrence), not by position, so a rule
 * removed or added by the change is named itself (before or after "—"), not the entries after
 * it; of several differences, the first that decides (a missing material, a rejection) is named.
 */
export function firstDifference(a: Decision, b: Decision): ChangedCase["rule"] {
  type Entry = Decision["trace"][number];
  const keyed = (trace: readonly Entry[]) => {
    const seen = new Map<string, number>();
    return trace.map((t) => {
      const n = seen.get(t.rule) ?? 0;
      seen.set(t.rule, n + 1);
      return { key: `${t.rule}#${n}`, t };
    });
  };
  const ka = keyed(a.trace);
  const kb = keyed(b.trace);
  const inB = new Map(kb.map((e) => [e.key, e.t]));
  const inA = new Set(ka.map((e) => e.key));
  const out = (x: Entry | undefined, y: Entry | undefined): ChangedCase["rule"] => {
    const pick = (y ?? x) as Entry;
    return {
      rule: pick.rule,
      ruleSet: x && y && x.ruleSet !== y.ruleSet ? `${x.ruleSet} → ${y.ruleSet}` : pick.ruleSet,
      before: traceWord(x),
      after: traceWord(y),
    };
  };
  const diffs: [Entry | undefined, Entry | undefined][] = [];
  for (const { key, t: x } of ka) {
    const y = inB.get(key);
    if (!y || x.result !== y.result || x.effect !== y.effect) diffs.push([x, y]);
  }
  for (const { key, t: y } of kb) if (!inA.has(key)) diffs.push([undefined, y]);
  // A difference that decides (a missing material, a rejection, a review) comes before one that does not.
  const weighs = (t: Entry | undefined) =>
    !!t?.effect && t.effect !== "pass" && t.effect !== "not_applicable";
  const first = diffs.find(([x, y]) => weighs(x) || weighs(y)) ?? diffs[0];
  return first ? out(first[0], first[1]) : null;
}

const addSlices = (into: Record<string, Slice>, from: Record<string, Slice>) => {
  for (const [k, s] of Object.entries(from)) {
    const t = into[k];
    if (!t) into[k] = { ...s };
    else {
      t.cases += s.cases;
      t.changed += s.changed;
      t.outcomeChanged += s.outcomeChanged;
      t.fundPayDelta = new Decimal(t.fundPayDelta).plus(s.fundPayDelta).toFixed(2);
    }
  }
};

const addCounts = <T extends Record<string, number>>(into: T, from: T) => {
  for (const [k, v] of Object.entries(from)) (into as Record<string, number>)[k] = (into[k] ?? 0) + v;
};

/** Joins the aggregates of several workers into one (lists capped again, sorted by file and line). */
export function merge(parts: readonly AggregateData[], sources: number): AggregateData {
  const out = emptyAggregate(sources);
  let sum = new Decimal(0);
  let before = new Decimal(0);
  let after = new Decimal(0);
  let min: Decimal | null = null;
  let max: Decimal | null = null;
  for (const p of parts) {
    addCounts(out.totals, p.totals);
    p.outcomes.forEach((o, i) => {
      addCounts(out.outcomes[i] as Record<string, number>, o);
    });
    for (const [from, row] of Object.entries(p.transitions)) {
      const into = out.transitions[from] ?? {};
      out.transitions[from] = into;
      addCounts(into, row);
    }
    addCounts(out.changes, p.changes);
    const f = p.fundPay;
    out.fundPay.compared += f.compared;
    out.fundPay.changed += f.changed;
    sum = sum.plus(f.sum);
    before = before.plus(f.before);
    after = after.plus(f.after);
    if (f.min !== null && (min === null || min.gt(f.min))) min = new Decimal(f.min);
    if (f.max !== null && (max === null || max.lt(f.max))) max = new Decimal(f.max);
    f.buckets.forEach((n, i) => {
      out.fundPay.buckets[i] = (out.fundPay.buckets[i] ?? 0) + n;
    });
    addSlices(out.byRegion, p.byRegion);
    addSlices(out.byCategory, p.byCategory);
    addSlices(out.byScheme, p.byScheme);
    p.coverage.forEach((cov, i) => {
      const into = out.coverage[i] as Record<string, CoverageEntry>;
      for (const [k, e] of Object.entries(cov)) {
        const t = into[k];
        if (!t) into[k] = { ...e };
        else {
          t.evaluated += e.evaluated;
          t.passed += e.passed;
          t.failed += e.failed;
          t.unknown += e.unknown;
          t.decided += e.decided;
        }
      }
    });
    for (const k of ["failures", "invalidRows", "defects", "changedCases"] as const) {
      (out[k] as unknown[]).push(...p[k]);
      out.dropped[k] += p.dropped[k];
    }
  }
  for (const k of ["failures", "invalidRows", "defects", "changedCases"] as const) {
    const list = out[k] as { file: string; line?: number }[];
    list.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : (x.line ?? 0) - (y.line ?? 0)));
    if (list.length > LIST_CAP) {
      out.dropped[k] += list.length - LIST_CAP;
      list.length = LIST_CAP;
    }
  }
  out.fundPay.sum = sum.toFixed(2);
  out.fundPay.before = before.toFixed(2);
  out.fundPay.after = after.toFixed(2);
  out.fundPay.min = min?.toFixed(2) ?? null;
  out.fundPay.max = max?.toFixed(2) ?? null;
  return out;
}
