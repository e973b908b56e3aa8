import { existsSync, statSync } from "node:fs";
import { Decider, type LoadedRuleSet, loadRuleSet, type Problem } from "../engine/index.ts";
import { listFiles, readText } from "./files.ts";
import { RULE_FILE_EXTENSIONS, readRuleFiles } from "./rule-files.ts";

/**
 * A rule source as data (it crosses to worker threads): the rule-set texts, and optionally one
 * version pinned for every date. Each worker builds its `Decider` from it once.
 *
 * - a rules folder: each case is decided by the versions in force at its `asOf`;
 * - a folder plus a draft file (`--against drafts/x.yaml`): the file beside (or in place of the
 *   same id@version in) the folder;
 * - a named version (`--against national@2019-06-01`): that version of that rule set for every
 *   case, whatever its date; the other rule sets as in force;
 * - the server's published versions or a draft (the server builds the texts from its store).
 */
export type RuleSourceSpec = {
  label: string;
  texts: { file: string; text: string }[];
  pin?: { id: string; version: string };
};

/** Each source's rule sets as loaded, once per source object (a run's workers and its report share them). */
const loadedOf = new WeakMap<RuleSourceSpec, LoadedRuleSet[]>();

/**
 * The rule sets of a rule source, loaded (YAML, schema) once per spec object — or as given with
 * it (`withLoaded`: a simulation worker is handed them, plain data, and reads no YAML). Throws
 * when a text does not load (checked before the run).
 */
export function loadedRuleSets(spec: RuleSourceSpec & { loaded?: LoadedRuleSet[] }): LoadedRuleSet[] {
  if (spec.loaded) return spec.loaded;
  let loaded = loadedOf.get(spec);
  if (loaded) return loaded;
  loaded = [];
  for (const { file, text } of spec.texts) {
    const r = loadRuleSet(text, file);
    if (!r.ok) throw new Error(`${file}: ${r.problems[0]?.message ?? "does not load"}`);
    loaded.push(r.value);
  }
  loadedOf.set(spec, loaded);
  return loaded;
}

/** The spec with its rule sets loaded, to hand to a worker thread (structured clone, no YAML there). */
export const withLoaded = (spec: RuleSourceSpec): RuleSourceSpec & { loaded: LoadedRuleSet[] } => ({
  ...spec,
  texts: [],
  loaded: loadedRuleSets(spec),
});

/** The decider of a rule source (throws when a text does not load: checked before the run). */
export function deciderOf(spec: RuleSourceSpec): Decider {
  const loaded = loadedRuleSets(spec);
  return new Decider(spec.pin ? pinned(loaded, spec.pin) : loaded);
}

/**
 * The rule sets with one version of one id in force on every date; its other versions are never
 * in force but still there for an `extends` that names them.
 */
function pinned(ruleSets: LoadedRuleSet[], pin: { id: string; version: string }): LoadedRuleSet[] {
  if (!ruleSets.some((rs) => rs.id === pin.id && rs.version === pin.version))
    throw new Error(`no rule set ${pin.id}@${pin.version}`);
  return ruleSets.map((rs) =>
    rs.id !== pin.id
      ? rs
      : rs.version === pin.version
        ? { ...rs, effective: { ...rs.effective, from: "0000-01-01", to: null } }
        : { ...rs, effective: { ...rs.effective, from: "9999-12-31", to: "9999-12-31" } },
  );
}

function folderTexts(dir: string): { texts: RuleSourceSpec["texts"]; problems: Problem[] } {
  const { files, problems } = listFiles([dir], RULE_FILE_EXTENSIONS, "a rule-set file");
  const texts: RuleSourceSpec["texts"] = [];
  for (const file of files) {
    const r = readText(file);
    if (r.ok) texts.push({ file, text: r.text });
    else problems.push(r.problem);
  }
  return { texts, problems };
}

/**
 * A rule source from the command line: a folder, a rule-set file (a draft, beside the base
 * folder), or `id@version` (pinned, from the base folder). Problems (unreadable, invalid rule
 * sets, an unknown version) come back before any case is decided.
 */
