import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type LoadedRuleSet, lintLibrary, loadRuleSet, type Problem } from "../engine/index.ts";

/** The project's own rule sets, beside this package. */
export const DEFAULT_RULES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "rules");

/** Every `.yaml`/`.yml` file under the given paths (files or folders), sorted. */
export function yamlFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) visit(join(p, e));
    else if (/\.ya?ml$/.test(p)) out.push(p);
  };
  for (const p of paths) visit(p);
  return out;
}

export type RuleFilesResult = { ruleSets: LoadedRuleSet[]; problems: Problem[]; files: string[] };

/**
 * Reads, validates and cross-checks rule-set files. File names in problems are relative to
 * the working directory, so `file:line:column` opens in an editor.
 */
export function readRuleFiles(paths: readonly string[] = [DEFAULT_RULES_DIR]): RuleFilesResult {
  const files = yamlFiles(paths);
  const texts = files.map((f) => ({ file: relative(process.cwd(), f) || f, text: readFileSync(f, "utf8") }));
  const ruleSets: LoadedRuleSet[] = [];
  const problems: Problem[] = [];
  for (const { file, text } of texts) {
    const r = loadRuleSet(text, file);
    if (r.ok) ruleSets.push(r.value);
    else problems.push(...r.problems);
  }
  problems.push(...lintLibrary(ruleSets, texts));
  return { ruleSets, problems, files };
}
