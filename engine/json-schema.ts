import { z } from "zod";
import { caseSchema } from "./schema/case.ts";
import { ruleSetSchema } from "./schema/rule-set.ts";

/** JSON Schemas generated from the zod schemas (rule sets and cases), for the editor. */
export function jsonSchemas(): Record<"rule-set" | "case", object> {
  const opts = { io: "input", unrepresentable: "any", reused: "ref" } as const;
  return {
    "rule-set": { title: "yidi rule set", ...z.toJSONSchema(ruleSetSchema, opts) },
    case: { title: "yidi case", ...z.toJSONSchema(caseSchema, opts) },
  };
}
