import { validityFor } from "../case-facts.ts";
import { addPeriod, lastDayOf } from "../dates.ts";
import type { Policy } from "../policy.ts";
import type { Case } from "../schema/case.ts";
import type { Decision } from "../schema/decision.ts";
import { CATEGORIES, type Category, type Outcome } from "../vocabulary.ts";
import { lookupTrace, NONE, only, type Step } from "./step.ts";

/**
 * An extension is allowed only where the category's validity provides one (攀医保 四(二)2(1):
 * referral filings, one month at a time). The step's value is its verdict. (Change locks are
 * rules on the `previous.changeLockedUntil` fact, decided with the other rules.)
 */
export function extensionAllowed(c: Case, policy: Policy, category: Category | undefined): Step<Outcome> {
  if (c.kind !== "extend") return only("approved");
  const v = validityFor(policy, category);
  const ok = Boolean(v?.extension);
  const ruleSet = v?.origin ?? policy.key;
  const trace = [
    {
      rule: "validity.extension",
      type: "validity" as const,
      ruleSet,
      result: ok,
      effect: ok ? "pass" : "reject",
      detail: { extension: v?.extension ?? null },
      ...(v && { citation: v.citation }),
    },
  ];
  if (ok) return { value: "approved", reasons: NONE, warnings: NONE, trace };
  const reason = {
    code: "validity.extension",
    effect: "reject" as const,
    message: `${category ? CATEGORIES.labels[category].zh : "该"}备案无延期规定`,
    citation: v?.citation ?? { document: policy.chain[0]?.sources[0]?.document ?? "", clause: "有效期" },
    ruleSet,
  };
  return { value: "rejected", reasons: [reason], warnings: NONE, trace };
}

/** The validity an approved filing is granted: from, until, single use, change lock (or extension). */
export function grantValidity(
  c: Case,
  policy: Policy,
  category: Category | undefined,
): Step<Decision["validity"]> {
  if (c.kind === "revoke") return only(null);
  const v = validityFor(policy, category);
  if (!v) {
    return {
      value: null,
      reasons: NONE,
      warnings: [{ code: "validity.silent", message: "本地区规则未规定备案有效期" }],
      trace: NONE,
    };
  }
  if (c.kind === "extend" && c.previous) {
    const prev = c.previous;
    const until =
      v.extension && prev.validUntil ? addPeriod(prev.validUntil, v.extension) : (prev.validUntil ?? null);
    const value = {
      from: prev.approvedOn,
      until,
      singleUse: v.singleUse,
      changeLockedUntil: null,
      extensions: prev.extensions + 1,
    };
    const detail = { extension: v.extension ?? null, ...value };
    return {
      value,
      reasons: NONE,
      warnings: NONE,
      trace: [lookupTrace("validity", `validity.${v.key}`, v, detail)],
    };
  }
  const value = {
    from: c.asOf,
    until: v.duration ? lastDayOf(c.asOf, v.duration) : null,
    singleUse: v.singleUse,
    changeLockedUntil: v.changeLock ? lastDayOf(c.asOf, v.changeLock) : null,
  };
  const detail = { duration: v.duration, changeLock: v.changeLock ?? null, ...value };
  return {
    value,
    reasons: NONE,
    warnings: NONE,
    trace: [lookupTrace("validity", `validity.${v.key}`, v, detail)],
  };
}
