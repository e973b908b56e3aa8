import {
  type CompiledCondition,
  type CompiledTest,
  type Condition,
  compileCondition,
  compileTest,
} from "./conditions.ts";
import { shared } from "./decision-json.ts";
import type { FactName } from "./facts.ts";
import { UNARY_OPERATORS } from "./operators.ts";
import type { LoadedRuleSet } from "./rule-set-loader.ts";
import type { MissingMaterial, Reason, TraceEntry, Warning } from "./schema/decision.ts";
import {
  type BenefitAdjustment,
  type BenefitTable,
  type Citation,
  type FormFields,
  type MaterialRequirement,
  type Processing,
  type Rule,
  type RuleSet,
  SECTIONS,
  type SectionName,
  type Settlement,
  type Validity,
} from "./schema/rule-set.ts";
import { type Category, type Kind, MATERIALS, type Material } from "./vocabulary.ts";

/** An entry of the merged policy and the rule set (`id@version`) it comes from. */
export type Sourced<T> = T & { key: string; origin: string };

/** A rule as evaluated: eligibility rules and material requirements alike. */
export type EvalRule = {
  id: string;
  type: "eligibility" | "material";
  origin: string;
  kinds: ReadonlySet<Kind>;
  categories: ReadonlySet<Category> | null;
  when: Condition | undefined;
  conditions: Condition;
  whenFn: CompiledCondition | undefined;
  conditionsFn: CompiledCondition;
  /** The same trees' results alone, no trace built (a decision asked with `trace: "rules"`). */
  whenTest: CompiledTest | undefined;
  conditionsTest: CompiledTest;
  onFail: "reject" | "manual_review" | "warn" | "missing_material";
  message: string;
  passMessage: string | undefined;
  citation: Citation;
  material?: { id: Material } | { anyOf: Material[] };
  label?: string;
  /** What the rule adds to a decision, made once per rule and shared (engine/decision-json.ts). */
  said: Said;
  /**
   * The rule replaces a same-named rule of a newer rule set up the chain (`olderOverrides`): its
   * trace line is one the older-override warning names. Found once per rule, so deciding does
   * not look each line up by its id.
   */
  olderOverride: OlderOverride | undefined;
};

/** A rule's pass reason, its reject or manual-review reason, its warning, its missing material. */
export type Said = {
  pass: Reason | undefined;
  fail: Reason | undefined;
  warning: Warning | undefined;
  missing: MissingMaterial | undefined;
  /**
   * The rule's trace line without condition trees (`trace: "rules"`), one per result: it depends
   * only on the rule and its result, so it is made once and shared, and its JSON text with it
   * (serializing the lines for the decision log was ~4 % of the server's time per decision).
   */
  lines: { pass: TraceEntry; fail: TraceEntry; unknown: TraceEntry; notApplicable: TraceEntry };
};

export type Policy = {
  key: string;
  chain: readonly LoadedRuleSet[];
  categories: ReadonlyMap<Category, Sourced<{ citation: Citation }>>;
  rules: readonly EvalRule[];
  validity: ReadonlyMap<string, Sourced<Validity>>;
  settlement: ReadonlyMap<string, Sourced<Settlement>>;
  processing: ReadonlyMap<string, Sourced<Processing>>;
  formFields: readonly Sourced<FormFields>[];
  emergencyCriteria: readonly Sourced<{ icd10: string[]; citation: Citation }>[];
  advice: readonly (Sourced<{ message: string; citation: Citation }> & { scope: EvalScope })[];
  benefits: readonly Sourced<BenefitTable>[];
  benefitAdjustments: readonly Sourced<BenefitAdjustment>[];
  secondarySources: readonly { document: string; ruleSet: string }[];
  /** Entries that replace a same-named entry of a newer rule set up the chain, by trace rule id. */
  olderOverrides: ReadonlyMap<string, OlderOverride>;
  /** Rules in scope for a kind and category, computed once per pair. */
  rulesFor(kind: Kind, category: Category | undefined): readonly EvalRule[];
};

type EvalScope = { kinds: ReadonlySet<Kind>; categories: ReadonlySet<Category> | null };

/**
 * Layers a chain (general → specific) section by section: a key replaces the parent's entry
 * whole, a new key adds one, `null` removes one.
 */
export function mergeSections(chain: readonly RuleSet[]): Record<SectionName, Map<string, Sourced<object>>> {
  const merged = Object.fromEntries(SECTIONS.map((s) => [s, new Map()])) as Record<
    SectionName,
    Map<string, Sourced<object>>
  >;
  for (const rs of chain) {
    const origin = `${rs.id}@${rs.version}`;
    for (const section of SECTIONS) {
      const entries = rs[section] as Record<string, object | null> | undefined;
      for (const [key, entry] of Object.entries(entries ?? {})) {
        if (entry === null) merged[section].delete(key);
        else merged[section].set(key, { ...entry, key, origin });
      }
    }
  }
  return merged;
}

