import { type Category, type Kind, type Material, type Policy, vocabulary } from "../../engine/index.ts";

/*
 * What the desk form asks for a region, category, kind and date: read off the policy in force, so
 * the clerk is asked only what the rules of that region need (web-app.md, Desk).
 */

type Label = { zh: string; en: string };
type Citation = { document: string; clause: string; note?: string | undefined };
type Condition = Policy["rules"][number]["conditions"];

export type Requirements = {
  chain: { id: string; version: string }[];
  fields: { id: string; label: Label; why: string[] }[];
  formFields: {
    key: string;
    channels: string[] | null;
    required: { id: string; label: Label }[];
    citation: Citation;
  }[];
  materials: {
    rule: string;
    ids: Material[];
    oneOf: boolean;
    label: string;
    labels: { id: Material; label: Label }[];
    conditional: boolean;
    citation: Citation;
  }[];
  rules: { id: string; message: string; onFail: string; citation: Citation }[];
};

/** The case fields a derived fact comes from (the desk asks for those). */
const SOURCE_OF: Record<string, string[]> = {
  "applicant.age": ["applicant.idNumber"],
  "applicant.sex": ["applicant.idNumber"],
  "applicant.birthDate": ["applicant.idNumber"],
  "insured.provinceLevel": ["insured.region"],
  "filing.crossProvince": ["filing.destination.region"],
  "filing.sameCity": ["filing.destination.region"],
  "filing.emergency.criteriaMet": ["filing.emergency.diagnoses", "filing.emergency.indicators"],
  "previous.changeLockedUntil": ["previous.approvedOn"],
  asOf: [],
  kind: [],
};

/** Every form asks these: who, where insured, which category, where to. */
const ALWAYS = [
  "applicant.idNumber",
  "insured.region",
  "insured.scheme",
  "filing.category",
  "filing.destination.region",
];
const ALWAYS_LABELS: Record<string, Label> = {
  "applicant.idNumber": { zh: "身份证号", en: "ID number" },
};

function factsOf(c: Condition | undefined, out: Set<string>): void {
  if (!c) return;
  if ("all" in c) for (const x of c.all) factsOf(x, out);
  else if ("any" in c) for (const x of c.any) factsOf(x, out);
  else if ("not" in c) factsOf(c.not, out);
  else {
    out.add(c.fact);
    const v = c.value as { fact?: string } | undefined;
    if (v && typeof v === "object" && typeof v.fact === "string") out.add(v.fact);
  }
}

const fieldLabel = (id: string): Label =>
  ALWAYS_LABELS[id] ?? {
    zh: vocabulary.fieldLabel(id, "zh"),
    en: vocabulary.fieldLabel(id, "en"),
  };

/**
 * The requirements of a kind of request in a category under a policy: the case fields its rules
 * read (with the rules that read them), the filing-form fields (478号 附件1), the materials (single
 * ones and one-of groups) and the rules in scope, each with its citation.
 *
 * @example requirements(decider.policyFor("510402", "2017-06-01").policy, "filing", "retired_resettled")
 */
export function requirements(policy: Policy, kind: Kind, category: Category | undefined): Requirements {
  const rules = policy.rulesFor(kind, category);
  const why = new Map<string, Set<string>>(ALWAYS.map((f) => [f, new Set<string>()]));
  for (const r of rules) {
    if (r.type !== "eligibility") continue;
    const facts = new Set<string>();
    factsOf(r.when, facts);
    factsOf(r.conditions, facts);
    for (const fact of facts) {
      for (const field of SOURCE_OF[fact] ?? [fact]) {
        if (field === "filing.materials") continue;
        if (!why.has(field)) why.set(field, new Set());
        why.get(field)?.add(r.id);
      }
    }
  }
  if (kind !== "filing")
    for (const f of ["previous.category", "previous.approvedOn"]) why.set(f, why.get(f) ?? new Set());
  return {
    chain: policy.chain.map((rs) => ({ id: rs.id, version: rs.version })),
    fields: [...why].map(([id, ruleIds]) => ({ id, label: fieldLabel(id), why: [...ruleIds] })),
    formFields: policy.formFields.map((ff) => ({
      key: ff.key,
      channels: ff.channels ?? null,
      required: ff.required.map((id) => ({ id, label: fieldLabel(id) })),
      citation: ff.citation,
    })),
    materials: rules
      .filter((r) => r.type === "material" && r.material)
      .map((r) => {
        const m = r.material as { id: Material } | { anyOf: Material[] };
        const ids = "id" in m ? [m.id] : m.anyOf;
        return {
          rule: r.id,
          ids,
          oneOf: "anyOf" in m,
          label: r.label ?? "",
          labels: ids.map((id) => ({ id, label: { ...vocabulary.MATERIALS.labels[id] } })),
          conditional: r.when !== undefined,
          citation: r.citation,
        };
      }),
    rules: rules
      .filter((r) => r.type === "eligibility")
      .map((r) => ({ id: r.id, message: r.message, onFail: r.onFail, citation: r.citation })),
  };
}
