import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { decisionSchema, type LoadedRuleSet, YamlSource } from "../../engine/index.ts";
import { requireRoles } from "../auth.ts";
import { AppError } from "../errors.ts";
import { summarizeChanges } from "../review/change-summary.ts";
import { inheritedView } from "../review/inherited.ts";
import { samplesFor, tryVersion } from "../review/try.ts";
import type { RuleSetVersion } from "../store/rule-sets.ts";
import { labelSchema, problemSchema, TAGS, versionParams } from "./rule-set-schemas.ts";
import type { RuleSetRouteOptions } from "./rule-sets.ts";

const refSchema = z.object({ id: z.string(), version: z.string() });

/**
 * The editor's views of a version: the chain merged (inherited view), a readable change summary,
 * and trying it on cases (typed, pasted or the region's samples) before anyone approves it.
 */
export const ruleSetViewRoutes: FastifyPluginAsyncZod<RuleSetRouteOptions> = async (r, opts) => {
  const { store, workflow, validator, policies } = opts;
  const readers = requireRoles(store, "officer", "approver", "clerk", "tester", "admin");
  const triers = requireRoles(store, "officer", "approver", "tester", "admin");

  /** The version as a rule set, and the published ones (current in this process); 422 when it does not load. */
  const loaded = async (
    id: number,
  ): Promise<{ v: RuleSetVersion; rs: LoadedRuleSet; published: readonly LoadedRuleSet[] }> => {
    const v = await workflow.found(id);
    const rs = validator.load(v);
    if (!rs)
      throw new AppError(
        "RULES_INVALID",
        `version ${id} does not load; fix its problems first`,
        await workflow.problems(v),
      );
    await policies.fresh();
    return { v, rs, published: policies.publishedRuleSets() };
  };

  r.get(
    "/rule-sets/versions/:id/inherited",
    {
      schema: {
        tags: TAGS,
        summary:
          "The version's chain merged (national → province → city), each entry with where it comes from",
        description:
          "The chain as it resolves on the version's effective date, the version in its rule set's place. Each entry of " +
          "each section: `inherited` (from a rule set above), or what the version does with it: `overridden`, `added`, " +
          "`removed` (a key set to null). `origin` is the rule set (id@version) the value comes from; `overrides` the one " +
          "it replaces. 422 RULES_INVALID when the version does not load.",
        params: versionParams,
        response: {
          200: z.object({
            chain: z.array(refSchema),
            entries: z.array(
              z.object({
                section: z.string(),
                key: z.string(),
                status: z.enum(["inherited", "overridden", "added", "removed"]),
                origin: z.string(),
                overrides: z.string().optional(),
                value: z.unknown(),
              }),
            ),
          }),
        },
      },
      onRequest: readers,
    },
    async (req) => {
      const { rs, published } = await loaded(req.params.id);
      return inheritedView(rs, published);
    },
  );

  r.get(
    "/rule-sets/versions/:id/summary",
    {
      schema: {
        tags: TAGS,
        summary: "A readable summary of what changed from another version to this one",
        description:
          "`against` defaults to the version this one is based on. Rules, materials, periods (validity, change locks) and " +
          "figures (deductibles, ratios, caps) added, removed or changed, in Chinese and English, with each changed field.",
        params: versionParams,
        querystring: z.object({ against: z.coerce.number().int().min(1).max(2_147_483_647).optional() }),
        response: {
          200: z.object({
            from: z.object({ id: z.number(), ruleSetId: z.string(), version: z.string() }),
            to: z.object({ id: z.number(), ruleSetId: z.string(), version: z.string() }),
            changes: z.array(
              z.object({
                section: z.string(),
                key: z.string(),
                change: z.enum(["added", "removed", "changed"]),
                message: labelSchema,
                fields: z
                  .array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() }))
                  .optional(),
              }),
            ),
          }),
        },
      },
      onRequest: readers,
    },
    async (req) => {
      const v = await workflow.found(req.params.id);
      const againstId = req.query.against ?? v.basedOn;
      if (againstId == null) {
        throw new AppError(
          "VALIDATION",
          `version ${v.id} is not based on another; name one with ?against=<version id>`,
        );
      }
      const base = await workflow.found(againstId);
      const data = (x: RuleSetVersion) => {
        const source = new YamlSource(x.content);
        if (source.problems.length)
          throw new AppError("RULES_INVALID", `version ${x.id} does not parse`, source.problems);
        return source.data;
      };
      const ref = (x: RuleSetVersion) => ({ id: x.id, ruleSetId: x.ruleSetId, version: x.version });
      return { from: ref(base), to: ref(v), changes: summarizeChanges(data(base), data(v)) };
    },
  );

  r.post(
    "/rule-sets/versions/:id/try",
    {
      schema: {
        tags: TAGS,
        summary: "Try a version (draft, in review or published) on cases, before anyone approves it",
        description:
          "Body: `{cases: [...]}` (case objects) or `{text, format?}` (cases typed or pasted, YAML or JSON: one case, a list, " +
          "or `{cases: [...]}`). `mode: stand-in` (default): the version is its rule set's version for every case, whatever " +
          "the case's asOf; `resolve`: it joins the published versions and resolution picks by date. Per case a decision, or " +
          "the problems that kept it from one (with line and column for text). Nothing is logged.",
        params: versionParams,
        body: z.union([
          z.strictObject({
            cases: z.array(z.unknown()).min(1).max(200),
            mode: z.enum(["stand-in", "resolve"]).default("stand-in"),
          }),
          z.strictObject({
            text: z
              .string()
              .min(1)
              .max(512 * 1024),
            format: z.enum(["yaml", "json"]).optional(),
            mode: z.enum(["stand-in", "resolve"]).default("stand-in"),
          }),
        ]),
        response: {
          200: z.object({
            version: refSchema,
            mode: z.enum(["stand-in", "resolve"]),
            results: z.array(
              z.union([
                z.object({
                  index: z.number(),
                  id: z.string().optional(),
                  ok: z.literal(true),
                  decision: decisionSchema,
                }),
                z.object({
                  index: z.number(),
                  id: z.string().optional(),
                  ok: z.literal(false),
                  problems: z.array(problemSchema),
                }),
              ]),
            ),
          }),
        },
      },
      onRequest: triers,
      // Decisions are built by the engine to their schema; the zod schema documents them (OpenAPI).
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (req) => {
      const { rs, published } = await loaded(req.params.id);
      const { mode, ...input } = req.body;
      const results = tryVersion(rs, published, input, mode);
      return { version: { id: rs.id, version: rs.version }, mode, results };
    },
  );

  r.get(
    "/rule-sets/versions/:id/samples",
    {
      schema: {
        tags: TAGS,
        summary:
          "The sample cases (simulator/cases) whose insured region resolves through this version's rule set",
        description:
          "Each case's own YAML text (ready for /try as `text`), with its file, id, title, date and region.",
        params: versionParams,
        response: {
          200: z.array(
            z.object({
              file: z.string(),
              id: z.string(),
              title: z.string().nullable(),
              asOf: z.string(),
              region: z.string(),
              text: z.string(),
            }),
          ),
        },
      },
      onRequest: triers,
    },
    async (req) => {
      const { rs, published } = await loaded(req.params.id);
      return samplesFor(rs, published, opts.samples());
    },
  );
};
