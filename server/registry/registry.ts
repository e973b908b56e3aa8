import type { z } from "zod";
import {
  type Case,
  caseSchema,
  type Decider,
  type Decision,
  grantValidity,
  type Problem,
  plainMessages,
} from "../../engine/index.ts";
import { AppError } from "../errors.ts";
import type { DecisionDetail } from "../store/decisions.ts";
import type { Filing, FilingEvent } from "../store/filings.ts";
import type { Store } from "../store/index.ts";
import type { ManualReview } from "../store/manual-reviews.ts";
import {
  type ActionKind,
  type ActionRequest,
  actionCase,
  changes,
  EVENT_OF,
  newFiling,
  patchFor,
  periodsOverlap,
} from "./lifecycle.ts";

/** What the registry needs: the store, the published rules, a clock, and the fault hook for tests. */
export type RegistryDeps = {
  store: Store;
  /** The decider of the rule sets published now. */
  decider: () => Promise<Decider>;
  /** Today's date (YYYY-MM-DD): expiry is computed against it. */
  today: () => string;
  /** Called at named points inside transactions (fault-injection tests). */
  faults?: ((point: string) => void | Promise<void>) | undefined;
};

export type FilingWithEvents = { filing: Filing; events: FilingEvent[] };
export type ActionResult =
  | (FilingWithEvents & { applied: true; decision: Decision; decisionId: string })
  | { applied: false; review: ManualReview; decision: Decision; decisionId: string };

export const caseProblems = (issues: z.core.$ZodIssue[]): Problem[] =>
  issues.map((i) => ({
    code: i.code,
    path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
    message: i.message,
  }));

/**
 * The revision a client sent against the stored one: behind → someone else changed it
 * (STALE_REVISION); ahead → the client's copy is not from this server's state (REVISION_AHEAD).
 */
export function checkRevision(stored: number, sent: number): void {
  if (sent < stored) throw new AppError("STALE_REVISION", undefined, undefined, { revision: stored });
  if (sent > stored) {
    throw new AppError(
      "REVISION_AHEAD",
      {
        en: `the revision you sent (${sent}) is newer than the stored one (${stored}); reload the filing`,
        zh: `您提交的版本号（${sent}）比系统中保存的（${stored}）还新，请刷新该备案`,
      },
      undefined,
      { revision: stored },
    );
  }
}

const notFound = (what: string, id: string) =>
  new AppError("NOT_FOUND", {
    en: `no ${what} ${id}`,
    zh: `没有${what === "filing" ? "备案" : "决定"} ${id}`,
  });

/**
 * The filing registry (备案人员信息库, 478号 二、六; 攀医保〔2017〕10号 六), without HTTP.
 *
 * An approved, logged decision of kind `filing` — or one that came out `manual_review` and a
 * reviewer approved — is recorded as a filing, unless the same person already holds an active
 * filing of the category for an overlapping period. A change, revocation or extension is itself a
 * case (lifecycle.ts) decided with the published rule sets and logged; an approved one is applied,
 * a `manual_review` one waits in the review queue, anything else is refused with the decision. A
 * settlement consumes the filing (single-use filings are used up).
 *
 * Every write runs in one transaction with its history event and audit entry, under the row lock
 * and the optimistic `revision`; `faults("filing:after-update")` runs between the filing's write
 * and the event/audit inserts so tests can prove a crash there leaves nothing behind.
 */
export class Registry {
  constructor(private readonly deps: RegistryDeps) {}

  private get store() {
    return this.deps.store;
  }
  private fault(point: string) {
    return this.deps.faults?.(point);
  }

  /** Records an approved filing decision (or one approved by a reviewer) as a filing. */
  async record(decisionId: string, actor: string): Promise<FilingWithEvents> {
    const d = await this.store.decisions.get(decisionId);
    if (!d) throw notFound("decision", decisionId);
    await this.checkRecordable(d);
    const parsed = caseSchema.safeParse(d.input, { error: plainMessages });
    if (!parsed.success) {
      throw new AppError(
        "NOT_ELIGIBLE",
        "the logged case no longer validates",
        caseProblems(parsed.error.issues),
      );
    }
    const c = parsed.data;
    const entry = newFiling(c, await this.asApproved(c, d.output), d.id, actor);
    return this.store.transaction(async (tx) => {
      if (!(await tx.filings.lockDecision(d.id))) throw notFound("decision", d.id);
      const existing = await tx.filings.byDecision(d.id);
      if (existing)
        throw new AppError("DUPLICATE", `decision ${d.id} is already recorded as filing ${existing.id}`);
      await tx.filings.lockPerson(entry.idNumber);
      const overlapping = (
        await tx.filings.list({
          person: { idNumber: entry.idNumber, category: entry.category },
          status: "active",
          today: entry.validFrom,
        })
      ).find((f) => periodsOverlap(f, entry) && !(f.singleUse && entry.singleUse));
      if (overlapping) {
        throw new AppError(
          "OVERLAPPING_FILING",
          {
            en: `filing ${overlapping.id} of the same person and category is active from ${overlapping.validFrom} to ${overlapping.validUntil ?? "open"}; change, extend or revoke it instead`,
            zh: `该人员已有同类别有效备案 ${overlapping.id}（${overlapping.validFrom} 至 ${overlapping.validUntil ?? "长期"}），请对其办理变更、延期或撤销`,
          },
          undefined,
          {
            existing: {
              id: overlapping.id,
              category: overlapping.category,
              validFrom: overlapping.validFrom,
              validUntil: overlapping.validUntil,
            },
          },
        );
      }
      const f = await tx.filings.create(entry);
      await this.fault("filing:after-update");
      const event = await tx.filings.addEvent({
        filingId: f.id,
        event: "filed",
        decisionId: d.id,
        actor,
        detail: { asOf: c.asOf, category: f.category, validity: d.output.validity },
      });
      await tx.audit.record({
        actor,
        action: "filing.create",
        entity: "filing",
        entityId: f.id,
        detail: {
          decisionId: d.id,
          category: f.category,
          insuredRegion: f.insuredRegion,
          idMasked: f.idMasked,
        },
      });
      return { filing: f, events: [event] };
    });
  }

