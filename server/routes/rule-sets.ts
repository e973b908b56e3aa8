import { createTwoFilesPatch } from "diff";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { strToU8, zipSync } from "fflate";
import { z } from "zod";
import { formatProblem } from "../../engine/index.ts";
import { requireRoles } from "../auth.ts";
import { AppError } from "../errors.ts";
import { type PolicyService, versionPath } from "../policy-service.ts";
import { lifecycles } from "../review/timeline.ts";
import type { Sample } from "../review/try.ts";
import type { RuleSetValidator } from "../review/validation.ts";
import type { Actor, ReviewWorkflow } from "../review/workflow.ts";
import { RULE_SET_ID, VERSION_NAME } from "../review/yaml-edit.ts";
import type { Store } from "../store/index.ts";
import type { RuleSetVersion } from "../store/rule-sets.ts";
import {
  listedVersionSchema,
  problemSchema,
  revisionField,
  TAGS,
  versionId,
  versionParams,
  versionSchema,
  versionWithProblemsSchema,
} from "./rule-set-schemas.ts";

/** What the rule-set routes need (given by `build`, typed; no `fastify as unknown as App`). */
export type RuleSetRouteOptions = {
  store: Store;
  workflow: ReviewWorkflow;
  validator: RuleSetValidator;
  policies: PolicyService;
  /** The sample cases of simulator/cases (read once, on first use). */
  samples: () => readonly Sample[];
  /** Today's date (YYYY-MM-DD), for the timeline's "superseded". */
  today?: () => string;
};

export const withFile = (v: RuleSetVersion) => ({ ...v, file: versionPath(v) });
export const actorOf = (req: FastifyRequest): Actor => ({
  username: req.user?.username ?? "",
  roles: req.user?.roles ?? [],
});

/** The revision a client edited or reviewed: the body's `revision`, else the If-Match header ("3" or W/"3"). */
export function revisionOf(req: FastifyRequest, body: { revision?: number | undefined }): number {
  if (body.revision !== undefined) return body.revision;
  const m = String(req.headers["if-match"] ?? "").match(/^(?:W\/)?"?(\d+)"?$/);
  if (m?.[1]) return Number(m[1]);
  throw new AppError(
    "VALIDATION",
    "send the revision you loaded (the one you edited or reviewed), as `revision` in the body or an If-Match header",
  );
}

/**
 * Rule-set versions: lists for the timeline, history, one version, YAML, diffs, validation with
 * the same problems as `yidi lint`, drafts under optimistic locking, export. The review steps are
 * in rule-set-review.ts, the editor's views (inherited, summary, try) in rule-set-views.ts.
 *
 * Roles: reading any logged-in user; drafting and editing officers (and admins).
 */
