import type { LoadedRuleSet } from "./rule-set-loader.ts";

/** All loaded rule sets, indexed for resolution. */
export class RuleLibrary {
  private readonly byId = new Map<string, LoadedRuleSet[]>();
  private readonly byRegion = new Map<string, string>();

  constructor(readonly ruleSets: readonly LoadedRuleSet[]) {
    for (const rs of ruleSets) {
      const versions = this.byId.get(rs.id) ?? [];
      versions.push(rs);
      this.byId.set(rs.id, versions);
      this.byRegion.set(rs.region, rs.id);
    }
    for (const versions of this.byId.values())
      versions.sort((a, b) => (a.effective.from < b.effective.from ? 1 : -1));
  }

  ids(): string[] {
    return [...this.byId.keys()].sort();
  }

  versions(id: string): readonly LoadedRuleSet[] {
    return this.byId.get(id) ?? [];
  }

  /** The version of `id` in force on `asOf`: the latest `effective.from` on or before it, not expired. */
  inForce(id: string, asOf: string): LoadedRuleSet | undefined {
    return this.versions(id).find(
      (v) => v.effective.from <= asOf && (v.effective.to == null || asOf <= v.effective.to),
    );
  }

  /** A pinned version (`national@2016-12-13`) or the version in force. */
  lookup(ref: string, asOf: string): LoadedRuleSet | undefined {
    const [id = "", version] = ref.split("@");
    return version === undefined
      ? this.inForce(id, asOf)
      : this.versions(id).find((v) => v.version === version);
  }

  /** The rule-set id whose region is exactly `code`, if any. */
  idForRegion(code: string): string | undefined {
    return this.byRegion.get(code);
  }
}

/** Region codes from the most specific to the nation: 510411 → 510400 → 510000 → 000000. */
export function regionAncestry(code: string): string[] {
  const out = [code];
  if (!code.endsWith("00")) out.push(`${code.slice(0, 4)}00`);
  if (!code.endsWith("0000")) out.push(`${code.slice(0, 2)}0000`);
  if (code !== "000000") out.push("000000");
  return [...new Set(out)];
}

export type Resolution =
  | { ok: true; chain: LoadedRuleSet[]; skipped: { region: string; id: string; why: string }[] }
  | { ok: false; message: string };

/**
 * Resolves the rule-set chain for an insured region at a date, general to specific.
 * Walks from the most specific region code to the nation; a level with no rule set (or none in
 * force on `asOf`) is skipped; the first rule set found brings its `extends` chain with it.
 *
 * @example resolveChain(library, "510411", "2017-06-01") // [national@2016-12-13, sichuan/panzhihua@2017-04-12]
 */
export function resolveChain(library: RuleLibrary, region: string, asOf: string): Resolution {
  const skipped: { region: string; id: string; why: string }[] = [];
  for (const code of regionAncestry(region)) {
    const id = library.idForRegion(code);
    if (id === undefined) continue;
    const leaf = library.inForce(id, asOf);
    if (!leaf) {
      skipped.push({ region: code, id, why: `no version of ${id} in force on ${asOf}` });
      continue;
    }
    const chain: LoadedRuleSet[] = [leaf];
    let broken: string | undefined;
    for (let rs = leaf; rs.extends != null; ) {
      const parent = library.lookup(rs.extends, asOf);
      if (!parent) {
        broken = `${rs.id}@${rs.version} extends ${rs.extends}, which has no version in force on ${asOf}`;
        break;
      }
      if (chain.includes(parent)) {
        broken = `${rs.id}@${rs.version} extends ${rs.extends} in a cycle`;
        break;
      }
      chain.unshift(parent);
      rs = parent;
    }
    if (broken) {
      skipped.push({ region: code, id, why: broken });
      continue;
    }
    return { ok: true, chain, skipped };
  }
  return { ok: false, message: `no rule set in force on ${asOf} for region ${region}` };
}
