import { isScalar, parse, parseDocument } from "yaml";
import { type Problem, YamlSource } from "../../engine/index.ts";
import { AppError } from "../errors.ts";

export const RULE_SET_ID = /^[a-z]+(\/[a-z]+)*$/;
/** A version name is also a file name (rules/<id>/<version>.yaml). */
export const VERSION_NAME = /^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Sets one scalar of a YAML text and leaves every other byte alone (comments, anchors, layout):
 * the node is found with the yaml Document API and only its source range is replaced, in the
 * node's own quoting style. A missing key is added through the Document API.
 *
 * @example setScalar("version: '1' # x\n", ["version"], "2") // "version: '2' # x\n"
 */
export function setScalar(text: string, path: string[], value: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    throw new AppError("RULES_INVALID", "the YAML does not parse", new YamlSource(text).problems);
  }
  const node = doc.getIn(path, true);
  if (isScalar(node) && node.range) {
    const [start, end] = node.range;
    return text.slice(0, start) + scalarSource(value, node.type) + text.slice(end);
  }
  doc.setIn(path, value);
  return doc.toString();
}

function scalarSource(value: string, type: string | undefined): string {
  if (type === "QUOTE_SINGLE") return `'${value.replaceAll("'", "''")}'`;
  const plainIsSame = (() => {
    try {
      return parse(value) === value;
    } catch {
      return false;
    }
  })();
  if (type === "PLAIN" && plainIsSame && value.trim() === value && !/[#:]/.test(value)) return value;
  return JSON.stringify(value);
}

/**
 * A new draft's text from the version it is based on: `version:` set to the new name and
 * `effective.from` to `effectiveFrom`, or to the name when that is a date (comments and layout kept).
 */
export function draftContent(base: string, version: string, effectiveFrom?: string): string {
  const content = setScalar(base, ["version"], version);
  const from = effectiveFrom ?? (ISO_DATE.test(version) ? version : undefined);
  return from ? setScalar(content, ["effective", "from"], from) : content;
}

/** The id and version a new rule set's YAML names; 422 with located problems when it names none. */
export function nameOf(content: string): { id: string; version: string } {
  const source = new YamlSource(content);
  if (source.problems.length) throw new AppError("RULES_INVALID", "the YAML does not parse", source.problems);
  const data = (source.data ?? {}) as Record<string, unknown>;
  const problems: Problem[] = [];
  const check = (key: "id" | "version", ok: (v: unknown) => boolean, message: string) => {
    if (ok(data[key])) return;
    const pos = source.locate([key]);
    problems.push({
      code: "custom",
      path: [key],
      message,
      ...(pos && { line: pos.line, column: pos.column }),
    });
  };
  check(
    "id",
    (v) => typeof v === "string" && RULE_SET_ID.test(v),
    "a rule-set id such as sichuan/panzhihua is needed",
  );
  check(
    "version",
    (v) => typeof v === "string" && VERSION_NAME.test(v),
    'a version name (a quoted string of letters, digits, ".", "_" or "-") is needed',
  );
  if (problems.length) throw new AppError("RULES_INVALID", undefined, problems);
  return { id: data.id as string, version: data.version as string };
}

/** What a content says about itself (for the row's columns), even when it does not validate. */
export function contentMeta(content: string): { region: string | null; effectiveFrom: string | null } {
  let data: Record<string, unknown> = {};
  try {
    const d = parse(content) as unknown;
    if (d && typeof d === "object" && !Array.isArray(d)) data = d as Record<string, unknown>;
  } catch {
    // invalid YAML: stored as it is, so no edit is lost; validation reports where
  }
  const eff = data.effective as Record<string, unknown> | undefined;
  const from = eff?.from instanceof Date ? eff.from.toISOString().slice(0, 10) : eff?.from;
  return {
    region: typeof data.region === "string" ? data.region : null,
    effectiveFrom: typeof from === "string" ? from : null,
  };
}