export const ruleSetRoutes: FastifyPluginAsyncZod<RuleSetRouteOptions> = async (r, opts) => {
  const { store, workflow } = opts;
  const today = opts.today ?? (() => new Date().toISOString().slice(0, 10));
  const readers = requireRoles(store, "officer", "approver", "clerk", "tester", "admin");
  const officers = requireRoles(store, "officer", "admin");

  const listed = async (ruleSetId?: string) => {
    const versions = await store.ruleSets.list(ruleSetId);
    const stage = lifecycles(ruleSetId ? await store.ruleSets.list() : versions, today());
    return versions.map((v) => ({ ...v, lifecycle: stage.get(v.id) ?? v.status }));
  };

  r.get(
    "/rule-sets",
    {
      schema: {
        tags: TAGS,
        summary: "Every rule set with its versions: the regions' timelines",
        description:
          "Per version: region, effective date, status and `lifecycle` (superseded once a later published version is in force), " +
          "author, submitter, reviewer (approver), publisher, and when each acted.",
        querystring: z.object({
          status: z
            .enum(["draft", "in_review", "published", "rejected"])
            .optional()
            .describe("only versions in this status"),
        }),
        response: { 200: z.array(z.object({ id: z.string(), versions: z.array(listedVersionSchema) })) },
      },
      onRequest: readers,
    },
    async (req) => {
      const groups = new Map<string, z.infer<typeof listedVersionSchema>[]>();
      for (const v of await listed()) {
        if (req.query.status && v.status !== req.query.status) continue;
        groups.set(v.ruleSetId, [...(groups.get(v.ruleSetId) ?? []), v]);
      }
      return [...groups].map(([id, versions]) => ({ id, versions }));
    },
  );

  r.get(
    "/rule-sets/history",
    {
      schema: {
        tags: TAGS,
        summary: "The history of one rule set: every version, oldest first",
        description:
          "The rule-set id goes in the query string because ids contain '/': `/api/rule-sets/history?id=sichuan/panzhihua`. " +
          "Who did what and when is in each version (author, submittedBy/At, reviewedBy/At, publishedBy/At) and in the audit log " +
          "(`/api/audit?entity=rule_set_version&entityId=<version id>`).",
        querystring: z.object({
          id: z.string().regex(RULE_SET_ID, "a rule-set id such as sichuan/panzhihua"),
        }),
        response: { 200: z.object({ id: z.string(), versions: z.array(listedVersionSchema) }) },
      },
      onRequest: readers,
    },
    async (req) => {
      const versions = await listed(req.query.id);
      if (!versions.length) throw new AppError("NOT_FOUND", `no rule set ${req.query.id}`);
      return { id: req.query.id, versions };
    },
  );

  r.get(
    "/rule-sets/versions/:id",
    {
      schema: {
        tags: TAGS,
        summary: "One version with its content; the ETag is its revision",
        params: versionParams,
        response: { 200: versionSchema },
      },
      onRequest: readers,
    },
    async (req, reply) => {
      const v = await workflow.found(req.params.id);
      reply.header("etag", `"${v.revision}"`);
      return withFile(v);
    },
  );

  r.get(
    "/rule-sets/versions/:id/yaml",
    {
      schema: { tags: TAGS, summary: "One version's YAML text (text/yaml)", params: versionParams },
      onRequest: readers,
    },
    async (req, reply) => {
      const v = await workflow.found(req.params.id);
      return reply
        .type("text/yaml; charset=utf-8")
        .header("content-disposition", `inline; filename="${v.version}.yaml"`)
        .header("etag", `"${v.revision}"`)
        .send(v.content);
    },
  );

  r.get(
    "/rule-sets/versions/:id/diff",
    {
      schema: {
        tags: TAGS,
        summary: "A unified diff (text/x-diff) from another version to this one",
        description: "`against` defaults to the version this one is based on.",
        params: versionParams,
        querystring: z.object({ against: z.coerce.number().int().min(1).max(2_147_483_647).optional() }),
      },
      onRequest: readers,
    },
    async (req, reply) => {
      const v = await workflow.found(req.params.id);
      const againstId = req.query.against ?? v.basedOn;
      if (againstId == null) {
        throw new AppError(
          "VALIDATION",
          `version ${v.id} is not based on another; name one with ?against=<version id>`,
        );
      }
      const base = await workflow.found(againstId);
      const patch = createTwoFilesPatch(
        versionPath(base),
        versionPath(v),
        base.content,
        v.content,
        `#${base.id} ${base.status} r${base.revision}`,
        `#${v.id} ${v.status} r${v.revision}`,
      );
      return reply.type("text/x-diff; charset=utf-8").send(patch);
    },
  );

  r.post(
    "/rule-sets/versions/:id/validate",
    {
      schema: {
        tags: TAGS,
        summary: "Validate a version: the same problems as `yidi lint`, with file, line and column",
        description:
          "Every problem at once: YAML syntax (and nothing else, when the text does not parse), else schema and vocabulary " +
          "problems together with the cross-file ones (extends, citations, layering), which run against every other published " +
          "version. The file is reported as rules/<id>/<version>.yaml.",
        params: versionParams,
        response: {
          200: z.object({
            ok: z.boolean(),
            problems: z.array(problemSchema),
            formatted: z
              .array(z.string())
              .describe("the problems as `yidi lint` prints them: file:line:column: path: message"),
          }),
        },
      },
      onRequest: readers,
    },
    async (req) => {
      const problems = await workflow.problems(await workflow.found(req.params.id));
      return { ok: problems.length === 0, problems, formatted: problems.map(formatProblem) };
    },
  );

  r.post(
    "/rule-sets/drafts",
    {
      schema: {
        tags: TAGS,
        summary: "Create a draft: a new version based on another, or a new rule set from its YAML",
        description:
          "`{basedOn, version, effectiveFrom?}`: the based-on content with `version:` set to the new name (comments and layout kept) " +
          "and `effective.from` set to `effectiveFrom`, or to the version name when that is a date (the approver sets the final date). " +
          "`{content}`: a new rule set or version from YAML text; its `id` and `version` name it. The response carries every problem " +
          "of the content, as /validate gives them.",
        body: z.union([
          z.strictObject({
            basedOn: versionId.describe("the version to start from"),
            version: z
              .string()
              .regex(VERSION_NAME, "letters, digits, '.', '_' or '-' (it becomes a file name)"),
            effectiveFrom: z.iso.date().optional(),
          }),
          z.strictObject({ content: z.string().min(1).describe("YAML text of a rule set") }),
        ]),
        response: { 201: versionWithProblemsSchema },
      },
      onRequest: officers,
    },
    async (req, reply) => {
      const { version, problems } = await workflow.createDraft(actorOf(req), req.body);
      return reply.status(201).send({ ...withFile(version), problems });
    },
  );

  r.put(
    "/rule-sets/drafts/:id",
    {
      schema: {
        tags: TAGS,
        summary: "Edit a draft (optimistic locking); the response has every problem of the new text",
        description:
          "Any officer may edit a draft. Send the revision you loaded (`revision`, or an `If-Match` header); if someone changed " +
          "the draft since, the edit is refused with 409 STALE_REVISION (the error carries `currentRevision` and `status`) and " +
          "nothing is overwritten. The content is stored even when it does not validate (nothing typed is lost); every problem " +
          "comes back with the new revision. Only drafts can be edited: 409 INVALID_STATE otherwise.",
        params: versionParams,
        body: z.strictObject({ content: z.string().min(1), revision: revisionField }),
        response: { 200: versionWithProblemsSchema },
      },
      onRequest: officers,
    },
    async (req) => {
      const revision = revisionOf(req, req.body);
      const { version, problems } = await workflow.edit(
        actorOf(req),
        req.params.id,
        revision,
        req.body.content,
      );
      return { ...withFile(version), problems };
    },
  );

  r.get(
    "/rule-sets/export",
    {
      schema: {
        tags: TAGS,
        summary: "Every published version as YAML files in a zip (rules/<id>/<version>.yaml)",
        description:
          "Unzipped, the folder lints clean with `yidi lint rules/` and can be used with `--rules`.",
      },
      onRequest: readers,
    },
    async (_req, reply) => {
      const files: Record<string, Uint8Array> = {};
      for (const v of await store.ruleSets.published()) files[versionPath(v)] = strToU8(v.content);
      const zip = zipSync(files, { level: 6 });
      return reply
        .type("application/zip")
        .header("content-disposition", 'attachment; filename="yidi-rules.zip"')
        .send(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength));
    },
  );
};
