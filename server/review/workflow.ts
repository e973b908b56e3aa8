import { contentHash, loadRuleSet, type Problem } from "../../engine/index.ts";
import { AppError } from "../errors.ts";
import { versionPath } from "../policy-service.ts";
import type { Store } from "../store/index.ts";
import type { RuleSetStatus, RuleSetVersion } from "../store/rule-sets.ts";
import type { Role } from "../store/schema.ts";
import { assertMay, HANDS_ON_ACTIONS, type ReviewAction, type Verdict, verdicts } from "./four-eyes.ts";
import type { RuleSetValidator } from "./validation.ts";
import { contentMeta, draftContent, nameOf, setScalar } from "./yaml-edit.ts";

export type Actor = { username: string; roles: readonly Role[] };
export type NewDraft =
  | { basedOn: number; version: string; effectiveFrom?: string | undefined }
  | { content: string };
type Hooks = {
  /** Called after a publication committed (the policy service reloads). */
  published: () => Promise<void>;
  faults?: ((point: string) => void | Promise<void>) | undefined;
};

const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === "23505";
const ENTITY = "rule_set_version";

/**
 * The review workflow of rule-set versions, each step one transaction with its audit entry:
 * draft, edit (optimistic locking), submit (it must validate), withdraw, approve (publish, with
 * an effective date) and reject — four eyes as `four-eyes.ts` says, the same rules the editor
 * shows before the click. Every refusal that concerns a version carries its status and current
 * revision, so a client can reload without losing what it holds.
 */
export class ReviewWorkflow {
  constructor(
    private readonly store: Store,
    private readonly validator: RuleSetValidator,
    private readonly hooks: Hooks,
  ) {}

  /** Every problem of a version against the other published versions (see RuleSetValidator). */
  async problems(v: RuleSetVersion, tx: Store = this.store): Promise<Problem[]> {
    return this.validator.validate(v, await tx.ruleSets.published());
  }

  async found(id: number, tx: Store = this.store): Promise<RuleSetVersion> {
    const v = await tx.ruleSets.get(id);
    if (!v) throw new AppError("NOT_FOUND", `no rule-set version ${id}`);
    return v;
  }

  /** A new draft, based on a version or from YAML text, with every problem of its content. */
  async createDraft(actor: Actor, body: NewDraft): Promise<{ version: RuleSetVersion; problems: Problem[] }> {
    return this.store
      .transaction(async (tx) => {
        let ruleSetId: string;
        let version: string;
        let content: string;
        let basedOn: number | null = null;
        if ("basedOn" in body) {
          const base = await tx.ruleSets.get(body.basedOn);
          if (!base) throw new AppError("NOT_FOUND", `no rule-set version ${body.basedOn}`);
          ({ ruleSetId } = base);
          version = body.version;
          basedOn = base.id;
          content = draftContent(base.content, version, body.effectiveFrom);
        } else {
          content = body.content;
          ({ id: ruleSetId, version } = nameOf(content));
        }
        if (await tx.ruleSets.byVersion(ruleSetId, version)) {
          throw new AppError("DUPLICATE", `${ruleSetId} already has a version ${version}`);
        }
        const v = await tx.ruleSets.createDraft({
          ruleSetId,
          version,
          content,
          hash: contentHash(content),
          ...contentMeta(content),
          basedOn,
          author: actor.username,
        });
        await this.audit(tx, actor, "ruleset.draft", v, { basedOn, hash: v.hash });
        return { version: v, problems: await this.problems(v, tx) };
      })
      .catch((e) => {
        if (isUniqueViolation(e))
          throw new AppError("DUPLICATE", "this rule set already has a version of that name");
        throw e;
      });
  }

  /** Replaces a draft's text (stored even when it does not validate), with every problem of it. */
  async edit(actor: Actor, id: number, revision: number, content: string) {
    return this.store.transaction(async (tx) => {
      const current = await this.found(id, tx);
      assertMay("edit", current, [], actor);
      const v =
        (await tx.ruleSets.updateDraft(id, revision, {
          content,
          hash: contentHash(content),
          ...contentMeta(content),
        })) ?? (await whyNot(tx, id, "draft", revision));
      await this.audit(tx, actor, "ruleset.edit", v, { revision: v.revision, hash: v.hash });
      return { version: v, problems: await this.problems(v, tx) };
    });
  }

  async submit(actor: Actor, id: number, revision: number): Promise<RuleSetVersion> {
    return this.store.transaction(async (tx) => {
      const v = await this.ready("submit", tx, id, actor, revision);
      const problems = await this.problems(v, tx);
      if (problems.length)
        throw new AppError("RULES_INVALID", undefined, problems, { currentRevision: v.revision });
      const submitted =
        (await tx.ruleSets.submit(id, revision, actor.username)) ?? (await whyNot(tx, id, "draft", revision));
      await this.audit(tx, actor, "ruleset.submit", v, { hash: v.hash });
      return submitted;
    });
  }

