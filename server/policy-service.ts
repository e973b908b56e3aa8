import { Decider, type LoadedRuleSet, loadRuleSet, type Problem } from "../engine/index.ts";
import type { Store } from "./store/index.ts";
import type { RuleSetVersion } from "./store/rule-sets.ts";

/** The path a stored version is reported under, as if it were the repository's file. */
export const versionPath = (v: { ruleSetId: string; version: string }) =>
  `rules/${v.ruleSetId}/${v.version}.yaml`;

export function parseVersion(v: Pick<RuleSetVersion, "ruleSetId" | "version" | "content">): {
  ok: boolean;
  ruleSet?: LoadedRuleSet;
  problems: Problem[];
} {
  const r = loadRuleSet(v.content, versionPath(v));
  return r.ok ? { ok: true, ruleSet: r.value, problems: [] } : { ok: false, problems: r.problems };
}

/**
 * Decides with the published rule-set versions only. Rebuilt after each publication; a
 * "try a draft" decider is built on request with the draft in place of (or beside) its
 * published namesake.
 */
export class PolicyService {
  private decider: Decider | undefined;
  private published: LoadedRuleSet[] = [];

  constructor(private readonly store: Store) {}

  async reload(): Promise<void> {
    const versions = await this.store.ruleSets.published();
    const loaded: LoadedRuleSet[] = [];
    for (const v of versions) {
      const p = parseVersion(v);
      if (!p.ruleSet)
        throw new Error(`published rule set ${versionPath(v)} does not load: ${p.problems[0]?.message}`);
      loaded.push(p.ruleSet);
    }
    this.published = loaded;
    this.decider = new Decider(loaded);
  }

  current(): Decider {
    if (!this.decider) throw new Error("PolicyService.reload() was not called");
    return this.decider;
  }

  publishedRuleSets(): readonly LoadedRuleSet[] {
    return this.published;
  }

  /** A decider with a draft in place of its published namesake (same id and version) or added. */
  withDraft(draft: LoadedRuleSet): Decider {
    const others = this.published.filter((rs) => !(rs.id === draft.id && rs.version === draft.version));
    return new Decider([...others, draft]);
  }
}
