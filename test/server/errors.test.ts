import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AppError, ERRORS, type ErrorCode } from "../../server/errors.ts";

const DOC = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");

/** docs/errors.md's sections, by code: "## `CODE` — 400" and the text up to the next heading. */
const sections = new Map(
  [...DOC.matchAll(/^## `([A-Z_]+)` — (\d{3})\n([\s\S]*?)(?=^## |(?![\s\S]))/gm)].map((m) => [
    m[1] as string,
    { status: Number(m[2]), text: m[3] as string },
  ]),
);
const CODES = Object.keys(ERRORS) as ErrorCode[];

describe("the error registry is documented in docs/errors.md", () => {
  it.each(CODES)("documents %s with its status, what it means and an example body", (code) => {
    const section = sections.get(code);
    expect(section, `docs/errors.md has no "## \`${code}\` — ${ERRORS[code].status}" section`).toBeDefined();
    if (!section) return;
    expect(section.status).toBe(ERRORS[code].status);
    const table = DOC.match(new RegExp(`^\\| \`${code}\` +\\| (\\d{3}) +\\|`, "m"));
    expect(table?.[1], `the summary table lists ${code}`).toBe(String(ERRORS[code].status));
    const prose = section.text.split("```")[0]?.trim() ?? "";
    expect(prose.length, "a sentence saying what it means and what to do").toBeGreaterThan(40);
    const example = section.text.match(/```json\n([\s\S]*?)```/)?.[1];
    expect(example, "an example body").toBeDefined();
    const body = JSON.parse(example ?? "null");
    expect(body.error).toMatchObject({ code, message: expect.any(String) });
    // the example has the shape AppError produces: code, message, then optional problems and context
    const produced = Object.keys(new AppError(code, undefined, body.error.problems, {}).toJSON().error);
    expect(Object.keys(body.error).slice(0, produced.length)).toEqual(produced);
  });

  it("documents no code the registry does not have", () => {
    expect([...sections.keys()].filter((c) => !(c in ERRORS))).toEqual([]);
    expect(sections.size).toBe(CODES.length);
  });
});