  private async checkRecordable(d: DecisionDetail): Promise<void> {
    if (d.kind !== "filing") {
      throw new AppError(
        "NOT_ELIGIBLE",
        `only a filing decision can be recorded; this one is a ${d.kind} decision`,
      );
    }
    if (d.draftVersionId !== null) {
      throw new AppError(
        "NOT_ELIGIBLE",
        "this decision tried a draft rule set; decide with the published rules first",
      );
    }
    if (d.outcome === "approved") return;
    if (d.outcome === "manual_review") {
      const review = await this.store.reviews.get(d.id);
      if (review?.status === "approved") return;
      throw new AppError("NOT_ELIGIBLE", {
        en: `this decision needs a manual review first (review ${review?.status ?? "missing"})`,
        zh: `该决定须先经人工审核（审核状态：${review?.status ?? "无"}）`,
      });
    }
    throw new AppError(
      "NOT_ELIGIBLE",
      `only an approved filing decision can be recorded; this one is a ${d.kind} decision, ${d.outcome}`,
    );
  }

  /**
   * A decision as approved: a `manual_review` one has no validity (the engine grants it only to
   * approved ones), so a reviewer's approval takes the validity the rules in force grant the case.
   */
  /**
   * The decider of the rules published now. Resolve it before a transaction: it may read the
   * database, and PGlite's one connection would wait for the open transaction for ever.
   */
  decider(): Promise<Decider> {
    return this.deps.decider();
  }

  async asApproved(c: Case, d: Decision, decider?: Decider): Promise<Decision> {
    if (d.outcome === "approved") return d;
    const p = (decider ?? (await this.deps.decider())).policyFor(c.insured.region, c.asOf);
    if (!p.ok) throw new AppError("NOT_DECIDABLE", p.problem.message, [p.problem]);
    return { ...d, validity: grantValidity(c, p.policy, d.category ?? undefined).value };
  }

  /** Decides a change, revocation or extension as a case, and applies it when approved. */
  /**
   * What `act` would decide, without applying, logging or queueing anything: the clerk sees the
   * decision before confirming it. The same checks (state, revision, case) as `act`.
   */
  async preview(
    id: string,
    kind: ActionKind,
    req: ActionRequest,
  ): Promise<{ decision: Decision; effect: "apply" | "queue" | "refuse" }> {
    const { decision } = await this.decideAction(id, kind, req);
    const effect =
      decision.outcome === "approved" ? "apply" : decision.outcome === "manual_review" ? "queue" : "refuse";
    return { decision, effect };
  }

  private async decideAction(id: string, kind: ActionKind, req: ActionRequest) {
    const f = await this.store.filings.get(id);
    if (!f) throw notFound("filing", id);
    if (f.status !== "active")
      throw new AppError("INVALID_STATE", `the filing is ${f.status}`, undefined, { status: f.status });
    checkRevision(f.revision, req.revision);

    const input = actionCase(kind, f, req);
    const parsed = caseSchema.safeParse(input, { error: plainMessages });
    if (!parsed.success) throw new AppError("CASE_INVALID", undefined, caseProblems(parsed.error.issues));
    const c = parsed.data;
    const result = (await this.deps.decider()).decide(c);
    if (!result.ok) throw new AppError("NOT_DECIDABLE", result.problems[0]?.message, result.problems);
    return { f, input, c, decision: result.decision };
  }

