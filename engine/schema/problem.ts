import { z } from "zod";

/**
 * A validation problem as data (zod's issue shape plus where it is), shown alike by the CLI, the
 * API and the editor's markers: `file:line:column: path: message` (line and column 1-based).
 */
export const problemSchema = z.object({
  code: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().optional(),
  column: z.number().optional(),
});

export type Problem = z.infer<typeof problemSchema>;
