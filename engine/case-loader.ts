import { jsonSyntaxError } from "./json-syntax.ts";
import { type Case, caseSchema } from "./schema/case.ts";
import { plainMessages } from "./schema/common.ts";
import { type Problem, YamlSource } from "./yaml-source.ts";

export type LoadedCase =
  | { ok: true; case: Case; index: number }
  | { ok: false; index: number; id?: string; problems: Problem[] };

/** The formats of a case file: YAML, JSON (one case, a list, or `{cases: [...]}`), JSON Lines. */
export type CaseFormat = "yaml" | "json" | "jsonl";

/** File extensions a case file may have, and the format each means. */
export const CASE_FILE_EXTENSIONS: Readonly<Record<string, CaseFormat>> = {
  ".yaml": "yaml",
  ".yml": "yaml",
  ".json": "json",
  ".jsonl": "jsonl",
};

/** The format of a case file by its name's extension, or undefined when it is not a case file. */
export function caseFormatOf(file: string): CaseFormat | undefined {
  const ext = /\.[^./\\]+$/.exec(file)?.[0].toLowerCase();
  return ext === undefined ? undefined : CASE_FILE_EXTENSIONS[ext];
}

/** One case to validate: its data, the source that locates its paths, and where it sits. */
type Entry = { raw: unknown; source: YamlSource; prefix: (string | number)[]; line?: number };

/**
 * Reads a case file's text: one case, a list of cases, or `cases: [...]` (YAML or JSON), or one
 * case per line (JSON Lines). Each case is validated on its own, so one bad case (or line) does
 * not hide the others, and every problem of a case comes in one round — schema errors and the
 * checks across fields alike, duplicate ids included — ordered by line, each with file, line
 * and column.
 *
 * @example loadCases(readFileSync("cases.jsonl", "utf8"), "cases.jsonl", "jsonl")
 */
export function loadCases(
  text: string,
  file?: string,
  format: CaseFormat = "yaml",
  maxProblems = MAX_CASE_PROBLEMS,
): LoadedCase[] {
  const at = (p: Omit<Problem, "file">): Problem => ({ ...p, ...(file !== undefined && { file }) });
  const out: LoadedCase[] = [];
  const seen = new Map<string, string>();
  let problemCount = 0;
  /** Adds one case's result; false once the problems reached the cap (the rest is not checked). */
  const add = (loaded: LoadedCase, where: { line?: number | undefined; index: number }): boolean => {
    if (problemCount >= maxProblems) {
      out.push({
        ok: false,
        index: where.index,
        problems: [
          at({
            code: "too_many_problems",
            path: [],
            message: `more than ${maxProblems.toLocaleString("en")} problems: the rest of the file, from ${where.line !== undefined ? `line ${where.line}` : `case ${where.index + 1}`}, was not checked`,
            ...(where.line !== undefined && { line: where.line, column: 1 }),
          }),
        ],
      });
      return false;
    }
    out.push(loaded);
    if (!loaded.ok) problemCount += loaded.problems.length;
    return true;
  };

  if (format === "jsonl") {
    // A line at a time: each line's parsed document is dropped once its case is checked, so
    // memory follows the cases kept, not the file's size.
    const lines = text.split("\n");
    let index = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line.trim() === "") continue;
      const syntax = jsonSyntax(line, i + 1);
      let loaded: LoadedCase;
      if (syntax) loaded = { ok: false, index, problems: [at(syntax)] };
      else {
        const source = new YamlSource(line, file);
        loaded = source.problems.length
          ? { ok: false, index, problems: source.problems.map((p) => onLine(p, i + 1)) }
          : check({ raw: source.data, source, prefix: [], line: i + 1 }, index, seen, at);
      }
      if (!add(loaded, { line: i + 1, index })) return out;
      index++;
    }
    if (index === 0) {
      return [
        {
          ok: false,
          index: 0,
          problems: [at({ code: "empty", path: [], message: NO_CASE, line: 1, column: 1 })],
        },
      ];
    }
    return out;
  }

  const syntax = format === "json" ? jsonSyntax(text) : undefined;
  if (syntax) return [{ ok: false, index: 0, problems: [at(syntax)] }];
  const source = new YamlSource(text, file);
  if (source.problems.length) return [{ ok: false, index: 0, problems: source.problems }];
  const data = source.data;
  if (data === null || data === undefined) {
    return [
      {
        ok: false,
        index: 0,
        problems: [at({ code: "empty", path: [], message: NO_CASE, line: 1, column: 1 })],
      },
    ];
  }
  const isWrapped = typeof data === "object" && data !== null && !Array.isArray(data) && "cases" in data;
  const list = Array.isArray(data) ? data : isWrapped ? (data as { cases: unknown }).cases : [data];
  if (!Array.isArray(list)) {
    const pos = source.locate(["cases"]);
    return [
      {
        ok: false,
        index: 0,
        problems: [at({ code: "invalid_type", path: ["cases"], message: "cases must be a list", ...pos })],
      },
    ];
  }
  for (let index = 0; index < list.length; index++) {
    const prefix = Array.isArray(data) ? [index] : isWrapped ? ["cases", index] : [];
    const where = { line: problemCount >= maxProblems ? source.locate(prefix)?.line : undefined, index };
    if (!add(check({ raw: list[index], source, prefix }, index, seen, at), where)) return out;
  }
  return out;
}

