import { z } from "zod";

/** True for a real calendar date written YYYY-MM-DD (rejects 2017-02-30). */
export function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** A calendar date, YYYY-MM-DD. YAML timestamps are read as strings (YAML 1.2 core schema). */
export const isoDate = z
  .string({ error: "a date written YYYY-MM-DD" })
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date written YYYY-MM-DD")
  .refine(isRealDate, { message: "not a real calendar date" });

/** Digits before the point a money amount may have (a trillion yuan and more; the database keeps 16). */
export const MONEY_MAX_DIGITS = 15;

/** Money: a decimal string of yuan with at most two places, never a JS number. */
export const money = z
  .string({ error: 'money is a decimal string such as "1234.50"' })
  .max(MONEY_MAX_DIGITS + 3, `money has at most ${MONEY_MAX_DIGITS} digits before the point`)
  .regex(
    /^\d+(\.\d{1,2})?$/,
    'money is a non-negative decimal string with at most 2 places, such as "1234.50"',
  )
  .refine((v) => (v.split(".")[0] ?? "").length <= MONEY_MAX_DIGITS, {
    message: `money has at most ${MONEY_MAX_DIGITS} digits before the point`,
  });

/** Keys that would reach an object's prototype: never a rule, material, case or any other key. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * A zod-shaped issue for every reserved key anywhere in parsed data (iterative, any depth). Run
 * before the schema: zod drops a `__proto__` key of a record silently, so it would never be seen.
 */
export function reservedKeyIssues(data: unknown): z.core.$ZodIssue[] {
  const issues: z.core.$ZodIssue[] = [];
  const stack: [unknown, (string | number)[]][] = [[data, []]];
  while (stack.length) {
    const [v, path] = stack.pop() as [unknown, (string | number)[]];
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) stack.push([x, [...path, i]]);
    } else if (v && typeof v === "object") {
      for (const k of Object.keys(v)) {
        if (RESERVED_KEYS.has(k)) {
          issues.push({
            code: "custom",
            path: [...path, k],
            message: `"${k}" is a reserved word and cannot be used as a key`,
            input: k,
          } as z.core.$ZodIssue);
        } else stack.push([(v as Record<string, unknown>)[k], [...path, k]]);
      }
    }
  }
  return issues.reverse();
}

/**
 * Messages a policy officer or clerk understands, for zod's generic issues. Passed where a
 * schema is parsed (`schema.safeParse(data, { error: plainMessages })`), never set globally:
 * importing the engine configures nothing.
 */
export const plainMessages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return "required: this field is missing";
    const got = Array.isArray(issue.input)
      ? "a list"
      : issue.input === null
        ? "null"
        : `a ${typeof issue.input}`;
    const want =
      issue.expected === "object"
        ? "a map of fields"
        : issue.expected === "array"
          ? "a list"
          : `a ${issue.expected}`;
    return `expected ${want}, got ${got}`;
  }
  return undefined;
};
