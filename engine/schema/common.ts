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

/** Money: a decimal string of yuan with at most two places, never a JS number. */
export const money = z
  .string({ error: 'money is a decimal string such as "1234.50"' })
  .regex(
    /^\d+(\.\d{1,2})?$/,
    'money is a non-negative decimal string with at most 2 places, such as "1234.50"',
  );

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
