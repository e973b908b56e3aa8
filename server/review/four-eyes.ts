import { AppError, type ErrorCode } from "../errors.ts";
import type { RuleSetVersion } from "../store/rule-sets.ts";
import type { Role } from "../store/schema.ts";

export const REVIEW_ACTIONS = ["edit", "submit", "withdraw", "approve", "reject"] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export type Reason = { zh: string; en: string };
export type Verdict = { allowed: true } | { allowed: false; code: ErrorCode; reason: Reason };
type Version = Pick<RuleSetVersion, "id" | "status" | "author" | "submittedBy">;
type Actor = { username: string; roles: readonly Role[] };
/** Who did what to a version, from its whole audit history (AuditStore.hands, not a page of entries). */
export type Hand = { actor: string; action: string };

const ROLES: Record<ReviewAction, Role[]> = {
  edit: ["officer", "admin"],
  submit: ["officer", "admin"],
  withdraw: ["officer", "admin"],
  approve: ["approver", "admin"],
  reject: ["approver", "admin"],
};
const FROM: Record<ReviewAction, RuleSetVersion["status"]> = {
  edit: "draft",
  submit: "draft",
  withdraw: "in_review",
  approve: "in_review",
  reject: "in_review",
};
const STATUS: Record<RuleSetVersion["status"], Reason> = {
  draft: { zh: "草稿", en: "a draft" },
  in_review: { zh: "待审核", en: "in review" },
  published: { zh: "已发布", en: "published" },
  rejected: { zh: "已退回", en: "rejected" },
};

/** Audit actions that put a hand on a version, and how to say so. */
const HANDS_ON: Record<string, Reason> = {
  "ruleset.draft": { zh: "起草了", en: "wrote" },
  "ruleset.edit": { zh: "修改了", en: "edited" },
  "ruleset.submit": { zh: "提交了", en: "submitted" },
  "ruleset.withdraw": { zh: "撤回并修改了", en: "withdrew and reworked" },
};
/** The audit actions four eyes reads. */
export const HANDS_ON_ACTIONS: readonly string[] = Object.keys(HANDS_ON);

/**
 * What `actor` did to the version, if anything that bars them from deciding on it (four eyes):
 * wrote, edited, submitted or withdrew it — by its complete audit history, so neither a
 * withdrawal and resubmission by someone else nor any number of later saves washes a hand out.
 */
export function handOn(v: Version, trail: readonly Hand[], actor: string): Reason | undefined {
  if (v.author === actor) return HANDS_ON["ruleset.draft"];
  if (v.submittedBy === actor) return HANDS_ON["ruleset.submit"];
  const own = trail.find((e) => e.actor === actor && HANDS_ON[e.action]);
  return own && HANDS_ON[own.action];
}

/**
 * Whether `actor` may take `action` on the version now, and why not: the role, the version's
 * status, and four eyes. The routes enforce exactly this (`assertMay`), and the editor shows it
 * before the click (GET /versions/:id/actions), so the two cannot drift. A stale revision and a
 * draft that does not validate are told when the action is tried.
 *
 * @example verdict("approve", v, trail, { username: "li", roles: ["approver"] })
 */
export function verdict(action: ReviewAction, v: Version, trail: readonly Hand[], actor: Actor): Verdict {
  const roles = ROLES[action];
  if (!actor.roles.some((r) => roles.includes(r))) {
    return {
      allowed: false,
      code: "FORBIDDEN",
      reason: {
        zh: `需要以下角色之一：${roles.join("、")}`,
        en: `this needs one of the roles: ${roles.join(", ")}`,
      },
    };
  }
  const from = FROM[action];
  if (v.status !== from) {
    return {
      allowed: false,
      code: "INVALID_STATE",
      reason:
        v.status === "published"
          ? {
              zh: `版本 ${v.id} 已发布，已发布的版本不可更改（请基于它新建草稿）`,
              en: `version ${v.id} is published; published versions never change (create a draft from it)`,
            }
          : {
              zh: `版本 ${v.id} 当前为${STATUS[v.status].zh}，不是${STATUS[from].zh}`,
              en: `version ${v.id} is ${STATUS[v.status].en}, not ${STATUS[from].en}`,
            },
    };
  }
  if (action === "approve" || action === "reject") {
    const did = handOn(v, trail, actor.username);
    if (did) {
      return {
        allowed: false,
        code: "FOUR_EYES",
        reason: {
          zh: `${actor.username} ${did.zh}版本 ${v.id}，须由另一位审核人决定（四眼原则）`,
          en: `${actor.username} ${did.en} version ${v.id}; another approver must decide`,
        },
      };
    }
  }
  return { allowed: true };
}

/** Every review action's verdict for one user (the editor's buttons). */
export function verdicts(v: Version, trail: readonly Hand[], actor: Actor): Record<ReviewAction, Verdict> {
  return Object.fromEntries(REVIEW_ACTIONS.map((a) => [a, verdict(a, v, trail, actor)])) as Record<
    ReviewAction,
    Verdict
  >;
}

/** Throws the verdict's error (with the version's status and current revision) when not allowed. */
export function assertMay(
  action: ReviewAction,
  v: Version & { revision: number },
  trail: readonly Hand[],
  actor: Actor,
): void {
  const d = verdict(action, v, trail, actor);
  if (!d.allowed) {
    throw new AppError(d.code, d.reason.en, undefined, {
      status: v.status,
      currentRevision: v.revision,
      reason: d.reason,
    });
  }
}
