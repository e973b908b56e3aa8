import { type Case, caseSchema } from "./schema/case.ts";
import { type Problem, YamlSource } from "./yaml-source.ts";

export type LoadedCase =
  | { ok: true; case: Case; index: number }
  | { ok: false; index: number; id?: string; problems: Problem[] };

/**
 * Reads a case file's text: one case, a YAML list of cases, or `cases: [...]`. Each case is
 * validated on its own, so one bad case does not hide the others; problems carry file, line
 * and column. Duplicate ids within a file are errors.
 */
export function loadCases(text: string, file?: string): LoadedCase[] {
  const source = new YamlSource(text, file);
  if (source.problems.length) return [{ ok: false, index: 0, problems: source.problems }];
  const data = source.data;
  const isWrapped = typeof data === "object" && data !== null && !Array.isArray(data) && "cases" in data;
  const list = Array.isArray(data) ? data : isWrapped ? (data as { cases: unknown }).cases : [data];
  const prefix = (i: number) => (Array.isArray(data) ? [i] : isWrapped ? ["cases", i] : []);
  if (!Array.isArray(list)) {
    return [
      {
        ok: false,
        index: 0,
        problems: [
          { code: "invalid_type", path: ["cases"], message: "cases must be a list", ...(file && { file }) },
        ],
      },
    ];
  }
  const seen = new Map<string, number>();
  return list.map((raw, index): LoadedCase => {
    const result = caseSchema.safeParse(raw);
    const id =
      typeof raw === "object" && raw && "id" in raw ? String((raw as { id: unknown }).id) : undefined;
    if (!result.success) {
      return {
        ok: false,
        index,
        ...(id && { id }),
        problems: source.problemsFrom(result.error.issues, prefix(index)),
      };
    }
    const first = seen.get(result.data.id);
    if (first !== undefined) {
      const pos = source.locate([...prefix(index), "id"]);
      const problem: Problem = {
        code: "duplicate_id",
        path: [...prefix(index), "id"],
        message: `case id "${result.data.id}" is already used by case ${first + 1} of this file`,
        ...(file && { file }),
        ...(pos && { line: pos.line, column: pos.column }),
      };
      return { ok: false, index, id: result.data.id, problems: [problem] };
    }
    seen.set(result.data.id, index);
    return { ok: true, case: result.data, index };
  });
}
