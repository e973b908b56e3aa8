import type { LoadedRuleSet } from "./rule-set-loader.ts";
import { type RuleSet, SECTIONS } from "./schema/rule-set.ts";
import { type Problem, YamlSource } from "./yaml-source.ts";

type Text = { file: string; text: string };

/**
 * Checks across rule-set files, beyond each file's schema: the id matches the folder, every
 * `extends` names a rule set that exists, no two versions of an id share a version or a start
 * date, and every citation names a document in its own chain's sources. Conditions are checked
 * leaf by leaf by the rule-set schema itself (`leafProblems`, engine/condition-shapes.ts): every
 * operator applies to its fact's type and has a value of the shape it needs, fact references
 * included, so a file that passes means the same thing in json-rules-engine and the compiled path.
 */
export function lintLibrary(ruleSets: readonly LoadedRuleSet[], texts: readonly Text[]): Problem[] {
  const problems: Problem[] = [];
  const sources = new Map(texts.map((t) => [t.file, new YamlSource(t.text, t.file)]));
  const report = (rs: LoadedRuleSet, path: (string | number)[], message: string, code = "lint") => {
    const pos = rs.file ? sources.get(rs.file)?.locate(path) : undefined;
    problems.push({
      code,
      path,
      message,
      ...(rs.file !== undefined && { file: rs.file }),
      ...(pos && { line: pos.line, column: pos.column }),
    });
  };
  const byId = new Map<string, LoadedRuleSet[]>();
  for (const rs of ruleSets) byId.set(rs.id, [...(byId.get(rs.id) ?? []), rs]);

  for (const rs of ruleSets) {
    if (rs.file) {
      const folder = rs.file.replace(/\\/g, "/").match(/rules\/(.+)\/[^/]+\.ya?ml$/)?.[1];
      if (folder !== undefined && folder !== rs.id) {
        report(rs, ["id"], `id "${rs.id}" does not match the folder rules/${folder}/`);
      }
    }
    const siblings = byId.get(rs.id) ?? [];
    if (siblings.some((o) => o !== rs && o.version === rs.version)) {
      report(rs, ["version"], `another file of ${rs.id} has version ${rs.version}`);
    }
    if (siblings.some((o) => o !== rs && o.effective.from === rs.effective.from)) {
      report(rs, ["effective", "from"], `another version of ${rs.id} starts on ${rs.effective.from}`);
    }
    const regions = ruleSets.filter((o) => o.region === rs.region && o.id !== rs.id);
    if (regions.length) report(rs, ["region"], `region ${rs.region} is also used by ${regions[0]?.id}`);

    const chainDocs = new Set(rs.sources.map((s) => s.document));
    if (rs.extends != null) {
      const [pid = "", pver] = rs.extends.split("@");
      const parents = byId.get(pid) ?? [];
      if (!parents.length) report(rs, ["extends"], `extends "${pid}", but no rule set has that id`);
      else if (pver !== undefined && !parents.some((p) => p.version === pver)) {
        report(rs, ["extends"], `extends ${pid} version ${pver}, which does not exist`);
      }
      for (const p of ancestors(rs, byId)) for (const s of p.sources) chainDocs.add(s.document);
    }
    lintCitations(rs, chainDocs, report);
  }
  return problems;
}

/** Every rule set any version of the chain above `rs` could resolve to. */
function ancestors(rs: RuleSet, byId: Map<string, LoadedRuleSet[]>, seen = new Set<RuleSet>()): RuleSet[] {
  if (rs.extends == null || seen.has(rs)) return [];
  seen.add(rs);
  const [pid = "", pver] = rs.extends.split("@");
  const parents = (byId.get(pid) ?? []).filter((p) => pver === undefined || p.version === pver);
  return parents.flatMap((p) => [p, ...ancestors(p, byId, seen)]);
}

function lintCitations(
  rs: LoadedRuleSet,
  docs: Set<string>,
  report: (rs: LoadedRuleSet, path: (string | number)[], message: string) => void,
) {
  for (const section of SECTIONS) {
    for (const [key, entry] of Object.entries((rs[section] as Record<string, unknown> | undefined) ?? {})) {
      const citation = (entry as { citation?: { document: string } } | null)?.citation;
      if (citation && !docs.has(citation.document)) {
        report(
          rs,
          [section, key, "citation", "document"],
          `cites "${citation.document}", which is not among the sources of this rule set or the rule sets it extends`,
        );
      }
    }
  }
}
