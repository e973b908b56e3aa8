import { createHash } from "node:crypto";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  type Decider,
  type Decision,
  decisionJson,
  decisionSchema,
  parseCase,
  traceJson,
} from "../../engine/index.ts";
import { hasRole, requireRoles } from "../auth.ts";
import { AppError } from "../errors.ts";
import { type PolicyService, parseVersion } from "../policy-service.ts";
import { caseAsSeen, handlesFiles, outputAsSeen, recordAsSeen } from "../registry/privacy.ts";
import { KeyTakenOver } from "../store/decision-log.ts";
import type { Claim } from "../store/idempotency.ts";
import type { Store } from "../store/index.ts";
import { manualReviewSchema } from "../store/manual-reviews.ts";

/** What the decision routes need (given by `build`, typed). */
export type DecisionRouteOptions = { store: Store; policies: PolicyService };

const recordSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  kind: z.string(),
  outcome: z.string(),
  insuredRegion: z.string(),
  category: z.string().nullable(),
  asOf: z.string(),
  idMasked: z.string(),
  chain: z.array(z.object({ id: z.string(), version: z.string(), hash: z.string() })),
  draftVersionId: z.number().nullable(),
  askedBy: z.string(),
  askedAt: z.string(),
});

/**
 * POST /api/decisions: a case → a decision (case-format.md), logged with its input, the exact
 * rule-set chain with content hashes, who asked and when. Published rule sets only, unless
 * `?draft=<version id>` asks to try a draft (officers, approvers, testers).
 */
export const decisionRoutes: FastifyPluginAsyncZod<DecisionRouteOptions> = async (r, opts) => {
  const { store, policies } = opts;
  const deciders = requireRoles(store, "clerk", "tester", "officer", "approver", "admin");

  r.post(
    "/decisions",
    {
      schema: {
        tags: ["decisions"],
        summary: "Decide a case",
        description:
          "A decision that comes out manual_review (published rules only) is logged and queued for a reviewer " +
          "(GET /api/reviews); the answer carries the queue entry as `review`.",
        querystring: z.object({
          draft: z.coerce.number().int().optional(),
          trace: z
            .enum(["true", "false"])
            .optional()
            .describe(
              "false: the answer leaves out `trace` (the decision is the same otherwise). The log keeps one trace " +
                "line per rule and entry applied (result, effect, detail, citation) but not the evaluated condition " +
                "trees; replaying the logged case under its chain gives them again.",
            ),
        }),
        headers: z.looseObject({
          "idempotency-key": z
            .string()
            .min(1)
            .max(255)
            .regex(/^[\x21-\x7E]+$/, "printable ASCII without spaces, such as a UUID")
            .optional()
            .describe(
              "Makes a retry safe: a request with a key this user sent in the last 24 hours with the same " +
                "case (and ?draft) is answered with that first decision (the same decisionId, header " +
                "Idempotent-Replayed: true) and logs nothing; the same key with a different request is 422 " +
                "IDEMPOTENCY_KEY_REUSED; while the first request is still being decided a retry waits for it (409 " +
                "IDEMPOTENCY_IN_PROGRESS with Retry-After after 5 s).",
            ),
        }),
        body: z
          .record(z.string(), z.unknown())
          .describe("a case (case-format.md; docs/schema/case.schema.json)"),
        response: {
          200: decisionSchema.extend({
            // Left out when asked with ?trace=false.
            trace: decisionSchema.shape.trace.optional(),
            decisionId: z.string(),
            review: manualReviewSchema.optional(),
          }),
        },
      },
      onRequest: deciders,
      // The decision is built by the engine to its schema already; the zod schema documents the
      // response (OpenAPI) and plain JSON serializes it (re-checking it cost ~0.5 ms a request).
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (req, reply) => {
      // The compiled check on the hot path; zod words the problems of a case it declines.
      const parsed = parseCase(req.body);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => ({
          code: i.code,
          path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
          message: i.message,
        }));
        throw new AppError("CASE_INVALID", undefined, problems);
      }
      let decider: Decider = await policies.fresh();
      let draftId: number | null = null;
      if (req.query.draft !== undefined) {
        if (!hasRole(req.user, "officer", "approver", "tester", "admin")) {
          throw new AppError("FORBIDDEN", "only officers, approvers and testers may try a draft");
        }
        const draft = await store.ruleSets.get(req.query.draft);
        if (!draft) throw new AppError("NOT_FOUND", `no rule-set version ${req.query.draft}`);
        const p = parseVersion(draft);
        if (!p.ruleSet) throw new AppError("RULES_INVALID", undefined, p.problems);
        decider = policies.withDraft(p.ruleSet);
        draftId = draft.id;
      }
      const traced = req.query.trace !== "false";
      const result = decider.decide(parsed.data, traced ? undefined : { trace: "rules" });
      if (!result.ok) throw new AppError("NOT_DECIDABLE", result.problems[0]?.message, result.problems);
      const actor = req.user?.username ?? "";
      const key = req.headers["idempotency-key"];
      const userId = req.user?.id;
      const idempotent = key !== undefined && userId !== undefined;
      if (idempotent) {
        const claim = await claimKey(store, userId, key, requestHash(req.query.draft, req.body));
        if (claim.state === "done") {
          const d = await store.decisions.get(claim.decisionId);
          if (!d) throw new AppError("INTERNAL");
          const review = await store.reviews.get(claim.decisionId);
          reply.header("idempotent-replayed", "true");
          return {
            ...(traced ? d.output : withoutTrace(d.output)),
            decisionId: claim.decisionId,
            ...(review && { review }),
          };
        }
      }
      let logged = false;
      try {
        const queued = result.decision.outcome === "manual_review" && draftId === null;
        // Serialized once: the log row's output and the answer share the string. Asked without
        // trace, the trace (the decision's last key) is serialized apart, for the log alone.
        const d = result.decision;
        const head = traced ? "" : decisionJson(d, "trace");
        const output = traced ? decisionJson(d) : `${head.slice(0, -1)},"trace":${traceJson(d.trace)}}`;
        if (queued) {
          return await store.transaction(async (tx) => {
            const decisionId = await tx.decisions.record(
              parsed.data,
              req.body,
              result.decision,
              actor,
              draftId,
              output,
            );
            const review = await tx.reviews.enqueue({ decisionId, requestedBy: actor });
            // In the decision's own transaction: the key names it exactly when it is logged.
            if (idempotent) await tx.idempotency.complete(userId, key, decisionId);
            logged = true;
            return { ...(traced ? d : withoutTrace(d)), decisionId, review };
          });
        }
        // The answer waits for its row's commit (batched with others' rows, server/store/decision-log.ts),
        // which completes the request's Idempotency-Key in the same transaction.
        const decisionId = await store.decisions.log(
          parsed.data,
          req.body,
          result.decision,
          actor,
          draftId,
          output,
          idempotent ? { userId, key } : undefined,
        );
        logged = true;
        // A string is sent as it is (fastify serializes only objects); the type provider wants the object type.
        const body = `${(traced ? output : head).slice(0, -1)},"decisionId":"${decisionId}"}`;
        return reply.type("application/json; charset=utf-8").send(body as never);
      } catch (e) {
        // A retry took the key over while this decision waited for the database (a stall of over
        // a minute): the retry's decision is the one logged; ask the client to fetch it.
        if (e instanceof KeyTakenOver)
          throw new AppError("IDEMPOTENCY_IN_PROGRESS", undefined, undefined, { retryAfter: 1 });
        // Nothing logged: the key is free for a retry (a logged decision completed its key in the
        // same commit, so there is no state in between).
        if (idempotent && !logged) await store.idempotency.release(userId, key).catch(() => {});
        throw e;
      }
    },
  );

  r.get(
    "/decisions",
    {
      schema: {
        tags: ["decisions"],
        summary: "The decision log (ID numbers masked)",
        description:
          "For roles that do not handle files (testers, officers, approvers) a case id that is an ID number is masked too.",
        querystring: z.object({
          outcome: z.enum(["approved", "rejected", "incomplete", "manual_review"]).optional(),
          region: z
            .string()
            .regex(/^\d{6}$/)
            .optional(),
          category: z.string().optional(),
          kind: z.string().optional(),
          askedBy: z.string().optional(),
          from: z.iso.date().optional(),
          to: z.iso.date().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.array(recordSchema) },
      },
      onRequest: deciders,
    },
    async (req) => {
      const full = handlesFiles(req.user);
      return (await store.decisions.list(req.query)).map((d) => recordAsSeen(d, full));
    },
  );

  r.get(
    "/decisions/:id",
    {
      schema: {
        tags: ["decisions"],
        summary: "One logged decision with its input and output",
        description:
          "Clerks and admins see the case as it was given. Testers, officers and approvers see it as the registry " +
          "shows a filing to them: ID numbers masked (the case id too), names shortened (张三 → 张*), the birth date " +
          "and the filing form's contact data (card number, addresses, phones) shown as ***.",
        params: z.object({ id: z.string() }),
        response: {
          200: recordSchema.extend({
            input: z.record(z.string(), z.unknown()),
            output: z.record(z.string(), z.unknown()),
          }),
        },
      },
      onRequest: deciders,
    },
    async (req) => {
      const d = await store.decisions.get(req.params.id);
      if (!d) throw new AppError("NOT_FOUND", `no decision ${req.params.id}`);
      // Clerks and admins handle the applicant's own file; others see it as the registry shows
      // a filing to them (server/registry/privacy.ts).
      const full = handlesFiles(req.user);
      return {
        ...recordAsSeen(d, full),
        input: caseAsSeen(d.input, full),
        output: outputAsSeen(d.output as unknown as Record<string, unknown>, full),
      };
    },
  );
};

