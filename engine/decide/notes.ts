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
 *
 * The warning depends only on which entries were used, in which order, and a policy's decisions
 * use a few dozen such sequences at most: each is a path of a tree per policy (`Used`) whose node
 * keeps its warning, made once and shared (its JSON text kept, decision-json.ts). Building the
 * message and serializing its Chinese text on every decision that carries one (four in ten of
 * the bench's) cost ~0.7 µs a decision on average.
 */
function olderOverrideWarning(policy: Policy, steps: readonly Step<unknown>[]): Warning | undefined {
  const root = usedOf(policy);
  let used: Used = root;
  const overrides = policy.olderOverrides;
  const origins = overridingRuleSets(policy);
  for (const s of steps) {
    if (s.overrides) {
      for (const o of s.overrides) used = next(root, used, o);
      continue;
    }
    for (const t of s.trace) {
      // Most lines come from rule sets that override nothing: no look-up by the line's rule id.
      if (!origins.has(t.ruleSet)) continue;
      const o = overrides.get(t.rule);
      if (!o || t.ruleSet !== o.ruleSet) continue;
      const since = (t.detail as { since?: string } | undefined)?.since;
      if (since !== undefined && since >= o.newerFrom) continue;
      used = next(root, used, o);
    }
  }
  if (used === root) return undefined;
  used.warning ??= olderOverrideMessage(used.path);
  return used.warning;
}

/** A sequence of older-override entries a decision used (`path`), and its warning once made. */
type Used = { path: readonly OlderOverride[]; next: Map<OlderOverride, Used>; warning: Warning | undefined };
type Root = Used & { size: number };

/** Sequences remembered per policy: far more than the combinations of its entries decisions use. */
const MAX_USED = 1_000;
const usedByPolicy = new WeakMap<Policy, Root>();
function usedOf(policy: Policy): Root {
  let root = usedByPolicy.get(policy);
  if (!root) {
    root = { path: NONE, next: new Map(), warning: undefined, size: 0 };
    usedByPolicy.set(policy, root);
  }
  return root;
}

/** The sequence one entry longer: remembered while the policy's tree has room, else made afresh. */
function next(root: Root, used: Used, o: OlderOverride): Used {
  const hit = used.next.get(o);
  if (hit) return hit;
  const longer: Used = { path: [...used.path, o], next: new Map(), warning: undefined };
  if (root.size < MAX_USED) {
    root.size++;
    used.next.set(o, longer);
  }
  return longer;
}

/** The warning naming the entries, grouped by the regional and the newer rule set (made once per sequence). */
function olderOverrideMessage(path: readonly OlderOverride[]): Warning {
  const groups = new Map<string, { o: OlderOverride; entries: Set<string> }>();
  for (const o of path) {
    const key = `${o.ruleSet} ${o.newer}`;
    const g = groups.get(key) ?? { o, entries: new Set<string>() };
    g.entries.add(o.entry);
    groups.set(key, g);
  }
  const which = [...groups.values()].map(
    ({ o, entries }) =>
      `${o.ruleSet} 的 ${[...entries].join("、")} 取代了 ${o.newer}（${o.newerFrom} 起）的同名规定`,
  );
  return shared<Warning>({
    code: "rules.older-override",
    message: `本决定所用的地区规定早于上级的新规定：${which.join("；")}。决定按地区规定作出，请核对地区规定是否已按新规修订`,
  });
}
