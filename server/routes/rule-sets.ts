import { createTwoFilesPatch } from "diff";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { strToU8, zipSync } from "fflate";
import { isScalar, parse, parseDocument } from "yaml";
import { z } from "zod";
import {
  contentHash,
  formatProblem,
  type LoadedRuleSet,
  lintLibrary,
  type Problem,
} from "../../engine/index.ts";
import { YamlSource } from "../../engine/yaml-source.ts";
import type { App } from "../app.ts";
import { requireRoles } from "../auth.ts";
import { AppError } from "../errors.ts";
import { parseVersion, versionPath } from "../policy-service.ts";
import type { Store } from "../store/index.ts";
import type { RuleSetVersion, RuleSetVersionSummary } from "../store/rule-sets.ts";

const TAGS = ["rule-sets"];
const RULE_SET_ID = /^[a-z]+(\/[a-z]+)*$/;
/** A version name is also a file name (rules/<id>/<version>.yaml). */
const VERSION_NAME = /^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const problemSchema = z.object({
  code: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().optional(),
  column: z.number().optional(),
});

const statusSchema = z.enum(["draft", "in_review", "published", "rejected"]);

const summarySchema = z.object({
  id: z.number().describe("the version's id (used in every /versions/:id route)"),
  ruleSetId: z.string().describe("the rule set, a region path such as sichuan/panzhihua"),
  version: z.string(),
  status: statusSchema,
  hash: z.string().describe("sha256 of the content, as the engine computes it"),
  region: z.string().nullable(),
  effectiveFrom: z.string().nullable(),
  basedOn: z.number().nullable(),
  author: z.string(),
  submittedBy: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  reviewComment: z.string().nullable(),
  publishedBy: z.string().nullable(),
  publishedAt: z.string().nullable(),
  revision: z.number().describe("optimistic-lock counter: send it back with an edit or a submission"),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const versionSchema = summarySchema.extend({
  content: z.string().describe("the YAML text"),
  file: z.string().describe("the path the version has in an export: rules/<id>/<version>.yaml"),
});

const versionParams = z.object({ id: z.coerce.number().int().min(1).max(2_147_483_647) });
const isoDate = z.iso.date();

const validationSchema = z.object({
  ok: z.boolean(),
  problems: z.array(problemSchema),
  formatted: z
    .array(z.string())
    .describe("the problems as `yidi lint` prints them: file:line:column: path: message"),
});

/** The content hash, the same way engine/rule-set-loader.ts computes it. */

/**
 * Sets one scalar of a YAML text and leaves every other byte alone (comments, anchors, layout):
 * the node is found with the yaml Document API and only its source range is replaced, in the
 * node's own quoting style. A missing key is added through the Document API.
 */
export function setScalar(text: string, path: string[], value: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    throw new AppError("RULES_INVALID", "the YAML does not parse", new YamlSource(text).problems);
  }
  const node = doc.getIn(path, true);
  if (isScalar(node) && node.range) {
    const [start, end] = node.range;
    return text.slice(0, start) + scalarSource(value, node.type) + text.slice(end);
  }
  doc.setIn(path, value);
  return doc.toString();
}

function scalarSource(value: string, type: string | undefined): string {
  if (type === "QUOTE_SINGLE") return `'${value.replaceAll("'", "''")}'`;
  const plainIsSame = (() => {
    try {
      return parse(value) === value;
    } catch {
      return false;
    }
  })();
  if (type === "PLAIN" && plainIsSame && value.trim() === value && !/[#:]/.test(value)) return value;
  return JSON.stringify(value);
}

/** What a content says about itself (for the row's columns), even when it does not validate. */
function contentMeta(v: { ruleSetId: string; version: string; content: string }) {
  const p = parseVersion(v);
  if (p.ruleSet)
    return { region: p.ruleSet.region, effectiveFrom: p.ruleSet.effective.from, problems: p.problems };
  let data: Record<string, unknown> = {};
  try {
    const d = parse(v.content) as unknown;
    if (d && typeof d === "object" && !Array.isArray(d)) data = d as Record<string, unknown>;
  } catch {
    // invalid YAML: stored as it is, so no edit is lost; validation reports where
  }
  const eff = data.effective as Record<string, unknown> | undefined;
  return {
    region: typeof data.region === "string" ? data.region : null,
    effectiveFrom: typeof eff?.from === "string" ? eff.from : null,
    problems: p.problems,
  };
}

/**
 * The problems `yidi lint` would report for this version's file (rules/<id>/<version>.yaml):
 * the file's own schema, then the cross-file checks against every other published version
 * (extends, citations in the chain's sources, version and start-date clashes, regions).
 */
async function validate(store: Store, v: RuleSetVersion): Promise<Problem[]> {
  const file = versionPath(v);
  const p = parseVersion(v);
  if (!p.ruleSet) return p.problems;
  const problems: Problem[] = [];
  if (p.ruleSet.version !== v.version) {
    const pos = new YamlSource(v.content, file).locate(["version"]);
    problems.push({
      code: "lint",
      path: ["version"],
      message: `version "${p.ruleSet.version}" does not match this version's name "${v.version}" (${file})`,
      file,
      ...(pos && { line: pos.line, column: pos.column }),
    });
  }
  const others: LoadedRuleSet[] = [];
  for (const o of await store.ruleSets.published()) {
    if (o.id === v.id) continue;
    const rs = parseVersion(o).ruleSet;
    if (rs) others.push(rs);
  }
  problems.push(
    ...lintLibrary([...others, p.ruleSet], [{ file, text: v.content }]).filter((x) => x.file === file),
  );
  return problems;
}

/** The revision a client edited or reviewed: the body's `revision`, else the If-Match header ("3" or W/"3"). */
function revisionOf(req: FastifyRequest, body: { revision?: number | undefined }): number {
  if (body.revision !== undefined) return body.revision;
  const m = String(req.headers["if-match"] ?? "").match(/^(?:W\/)?"?(\d+)"?$/);
  if (m?.[1]) return Number(m[1]);
  throw new AppError(
    "VALIDATION",
    "send the revision you loaded (the one you edited or reviewed), as `revision` in the body or an If-Match header",
  );
}

const withFile = (v: RuleSetVersion) => ({ ...v, file: versionPath(v) });

const HANDS_ON: Record<string, string> = {
  "ruleset.draft": "wrote",
  "ruleset.edit": "edited",
  "ruleset.submit": "submitted",
  "ruleset.withdraw": "withdrew and reworked",
};

/**
 * Four eyes: whoever wrote, edited, submitted or withdrew a version (by its audit trail, so a
 * withdrawal and resubmission by someone else does not wash it out) may not decide on it.
 */
async function fourEyes(store: Store, v: RuleSetVersion, actor: string): Promise<void> {
  const trail = await store.audit.list({ entity: "rule_set_version", entityId: String(v.id), limit: 1000 });
  const own = trail.find((e) => e.actor === actor && HANDS_ON[e.action]);
  const did =
    v.author === actor ? "wrote" : v.submittedBy === actor ? "submitted" : own && HANDS_ON[own.action];
  if (did) throw new AppError("FOUR_EYES", `${actor} ${did} version ${v.id}; another approver must decide`);
}

/** Why a conditional update matched no row: 404, not in the needed state (409), or stale (409). */
async function whyNot(
  store: Store,
  id: number,
  status: RuleSetVersion["status"],
  revision?: number,
): Promise<never> {
  const v = await store.ruleSets.get(id);
  if (!v) throw new AppError("NOT_FOUND", `no rule-set version ${id}`);
  if (v.status !== status) {
    throw new AppError(
      "INVALID_STATE",
      v.status === "published"
        ? `version ${id} is published; published versions never change (create a draft from it)`
        : `version ${id} is ${v.status}, not ${status}`,
      undefined,
      { status: v.status },
    );
  }
  if (revision !== undefined && v.revision !== revision) {
    throw new AppError(
      "STALE_REVISION",
      `version ${id} is at revision ${v.revision}, not ${revision}: it changed since you loaded it; reload it (and reapply any edit of yours)`,
      undefined,
      { currentRevision: v.revision },
    );
  }
  throw new AppError("INVALID_STATE", `version ${id} changed while this request ran; try again`);
}

async function found(store: Store, id: number): Promise<RuleSetVersion> {
  const v = await store.ruleSets.get(id);
  if (!v) throw new AppError("NOT_FOUND", `no rule-set version ${id}`);
  return v;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === "23505";

/**
 * Rule-set versions: list, history, drafts under optimistic locking, validation with the same
 * problems as `yidi lint`, diffs, review with four eyes, atomic publication, export.
 *
 * Roles: reading (lists, versions, YAML, diffs, validation, export) any logged-in user;
 * drafting, editing, submitting and withdrawing from review officers; approving and rejecting approvers, never the
 * version's author or submitter. Admins hold both, under the same four-eyes rule.
 */
export async function ruleSetRoutes(fastify: FastifyInstance) {
  const app = fastify as unknown as App;
  const { store } = app.deps;
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const readers = requireRoles(store, "officer", "approver", "clerk", "tester", "admin");
  const officers = requireRoles(store, "officer", "admin");
  const approvers = requireRoles(store, "approver", "admin");
  const actorOf = (req: FastifyRequest) => req.user?.username ?? "";

  r.get(
    "/rule-sets",
    {
      schema: {
        tags: TAGS,
        summary: "Every rule set with its versions and their statuses",
        querystring: z.object({ status: statusSchema.optional().describe("only versions in this status") }),
        response: { 200: z.array(z.object({ id: z.string(), versions: z.array(summarySchema) })) },
      },
      onRequest: readers,
    },
    async (req) => {
      const groups = new Map<string, RuleSetVersionSummary[]>();
      for (const v of await store.ruleSets.list()) {
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
          "Who did what and when is in each version (author, submittedBy, reviewedBy, publishedBy/At) and in the audit log " +
          "(`/api/audit?entity=rule_set_version&entityId=<version id>`).",
        querystring: z.object({
          id: z.string().regex(RULE_SET_ID, "a rule-set id such as sichuan/panzhihua"),
        }),
        response: { 200: z.object({ id: z.string(), versions: z.array(summarySchema) }) },
      },
      onRequest: readers,
    },
    async (req) => {
      const versions = await store.ruleSets.list(req.query.id);
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
      const v = await found(store, req.params.id);
      reply.header("etag", `"${v.revision}"`);
      return withFile(v);
    },
  );

  r.get(
    "/rule-sets/versions/:id/yaml",
    {
      schema: {
        tags: TAGS,
        summary: "One version's YAML text (text/yaml)",
        params: versionParams,
      },
      onRequest: readers,
    },
    async (req, reply) => {
      const v = await found(store, req.params.id);
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
      const v = await found(store, req.params.id);
      const againstId = req.query.against ?? v.basedOn;
      if (againstId == null) {
        throw new AppError(
          "VALIDATION",
          `version ${v.id} is not based on another; name one with ?against=<version id>`,
        );
      }
      const base = await found(store, againstId);
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
          "The file is reported as rules/<id>/<version>.yaml; the cross-file checks run against every other published version.",
        params: versionParams,
        response: { 200: validationSchema },
      },
      onRequest: readers,
    },
    async (req) => {
      const problems = await validate(store, await found(store, req.params.id));
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
          "`{content}`: a new rule set or version from YAML text; its `id` and `version` name it. The response carries the content's schema problems (if any).",
        body: z.union([
          z.strictObject({
            basedOn: z.number().int().min(1).max(2_147_483_647).describe("the version to start from"),
            version: z
              .string()
              .regex(VERSION_NAME, "letters, digits, '.', '_' or '-' (it becomes a file name)"),
            effectiveFrom: isoDate.optional(),
          }),
          z.strictObject({ content: z.string().min(1).describe("YAML text of a rule set") }),
        ]),
        response: { 201: versionSchema.extend({ problems: z.array(problemSchema) }) },
      },
      onRequest: officers,
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const body = req.body;
      const created = await store
        .transaction(async (tx) => {
          let ruleSetId: string;
          let version: string;
          let content: string;
          let basedOn: number | null = null;
          if ("basedOn" in body) {
            const base = await tx.ruleSets.get(body.basedOn);
            if (!base) throw new AppError("NOT_FOUND", `no rule-set version ${body.basedOn}`);
            ruleSetId = base.ruleSetId;
            version = body.version;
            basedOn = base.id;
            content = setScalar(base.content, ["version"], version);
            const from = body.effectiveFrom ?? (ISO_DATE.test(version) ? version : undefined);
            if (from) content = setScalar(content, ["effective", "from"], from);
          } else {
            content = body.content;
            const named = nameOf(content);
            ruleSetId = named.id;
            version = named.version;
          }
          if (await tx.ruleSets.byVersion(ruleSetId, version)) {
            throw new AppError("DUPLICATE", `${ruleSetId} already has a version ${version}`);
          }
          const meta = contentMeta({ ruleSetId, version, content });
          const v = await tx.ruleSets.createDraft({
            ruleSetId,
            version,
            content,
            hash: contentHash(content),
            region: meta.region,
            effectiveFrom: meta.effectiveFrom,
            basedOn,
            author: actor,
          });
          await tx.audit.record({
            actor,
            action: "ruleset.draft",
            entity: "rule_set_version",
            entityId: v.id,
            detail: { id: ruleSetId, version, basedOn, hash: v.hash },
          });
          return { ...withFile(v), problems: meta.problems };
        })
        .catch((e) => {
          if (isUniqueViolation(e))
            throw new AppError("DUPLICATE", "this rule set already has a version of that name");
          throw e;
        });
      return reply.status(201).send(created);
    },
  );

  r.put(
    "/rule-sets/drafts/:id",
    {
      schema: {
        tags: TAGS,
        summary: "Edit a draft (optimistic locking)",
        description:
          "Any officer may edit a draft. Send the revision you loaded (`revision`, or an `If-Match` header); if someone changed " +
          "the draft since, the edit is refused with 409 STALE_REVISION and nothing is overwritten. The content is stored even " +
          "when it does not validate (nothing typed is lost); its schema problems come back with the new revision. " +
          "Only drafts can be edited: 409 INVALID_STATE otherwise.",
        params: versionParams,
        body: z.strictObject({
          content: z.string().min(1),
          revision: z.number().int().min(1).optional().describe("the revision you edited (or If-Match)"),
        }),
        response: { 200: versionSchema.extend({ problems: z.array(problemSchema) }) },
      },
      onRequest: officers,
    },
    async (req) => {
      const actor = actorOf(req);
      const revision = revisionOf(req, req.body);
      const { content } = req.body;
      return store.transaction(async (tx) => {
        const current = await found(tx, req.params.id);
        const meta = contentMeta({ ...current, content });
        const v =
          (await tx.ruleSets.updateDraft(req.params.id, revision, {
            content,
            hash: contentHash(content),
            region: meta.region,
            effectiveFrom: meta.effectiveFrom,
          })) ?? (await whyNot(tx, req.params.id, "draft", revision));
        await tx.audit.record({
          actor,
          action: "ruleset.edit",
          entity: "rule_set_version",
          entityId: v.id,
          detail: { id: v.ruleSetId, version: v.version, revision: v.revision, hash: v.hash },
        });
        return { ...withFile(v), problems: meta.problems };
      });
    },
  );

  r.post(
    "/rule-sets/versions/:id/submit",
    {
      schema: {
        tags: TAGS,
        summary: "Submit a draft for review (it must validate)",
        description:
          "Refused with 422 RULES_INVALID and the problems when the draft does not validate; 409 on a stale revision.",
        params: versionParams,
        body: z.strictObject({ revision: z.number().int().min(1).optional() }).default({}),
        response: { 200: versionSchema },
      },
      onRequest: officers,
    },
    async (req) => {
      const actor = actorOf(req);
      const revision = revisionOf(req, req.body);
      return store.transaction(async (tx) => {
        const v = await found(tx, req.params.id);
        if (v.status !== "draft" || v.revision !== revision) await whyNot(tx, v.id, "draft", revision);
        const problems = await validate(tx, v);
        if (problems.length) throw new AppError("RULES_INVALID", undefined, problems);
        const submitted =
          (await tx.ruleSets.submit(v.id, revision, actor)) ?? (await whyNot(tx, v.id, "draft", revision));
        await tx.audit.record({
          actor,
          action: "ruleset.submit",
          entity: "rule_set_version",
          entityId: v.id,
          detail: { id: v.ruleSetId, version: v.version, hash: v.hash },
        });
        return withFile(submitted);
      });
    },
  );

  r.post(
    "/rule-sets/versions/:id/withdraw",
    {
      schema: {
        tags: TAGS,
        summary: "Withdraw a version from review, back to a draft",
        description:
          "For an officer who wants to change something before the approver decides: the version becomes a draft " +
          "again (its revision goes up) and can be edited and submitted anew. 409 INVALID_STATE once it was approved " +
          "or rejected.",
        params: versionParams,
        body: z.strictObject({ comment: z.string().max(2000).optional() }).default({}),
        response: { 200: versionSchema },
      },
      onRequest: officers,
    },
    async (req) => {
      const actor = actorOf(req);
      return store.transaction(async (tx) => {
        const v = await found(tx, req.params.id);
        if (v.status !== "in_review") await whyNot(tx, v.id, "in_review");
        const withdrawn = (await tx.ruleSets.withdraw(v.id)) ?? (await whyNot(tx, v.id, "in_review"));
        await tx.audit.record({
          actor,
          action: "ruleset.withdraw",
          entity: "rule_set_version",
          entityId: v.id,
          detail: {
            id: v.ruleSetId,
            version: v.version,
            submittedBy: v.submittedBy,
            ...(req.body.comment !== undefined && { comment: req.body.comment }),
          },
        });
        return withFile(withdrawn);
      });
    },
  );

  r.post(
    "/rule-sets/versions/:id/approve",
    {
      schema: {
        tags: TAGS,
        summary: "Approve and publish a version in review, effective from a date (four eyes)",
        description:
          "Send the revision you reviewed (`revision`, or If-Match): if the version changed since (withdrawn, edited and " +
          "resubmitted), 409 STALE_REVISION and nothing is published. Refused with 403 FOUR_EYES when the approver wrote, " +
          "edited, submitted or withdrew the version. In one transaction: `effective.from` is set in the YAML, the hash " +
          "recomputed, the version published and the audit entry written; then decisions use it.",
        params: versionParams,
        body: z.strictObject({
          effectiveFrom: isoDate,
          revision: z.number().int().min(1).optional().describe("the revision you reviewed (or If-Match)"),
          comment: z.string().max(2000).optional(),
        }),
        response: { 200: versionSchema },
      },
      onRequest: approvers,
    },
    async (req) => {
      const actor = actorOf(req);
      const { effectiveFrom, comment } = req.body;
      const revision = revisionOf(req, req.body);
      const published = await store.transaction(async (tx) => {
        const v = await found(tx, req.params.id);
        if (v.status !== "in_review" || v.revision !== revision)
          await whyNot(tx, v.id, "in_review", revision);
        await fourEyes(tx, v, actor);
        const content = setScalar(v.content, ["effective", "from"], effectiveFrom);
        const final = { ...v, content };
        const problems = await validate(tx, final);
        if (problems.length) throw new AppError("RULES_INVALID", undefined, problems);
        const loaded = parseVersion(final).ruleSet as LoadedRuleSet;
        const p =
          (await tx.ruleSets.publish(v.id, revision, {
            content,
            hash: loaded.hash,
            region: loaded.region,
            effectiveFrom,
            by: actor,
            comment: comment ?? null,
          })) ?? (await whyNot(tx, v.id, "in_review", revision));
        await app.deps.faults?.("publish:after-update");
        await tx.audit.record({
          actor,
          action: "ruleset.publish",
          entity: "rule_set_version",
          entityId: v.id,
          detail: {
            id: v.ruleSetId,
            version: v.version,
            effectiveFrom,
            hash: p.hash,
            submittedHash: v.hash,
            author: v.author,
            submittedBy: v.submittedBy,
            ...(comment !== undefined && { comment }),
          },
        });
        return p;
      });
      await app.policies.reload();
      return withFile(published);
    },
  );

  r.post(
    "/rule-sets/versions/:id/reject",
    {
      schema: {
        tags: TAGS,
        summary: "Reject a version in review, with a comment (four eyes)",
        description:
          "Send the revision you reviewed (`revision`, or If-Match); 409 STALE_REVISION if it changed since. " +
          "A rejected version stays as it is; rework it as a new draft based on it.",
        params: versionParams,
        body: z.strictObject({
          comment: z.string().min(1).max(2000),
          revision: z.number().int().min(1).optional().describe("the revision you reviewed (or If-Match)"),
        }),
        response: { 200: versionSchema },
      },
      onRequest: approvers,
    },
    async (req) => {
      const actor = actorOf(req);
      const revision = revisionOf(req, req.body);
      return store.transaction(async (tx) => {
        const v = await found(tx, req.params.id);
        if (v.status !== "in_review" || v.revision !== revision)
          await whyNot(tx, v.id, "in_review", revision);
        await fourEyes(tx, v, actor);
        const rejected =
          (await tx.ruleSets.reject(v.id, revision, actor, req.body.comment)) ??
          (await whyNot(tx, v.id, "in_review", revision));
        await tx.audit.record({
          actor,
          action: "ruleset.reject",
          entity: "rule_set_version",
          entityId: v.id,
          detail: { id: v.ruleSetId, version: v.version, comment: req.body.comment },
        });
        return withFile(rejected);
      });
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
}

/** The id and version a new rule set's YAML names; 422 with located problems when it names none. */
function nameOf(content: string): { id: string; version: string } {
  const source = new YamlSource(content);
  if (source.problems.length) throw new AppError("RULES_INVALID", "the YAML does not parse", source.problems);
  const data = (source.data ?? {}) as Record<string, unknown>;
  const problems: Problem[] = [];
  const check = (key: "id" | "version", ok: (v: unknown) => boolean, message: string) => {
    if (ok(data[key])) return;
    const pos = source.locate([key]);
    problems.push({
      code: "custom",
      path: [key],
      message,
      ...(pos && { line: pos.line, column: pos.column }),
    });
  };
  check(
    "id",
    (v) => typeof v === "string" && RULE_SET_ID.test(v),
    "a rule-set id such as sichuan/panzhihua is needed",
  );
  check(
    "version",
    (v) => typeof v === "string" && VERSION_NAME.test(v),
    'a version name (a quoted string of letters, digits, ".", "_" or "-") is needed',
  );
  if (problems.length) throw new AppError("RULES_INVALID", undefined, problems);
  return { id: data.id as string, version: data.version as string };
}