/**
 * The decision as answered to `?trace=false`: every key but the trace (the last). Typed as a
 * decision: the documented answer keeps `trace` (the editor's typed client reads it), and the
 * parameter's description says it is left out.
 */
function withoutTrace(d: Decision): Decision {
  const { trace: _trace, ...rest } = d;
  return rest as Decision;
}

/** How long a retry waits for the first request with its key before a 409 IDEMPOTENCY_IN_PROGRESS. */
const PENDING_WAIT_MS = 5000;

/**
 * Claims an Idempotency-Key for this request, or finds the decision of the first request with it:
 * a retry that arrives while the first is being decided waits for it (both are answered with the
 * one decision). A key used with another request is 422 IDEMPOTENCY_KEY_REUSED.
 */
async function claimKey(store: Store, userId: number, key: string, hash: string): Promise<Claim> {
  const until = Date.now() + PENDING_WAIT_MS;
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    const claim = await store.idempotency.claim(userId, key, hash);
    if (claim.state === "mismatch") throw new AppError("IDEMPOTENCY_KEY_REUSED");
    if (claim.state !== "pending") return claim;
    if (Date.now() + wait > until)
      throw new AppError("IDEMPOTENCY_IN_PROGRESS", undefined, undefined, { retryAfter: 1 });
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** The request an Idempotency-Key stands for: the case (keys in any order) and the draft tried. */
export function requestHash(draft: number | undefined, body: unknown): string {
  return createHash("sha256")
    .update(canonicalJson({ draft: draft ?? null, body }))
    .digest("hex");
}

/** JSON with every object's keys sorted: the same for the same value, whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
