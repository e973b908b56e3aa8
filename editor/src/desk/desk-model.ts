import {
  CARD_STATUSES,
  CHANNELS,
  EMERGENCY_INDICATORS,
  EMERGENCY_SETTINGS,
  HOSPITAL_LEVELS,
  type Label,
  SCHEMES,
  STATUSES,
} from "../../../engine/vocabulary.ts";
import type { paths } from "../api/schema.d.ts";

/*
 * The desk form's logic, without React: which step asks which field, how each field is entered,
 * what an ID number tells (GB 11643), the materials as single items and one-of groups, and the case
 * the form's values make (case-format.md). Tested in editor/test/desk-model.test.ts.
 */

export type Requirements = paths["/api/requirements"]["get"]["responses"][200]["content"]["application/json"];
export type RequiredField = Requirements["fields"][number];
export type RequiredMaterial = Requirements["materials"][number];

export type Step = "region" | "category" | "person" | "destination" | "facts";
export const STEPS: Step[] = ["region", "category", "person", "destination", "facts"];

/** Fields the steps before "person" ask themselves (region, date, category, kind). */
const ASKED_EARLY = new Set(["insured.region", "filing.category"]);

/** Fields a case cannot be decided without (the case schema refuses it): the form insists on them. */
export const REQUIRED = new Set(["insured.region", "applicant.idNumber", "insured.scheme"]);

/** The step a case field is asked in. */
export function stepOf(field: string): Step {
  if (field === "insured.region") return "region";
  if (field === "filing.category") return "category";
  if (field.startsWith("applicant.") || field.startsWith("insured.")) return "person";
  if (field.startsWith("filing.destination.")) return "destination";
  return "facts";
}

export type Input =
  | { type: "select"; options: { value: string; label: Label }[] }
  | { type: "multi"; options: { value: string; label: Label }[] }
  | { type: "boolean" }
  | { type: "number" }
  | { type: "date" }
  | { type: "list" }
  | { type: "text" };

const opts = (table: Record<string, Label>) =>
  Object.entries(table).map(([value, label]) => ({ value, label }));

const INPUTS: Record<string, Input> = {
  "insured.scheme": { type: "select", options: opts(SCHEMES.labels) },
  "insured.status": { type: "select", options: opts(STATUSES.labels) },
  "insured.cardStatus": { type: "select", options: opts(CARD_STATUSES.labels) },
  "insured.inBenefitPeriod": { type: "boolean" },
  "filing.destination.hospital.level": { type: "select", options: opts(HOSPITAL_LEVELS.labels) },
  "filing.destination.hospital.networked": { type: "boolean" },
  "filing.hukouMoved": { type: "boolean" },
  "filing.residenceYears": { type: "number" },
  "filing.dispatchYears": { type: "number" },
  "filing.referral.issuerLevel": { type: "select", options: opts(HOSPITAL_LEVELS.labels) },
  "filing.emergency.setting": { type: "select", options: opts(EMERGENCY_SETTINGS.labels) },
  "filing.emergency.diagnoses": { type: "list" },
  "filing.emergency.indicators": { type: "multi", options: opts(EMERGENCY_INDICATORS.labels) },
  "filing.emergency.cardSettled": { type: "boolean" },
  "filing.channel": { type: "select", options: opts(CHANNELS.labels) },
  "filing.agent": { type: "boolean" },
  "filing.specialReason": { type: "boolean" },
  "previous.approvedOn": { type: "date" },
  "previous.validUntil": { type: "date" },
  "previous.extensions": { type: "number" },
};

/** How a field is entered: a select from the vocabulary, yes/no, a number, a date, or text. */
export const inputOf = (field: string): Input => INPUTS[field] ?? { type: "text" };

/** The fields a step asks, in the order the requirements list them (the destination's hospital name always). */
export function fieldsOfStep(req: Pick<Requirements, "fields"> | undefined, step: Step): RequiredField[] {
  const fields = (req?.fields ?? []).filter((f) => !ASKED_EARLY.has(f.id) && stepOf(f.id) === step);
  if (step === "person" && !fields.some((f) => f.id === "applicant.name"))
    fields.splice(1, 0, { id: "applicant.name", label: { zh: "姓名", en: "Name" }, why: [] });
  if (step === "destination" && !fields.some((f) => f.id === "filing.destination.hospital.name"))
    fields.push({
      id: "filing.destination.hospital.name",
      label: { zh: "就医医院", en: "Hospital" },
      why: [],
    });
  // the ID number first: birth date, sex and age are read from it
  return fields.sort((a, b) => Number(b.id === "applicant.idNumber") - Number(a.id === "applicant.idNumber"));
}

