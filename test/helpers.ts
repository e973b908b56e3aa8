import IDValidator from "id-validator";
import { stringify } from "yaml";
import { type CaseInput, caseSchema, Decider, type Decision } from "../engine/index.ts";
import { readRuleFiles } from "../simulator/rule-files.ts";

export const ruleFiles = readRuleFiles();
export const decider = new Decider(ruleFiles.ruleSets);

const validator = new IDValidator();

/**
 * A valid 18-character ID number for a birth date and sex (the check digit found by the
 * id-validator package, so tests never hand-compute GB 11643).
 */
export function idNumber(birthDate: string, sex: "male" | "female", region = "510402"): string {
  const base = `${region}${birthDate.replaceAll("-", "")}${sex === "male" ? "011" : "012"}`;
  for (const c of "0123456789X") if (validator.isValid(base + c)) return base + c;
  throw new Error(`no check digit for ${base}`);
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Decides a case given as an object (validated like any input); throws on invalid input. */
export function decideCase(input: DeepPartial<CaseInput> & Record<string, unknown>): Decision {
  const c = caseSchema.parse(input);
  const r = decider.decide(c);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.decision;
}

/** The ids of missing materials, groups as `a|b`. */
export const missingIds = (d: Decision) =>
  d.missingMaterials.map((m) => ("id" in m ? m.id : m.anyOf.join("|")));
export const chainOf = (d: Decision) => d.ruleSets.map((r) => `${r.id}@${r.version}`);
export const toYaml = (x: unknown) => stringify(x);
