import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { type Decider, type Decision, loadCases, type Problem } from "../engine/index.ts";

export type Replayed = {
  file: string;
  caseId: string;
  decision?: Decision;
  problems?: Problem[];
  expected?: Record<string, unknown>;
  mismatches: string[];
};

/**
 * Where `actual` differs from `expected`, a partial decision: every key `expected` gives must
 * match (objects recursively, lists element by element and in length).
 */
export function compareExpected(expected: unknown, actual: unknown, path = ""): string[] {
  if (expected !== null && typeof expected === "object") {
    if (Array.isArray(expected)) {
      if (!Array.isArray(actual)) return [`${path || "."}: expected a list, got ${JSON.stringify(actual)}`];
      const out =
        expected.length === actual.length
          ? []
          : [`${path}: expected ${expected.length} entries, got ${actual.length}: ${JSON.stringify(actual)}`];
      expected.forEach((e, i) => {
        if (i < actual.length) out.push(...compareExpected(e, actual[i], `${path}[${i}]`));
      });
      return out;
    }
    if (actual === null || typeof actual !== "object")
      return [`${path || "."}: expected an object, got ${JSON.stringify(actual)}`];
    return Object.entries(expected).flatMap(([k, v]) =>
      compareExpected(v, (actual as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
    );
  }
  return Object.is(expected, actual)
    ? []
    : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

/** Decides every case of the files and compares each with its `expected`. */
export function replayFiles(decider: Decider, files: readonly string[]): Replayed[] {
  const out: Replayed[] = [];
  for (const path of files) {
    const file = relative(process.cwd(), path) || path;
    for (const loaded of loadCases(readFileSync(path, "utf8"), file)) {
      if (!loaded.ok) {
        out.push({
          file,
          caseId: loaded.id ?? `#${loaded.index + 1}`,
          problems: loaded.problems,
          mismatches: [],
        });
        continue;
      }
      const c = loaded.case;
      const r = decider.decide(c);
      if (!r.ok) {
        out.push({ file, caseId: c.id, problems: r.problems.map((p) => ({ ...p, file })), mismatches: [] });
        continue;
      }
      const mismatches = c.expected ? compareExpected(c.expected, r.decision) : [];
      out.push({
        file,
        caseId: c.id,
        decision: r.decision,
        ...(c.expected && { expected: c.expected }),
        mismatches,
      });
    }
  }
  return out;
}