/**
 * Problems a file's cases may have before the rest is left unchecked: a file of 2,000,000 bad
 * items is told about the first thousand (and that there are more), not held in memory whole.
 */
export const MAX_CASE_PROBLEMS = 1000;

/** Validates one case: reserved keys, the schema and its checks across fields, duplicate ids. */
function check(
  entry: Entry,
  index: number,
  seen: Map<string, string>,
  at: (p: Omit<Problem, "file">) => Problem,
): LoadedCase {
  const { raw, source, prefix, line } = entry;
  // A reserved key (`__proto__`…) is refused before the schema, which would drop it silently.
  const reserved = source.reservedKeyProblems(raw, prefix);
  const result = reserved.length ? undefined : caseSchema.safeParse(raw, { error: plainMessages });
  const problems = !result
    ? reserved
    : result.success
      ? []
      : source.problemsFrom(result.error.issues, prefix);
  const id = typeof raw === "object" && raw && "id" in raw ? (raw as { id: unknown }).id : undefined;
  if (typeof id === "string" && id !== "") {
    const first = seen.get(id);
    if (first !== undefined) {
      const pos = source.locate([...prefix, "id"]);
      problems.push(
        at({
          code: "duplicate_id",
          path: [...prefix, "id"],
          message: `case id "${id}" is already used by ${first} of this file`,
          ...pos,
        }),
      );
    } else seen.set(id, line !== undefined ? `the case on line ${line}` : `case ${index + 1}`);
  }
  const located = (line === undefined ? problems : problems.map((p) => onLine(p, line))).sort(byPosition);
  if (result?.success && located.length === 0) return { ok: true, case: result.data, index };
  return { ok: false, index, ...(typeof id === "string" && id !== "" && { id }), problems: located };
}

const NO_CASE = "the file holds no case";

/** A problem found in a one-line text, moved to that line of the file. */
const onLine = (p: Problem, line: number): Problem => ({ ...p, line });

const byPosition = (a: Problem, b: Problem) =>
  (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
  (a.column ?? 0) - (b.column ?? 0);

/**
 * JSON's own syntax check, so that a JSON file is told about JSON (the YAML reader that then
 * locates its fields would accept some things JSON does not, such as comments).
 */
function jsonSyntax(text: string, lineOffset = 1): Omit<Problem, "file"> | undefined {
  const error = jsonSyntaxError(text);
  if (!error) return undefined;
  const before = text.slice(0, error.offset).split("\n");
  return {
    code: "json",
    path: [],
    message: `JSON syntax: ${error.message}`,
    line: lineOffset + before.length - 1,
    column: (before.at(-1)?.length ?? 0) + 1,
  };
}
