import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { CORE_SCHEMA, dump, load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { generate, samplesFor } from "../../simulator/generate.ts";
import { readCaseFiles } from "../../simulator/replay.ts";
import { simpleYaml } from "../../simulator/simple-yaml.ts";

/**
 * The simple YAML reader of case files answers exactly what js-yaml answers (core schema), or
 * nothing (js-yaml reads the text then): never another value, never a value where js-yaml
 * refuses the text.
 */
const jsYaml = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: load(text, { schema: CORE_SCHEMA }) };
  } catch {
    return { ok: false };
  }
};
const agrees = (text: string): boolean => {
  const simple = simpleYaml(text);
  if (simple === undefined) return false;
  const js = jsYaml(text);
  expect(js.ok, text).toBe(true);
  if (js.ok) expect(simple, text).toStrictEqual(js.value);
  return true;
};

describe("simpleYaml", () => {
  it("reads the project's case files (hand-written, flow mappings and comments) as js-yaml does", () => {
    const cases = readFileSync("simulator/cases/national.yaml", "utf8");
    expect(agrees(cases)).toBe(true);
    expect(agrees(cases.replaceAll("\n", "\r\n"))).toBe(true);
    const files = execFileSync("git", ["ls-files", "*.yaml", "*.yml"], { encoding: "utf8" })
      .trim()
      .split("\n");
    let read = 0;
    for (const f of files) if (agrees(readFileSync(f, "utf8"))) read++;
    expect(read).toBeGreaterThan(20);
    for (const f of files.filter((f) => f.startsWith("simulator/cases/")))
      expect(simpleYaml(readFileSync(f, "utf8")), f).not.toBeUndefined();
  });

  it("reads generated cases written by js-yaml in several styles as js-yaml reads them", () => {
    const { files } = readCaseFiles(["simulator/cases"]);
    const raws = [...generate(samplesFor(files.flatMap((f) => f.cases)), { count: 300, seed: 5 })]
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as unknown);
    for (const opts of [
      {},
      { flowLevel: 2 },
      { indent: 4 },
      { noArrayIndent: true },
      { quotingType: '"' as const },
    ])
      expect(agrees(dump(raws, { lineWidth: -1, ...opts })), JSON.stringify(opts)).toBe(true);
  });

  it("on arbitrary YAML-like texts: js-yaml's value or nothing", () => {
    // Mostly what the reader reads (mappings, lists, scalars of every kind, flow collections,
    // comments), some of what it leaves to js-yaml, some of what js-yaml refuses.
    const key = fc.constantFrom("a", "b", "id", "asOf", "kind", "x_1");
    const value = fc.constantFrom(
      "",
      "1",
      "x",
      "'q''s'",
      '"dq"',
      "[x, 1, 'y']",
      "{ g: h, i: [1, 2] }",
      "~",
      "null",
      "true",
      "False",
      "0x1F",
      "0o17",
      "-1.5e3",
      ".inf",
      ".NaN",
      "+12",
      "2017-06-01",
      "3A",
      "a b # c",
      "a#b",
      "张三",
      "[]",
      "{}",
      "[[1], {b: c}]",
      "'x' # c",
      "-1",
      "a, b",
    );
    const odd = fc.constantFrom(
      "a: a: b",
      "r: &x 1",
      "s: *x",
      "t: !!str 1",
      "u: |",
      "v: >",
      "w: [a, ]",
      "x: {a: b}",
      "y: 'open",
      '"k": v',
      "1: one",
      "true: t",
      "__proto__: p",
      "a: b:c",
      "z:\tt",
      "# c",
      "---",
      "...",
      "%YAML 1.2",
      "a: 'x'#c",
      "? a",
      ": b",
      "a: \\",
      "- - a",
      "-",
    );
    const token = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(key, value).map(([k, v]) => `${k}:${v ? ` ${v}` : ""}`) },
      { weight: 3, arbitrary: fc.tuple(key, value).map(([k, v]) => `- ${k}:${v ? ` ${v}` : ""}`) },
      { weight: 2, arbitrary: value.map((v) => `- ${v}`.trimEnd()) },
      { weight: 1, arbitrary: odd },
    );
    let read = 0;
    // mostly indented by levels of two spaces (a few lines off by one), so that many texts are YAML
    const indent = fc.oneof(
      { weight: 9, arbitrary: fc.integer({ min: 0, max: 3 }).map((l) => l * 2) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 6 }) },
    );
    const line = fc.tuple(indent, token).map(([n, t]) => `${" ".repeat(n)}${t}`);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        if (agrees(lines.join("\n"))) read++;
      }),
      { numRuns: 20_000 },
    );
    // not only texts it leaves to js-yaml
    expect(read).toBeGreaterThan(300);
  });

  it("leaves to js-yaml what it does not read: anchors, tags, block scalars, tabs, multi-line scalars, duplicates", () => {
    for (const text of [
      "a: &x 1\nb: *x\n",
      "a: !!str 1\n",
      "a: |\n  text\n",
      "a:\tb\n",
      "a: one\n  two\n",
      "a: 1\na: 2\n",
      '"a": 1\n',
      "a: 1\n---\nb: 2\n",
      'a: "\\u0041"\n',
      "a: 1\rb: 2\n",
    ])
      expect(simpleYaml(text), text).toBeUndefined();
  });
});