export type MaterialGroup = {
  key: string;
  oneOf: boolean;
  conditional: boolean;
  label: string;
  items: { id: string; label: Label }[];
  citation: RequiredMaterial["citation"];
};

/**
 * The materials to tick: single materials one by one, one-of groups together (any one is enough);
 * a material two rules ask for is shown once, under the first.
 */
export function materialGroups(materials: RequiredMaterial[]): MaterialGroup[] {
  const seen = new Set<string>();
  const out: MaterialGroup[] = [];
  for (const m of materials) {
    const items = m.labels
      .filter((l) => m.oneOf || !seen.has(l.id))
      .map((l) => ({ id: l.id, label: l.label }));
    if (items.length === 0) continue;
    for (const i of items) seen.add(i.id);
    out.push({
      key: m.rule,
      oneOf: m.oneOf,
      conditional: m.conditional,
      label: m.label,
      items,
      citation: m.citation,
    });
  }
  return out;
}

export type IdInfo =
  | { valid: true; birthDate: string; sex: "male" | "female"; age: number; region: string }
  | { valid: false; problem: "length" | "format" | "date" | "checksum" };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";

/**
 * What an 18-digit ID number (GB 11643-1999) says: birth date, sex (17th digit odd: male), age in
 * completed years on a date, issuing region; or why it is not a valid number.
 *
 * @example idInfo("510402195001011236", "2017-06-01") // { valid: true, birthDate: "1950-01-01", sex: "male", age: 67, … }
 */
export function idInfo(idNumber: string, asOf: string): IdInfo {
  const id = idNumber.trim().toUpperCase();
  if (id.length !== 18) return { valid: false, problem: "length" };
  if (!/^\d{17}[\dX]$/.test(id)) return { valid: false, problem: "format" };
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return { valid: false, problem: "date" };
  const sum = WEIGHTS.reduce((s, w, i) => s + w * Number(id[i]), 0);
  if (CHECK[sum % 11] !== id[17]) return { valid: false, problem: "checksum" };
  const birthDate = id.slice(6, 14).replace(/^(\d{4})(\d{2})(\d{2})$/, "$1-$2-$3");
  const [ay, am, ad] = asOf.split("-").map(Number) as [number, number, number];
  const age = ay - y - (am < m || (am === m && ad < d) ? 1 : 0);
  if (age < 0) return { valid: false, problem: "date" };
  return {
    valid: true,
    birthDate,
    sex: Number(id[16]) % 2 === 1 ? "male" : "female",
    age,
    region: id.slice(0, 6),
  };
}

/** The filing form's required fields (478号 附件1) for a channel, asked when the form is handed in. */
export function formFieldsOf(req: Pick<Requirements, "formFields"> | undefined, channel: string | undefined) {
  const seen = new Set<string>();
  const out: { id: string; label: Label; citation: Requirements["formFields"][number]["citation"] }[] = [];
  for (const ff of req?.formFields ?? []) {
    if (ff.channels && !ff.channels.includes(channel ?? "window")) continue;
    for (const r of ff.required)
      if (!seen.has(r.id)) {
        seen.add(r.id);
        out.push({ id: `filing.form.${r.id}`, label: r.label, citation: ff.citation });
      }
  }
  return out;
}

export type DeskValues = {
  asOf: string;
  kind: string;
  /** case field path → value, e.g. "filing.hukouMoved" → true */
  fields: Record<string, unknown>;
  materials: string[];
};

/** Sets a dotted path in a nested object. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let o = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof o[p] !== "object" || o[p] === null) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts.at(-1) as string] = value;
}

/** The case the desk's values make: empty fields left out (the rules report them missing). */
export function caseOf(v: DeskValues): Record<string, unknown> {
  const c: Record<string, unknown> = {
    id: `desk-${v.asOf}-${Date.now().toString(36)}`,
    asOf: v.asOf,
    kind: v.kind,
    applicant: {},
    insured: {},
    filing: { materials: v.materials },
  };
  for (const [path, value] of Object.entries(v.fields)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value) && value.length === 0) continue;
    setPath(c, path, typeof value === "string" ? value.trim() : value);
  }
  // a hospital without the destination's region is no destination yet: the rules ask for it
  const filing = c.filing as { destination?: { region?: string } };
  if (filing.destination && !filing.destination.region) delete filing.destination;
  return c;
}
