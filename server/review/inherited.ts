import { type LoadedRuleSet, mergeSections, RuleLibrary, SECTIONS } from "../../engine/index.ts";

export type InheritedEntry = {
  section: string;
  key: string;
  status: "inherited" | "overridden" | "added" | "removed";
  /** The rule set (`id@version`) the value comes from; for a removal, the one that removes it. */
  origin: string;
  /** The entry it replaces (or removes), `id@version`. */
  overrides?: string;
  value: unknown;
};
export type InheritedView = { chain: { id: string; version: string }[]; entries: InheritedEntry[] };

const ref = (rs: LoadedRuleSet) => `${rs.id}@${rs.version}`;
const strip = (e: object) => {
  const { key: _k, origin: _o, ...value } = e as { key: string; origin: string };
  return value;
};

/**
 * The chain above a version as it resolves on the version's own start date, the version last:
 * each `extends` looked up among `published` (a pinned version, or the one in force then).
 * A link that does not resolve ends the chain there.
 */
export function chainOf(version: LoadedRuleSet, published: readonly LoadedRuleSet[]): LoadedRuleSet[] {
  const library = new RuleLibrary(published.filter((rs) => rs.id !== version.id));
  const chain = [version];
  for (let rs = version; rs.extends != null; ) {
    const parent = library.lookup(rs.extends, version.effective.from);
    if (!parent || chain.includes(parent)) break;
    chain.unshift(parent);
    rs = parent;
  }
  return chain;
}

/**
 * The chain merged (national → province → city) with the engine's own merge: every entry of
 * every section marked with where its value comes from, and, for the version itself, which
 * entries it overrides, adds or removes (`null`). Inherited entries that a level between
 * replaced name what they replaced too.
 *
 * @example inheritedView(draft, published).entries.filter((e) => e.status === "overridden")
 */
export function inheritedView(version: LoadedRuleSet, published: readonly LoadedRuleSet[]): InheritedView {
  const chain = chainOf(version, published);
  const leaf = chain.length - 1;
  const steps = chain.map((_, i) => mergeSections(chain.slice(0, i + 1)));
  const entries: InheritedEntry[] = [];
  for (const section of SECTIONS) {
    const final = steps[leaf]?.[section] ?? new Map();
    const above = leaf > 0 ? steps[leaf - 1]?.[section] : undefined;
    for (const [key, e] of final) {
      const replaced = replacedBy(steps, section, key, e.origin);
      const overrides = replaced && { overrides: replaced };
      const status = e.origin !== ref(version) ? "inherited" : above?.has(key) ? "overridden" : "added";
      entries.push({ section, key, status, origin: e.origin, ...overrides, value: strip(e) });
    }
    const own = version[section] as Record<string, unknown> | undefined;
    for (const [key, v] of Object.entries(own ?? {})) {
      if (v !== null) continue;
      const gone = above?.get(key);
      entries.push({
        section,
        key,
        status: "removed",
        origin: ref(version),
        ...(gone && { overrides: gone.origin }),
        value: null,
      });
    }
  }
  return { chain: chain.map((rs) => ({ id: rs.id, version: rs.version })), entries };
}

/** The origin of the entry that `origin`'s definition replaced, if it replaced one. */
function replacedBy(
  steps: ReturnType<typeof mergeSections>[],
  section: (typeof SECTIONS)[number],
  key: string,
  origin: string,
): string | undefined {
  for (let i = 1; i < steps.length; i++) {
    const now = steps[i]?.[section].get(key);
    const before = steps[i - 1]?.[section].get(key);
    if (now?.origin === origin && before && before.origin !== origin) return before.origin;
  }
  return undefined;
}
