import { z } from "zod";
import { problemSchema } from "../../engine/index.ts";
import { ruleSetVersionSchema, ruleSetVersionSummarySchema } from "../store/rule-sets.ts";

/** The zod schemas the rule-set routes share (requests and responses, OpenAPI). */
export const TAGS = ["rule-sets"];

/** The engine's problem schema: one shape for CLI, API and editor. */
export { problemSchema };

export const labelSchema = z.object({ zh: z.string(), en: z.string() });

export const versionParams = z.object({ id: z.coerce.number().int().min(1).max(2_147_483_647) });
export const versionId = z.number().int().min(1).max(2_147_483_647);
export const revisionField = z
  .number()
  .int()
  .min(1)
  .optional()
  .describe("the revision you loaded (the one you edited or reviewed); or an If-Match header");

export const versionSchema = ruleSetVersionSchema.extend({
  file: z.string().describe("the path the version has in an export: rules/<id>/<version>.yaml"),
});
export const versionWithProblemsSchema = versionSchema.extend({
  problems: z
    .array(problemSchema)
    .describe(
      "every problem validation finds (YAML syntax; else schema, vocabulary, citations, extends, layering), each with line and column",
    ),
});

/** Where a version stands on the region's timeline. */
export const lifecycleSchema = z
  .enum(["draft", "in_review", "published", "superseded", "rejected"])
  .describe(
    "draft, in_review, rejected as stored; a published version is `superseded` once a later published version of its rule set is in force",
  );
export const listedVersionSchema = ruleSetVersionSummarySchema.extend({ lifecycle: lifecycleSchema });
