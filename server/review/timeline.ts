import type { RuleSetVersionSummary } from "../store/rule-sets.ts";

export type Lifecycle = "draft" | "in_review" | "published" | "superseded" | "rejected";

/**
 * Where each version stands on its region's timeline on `today`: a published version is
 * superseded once a later published version of the same rule set is in force (started on or
 * before today); one that starts later is still `published` (scheduled).
 *
 * @example lifecycles(versions, "2026-01-01").get(12) // "superseded"
 */
export function lifecycles(
  versions: readonly RuleSetVersionSummary[],
  today: string,
): Map<number, Lifecycle> {
  const newestInForce = new Map<string, string>();
  for (const v of versions) {
    if (v.status !== "published" || v.effectiveFrom == null || v.effectiveFrom > today) continue;
    const prev = newestInForce.get(v.ruleSetId);
    if (prev === undefined || v.effectiveFrom > prev) newestInForce.set(v.ruleSetId, v.effectiveFrom);
  }
  return new Map(
    versions.map((v) => {
      if (v.status !== "published") return [v.id, v.status];
      const inForce = newestInForce.get(v.ruleSetId);
      const superseded = inForce !== undefined && v.effectiveFrom != null && v.effectiveFrom < inForce;
      return [v.id, superseded ? "superseded" : "published"];
    }),
  );
}
