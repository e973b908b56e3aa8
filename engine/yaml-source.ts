import { isAlias, isCollection, isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { plainMessages, reservedKeyIssues } from "./schema/common.ts";
import type { Problem } from "./schema/problem.ts";

export type { Problem };

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

type Located = { line: number; column: number };

/** YAML syntax problems listed at most for one file (the rest are usually knock-on errors). */
const MAX_YAML_PROBLEMS = 10;

/** Limits on a YAML text, so that a hostile file is refused with one problem, never a crash. */
export const YAML_LIMITS = {
  /** Characters in one text (the CLI also refuses a file over 10 MiB before reading it). */
  maxLength: 10 * 1024 * 1024,
  /** Nesting of maps and lists; a rule set's deepest condition tree is far below this. */
  maxDepth: 100,
  /**
   * Values in one text, counted before it is parsed (each line with content, and each item of a
   * flow list or map): the parsed document costs ~1 KB a value, so 2,000,000 one-character items
   * would take ~2 GB. A case file larger than this is for JSON Lines, read a line at a time.
   */
  maxValues: 200_000,
} as const;
/** How many times each alias may be expanded, relative to its anchor (`yaml`'s `maxAliasCount`). */
const MAX_ALIAS_COUNT = 100;

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
    const refused = hostileText(text);
    if (refused) {
      this.doc = parseDocument("");
      this.problems.push(
        this.at({ code: "yaml_limit", path: [], message: refused.message }, refused.line, refused.column),
      );
      this.data = undefined;
      return;
    }
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
    this.data = this.problems.length ? undefined : this.toData();
  }

  /** The document as plain data, unless aliases would expand it beyond reason ("billion laughs"). */
  private toData(): unknown {
    try {
      return this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      if (!(e instanceof ReferenceError)) throw e;
      const alias = firstAlias(this.doc.contents);
      const pos = alias?.range ? this.lines.linePos(alias.range[0]) : undefined;
      this.problems.push(
        this.at(
          {
            code: "yaml_limit",
            path: [],
            message: `the YAML aliases (*name) expand too far (more than ${MAX_ALIAS_COUNT} copies each): refused as a resource-exhaustion attack`,
          },
          pos?.line,
          pos?.col,
        ),
      );
      return undefined;
    }
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
    const reserved = this.reservedKeyProblems(this.data);
    if (reserved.length) return { ok: false, problems: reserved };
    const result = schema.safeParse(this.data, { error: plainMessages });
    if (result.success) return { ok: true, value: result.data };
    return { ok: false, problems: this.problemsFrom(result.error.issues) };
  }

  /** A problem at the key itself for every `__proto__`, `constructor` or `prototype` key in `data`. */
  reservedKeyProblems(data: unknown, prefix: (string | number)[] = []): Problem[] {
    return reservedKeyIssues(data).map((issue) => {
      const path = [...prefix, ...(issue.path as (string | number)[])];
      const pos = this.locate(path.slice(0, -1), String(path.at(-1)));
      return this.at({ code: "reserved_key", path, message: issue.message }, pos?.line, pos?.column);
    });
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

/**
 * Refuses, before parsing, a text too long or nested too deeply for the parser (which
 * otherwise overflows its stack or runs out of memory on, say, 10 000 nested `[`). The depth
 * is estimated without parsing: open flow brackets, plus the block levels that indentation
 * and leading `- ` open. Brackets inside quoted strings count too, which only matters for a
 * text with a hundred unbalanced ones.
 */
function hostileText(text: string): { message: string; line?: number; column?: number } | undefined {
  if (text.length > YAML_LIMITS.maxLength) {
    return { message: `the text is longer than ${YAML_LIMITS.maxLength / 1024 / 1024} MiB: refused` };
  }
  const refuse = (line: number, column: number) => ({
    message: `nested more than ${YAML_LIMITS.maxDepth} levels deep: refused`,
    line,
    column,
  });
  const tooMany = (line: number, column: number) => ({
    message: `more than ${YAML_LIMITS.maxValues.toLocaleString("en")} values in one text: refused (split it; many cases go in a JSON Lines file, one a line)`,
    line,
    column,
  });
  const indents: number[] = [];
  let flow = 0;
  let lineNo = 0;
  let values = 0;
  // A line at a time (never an array of every line: 2,000,000 of them cost 100 MB).
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(start, end > start && text[end - 1] === "\r" ? end - 1 : end);
    start = end + 1;
    lineNo++;
    const indent = line.length - line.trimStart().length;
    const content = line.slice(indent);
    if (content === "" || content.startsWith("#")) continue;
    if (++values > YAML_LIMITS.maxValues) return tooMany(lineNo, indent + 1);
    if (flow === 0) {
      while (indents.length && (indents.at(-1) ?? 0) >= indent) indents.pop();
      indents.push(indent);
      const dashes = /^(?:[-?:][ \t]+)*/.exec(content)?.[0].replace(/[ \t]/g, "").length ?? 0;
      if (indents.length + dashes > YAML_LIMITS.maxDepth) return refuse(lineNo, indent + 1);
    }
    for (let i = 0; i < content.length; i++) {
      const ch = content[i];
      if (ch === "#" && (i === 0 || content[i - 1] === " " || content[i - 1] === "\t")) break;
      if (ch === "[" || ch === "{") {
        flow++;
        if (indents.length + flow > YAML_LIMITS.maxDepth) return refuse(lineNo, indent + i + 1);
      } else if ((ch === "]" || ch === "}") && flow > 0) flow--;
      else if (ch === "," && flow > 0 && ++values > YAML_LIMITS.maxValues)
        return tooMany(lineNo, indent + i + 1);
    }
  }
  return undefined;
}

/** The first alias node of a document, for pointing at an alias bomb (iterative: no recursion). */
function firstAlias(root: unknown): Node | undefined {
  const stack: unknown[] = [root];
  while (stack.length) {
    const n = stack.pop();
    if (isAlias(n)) return n;
    if (isPair(n)) stack.push(n.value, n.key);
    else if (isCollection(n)) stack.push(...[...n.items].reverse());
  }
  return undefined;
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