export function ruleSource(arg: string, baseDir: string): { spec?: RuleSourceSpec; problems: Problem[] } {
  const isPath = existsSync(arg);
  if (!isPath && /^[a-z0-9_/-]+@[\w.-]+$/i.test(arg)) {
    const [id = "", version = ""] = arg.split("@");
    const base = folderSpec(baseDir);
    if (!base.spec) return base;
    const known = readRuleFiles([baseDir]).ruleSets.some((rs) => rs.id === id && rs.version === version);
    if (!known)
      return { problems: [{ code: "no_rule_set", path: [], message: `no rule set ${arg} in ${baseDir}` }] };
    return { spec: { ...base.spec, label: arg, pin: { id, version } }, problems: [] };
  }
  if (isPath && statSync(arg).isFile()) {
    const draft = readRuleFiles([arg], { context: baseDir });
    if (draft.problems.length) return { problems: draft.problems };
    const base = folderSpec(baseDir);
    if (!base.spec) return base;
    const named = new Set(draft.ruleSets.map((rs) => `${rs.id}@${rs.version}`));
    const keep = base.spec.texts.filter((t) => {
      const r = loadRuleSet(t.text, t.file);
      return !(r.ok && named.has(`${r.value.id}@${r.value.version}`));
    });
    const own = readText(arg);
    if (!own.ok) return { problems: [own.problem] };
    return {
      spec: { label: `${baseDir} + ${arg}`, texts: [...keep, { file: arg, text: own.text }] },
      problems: [],
    };
  }
  return folderSpec(arg);
}

function folderSpec(dir: string): { spec?: RuleSourceSpec; problems: Problem[] } {
  const checked = readRuleFiles([dir]);
  if (checked.problems.length) return { problems: checked.problems };
  const { texts, problems } = folderTexts(dir);
  if (problems.length) return { problems };
  return { spec: { label: dir, texts }, problems: [] };
}

/**
 * A stored version substituted into a rule source: its text in place of the same file (or
 * beside the others), its rule set's version for every case whatever the date (`pin`). The
 * server's impact and `--server URL version:ID` build their sources with it.
 */
export function withVersion(
  base: RuleSourceSpec,
  v: { ruleSetId: string; version: string; content: string },
  label: string,
): RuleSourceSpec {
  const file = `rules/${v.ruleSetId}/${v.version}.yaml`;
  return {
    label,
    texts: [...base.texts.filter((t) => t.file !== file), { file, text: v.content }],
    pin: { id: v.ruleSetId, version: v.version },
  };
}

/**
 * A rule source from a running server (`yidi simulate --server URL`): `published` — its published
 * versions (GET /api/rule-sets/export), each case decided by those in force at its asOf — or
 * `version:ID` — that stored version (a draft, one in review) in its rule set's place. The token
 * is a session's (POST /api/login), sent as a bearer token.
 *
 * @example await serverRuleSource("http://127.0.0.1:3000", token, "version:12")
 */
export async function serverRuleSource(
  url: string,
  token: string | undefined,
  arg: string,
): Promise<{ spec?: RuleSourceSpec; problems: Problem[] }> {
  const base = url.replace(/\/+$/, "");
  const problem = (message: string) => ({ problems: [{ code: "server", path: [], message }] });
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      throw new Error(`${base}${path}: ${res.status} ${body?.error?.message ?? res.statusText}`);
    }
    return res;
  };
  const m = /^(published|version:(\d+))$/.exec(arg);
  if (!m) return problem(`${arg}: with --server, a source is "published" or "version:ID"`);
  try {
    const { unzipSync, strFromU8 } = await import("fflate");
    const zip = unzipSync(new Uint8Array(await (await get("/api/rule-sets/export")).arrayBuffer()));
    const texts = Object.entries(zip)
      .filter(([f]) => f.endsWith(".yaml"))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([file, bytes]) => ({ file, text: strFromU8(bytes) }));
    const published: RuleSourceSpec = { label: `${base} published`, texts };
    if (!m[2]) return { spec: published, problems: [] };
    const v = (await (await get(`/api/rule-sets/versions/${m[2]}`)).json()) as {
      id: number;
      ruleSetId: string;
      version: string;
      status: string;
      content: string;
    };
    return {
      spec: withVersion(published, v, `${v.ruleSetId}@${v.version} (#${v.id}, ${v.status}) at ${base}`),
      problems: [],
    };
  } catch (e) {
    return problem((e as Error).message);
  }
}
