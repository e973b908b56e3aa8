import { createHash } from "node:crypto";
import { type RuleSet, ruleSetSchema } from "./schema/rule-set.ts";
import { type Parsed, YamlSource } from "./yaml-source.ts";

/** A rule set as loaded: the parsed content, its content hash and where it came from. */
export type LoadedRuleSet = RuleSet & { hash: string; file?: string };

/** The content hash of a rule-set file's text: what decisions cite and the registry stores. */
export const contentHash = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

/**
 * Parses and validates one rule-set file's text. Errors carry file, line and column.
 *
 * @example loadRuleSet(text, "rules/jiangxi/2017-11-23.yaml")
 */
export function loadRuleSet(text: string, file?: string): Parsed<LoadedRuleSet> {
  const source = new YamlSource(text, file);
  const parsed = source.validate(ruleSetSchema);
  if (!parsed.ok) return parsed;
  const hash = contentHash(text);
  return { ok: true, value: { ...parsed.value, hash, ...(file !== undefined && { file }) } };
}
