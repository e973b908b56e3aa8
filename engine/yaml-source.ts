import { isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";

/** A validation problem as data (zod's issue shape plus where it is), shown alike by CLI, API and editor. */
export type Problem = {
  code: string;
  path: (string | number)[];
  message: string;
  file?: string;
  line?: number;
  column?: number;
};

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

type Located = { line: number; column: number };

/** YAML syntax problems listed at most for one file (the rest are usually knock-on errors). */
const MAX_YAML_PROBLEMS = 10;

/** Parses YAML text and keeps a way back from a data path to its line and column. */
export class YamlSource {
  readonly data: unknown;
  readonly problems: Problem[] = [];
  private readonly doc;
  private readonly lines = new LineCounter();

  constructor(
    readonly text: string,
    readonly file?: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: true, uniqueKeys: true });
    // Once the structure is broken (say, indentation lost), the parser reads the rest of the
    // file as one map and reports nearly every later key as a duplicate: those come from the
    // first error, so they are left out, and the list stops at MAX_YAML_PROBLEMS.
    const firstSyntax = Math.min(
      ...this.doc.errors.filter((e) => e.code !== "DUPLICATE_KEY").map((e) => e.pos[0]),
    );
    const errors = this.doc.errors.filter((e) => e.code !== "DUPLICATE_KEY" || e.pos[0] < firstSyntax);
    for (const e of errors.slice(0, MAX_YAML_PROBLEMS)) {
      const [line, column] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [undefined, undefined];
      this.problems.push(
        this.at({ code: "yaml", path: [], message: yamlMessage(e.code, e.message) }, line, column),
      );
    }
    if (errors.length > MAX_YAML_PROBLEMS) {
      const last = this.problems.at(-1);
      this.problems.push(
        this.at(
          {
            code: "yaml",
            path: [],
            message: `${errors.length - MAX_YAML_PROBLEMS} more YAML problems after these; fix these first and validate again`,
          },
          last?.line,
          last?.column,
        ),
      );
    }
    this.data = this.problems.length ? undefined : this.doc.toJS();
  }

  /** Line and column of the node at `path`, or of its nearest ancestor that exists. */
  locate(path: readonly (string | number)[], keyName?: string): Located | undefined {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as Node | undefined;
      if (node === undefined && n > 0) continue;
      const target = n === path.length && keyName !== undefined ? keyNode(node, keyName) : undefined;
      const range = (target ?? node ?? this.doc.contents)?.range;
      if (!range) return undefined;
      const pos = this.lines.linePos(range[0]);
      return { line: pos.line, column: pos.col };
    }
    return undefined;
  }

  /** Validates the data with a zod schema; problems carry file, line and column. */
  validate<S extends z.ZodType>(schema: S): Parsed<z.output<S>> {
    if (this.problems.length) return { ok: false, problems: this.problems };
    const result = schema.safeParse(this.data);
    if (result.success) return { ok: true, value: result.data };
    return { ok: false, problems: this.problemsFrom(result.error.issues) };
  }

  problemsFrom(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): Problem[] {
    const out: Problem[] = [];
    for (const issue of flattenUnions(issues)) {
      const path = [...prefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
      if (issue.code === "unrecognized_keys") {
        for (const k of issue.keys) {
          const pos = this.locate(path, k);
          out.push(
            this.at(
              { code: issue.code, path: [...path, k], message: `unknown key "${k}"` },
              pos?.line,
              pos?.column,
            ),
          );
        }
        continue;
      }
      const pos = this.locate(path);
      out.push(this.at({ code: issue.code, path, message: issue.message }, pos?.line, pos?.column));
    }
    return dedupe(out);
  }

  private at(p: Problem, line?: number, column?: number): Problem {
    return {
      ...p,
      ...(this.file !== undefined && { file: this.file }),
      ...(line !== undefined && { line }),
      ...(column !== undefined && { column }),
    };
  }
}

function keyNode(node: unknown, name: string): Node | undefined {
  if (!isMap(node)) return undefined;
  const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === name);
  return pair?.key as Node | undefined;
}

/**
 * A failed union reports one issue per branch; a policy officer wants the branch they meant.
 * Pick the branch that got furthest (deepest path, fewest problems) and report its issues.
 */
function flattenUnions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    if (issue.code !== "invalid_union" || !("errors" in issue) || issue.errors.length === 0) {
      out.push(issue);
      continue;
    }
    const score = (branch: readonly z.core.$ZodIssue[]) =>
      Math.max(...branch.map((i) => i.path.length + (i.code === "invalid_type" ? 0 : 0.5))) -
      branch.length / 100;
    const best = [...issue.errors].sort((a, b) => score(b) - score(a))[0] ?? [];
    const allTypeErrors = issue.errors.every((b) =>
      b.every((i) => i.code === "invalid_type" && i.path.length === 0),
    );
    if (allTypeErrors) {
      out.push({ ...issue, message: "not a valid value here (see the schema for the allowed shapes)" });
      continue;
    }
    out.push(...flattenUnions(best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }))));
  }
  return out;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path.join(".")}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function yamlMessage(code: string, message: string): string {
  const first = message.split("\n")[0] ?? message;
  if (code === "DUPLICATE_KEY") return "the same key appears twice in this map";
  return `YAML syntax: ${first.replace(/ at line \d+, column \d+:?$/, "")}`;
}

/** Formats a problem as `file:line:column: path: message`. */
export function formatProblem(p: Problem): string {
  const where = [p.file, p.line, p.column].filter((x) => x !== undefined).join(":");
  const path = p.path.length ? `${p.path.join(".")}: ` : "";
  return `${where ? `${where}: ` : ""}${path}${p.message}`;
}
