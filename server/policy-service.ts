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
 * Decides with the published rule-set versions only. Rebuilt after each publication in this
 * process; another process sharing the database (several servers on one PostgreSQL) is noticed
 * by `fresh()`, which compares a stamp of the published set at most every `refreshMs`. A "try a
 * draft" decider is built on request with the draft in place of (or beside) its published namesake.
 */
export class PolicyService {
  private decider: Decider | undefined;
  private published: LoadedRuleSet[] = [];
  private stamp = "";
  private checkedAt = 0;
  private checking: Promise<void> | undefined;
  // Reloads run one after another, so the last one reads after every publication committed.
  private reloading: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly refreshMs = 1000,
    private readonly onStaleReload: (e: unknown) => void = () => {},
  ) {}

  reload(): Promise<void> {
    this.reloading = this.reloading.catch(() => {}).then(() => this.load());
    return this.reloading;
  }

  private async load(): Promise<void> {
    // The stamp is read first: a publication committed meanwhile makes the next check reload again.
    const stamp = await this.store.ruleSets.publishedStamp();
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
    this.stamp = stamp;
    this.checkedAt = Date.now();
  }

  /**
   * The decider of what is published now: reloaded first when another process published since
   * the last check (checked at most every `refreshMs`; concurrent requests share one check).
   * When that reload fails (a version this server cannot load, published by a newer one; the
   * database briefly away), it keeps deciding with what it has, reports the error through
   * `onStaleReload`, and tries again at the next check.
   */
  async fresh(): Promise<Decider> {
    if (Date.now() - this.checkedAt >= this.refreshMs) {
      this.checking ??= (async () => {
        try {
          this.checkedAt = Date.now();
          if ((await this.store.ruleSets.publishedStamp()) !== this.stamp) await this.reload();
        } catch (e) {
          this.onStaleReload(e);
        } finally {
          this.checking = undefined;
        }
      })();
      await this.checking;
    }
    return this.current();
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
