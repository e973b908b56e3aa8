import { realpathSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type LoadedRuleSet, lintLibrary, loadRuleSet, type Problem } from "../engine/index.ts";
import { listFiles, readText } from "./files.ts";
import { cachedRuleFiles } from "./rule-cache.ts";

/** The project's own rule sets, beside this package. */
export const DEFAULT_RULES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "rules");

/** The extensions of a rule-set file. */
export const RULE_FILE_EXTENSIONS = [".yaml", ".yml"] as const;

/** Every `.yaml`/`.yml` file under the given paths (files or folders), sorted; throws on a missing path. */
export function yamlFiles(paths: readonly string[]): string[] {
  const { files, problems } = listFiles(paths, RULE_FILE_EXTENSIONS, "a YAML file");
  if (problems.length) throw new Error(problems.map((p) => `${p.file}: ${p.message}`).join("\n"));
  return files;
}

export type RuleFilesResult = { ruleSets: LoadedRuleSet[]; problems: Problem[]; files: string[] };

/**
 * Reads, validates and cross-checks rule-set files. File names in problems are as typed, so
 * `file:line:column` opens in an editor. With `context`, the rule sets of that folder are read
 * too, so that a file's `extends` finds its parents there (`yidi lint --rules DIR FILE`): only
 * the named files' problems are reported, and a named file replaces the folder's copy of the
 * same version.
 *
 * @example readRuleFiles(["drafts/nanchang.yaml"], { context: "rules" })
 */
export function readRuleFiles(
  paths: readonly string[] = [DEFAULT_RULES_DIR],
  opts: { context?: string } = {},
): RuleFilesResult {
  if (!opts.context) {
    // The compiled CLI remembers this (rule-cache.ts): the files' names and texts are its key.
    const { files } = listFiles(paths, RULE_FILE_EXTENSIONS, "a rule-set file");
    return cachedRuleFiles(paths, files, () => {
      const named = readAll(paths);
      const problems = [...named.problems, ...lintLibrary(named.ruleSets, named.texts)];
      return { ruleSets: named.ruleSets, problems, files: named.files };
    });
  }
  const named = readAll(paths);
  const context = readAll([opts.context]);
  const real = (f: string) => {
    try {
      return realpathSync(f);
    } catch {
      return f;
    }
  };
  const namedFiles = new Set(named.files.map(real));
  const namedVersions = new Set(named.ruleSets.map((rs) => `${rs.id}@${rs.version}`));
  const others = context.ruleSets.filter(
    (rs) => !(rs.file && namedFiles.has(real(rs.file))) && !namedVersions.has(`${rs.id}@${rs.version}`),
  );
  const ownFiles = new Set(named.files);
  const lint = lintLibrary([...named.ruleSets, ...others], [...named.texts, ...context.texts]).filter(
    (p) => p.file === undefined || ownFiles.has(p.file),
  );
  // The folder itself missing or unreadable is said; its files' own problems are not this lint's.
  const folder = context.problems.filter((p) => p.file === opts.context);
  return { ruleSets: named.ruleSets, problems: [...folder, ...named.problems, ...lint], files: named.files };
}

function readAll(paths: readonly string[]) {
  const { files, problems } = listFiles(paths, RULE_FILE_EXTENSIONS, "a rule-set file");
  const texts: { file: string; text: string }[] = [];
  for (const file of files) {
    const r = readText(file);
    if (r.ok) texts.push({ file, text: r.text });
    else problems.push(r.problem);
  }
  const ruleSets: LoadedRuleSet[] = [];
  for (const { file, text } of texts) {
    const r = loadRuleSet(text, file);
    if (r.ok) ruleSets.push(r.value);
    else problems.push(...r.problems);
  }
  return { files, problems, texts, ruleSets };
}