/**
 * An entry of a rule set that replaces the same-named entry of a rule set higher up the chain
 * which took effect later: a regional rule of 2017 over a national one of 2023, say. The chain
 * applies the regional entry (the more specific rule set wins), but the newer higher rule may
 * have changed what the region is allowed to do; decisions that use such an entry say so.
 */
export type OlderOverride = {
  entry: string;
  ruleSet: string;
  from: string;
  newer: string;
  newerFrom: string;
};

/** The id an entry's trace line carries: eligibility rules by key, categories `category.key`, others `section.key`. */
const traceIdOf = (section: SectionName, key: string) =>
  section === "rules" ? key : section === "categories" ? `category.${key}` : `${section}.${key}`;

type Definition = { ruleSet: string; from: string };

/**
 * The older override a trace line (its rule id and rule set) stands for, if any.
 *
 * @example overrideOf(policy.olderOverrides, "materials.identity", "jiangxi@2017-11-23")
 */
export function overrideOf(
  overrides: ReadonlyMap<string, OlderOverride>,
  rule: string,
  ruleSet: string,
): OlderOverride | undefined {
  const o = overrides.size ? overrides.get(rule) : undefined;
  return o && o.ruleSet === ruleSet ? o : undefined;
}

export function olderOverrides(chain: readonly RuleSet[]): Map<string, OlderOverride> {
  // Per entry: the newest definition up the chain since it was last removed. A city entry of 2018
  // over a provincial one of 2017 over a national one of 2023 is still older than the 2023 one.
  const newest = new Map<string, Definition>();
  const out = new Map<string, OlderOverride>();
  for (const rs of chain) {
    const here = { ruleSet: `${rs.id}@${rs.version}`, from: rs.effective.from };
    for (const section of SECTIONS) {
      const entries = rs[section] as Record<string, object | null> | undefined;
      for (const [key, entry] of Object.entries(entries ?? {})) {
        const id = traceIdOf(section, key);
        const prev = newest.get(id);
        out.delete(id);
        if (entry === null) {
          newest.delete(id);
          continue;
        }
        if (prev && prev.from > here.from) {
          out.set(id, {
            entry: id,
            ruleSet: here.ruleSet,
            from: here.from,
            newer: prev.ruleSet,
            newerFrom: prev.from,
          });
        } else newest.set(id, here);
      }
    }
  }
  return out;
}

/** Unary operators get `value: null`, as json-rules-engine requires a value on every leaf. */
function normalize(c: Condition): Condition {
  if ("all" in c) return { all: c.all.map(normalize) };
  if ("any" in c) return { any: c.any.map(normalize) };
  if ("not" in c) return { not: normalize(c.not) };
  return UNARY_OPERATORS.has(c.operator) ? { ...c, value: null } : c;
}

const DEFAULT_KINDS: ReadonlySet<Kind> = new Set(["filing"]);
function scopeOf(e: { kinds?: Kind[] | undefined; categories?: Category[] | undefined }): EvalScope {
  return {
    kinds: e.kinds ? new Set(e.kinds) : DEFAULT_KINDS,
    categories: e.categories ? new Set(e.categories) : null,
  };
}

function materialRule(
  m: Sourced<MaterialRequirement>,
  overrides: ReadonlyMap<string, OlderOverride>,
): EvalRule {
  const fact: FactName = "filing.materials";
  const conditions: Condition = m.require
    ? { fact, operator: "contains", value: m.require }
    : { fact, operator: "containsAny", value: m.anyOf ?? [] };
  const label =
    m.label ??
    (m.require
      ? MATERIALS.labels[m.require].zh
      : (m.anyOf ?? []).map((id) => MATERIALS.labels[id].zh).join("或"));
  const when = m.when && normalize(m.when);
  const id = `materials.${m.key}`;
  return withSaid({
    id,
    type: "material",
    origin: m.origin,
    ...scopeOf(m),
    when,
    conditions,
    whenFn: when && compileCondition(when),
    conditionsFn: compileCondition(conditions),
    whenTest: when && compileTest(when),
    conditionsTest: compileTest(conditions),
    onFail: "missing_material",
    message: `缺少材料：${label}`,
    passMessage: undefined,
    citation: m.citation,
    material: m.require ? { id: m.require } : { anyOf: m.anyOf ?? [] },
    label,
    olderOverride: overrideOf(overrides, id, m.origin),
  });
}

function eligibilityRule(r: Sourced<Rule>, overrides: ReadonlyMap<string, OlderOverride>): EvalRule {
  const when = r.when && normalize(r.when);
  const conditions = normalize(r.conditions);
  return withSaid({
    id: r.key,
    type: "eligibility",
    origin: r.origin,
    ...scopeOf(r),
    when,
    conditions,
    whenFn: when && compileCondition(when),
    conditionsFn: compileCondition(conditions),
    whenTest: when && compileTest(when),
    conditionsTest: compileTest(conditions),
    onFail: r.onFail,
    message: r.message,
    passMessage: r.passMessage,
    citation: r.citation,
    olderOverride: overrideOf(overrides, r.key, r.origin),
  });
}

