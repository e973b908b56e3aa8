import { caseFacts, requestCategory } from "./case-facts.ts";
import { benefits } from "./decide/benefits.ts";
import { eligibility } from "./decide/eligibility.ts";
import { notes } from "./decide/notes.ts";
import { processing } from "./decide/processing.ts";
import { type ModeBasis, settlementMode } from "./decide/settlement-mode.ts";
import { compiledEvaluator, type Evaluator, only, type Step, worst } from "./decide/step.ts";
import { extensionAllowed, grantValidity } from "./decide/validity.ts";
import { shared } from "./decision-json.ts";
import type { Policy } from "./policy.ts";
import type { Case } from "./schema/case.ts";
import type { Decision, Reason, TraceEntry, Warning } from "./schema/decision.ts";

export { compiledEvaluator, type Evaluator };

/**
 * How much of its working a decision carries. `full`: every rule's evaluated condition trees
 * (`when`, `conditions`: each fact's value, each leaf's result). `rules`: one trace line per rule
 * and entry applied — its result, effect, detail and citation — without the trees; everything
 * else in the decision is the same. The trees of a logged decision are had again by replaying its
 * case under its chain (the rule sets' content hashes are in the decision).
 */
export type TraceLevel = "full" | "rules";

/**
 * Decides one validated case under a compiled policy, as a pipeline of pure steps:
 * eligibility and materials → validity → settlement mode → benefits (settlements) → processing →
 * notes. Each step runs once and returns its value with the reasons, warnings and trace lines it
 * adds; one merge joins them in that order. The outcome follows case-format.md's precedence over
 * the verdicts of eligibility, extension and (for a settlement) the settlement mode.
 *
 * @example decide(caseSchema.parse(input), compilePolicy(resolveChain(library, "510402", "2017-06-01").chain))
 */
export function decide(
  c: Case,
  policy: Policy,
  evaluator: Evaluator = compiledEvaluator,
  trace: TraceLevel = "full",
): Decision {
  const facts = caseFacts(c, policy);
  const category = requestCategory(c);
  const elig = eligibility(c, policy, category, facts, evaluator, trace === "full");
  const extension = extensionAllowed(c, policy, category);
  let outcome = worst(elig.value, extension.value);

  let steps: Step<unknown>[];
  let validity: Decision["validity"] = null;
  let mode: Step<Decision["settlementMode"]>;
  let money: Step<Decision["benefits"]> | undefined;
  if (c.kind === "settlement") {
    // The mode decides what the bill is paid under; the outcome follows from it (mode none: rejected).
    const basis: ModeBasis =
      c.settlement?.filed === false ? "unfiled" : outcome === "rejected" ? "rejected" : "filed";
    mode = settlementMode(c, policy, category, facts, basis);
    if (mode.value === "none") outcome = "rejected";
    money = benefits(c, policy, category, facts, mode.value);
    steps = [elig, extension, mode, money];
  } else {
    // A filing's validity and mode follow from its outcome: rejected, the care would be unfiled.
    const granted = outcome === "approved" ? grantValidity(c, policy, category) : only(null);
    validity = granted.value;
    mode = settlementMode(c, policy, category, facts, outcome === "rejected" ? "rejected" : "filed");
    steps = [elig, extension, granted, mode];
  }
  const due = processing(c, policy, category);
  steps.push(due);
  steps.push(notes(c, policy, category, steps));
  const { reasons, warnings, trace: lines } = merge(steps);

  const ruleSets = chainOf(policy);
  const { missingMaterials, missingFields } = elig;
  // Plain literals in the decision's key order (a settlement's benefits before its warnings):
  // object spreads are slow on this path.
  return money?.value
    ? {
        caseId: c.id,
        outcome,
        kind: c.kind,
        category: category ?? null,
        asOf: c.asOf,
        ruleSets,
        reasons,
        missingMaterials,
        missingFields,
        validity,
        settlementMode: mode.value,
        processing: due.value,
        benefits: money.value,
        warnings,
        trace: lines,
      }
    : {
        caseId: c.id,
        outcome,
        kind: c.kind,
        category: category ?? null,
        asOf: c.asOf,
        ruleSets,
        reasons,
        missingMaterials,
        missingFields,
        validity,
        settlementMode: mode.value,
        processing: due.value,
        warnings,
        trace: lines,
      };
}

/** The decision's `ruleSets`: made once per policy, shared and frozen (engine/decision-json.ts). */
const chains = new WeakMap<Policy, Decision["ruleSets"]>();
function chainOf(policy: Policy): Decision["ruleSets"] {
  let refs = chains.get(policy);
  if (!refs) {
    refs = shared(policy.chain.map((rs) => shared({ id: rs.id, version: rs.version, hash: rs.hash })));
    chains.set(policy, refs);
  }
  return refs;
}

/**
 * The one merge: each step's reasons, warnings and trace, in step order. The lists are sized
 * first and filled by index: pushing one by one (for-of over lists of several kinds, frozen NONE
 * among them, each list grown a few times) was ~0.8 µs a decision slower (bench/engine-ab.ts, p50).
 */
function merge(steps: readonly Step<unknown>[]): {
  reasons: Reason[];
  warnings: Warning[];
  trace: TraceEntry[];
} {
  let nr = 0;
  let nw = 0;
  let nt = 0;
  for (const s of steps) {
    nr += s.reasons.length;
    nw += s.warnings.length;
    nt += s.trace.length;
  }
  const reasons = new Array<Reason>(nr);
  const warnings = new Array<Warning>(nw);
  const trace = new Array<TraceEntry>(nt);
  let r = 0;
  let w = 0;
  let t = 0;
  for (const s of steps) {
    for (let i = 0; i < s.reasons.length; i++) reasons[r++] = s.reasons[i] as Reason;
    for (let i = 0; i < s.warnings.length; i++) warnings[w++] = s.warnings[i] as Warning;
    for (let i = 0; i < s.trace.length; i++) trace[t++] = s.trace[i] as TraceEntry;
  }
  return { reasons, warnings, trace };
}