  async act(id: string, kind: ActionKind, req: ActionRequest, actor: string): Promise<ActionResult> {
    const { f, input, c, decision } = await this.decideAction(id, kind, req);

    if (decision.outcome === "manual_review") {
      // Not a dead end: logged and queued for a reviewer, who applies it (reviews.ts).
      return this.store.transaction(async (tx) => {
        const decisionId = await tx.decisions.record(c, input, decision, actor, null);
        const review = await tx.reviews.enqueue({
          decisionId,
          requestedBy: actor,
          filingId: f.id,
          filingRevision: f.revision,
        });
        return { applied: false as const, review, decision, decisionId };
      });
    }
    if (decision.outcome !== "approved") {
      const decisionId = await this.store.decisions.record(c, input, decision, actor, null);
      throw new AppError(
        "NOT_ELIGIBLE",
        {
          en: `the rules do not allow this ${kind} (${decision.outcome})`,
          zh: `规则不允许此${kind === "change" ? "变更" : kind === "revoke" ? "撤销" : "延期"}（${decision.outcome}）`,
        },
        undefined,
        { decision: { ...withoutTrace(decision), decisionId } },
      );
    }
    return this.store.transaction(async (tx) => {
      const decisionId = await tx.decisions.record(c, input, decision, actor, null);
      const applied = await this.apply(tx, f.id, req.revision, kind, c, decision, decisionId, actor);
      return { applied: true as const, ...applied, decision, decisionId };
    });
  }

  /**
   * Applies an approved action to a filing inside a transaction: row lock, state and revision
   * checks, the patch, its event and audit entry. Used by `act` and by an approved review.
   */
  async apply(
    tx: Store,
    id: string,
    revision: number,
    kind: ActionKind,
    c: Case,
    decision: Decision,
    decisionId: string,
    actor: string,
  ): Promise<FilingWithEvents> {
    const current = await tx.filings.lock(id);
    if (!current) throw notFound("filing", id);
    if (current.status !== "active")
      throw new AppError("INVALID_STATE", `the filing is ${current.status}`, undefined, {
        status: current.status,
      });
    checkRevision(current.revision, revision);
    const updated = await tx.filings.update(id, revision, patchFor(kind, c, decision, current));
    if (!updated) throw new AppError("STALE_REVISION");
    await this.fault("filing:after-update");
    const diff = changes(current, updated);
    await tx.filings.addEvent({
      filingId: id,
      event: EVENT_OF[kind],
      decisionId,
      actor,
      detail: { asOf: c.asOf, ...diff },
    });
    await tx.audit.record({
      actor,
      action: `filing.${kind}`,
      entity: "filing",
      entityId: id,
      detail: { decisionId, asOf: c.asOf, revision: updated.revision, ...diff },
    });
    return { filing: updated, events: await tx.filings.events(id) };
  }

  /** A settlement uses the filing: single-use filings are used up (and end on the discharge date). */
  async consume(
    id: string,
    b: { admission: string; discharge: string; revision?: number | undefined },
    actor: string,
  ): Promise<FilingWithEvents> {
    return this.store.transaction(async (tx) => {
      const f = await tx.filings.lock(id);
      if (!f) throw notFound("filing", id);
      if (f.status !== "active") {
        throw new AppError(
          "INVALID_STATE",
          f.status === "consumed"
            ? "this single-use filing was already used by a settlement"
            : `the filing is ${f.status}`,
          undefined,
          { status: f.status },
        );
      }
      if (b.revision !== undefined) checkRevision(f.revision, b.revision);
      const outside = [
        ...(b.admission < f.validFrom || (f.validUntil !== null && b.admission > f.validUntil)
          ? ["admission"]
          : []),
        ...(f.validUntil !== null && b.discharge > f.validUntil ? ["discharge"] : []),
      ];
      if (outside.length) {
        throw new AppError(
          "NOT_ELIGIBLE",
          `the ${outside.join(" and ")} date is outside the filing's validity (${f.validFrom} … ${f.validUntil ?? "open"})`,
          outside.map((p) => ({ code: "validity", path: [p], message: "outside the filing's validity" })),
          { validity: { from: f.validFrom, until: f.validUntil } },
        );
      }
      let updated = f;
      if (f.singleUse) {
        const u = await tx.filings.update(f.id, f.revision, { status: "consumed", endedOn: b.discharge });
        if (!u) throw new AppError("STALE_REVISION");
        updated = u;
      }
      await this.fault("filing:after-update");
      const detail = {
        admission: b.admission,
        discharge: b.discharge,
        singleUse: f.singleUse,
        status: updated.status,
      };
      await tx.filings.addEvent({ filingId: f.id, event: "consumed", actor, detail });
      await tx.audit.record({ actor, action: "filing.consume", entity: "filing", entityId: f.id, detail });
      return { filing: updated, events: await tx.filings.events(f.id) };
    });
  }

  async get(id: string): Promise<FilingWithEvents> {
    const f = await this.store.filings.get(id);
    if (!f) throw notFound("filing", id);
    return { filing: f, events: await this.store.filings.events(f.id) };
  }
}

const withoutTrace = (d: Decision) => {
  const { trace: _t, ...rest } = d;
  return rest;
};
