import { shared } from "../decision-json.ts";
import { inScope, type OlderOverride, type Policy } from "../policy.ts";
import type { Case } from "../schema/case.ts";
import type { TraceEntry, Warning } from "../schema/decision.ts";
import type { Category } from "../vocabulary.ts";
import { lookupTrace, NONE, type Step } from "./step.ts";

/**
 * What a decision says besides its answer: the advice entries in scope, one warning for the
 * entries it used that an older regional rule set keeps over a newer national one, and the
 * rule sets that rest on a secondary summary. Reads the trace of the steps before it.
 */
export function notes(
  c: Case,
  policy: Policy,
  category: Category | undefined,
  before: readonly Step<unknown>[],
): Step<null> {
  const warnings: Warning[] = [];
  const trace: TraceEntry[] = [];
  const said = saidOf(policy);
  for (const [i, a] of policy.advice.entries()) {
    if (inScope(a.scope, c.kind, category)) {
      warnings.push(said.advice[i] as Warning);
      trace.push(lookupTrace("advice", `advice.${a.key}`, a, { message: a.message }));
    }
  }
  const older = policy.olderOverrides.size ? olderOverrideWarning(policy, before) : undefined;
  if (older) warnings.push(older);
  for (const w of said.secondary) warnings.push(w);
  return {
    value: null,
    reasons: NONE,
    warnings: warnings.length ? warnings : NONE,
    trace: trace.length ? trace : NONE,
  };
}

/** A policy's advice warnings and secondary-source warnings, made once and shared (decision-json.ts). */
const saidByPolicy = new WeakMap<Policy, { advice: Warning[]; secondary: Warning[] }>();
function saidOf(policy: Policy): { advice: Warning[]; secondary: Warning[] } {
  let said = saidByPolicy.get(policy);
  if (!said) {
    said = {
      advice: policy.advice.map((a) =>
        shared<Warning>({ code: `advice.${a.key}`, message: a.message, citation: a.citation }),
      ),
      secondary: policy.secondarySources.map((s) =>
        shared<Warning>({
          code: "source.secondary",
          message: `${s.ruleSet} 依据二手摘要（${s.document}），以正式文本为准`,
        }),
      ),
    };
    saidByPolicy.set(policy, said);
  }
  return said;
}

/** The rule sets (`id@version`) that keep an entry over a newer one, per policy (made once). */
const overriding = new WeakMap<Policy, ReadonlySet<string>>();
function overridingRuleSets(policy: Policy): ReadonlySet<string> {
  let s = overriding.get(policy);
  if (!s) {
    s = new Set([...policy.olderOverrides.values()].map((o) => o.ruleSet));
    overriding.set(policy, s);
  }
  return s;
}

/**
 * One warning for all the entries a decision used that replace a same-named entry of a newer rule
 * set up the chain (see `olderOverrides`), grouped by the regional and the newer rule set. An
 * entry whose value came from a dated change on or after the newer rule set's date follows the
 * newer rule (a region deferring to national policy, domain.md §7.14): no warning for it.
 */
function olderOverrideWarning(policy: Policy, steps: readonly Step<unknown>[]): Warning | undefined {
  // The map is made only when an entry is found: most decisions use none (no array, no map).
  let groups: Map<string, { o: OlderOverride; entries: Set<string> }> | undefined;
  const overrides = policy.olderOverrides;
  const origins = overridingRuleSets(policy);
  for (const s of steps) {
    for (const t of s.trace) {
      // Most lines come from rule sets that override nothing: no look-up by the line's rule id.
      if (!origins.has(t.ruleSet)) continue;
      const o = overrides.get(t.rule);
      if (!o || t.ruleSet !== o.ruleSet) continue;
      const since = (t.detail as { since?: string } | undefined)?.since;
      if (since !== undefined && since >= o.newerFrom) continue;
      const key = `${o.ruleSet} ${o.newer}`;
      groups ??= new Map();
      const g = groups.get(key) ?? { o, entries: new Set<string>() };
      g.entries.add(o.entry);
      groups.set(key, g);
    }
  }
  if (!groups) return undefined;
  const which = [...groups.values()].map(
    ({ o, entries }) =>
      `${o.ruleSet} 的 ${[...entries].join("、")} 取代了 ${o.newer}（${o.newerFrom} 起）的同名规定`,
  );
  return {
    code: "rules.older-override",
    message: `本决定所用的地区规定早于上级的新规定：${which.join("；")}。决定按地区规定作出，请核对地区规定是否已按新规修订`,
  };
}
