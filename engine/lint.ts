import { FACTS } from "./facts.ts";
import type { LoadedRuleSet } from "./rule-set-loader.ts";
import { type RuleSet, SECTIONS } from "./schema/rule-set.ts";
import { type Problem, YamlSource } from "./yaml-source.ts";

type Text = { file: string; text: string };

/**
 * Checks across rule-set files, beyond each file's schema: the id matches the folder, every
 * `extends` names a rule set that exists, no two versions of an id share a version or a start
 * date, every citation names a document in its own chain's sources, and conditions only
 * compare facts with facts of the same type.
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
    lintFactTypes(rs, report);
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

const factType = (f: string) => (FACTS as Record<string, { type: string }>)[f]?.type;

function lintFactTypes(
  rs: LoadedRuleSet,
  report: (rs: LoadedRuleSet, path: (string | number)[], m: string) => void,
) {
  for (const [key, rule] of Object.entries(rs.rules ?? {})) {
    if (!rule) continue;
    for (const part of ["when", "conditions"] as const) {
      const c = rule[part];
      if (!c) continue;
      walk(c, [part], (leaf, path) => {
        const v = leaf.value;
        if (v && typeof v === "object" && !Array.isArray(v) && "fact" in v) {
          const a = factType(leaf.fact);
          const b = factType((v as { fact: string }).fact);
          if (a !== b)
            report(
              rs,
              ["rules", key, ...path],
              `compares ${leaf.fact} (${a}) with ${(v as { fact: string }).fact} (${b})`,
            );
        }
      });
    }
  }
}

type LeafLike = { fact: string; value?: unknown };
function walk(
  c: unknown,
  path: (string | number)[],
  visit: (leaf: LeafLike, path: (string | number)[]) => void,
): void {
  const node = c as Record<string, unknown>;
  for (const k of ["all", "any"] as const) {
    const list = node[k];
    if (Array.isArray(list)) {
      for (const [i, x] of list.entries()) walk(x, [...path, k, i], visit);
      return;
    }
  }
  if (node.not) walk(node.not, [...path, "not"], visit);
  else visit(node as LeafLike, path);
}
