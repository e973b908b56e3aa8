import {
  BoundedCache,
  type LoadedRuleSet,
  lintLibrary,
  loadRuleSet,
  type Problem,
  ruleSetSchema,
  SECTIONS,
  YamlSource,
} from "../../engine/index.ts";
import { versionPath } from "../policy-service.ts";
import type { RuleSetVersion } from "../store/rule-sets.ts";

type VersionText = Pick<RuleSetVersion, "ruleSetId" | "version" | "content">;
type Path = readonly (string | number)[];

/**
 * Validates rule-set versions the way `yidi lint` validates files, and keeps the published
 * versions it parsed (by content hash and file, bounded), so a save does not re-parse the library.
 *
 * @example const problems = validator.validate(draft, await store.ruleSets.published())
 */
export class RuleSetValidator {
  private readonly parsed: BoundedCache<string, LoadedRuleSet | null>;

  constructor(maxParsed = 500) {
    this.parsed = new BoundedCache(maxParsed);
  }

  /** A version parsed with the rule-set schema (cached by hash), or undefined when it does not load. */
  load(v: VersionText & { hash: string }): LoadedRuleSet | undefined {
    const key = `${v.hash}|${versionPath(v)}`;
    const hit = this.parsed.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const r = loadRuleSet(v.content, versionPath(v));
    return this.parsed.set(key, r.ok ? r.value : null) ?? undefined;
  }

  /**
   * Every problem of a version, at once, each with file, line and column: YAML syntax (and then
   * nothing else: there is no data to check), else the schema and vocabulary problems AND the
   * cross-file ones (`extends`, citations in the chain's sources, version and start-date clashes,
   * regions, fact types) against the other published versions. Schema first, then lint.
   */
  validate(v: VersionText & { id?: number }, published: readonly RuleSetVersion[]): Problem[] {
    const file = versionPath(v);
    const source = new YamlSource(v.content, file);
    if (source.problems.length) return source.problems;
    const checked = source.validate(ruleSetSchema);
    const schemaProblems = checked.ok ? [] : checked.problems;
    const self = lintable(source.data, v, schemaProblems);
    if (!self) return schemaProblems;
    const problems = [...schemaProblems];
    if (self.version !== v.version) {
      const pos = source.locate(["version"]);
      problems.push({
        code: "lint",
        path: ["version"],
        message: `version "${String(self.version)}" does not match this version's name "${v.version}" (${file})`,
        file,
        ...(pos && { line: pos.line, column: pos.column }),
      });
    }
    const others = published.filter((o) => o.id !== v.id).flatMap((o) => this.load(o) ?? []);
    // A lint problem inside something the schema refused says nothing new.
    const covered = (p: Problem) => schemaProblems.some((s) => startsWith(p.path, s.path));
    for (const p of lintLibrary([...others, self], [{ file, text: v.content }])) {
      if (p.file === file && !covered(p)) problems.push(p);
    }
    return problems;
  }
}

const startsWith = (path: Path, prefix: Path) =>
  prefix.length > 0 && prefix.length <= path.length && prefix.every((x, i) => path[i] === x);

const isMap = (x: unknown): x is Record<string, unknown> => !!x && typeof x === "object" && !Array.isArray(x);

/**
 * The version's data as a rule set the cross-file lint can read, even when the schema refused
 * parts of it: every entry, source or field with a schema problem is left out (or, for the
 * fields lint needs, given a neutral stand-in), so the lint reports what the schema did not.
 */
function lintable(data: unknown, v: VersionText, schemaProblems: Problem[]): LoadedRuleSet | undefined {
  if (!isMap(data)) return undefined;
  if (schemaProblems.length === 0) {
    const r = loadRuleSet(v.content, versionPath(v));
    return r.ok ? r.value : undefined;
  }
  const bad = (path: Path) => schemaProblems.some((p) => startsWith(p.path, path));
  const str = (key: string, fallback: string) =>
    typeof data[key] === "string" && !bad([key]) ? (data[key] as string) : fallback;
  const eff = isMap(data.effective) ? data.effective : {};
  const out: Record<string, unknown> = {
    id: str("id", v.ruleSetId),
    version: str("version", v.version),
    title: str("title", ""),
    // Stand-ins that clash with nothing: the schema already reported these fields.
    region: str("region", `invalid:${v.ruleSetId}`),
    effective: {
      from: typeof eff.from === "string" && !bad(["effective", "from"]) ? eff.from : `invalid:${v.version}`,
      to: null,
    },
    extends: typeof data.extends === "string" && !bad(["extends"]) ? data.extends : null,
    sources: Array.isArray(data.sources)
      ? data.sources.filter((s, i) => isMap(s) && typeof s.document === "string" && !bad(["sources", i]))
      : [],
    hash: "",
    file: versionPath(v),
  };
  for (const section of SECTIONS) {
    const entries = data[section];
    if (!isMap(entries) || schemaProblems.some((p) => p.path.length === 1 && p.path[0] === section)) continue;
    out[section] = Object.fromEntries(
      Object.entries(entries).filter(([key, e]) => (e === null || isMap(e)) && !bad([section, key])),
    );
  }
  return out as unknown as LoadedRuleSet;
}