/**
 * The rule with what it says made once: the objects eligibility adds to a decision, in the key
 * order it always wrote them, shared by every decision (frozen, their JSON text kept).
 */
function withSaid(rule: Omit<EvalRule, "said">): EvalRule {
  const { id, type, origin: ruleSet, citation, message } = rule;
  const m = rule.material;
  const label = rule.label ?? "";
  const said: Said = {
    pass: rule.passMessage
      ? shared<Reason>({ code: id, citation, ruleSet, effect: "pass", message: rule.passMessage })
      : undefined,
    fail:
      rule.onFail === "reject" || rule.onFail === "manual_review"
        ? shared<Reason>({ code: id, citation, ruleSet, effect: rule.onFail, message })
        : undefined,
    warning: rule.onFail === "warn" ? shared<Warning>({ code: id, message, citation }) : undefined,
    missing: m
      ? shared<MissingMaterial>(
          "id" in m
            ? { id: m.id, label, citation, requirement: id }
            : { anyOf: m.anyOf, label, citation, requirement: id },
        )
      : undefined,
    // Plain literals in the key order eligibility always wrote them.
    lines: {
      pass: shared<TraceEntry>({ rule: id, type, ruleSet, result: true, effect: "pass", citation }),
      fail: shared<TraceEntry>({ rule: id, type, ruleSet, result: false, effect: rule.onFail, citation }),
      unknown: shared<TraceEntry>({
        rule: id,
        type,
        ruleSet,
        result: "unknown",
        effect: "unknown",
        citation,
      }),
      notApplicable: shared<TraceEntry>({ rule: id, type, ruleSet, result: true, effect: "not_applicable" }),
    },
  };
  // Set on the rule itself: a spread copy measured ~1 µs a decision slower (its shape, not the rule's).
  (rule as EvalRule).said = said;
  return rule as EvalRule;
}

/**
 * Compiles a resolved chain into a policy: sections merged, every condition tree compiled to a
 * function once. Callers cache the result by `policyKey(chain)`.
 */
export function compilePolicy(chain: readonly LoadedRuleSet[]): Policy {
  const m = mergeSections(chain);
  const values = <T>(s: SectionName) => [...m[s].values()] as Sourced<T>[];
  const overrides = olderOverrides(chain);
  const rules = [
    ...values<Rule>("rules").map((r) => eligibilityRule(r, overrides)),
    ...values<MaterialRequirement>("materials").map((r) => materialRule(r, overrides)),
  ];
  // By kind, then category (vocabulary ids, a few dozen pairs at most): no key built per decision.
  const byKind = new Map<Kind, Map<Category | undefined, readonly EvalRule[]>>();
  return {
    key: policyKey(chain),
    chain,
    categories: m.categories as Map<Category, Sourced<{ citation: Citation }>>,
    rules,
    validity: m.validity as Map<string, Sourced<Validity>>,
    settlement: m.settlement as Map<string, Sourced<Settlement>>,
    processing: m.processing as Map<string, Sourced<Processing>>,
    formFields: values<FormFields>("formFields"),
    emergencyCriteria: values<{ icd10: string[]; citation: Citation }>("emergencyCriteria"),
    advice: values<{ message: string; citation: Citation; kinds?: Kind[]; categories?: Category[] }>(
      "advice",
    ).map((a) => ({ ...a, scope: scopeOf(a) })),
    benefits: values<BenefitTable>("benefits"),
    benefitAdjustments: values<BenefitAdjustment>("benefitAdjustments"),
    secondarySources: chain.flatMap((rs) =>
      rs.sources
        .filter((s) => s.status === "secondary")
        .map((s) => ({ document: s.document, ruleSet: `${rs.id}@${rs.version}` })),
    ),
    olderOverrides: overrides,
    rulesFor(kind, category) {
      let byCategory = byKind.get(kind);
      if (!byCategory) {
        byCategory = new Map();
        byKind.set(kind, byCategory);
      }
      let inScopeRules = byCategory.get(category);
      if (!inScopeRules) {
        inScopeRules = rules.filter((r) => inScope(r, kind, category));
        // Only vocabulary ids reach here (the case schema checks them): the maps stay small.
        byCategory.set(category, inScopeRules);
      }
      return inScopeRules;
    },
  };
}

export function inScope(s: EvalScope, kind: Kind, category: Category | undefined): boolean {
  return (
    s.kinds.has(kind) && (s.categories === null || (category !== undefined && s.categories.has(category)))
  );
}

export function policyKey(chain: readonly LoadedRuleSet[]): string {
  return chain.map((rs) => `${rs.id}@${rs.version}#${rs.hash}`).join(">");
}
