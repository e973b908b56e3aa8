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
export function loadCases(text: string, file?: string, format: CaseFormat = "yaml"): LoadedCase[] {
  const at = (p: Omit<Problem, "file">): Problem => ({ ...p, ...(file !== undefined && { file }) });
  const entries: (Entry | { problems: Problem[] })[] = [];
  if (format === "jsonl") {
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      const syntax = jsonSyntax(line, i + 1);
      if (syntax) entries.push({ problems: [at(syntax)] });
      else {
        const source = new YamlSource(line, file);
        if (source.problems.length) entries.push({ problems: source.problems.map((p) => onLine(p, i + 1)) });
        else entries.push({ raw: source.data, source, prefix: [], line: i + 1 });
      }
    });
  } else {
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
    list.forEach((raw, i) => {
      entries.push({ raw, source, prefix: Array.isArray(data) ? [i] : isWrapped ? ["cases", i] : [] });
    });
  }

  if (format === "jsonl" && entries.length === 0) {
    return [
      {
        ok: false,
        index: 0,
        problems: [at({ code: "empty", path: [], message: NO_CASE, line: 1, column: 1 })],
      },
    ];
  }
  const seen = new Map<string, string>();
  return entries.map((entry, index): LoadedCase => {
    if ("problems" in entry) return { ok: false, index, problems: entry.problems };
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
  });
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
