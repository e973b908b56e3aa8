import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CASE_FILE_EXTENSIONS,
  caseFormatOf,
  type Decider,
  type Decision,
  type LoadedCase,
  loadCases,
  type Problem,
} from "../engine/index.ts";
import { listFiles, readText } from "./files.ts";

export type Replayed = {
  file: string;
  caseId: string;
  decision?: Decision;
  problems?: Problem[];
  expected?: Record<string, unknown>;
  mismatches: string[];
};

/**
 * Where `actual` differs from `expected`, a partial decision. Every key `expected` gives must be
 * in the decision with an equal value; keys it leaves out are not compared. Maps compare key by
 * key, recursively (so a map may itself be partial); lists compare in length and element by
 * element (an element that is a map may be partial); anything else compares with `Object.is`
 * — so money is compared as the decision's decimal string ("22270.00", not 22270), and
 * `null` matches only `null`.
 *
 * @example compareExpected({ outcome: "approved", validity: { until: null } }, decision) // [] when both hold
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

/** The project's sample cases, beside this file. */
export const DEFAULT_CASES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "cases");

/** The extensions of a case file: YAML, JSON, JSON Lines. */
export const CASE_EXTENSIONS = Object.keys(CASE_FILE_EXTENSIONS);

export type CaseFiles = { files: { file: string; cases: LoadedCase[] }[]; problems: Problem[] };

/**
 * Lists, reads and validates the case files under `paths` (files or folders; paths as typed).
 * A path that cannot be had — missing, unreadable, too large, a named file that is not a case
 * file — is one problem in `problems`; the other files are still read.
 */
export function readCaseFiles(paths: readonly string[]): CaseFiles {
  const { files, problems } = listFiles(paths, CASE_EXTENSIONS, "a case file");
  const out: CaseFiles["files"] = [];
  for (const file of files) {
    const r = readText(file);
    if (!r.ok) problems.push(r.problem);
    else out.push({ file, cases: loadCases(r.text, file, caseFormatOf(file) ?? "yaml") });
  }
  return { files: out, problems };
}

/** Decides every case of the files and compares each with its `expected`. */
export function replay(decider: Decider, files: CaseFiles["files"]): Replayed[] {
  const out: Replayed[] = [];
  for (const { file, cases } of files) {
    for (const loaded of cases) {
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

/** Reads the case files under `paths` and replays them; throws when a path cannot be read. */
export function replayFiles(decider: Decider, paths: readonly string[]): Replayed[] {
  const { files, problems } = readCaseFiles(paths);
  if (problems.length) throw new Error(problems.map((p) => `${p.file}: ${p.message}`).join("\n"));
  return replay(decider, files);
}
