import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireRoles } from "../auth.ts";
import { AppError } from "../errors.ts";
import { handlesFiles, recordAsSeen } from "../registry/privacy.ts";
import { type ManualReviews, REVIEWER_ROLES } from "../registry/reviews.ts";
import { filingDetail, filingDetailSchema } from "../registry/views.ts";
import type { DecisionDetail } from "../store/decisions.ts";
import type { Store } from "../store/index.ts";
import { type ManualReview, manualReviewSchema, REVIEW_STATUSES } from "../store/manual-reviews.ts";
import type { User } from "../store/users.ts";

/** What the review-queue routes need (given by `build`, typed). */
export type ReviewRouteOptions = { store: Store; reviews: ManualReviews; today: () => string };

const queuedSchema = manualReviewSchema.extend({
  decision: z.object({
    caseId: z.string(),
    kind: z.string(),
    category: z.string().nullable(),
    insuredRegion: z.string(),
    asOf: z.string(),
    idMasked: z.string(),
    askedBy: z.string(),
    reasons: z
      .array(z.record(z.string(), z.unknown()))
      .describe("the reasons the rules sent it to manual review, with their citations"),
  }),
});

const entry = (r: ManualReview, d: DecisionDetail | undefined, full: boolean) => ({
  ...r,
  decision: {
    caseId: d ? recordAsSeen(d, full).caseId : "",
    kind: d?.kind ?? "",
    category: d?.category ?? null,
    insuredRegion: d?.insuredRegion ?? "",
    asOf: d?.asOf ?? "",
    idMasked: d?.idMasked ?? "",
    askedBy: d?.askedBy ?? "",
    reasons: (d?.output.reasons ?? []).filter((x) => x.effect === "manual_review"),
  },
});

/**
 * The manual review queue (server/registry/reviews.ts): clerks and reviewers read it; approvers and
 * admins decide an entry with a written reason, never one they asked for themselves (four eyes).
 */
export const reviewRoutes: FastifyPluginAsyncZod<ReviewRouteOptions> = async (r, opts) => {
  const { store, reviews, today } = opts;
  const readers = requireRoles(store, "clerk", "approver", "admin");
  const reviewers = requireRoles(store, ...REVIEWER_ROLES);
  // Approvers do not handle files: a case id that is an ID number is masked for them.
  const withDecision = async (x: ManualReview, user: User | null) =>
    entry(x, await store.decisions.get(x.decisionId), handlesFiles(user));

  r.get(
    "/reviews",
    {
      schema: {
        tags: ["reviews"],
        summary: "The manual review queue: decisions that came out manual_review (oldest first)",
        querystring: z.object({
          status: z.enum(REVIEW_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.array(queuedSchema) },
      },
      onRequest: readers,
    },
    async (req) => Promise.all((await store.reviews.list(req.query)).map((x) => withDecision(x, req.user))),
  );

  r.get(
    "/reviews/:decisionId",
    {
      schema: {
        tags: ["reviews"],
        summary: "One entry of the manual review queue",
        params: z.object({ decisionId: z.string() }),
        response: { 200: queuedSchema },
      },
      onRequest: readers,
    },
    async (req) => {
      const x = await store.reviews.get(req.params.decisionId);
      if (!x) throw new AppError("NOT_FOUND", `no manual review for decision ${req.params.decisionId}`);
      return withDecision(x, req.user);
    },
  );

  r.post(
    "/reviews/:decisionId",
    {
      schema: {
        tags: ["reviews"],
        summary:
          "Decide a queued decision (approvers and admins; not the clerk who asked), with a written reason",
        description:
          "Audited. approved: a filing decision may then be recorded (POST /api/filings); a change, revocation or " +
          "extension is applied to its filing at once (409 STALE_REVISION if the filing changed since the request). " +
          "403 FOUR_EYES for the clerk who asked; 409 INVALID_STATE when already decided.",
        params: z.object({ decisionId: z.string() }),
        body: z.strictObject({
          outcome: z.enum(["approved", "rejected"]),
          reason: z.string().min(1).max(2000).describe("the reviewer's written reason"),
        }),
        response: { 200: queuedSchema.extend({ filing: filingDetailSchema.nullable() }) },
      },
      onRequest: reviewers,
    },
    async (req) => {
      if (!req.user) throw new AppError("UNAUTHENTICATED");
      const { review, applied } = await reviews.decide(req.params.decisionId, req.body, req.user);
      return {
        ...(await withDecision(review, req.user)),
        filing: applied && filingDetail(applied.filing, applied.events, today(), handlesFiles(req.user)),
      };
    },
  );
};
