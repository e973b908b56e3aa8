import { readdirSync, readFileSync } from "node:fs";
import { isSeq, parseDocument } from "yaml";
import {
  type Case,
  caseSchema,
  Decider,
  type Decision,
  type LoadedRuleSet,
  loadCases,
  type Problem,
  RuleLibrary,
  resolveChain,
} from "../../engine/index.ts";

/**
 * How the tried version takes part. `stand-in`: it is its rule set's version for every case,
 * whatever the case's date (its start date moved back to the case's `asOf` when later).
 * `resolve`: it joins the published versions and resolution picks by dates, as it would once
 * published with its start date.
 */
export type TryMode = "stand-in" | "resolve";
export type TryInput = { cases: unknown[] } | { text: string; format?: "yaml" | "json" | undefined };
export type TryResult =
  | { index: number; id?: string; ok: true; decision: Decision }
  | { index: number; id?: string; ok: false; problems: Problem[] };

/** The cases of a request: a list (validated one by one) or a pasted text (YAML or JSON, located problems). */
export function parseTryCases(
  input: TryInput,
): ({ ok: true; case: Case } | { ok: false; problems: Problem[]; id?: string })[] {
  if ("text" in input) {
    return loadCases(input.text, undefined, input.format ?? "yaml").map((c) =>
      c.ok
        ? { ok: true, case: c.case }
        : { ok: false, problems: c.problems, ...(c.id !== undefined && { id: c.id }) },
    );
  }
  return input.cases.map((raw) => {
    const r = caseSchema.safeParse(raw);
    if (r.success) return { ok: true, case: r.data };
    const id = (raw as { id?: unknown } | null)?.id;
    return {
      ok: false,
      ...(typeof id === "string" && { id }),
      problems: r.error.issues.map((i) => ({
        code: i.code,
        path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
        message: i.message,
      })),
    };
  });
}

/** The rule sets to decide with, the tried version in its place. */
export function libraryWith(
  version: LoadedRuleSet,
  published: readonly LoadedRuleSet[],
  mode: TryMode,
  asOf: string,
): LoadedRuleSet[] {
  if (mode === "resolve") {
    return [...published.filter((rs) => !(rs.id === version.id && rs.version === version.version)), version];
  }
  const from = version.effective.from <= asOf ? version.effective.from : asOf;
  return [...published.filter((rs) => rs.id !== version.id), { ...version, effective: { from, to: null } }];
}

/**
 * Decides each case with the tried version (a draft, one in review or one published) in its
 * rule set's place: per case a decision, or the problems that kept it from one.
 *
 * @example tryVersion(draft, published, { cases: [c] }, "stand-in")[0]
 */
export function tryVersion(
  version: LoadedRuleSet,
  published: readonly LoadedRuleSet[],
  input: TryInput,
  mode: TryMode,
): TryResult[] {
  const deciders = new Map<string, Decider>();
  const deciderFor = (asOf: string) => {
    const key = mode === "resolve" ? "" : asOf;
    let d = deciders.get(key);
    if (!d) {
      d = new Decider(libraryWith(version, published, mode, asOf));
      deciders.set(key, d);
    }
    return d;
  };
  return parseTryCases(input).map((c, index) => {
    if (!c.ok) return { index, ...(c.id !== undefined && { id: c.id }), ok: false, problems: c.problems };
    const r = deciderFor(c.case.asOf).decide(c.case);
    const id = c.case.id;
    return r.ok
      ? { index, id, ok: true, decision: r.decision }
      : { index, id, ok: false, problems: r.problems };
  });
}

export type Sample = {
  file: string;
  id: string;
  title: string | null;
  asOf: string;
  region: string;
  text: string;
};

/**
 * The sample cases (simulator/cases/*.yaml) whose insured region resolves through the version's
 * rule set on the case's date, with the version standing in: each case's own YAML text, ready to
 * paste into the Try panel.
 */
export function samplesFor(
  version: LoadedRuleSet,
  published: readonly LoadedRuleSet[],
  all: readonly Sample[],
): Sample[] {
  return all.filter((s) => {
    const r = resolveChain(
      new RuleLibrary(libraryWith(version, published, "stand-in", s.asOf)),
      s.region,
      s.asOf,
    );
    return r.ok && r.chain.some((rs) => rs.id === version.id);
  });
}

/** Every case of the YAML files in `dir`, each with its own text (read once by the caller). */
export function readSamples(dir: string, prefix: string): Sample[] {
  const out: Sample[] = [];
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()) {
    const text = readFileSync(`${dir}/${name}`, "utf8");
    const doc = parseDocument(text);
    const items = isSeq(doc.contents) ? doc.contents.items : [];
    const loaded = loadCases(text, `${prefix}/${name}`);
    loaded.forEach((c, i) => {
      const node = items[i] as { range?: [number, number, number] } | undefined;
      if (!c.ok || !node?.range) return;
      const start = text.lastIndexOf("\n", node.range[0]) + 1;
      out.push({
        file: `${prefix}/${name}`,
        id: c.case.id,
        title: c.case.title ?? null,
        asOf: c.case.asOf,
        region: c.case.insured.region,
        text: unindentItem(text.slice(start, node.range[1]).trimEnd()),
      });
    });
  }
  return out;
}

/** `- id: x\n  asOf: …` → `id: x\nasOf: …` (the list item as one case), when its lines allow it. */
function unindentItem(item: string): string {
  const lines = item.split("\n");
  if (!lines[0]?.startsWith("- ") || !lines.slice(1).every((l) => l === "" || l.startsWith("  ")))
    return item;
  return lines.map((l) => l.slice(2)).join("\n");
}
