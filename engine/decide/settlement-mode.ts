import { shared } from "../decision-json.ts";
import type { Facts } from "../facts.ts";
import type { Policy, Sourced } from "../policy.ts";
import type { Case } from "../schema/case.ts";
import type { Reason, TraceEntry, Warning } from "../schema/decision.ts";
import type { Citation, Settlement } from "../schema/rule-set.ts";
import type { Category, SettlementMode } from "../vocabulary.ts";
import { NONE, only, type Step } from "./step.ts";

/**
 * What the mode is asked for: care under a granted filing (`filed`), care the case says was not
 * filed (`unfiled`, a settlement with `filed: false`), or a request the rules reject
 * (`rejected`: what happens to care now that there is no filing).
 */
export type ModeBasis = "filed" | "unfiled" | "rejected";

type Field = "inProvince" | "crossProvince" | "unfiled";
type Found = {
  entry: Sourced<Settlement>;
  field: Field;
  mode: SettlementMode;
  citation: Citation;
  /** The date of the dated change (`changes`) the mode comes from, if any. */
  since: string | undefined;
};

const NOT_NETWORKED: Citation = {
  document: "人社部发〔2016〕120号",
  clause: "经办规程第十二条、第十三条",
  note: "直接结算只在跨省异地就医定点（联网）医疗机构；攀医保〔2017〕10号 四(二)2(2)、四(三)1、五(二)同",
};
const CLAIM_BACK: Citation = {
  document: "人社部发〔2016〕120号",
  clause: "经办规程第二十八条",
  note: "全额垫付的，医保基金支付的费用回参保地按规定报销",
};

// The step's fixed warnings: made once, shared by every decision (engine/decision-json.ts).
const UNFILED_SILENT = shared<Warning>({
  code: "settlement.unfiled-silent",
  message:
    "规则未规定未备案就医的医保支付方式：不能直接结算，按全额垫付后回参保地报销处理；能否报销以参保地规定为准",
  citation: CLAIM_BACK,
});
const SILENT = shared<Warning>({
  code: "settlement.silent",
  message: "本地区规则未规定未备案就医的医保支付方式",
});
const NOT_NETWORKED_WARNING = shared<Warning>({
  code: "settlement.not-networked",
  message: "就医医院不是联网定点医疗机构，不能直接结算：医疗费用全额垫付后回参保地报销",
  citation: NOT_NETWORKED,
});
const NETWORKED_UNKNOWN = shared<Warning>({
  code: "settlement.networked-unknown",
  message: "直接结算须在联网的异地就医定点医疗机构；未说明就医医院是否联网，非联网医院须垫付后回参保地报销",
  citation: NOT_NETWORKED,
});

/** A field of a settlement entry as in force on `asOf`: the latest dated change naming it, else the entry's own. */
function fieldAt(entry: Sourced<Settlement>, field: Field, asOf: string): Found | undefined {
  let mode = entry[field];
  let citation = entry.citation;
  let since: string | undefined;
  for (const ch of entry.changes ?? NONE) {
    if (ch.from <= asOf && ch[field] !== undefined) {
      mode = ch[field];
      citation = ch.citation;
      since = ch.from;
    }
  }
  return mode == null ? undefined : { entry, field, mode, citation, since };
}

/**
 * The settlement mode (direct, reimbursement, none) of a request, computed once per decision:
 * the category's entry decides a field it sets, otherwise the default entry does; a dated change
 * in force on `asOf` replaces the field (domain.md §7.3). Direct settlement needs a networked
 * hospital (§7.2); care the rules say nothing about when unfiled is claimed back, never settled
 * directly (§7.11).
 */
export function settlementMode(
  c: Case,
  policy: Policy,
  category: Category | undefined,
  facts: Facts,
  basis: ModeBasis,
): Step<SettlementMode | null> {
  if (c.kind === "revoke") return only(null);
  const specific = category ? policy.settlement.get(category) : undefined;
  const fallback = policy.settlement.get("default");
  const at: Entries = { specific, fallback, asOf: c.asOf };
  const cross = facts["filing.crossProvince"] as boolean | undefined;

  const warnings: Warning[] = [];
  const reasons: Reason[] = [];
  let found = basis === "filed" ? filedLookup(at, cross) : lookup(at, "unfiled");
  let silentUnfiled = false;
  if (!found && basis === "unfiled") {
    // §7.11: the rules say nothing about unfiled care. Where the category settles at all, the
    // bill is claimed back at the insured place; it is never settled directly.
    const filed = filedLookup(at, cross);
    if (filed && filed.mode !== "none") {
      found = { ...filed, field: "unfiled", mode: "reimbursement", citation: CLAIM_BACK, since: undefined };
      silentUnfiled = true;
      warnings.push(UNFILED_SILENT);
    }
  }
  if (!found) {
    if (basis !== "filed") {
      warnings.push(SILENT);
    }
    return { value: null, reasons: NONE, warnings, trace: NONE };
  }

  let mode = found.mode;
  const networked = facts["filing.destination.hospital.networked"] as boolean | undefined;
  if (mode === "direct" && networked === false) {
    mode = "reimbursement";
    warnings.push(NOT_NETWORKED_WARNING);
  } else if (mode === "direct" && networked === undefined && namesHospital(c)) {
    warnings.push(NETWORKED_UNKNOWN);
  }
  if (mode === "none" && c.kind === "settlement" && basis === "unfiled") {
    reasons.push({
      code: "settlement.unfiled",
      effect: "reject",
      message: "未办理异地就医备案，所发生的医疗费用医保基金不予支付",
      citation: found.citation,
      ruleSet: found.entry.origin,
    });
  }
  const { entry, field, citation, since } = found;
  const detail: Record<string, unknown> = { scope: field, mode };
  if (since !== undefined) detail.since = since;
  if (mode !== found.mode) detail.networked = false;
  if (silentUnfiled) detail.rulesSilent = true;
  const trace: TraceEntry[] = [
    {
      rule: `settlement.${entry.key}`,
      type: "settlement",
      ruleSet: entry.origin,
      result: true,
      detail,
      citation,
    },
  ];
  return {
    value: mode,
    reasons: reasons.length ? reasons : NONE,
    warnings: warnings.length ? warnings : NONE,
    trace,
  };
}

/** The category's entry and the default one, on a date. (Module functions, not closures: decide runs per case.) */
type Entries = {
  specific: Sourced<Settlement> | undefined;
  fallback: Sourced<Settlement> | undefined;
  asOf: string;
};

/** The category's entry decides a field it sets; otherwise the default entry does. */
function lookup(e: Entries, field: Field): Found | undefined {
  return (
    (e.specific && fieldAt(e.specific, field, e.asOf)) ?? (e.fallback && fieldAt(e.fallback, field, e.asOf))
  );
}

/** The mode of filed care: in- or cross-province; with no destination, known only when both agree. */
function filedLookup(e: Entries, cross: boolean | undefined): Found | undefined {
  if (cross !== undefined) return lookup(e, cross ? "crossProvince" : "inProvince");
  const inside = lookup(e, "inProvince");
  const outside = lookup(e, "crossProvince");
  return inside && outside?.mode === inside.mode ? inside : undefined;
}

/** A settlement happened at a hospital; a filing names one only when it gives the destination hospital. */
function namesHospital(c: Case): boolean {
  return c.kind === "settlement" || c.filing.destination?.hospital !== undefined;
}
