import { caseSchema, plainMessages } from "../../engine/index.ts";
import { AppError } from "../errors.ts";
import type { DecisionDetail } from "../store/decisions.ts";
import type { Store } from "../store/index.ts";
import type { ManualReview } from "../store/manual-reviews.ts";
import type { User } from "../store/users.ts";
import type { ActionKind } from "./lifecycle.ts";
import { caseProblems, type FilingWithEvents, type Registry } from "./registry.ts";

/**
 * The manual review queue (人工审核). A decision that came out `manual_review` — a special reason
 * inside a change lock, an expired referral, a diagnosis off the emergency list, an in-service
 * employee of retirement age — waits here. Approvers (and admins) decide it with a written reason,
 * never the person who asked for the decision (four eyes). An approved filing decision can then be
 * recorded as a filing (POST /api/filings); an approved change, revocation or extension is applied
 * to its filing at once, if the filing has not changed since the request.
 */
export const REVIEWER_ROLES = ["approver", "admin"] as const;

export type ReviewOutcome = { outcome: "approved" | "rejected"; reason: string };
export type ReviewResult = { review: ManualReview; applied: FilingWithEvents | null };

const ACTIONS: readonly string[] = ["change", "revoke", "extend"];

export class ManualReviews {
  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
  ) {}

  /** Decides a queued decision; four eyes, audited, in one transaction with what it applies. */
  async decide(decisionId: string, o: ReviewOutcome, reviewer: User): Promise<ReviewResult> {
    const actor = reviewer.username;
    const reason = o.reason.trim();
    if (!reason)
      throw new AppError("VALIDATION", {
        en: "write the reason for the review's outcome",
        zh: "请填写审核理由",
      });
    // before the transaction: it may read the database (see Registry.decider)
    const decider = await this.registry.decider();
    return this.store.transaction(async (tx) => {
      const review = await tx.reviews.lock(decisionId);
      if (!review)
        throw new AppError("NOT_FOUND", {
          en: `no manual review for decision ${decisionId}`,
          zh: `决定 ${decisionId} 不在人工审核队列中`,
        });
      if (review.status !== "pending") {
        throw new AppError(
          "INVALID_STATE",
          {
            en: `this review was already decided (${review.status})`,
            zh: `该审核已办结（${review.status}）`,
          },
          undefined,
          { status: review.status },
        );
      }
      const d = (await tx.decisions.get(decisionId)) as DecisionDetail;
      if (review.requestedBy === actor || d.askedBy === actor) {
        throw new AppError("FOUR_EYES", {
          en: "a manual review must be decided by someone other than the clerk who asked for the decision",
          zh: "人工审核须由申请决定的经办人以外的人办理（四眼原则）",
        });
      }
      const decided = await tx.reviews.decide(decisionId, { status: o.outcome, decidedBy: actor, reason });
      if (!decided) throw new AppError("INVALID_STATE", "this review was already decided");
      let applied: FilingWithEvents | null = null;
      if (o.outcome === "approved" && review.filingId && ACTIONS.includes(d.kind)) {
        const parsed = caseSchema.safeParse(d.input, { error: plainMessages });
        if (!parsed.success)
          throw new AppError(
            "NOT_ELIGIBLE",
            "the logged case no longer validates",
            caseProblems(parsed.error.issues),
          );
        applied = await this.registry.apply(
          tx,
          review.filingId,
          review.filingRevision ?? 0,
          d.kind as ActionKind,
          parsed.data,
          await this.registry.asApproved(parsed.data, d.output, decider),
          decisionId,
          actor,
        );
      }
      await tx.audit.record({
        actor,
        action: `review.${o.outcome}`,
        entity: "decision",
        entityId: decisionId,
        detail: {
          kind: d.kind,
          reason,
          ...(review.filingId && { filingId: review.filingId }),
          applied: applied !== null,
        },
      });
      return { review: decided, applied };
    });
  }
}