  async withdraw(actor: Actor, id: number, comment?: string): Promise<RuleSetVersion> {
    return this.store.transaction(async (tx) => {
      const v = await this.ready("withdraw", tx, id, actor);
      const withdrawn = (await tx.ruleSets.withdraw(id)) ?? (await whyNot(tx, id, "in_review"));
      await this.audit(tx, actor, "ruleset.withdraw", v, {
        submittedBy: v.submittedBy,
        ...(comment !== undefined && { comment }),
      });
      return withdrawn;
    });
  }

  /** Publishes a version in review from `effectiveFrom` (set in its YAML), then reloads the decisions' rule sets. */
  async approve(
    actor: Actor,
    id: number,
    revision: number,
    effectiveFrom: string,
    comment?: string,
  ): Promise<RuleSetVersion> {
    const published = await this.store.transaction(async (tx) => {
      const v = await this.ready("approve", tx, id, actor, revision);
      const content = setScalar(v.content, ["effective", "from"], effectiveFrom);
      const final = { ...v, content };
      const problems = await this.problems(final, tx);
      if (problems.length)
        throw new AppError("RULES_INVALID", undefined, problems, { currentRevision: v.revision });
      const loaded = loadRuleSet(content, versionPath(v));
      if (!loaded.ok) throw new AppError("RULES_INVALID", undefined, loaded.problems);
      const p =
        (await tx.ruleSets.publish(id, revision, {
          content,
          hash: loaded.value.hash,
          region: loaded.value.region,
          effectiveFrom,
          by: actor.username,
          comment: comment ?? null,
        })) ?? (await whyNot(tx, id, "in_review", revision));
      await this.hooks.faults?.("publish:after-update");
      await this.audit(tx, actor, "ruleset.publish", v, {
        effectiveFrom,
        hash: p.hash,
        submittedHash: v.hash,
        author: v.author,
        submittedBy: v.submittedBy,
        ...(comment !== undefined && { comment }),
      });
      return p;
    });
    await this.hooks.published();
    return published;
  }

  async reject(actor: Actor, id: number, revision: number, comment: string): Promise<RuleSetVersion> {
    return this.store.transaction(async (tx) => {
      const v = await this.ready("reject", tx, id, actor, revision);
      const rejected =
        (await tx.ruleSets.reject(id, revision, actor.username, comment)) ??
        (await whyNot(tx, id, "in_review", revision));
      await this.audit(tx, actor, "ruleset.reject", v, { comment });
      return rejected;
    });
  }

  /**
   * What `actor` may do with the version now, and why not — the very checks the steps above
   * make; a draft that does not validate cannot be submitted (the number of problems is said).
   */
  async actions(actor: Actor, id: number): Promise<Record<ReviewAction, Verdict>> {
    const v = await this.found(id);
    const all = verdicts(v, await this.trail(this.store, id), actor);
    if (all.submit.allowed) {
      const n = (await this.problems(v)).length;
      if (n) {
        all.submit = {
          allowed: false,
          code: "RULES_INVALID",
          reason: { zh: `还有 ${n} 个问题需要修正`, en: `${n} problem${n === 1 ? "" : "s"} to fix first` },
        };
      }
    }
    return all;
  }

  /** The version, checked: allowed for the actor (role, status, four eyes) and at `revision`. */
  private async ready(
    action: ReviewAction,
    tx: Store,
    id: number,
    actor: Actor,
    revision?: number,
  ): Promise<RuleSetVersion> {
    const v = await this.found(id, tx);
    const trail = action === "approve" || action === "reject" ? await this.trail(tx, id) : [];
    assertMay(action, v, trail, actor);
    if (revision !== undefined && v.revision !== revision) await whyNot(tx, id, v.status, revision);
    return v;
  }

  private trail(tx: Store, id: number) {
    return tx.audit.hands(ENTITY, String(id), HANDS_ON_ACTIONS);
  }

  private audit(tx: Store, actor: Actor, action: string, v: RuleSetVersion, detail: object) {
    return tx.audit.record({
      actor: actor.username,
      action,
      entity: ENTITY,
      entityId: v.id,
      detail: { id: v.ruleSetId, version: v.version, ...detail },
    });
  }
}

/** Why a conditional update matched no row: 404, not in the needed state (409), or stale (409). */
async function whyNot(tx: Store, id: number, status: RuleSetStatus, revision?: number): Promise<never> {
  const v = await tx.ruleSets.get(id);
  if (!v) throw new AppError("NOT_FOUND", `no rule-set version ${id}`);
  const extra = { status: v.status, currentRevision: v.revision };
  if (v.status !== status) {
    throw new AppError(
      "INVALID_STATE",
      v.status === "published"
        ? `version ${id} is published; published versions never change (create a draft from it)`
        : `version ${id} is ${v.status}, not ${status}`,
      undefined,
      extra,
    );
  }
  if (revision !== undefined && v.revision !== revision) {
    throw new AppError(
      "STALE_REVISION",
      `version ${id} is at revision ${v.revision}, not ${revision}: it changed since you loaded it; reload it (and reapply any edit of yours)`,
      undefined,
      extra,
    );
  }
  throw new AppError(
    "INVALID_STATE",
    `version ${id} changed while this request ran; try again`,
    undefined,
    extra,
  );
}
