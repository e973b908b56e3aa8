import { stringify } from "csv-stringify/sync";
import ExcelJS from "exceljs";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  type Case,
  type Category,
  caseFields,
  caseSchema,
  type Decision,
  isoDate,
  plainMessages,
  vocabulary,
} from "../../engine/index.ts";
import type { App } from "../app.ts";
import { hasRole, requireRoles } from "../auth.ts";
import { AppError } from "../errors.ts";
import { maskDeep, maskIdNumber } from "../mask.ts";
import type { Filing, FilingDetails, FilingEvent, FilingFilter, FilingPatch } from "../store/filings.ts";
import { regionPrefix } from "../store/filings.ts";
import type { User } from "../store/users.ts";

/*
 * The filing registry (备案人员信息库, 478号 二、六; 攀医保〔2017〕10号 六).
 *
 * An approved, logged decision of kind `filing` is recorded as a filing. A change, revocation or
 * extension is itself a case (kind change | revoke | extend) built from the registry — the
 * applicant and insured person as recorded, the facts of the last approved case, `previous` from
 * the filing's columns — decided with the published rule sets and logged; only an approved
 * decision is applied. A settlement consumes the filing (single-use filings are used up).
 *
 * Every write runs in one transaction with its history event and audit entry, under the row lock
 * and the optimistic `revision`; `deps.faults("filing:after-update")` runs between the filing's
 * write and the event/audit inserts so tests can prove a crash there leaves nothing behind.
 *
 * Personal data (478号 六(二)): lists show ID numbers masked (and names shortened) to everyone;
 * the full ID number and the contact data of the form only to clerks and admins, on one filing
 * and in the exports, which are audited.
 */

const FILING_STATUSES = ["active", "revoked", "consumed"] as const;
const categoryEnum = z.enum(vocabulary.CATEGORIES.ids);
const regionCode = z.string().regex(/^\d{6}$/, 'a 6-digit region code such as "510400"');

const filingSummarySchema = z.object({
  id: z.string(),
  idMasked: z.string(),
  name: z.string().nullable(),
  sex: z.string(),
  insuredRegion: z.string(),
  scheme: z.string(),
  category: z.string(),
  status: z.enum(FILING_STATUSES),
  destinationRegion: z.string().nullable(),
  hospitalName: z.string().nullable(),
  hospitalLevel: z.string().nullable(),
  validFrom: z.string(),
  validUntil: z.string().nullable(),
  singleUse: z.boolean(),
  changeLockedUntil: z.string().nullable(),
  extensions: z.number().int(),
  approvedOn: z.string(),
  decisionId: z.string(),
  revision: z.number().int(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const eventSchema = z.object({
  id: z.number(),
  event: z.enum(["filed", "changed", "revoked", "extended", "consumed"]),
  decisionId: z.string().nullable(),
  actor: z.string(),
  at: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

const filingDetailSchema = filingSummarySchema.extend({
  idNumber: z.string().describe("full for clerks and admins, masked for other roles"),
  contact: z
    .record(z.string(), z.string().optional())
    .nullable()
    .describe("filing-form contact data (card number, addresses, phones): clerks and admins only"),
  settlementMode: z.string().nullable(),
  facts: z.record(z.string(), z.unknown()).describe("the case facts the next change is decided with"),
  events: z.array(eventSchema),
});

// The request's filing fields are the case's own (case-format.md), validated by the same schema.
const caseFiling = caseFields.shape.filing.unwrap();
const changeFiling = caseFiling.partial();
/** A revocation or extension acts on the filing as recorded: only what is handed in now. */
const actionFiling = caseFiling.pick({ materials: true, channel: true, agent: true, form: true }).partial();
const insuredNow = caseFields.shape.insured
  .pick({ status: true, cardStatus: true, inBenefitPeriod: true })
  .partial()
  .describe("the insured person's state now, where it differs from the filing (e.g. card status)");

const actionBody = (filing: z.ZodType) =>
  z.strictObject({
    asOf: isoDate.describe("application date: selects the rules in force"),
    revision: z.number().int().describe("the filing's revision as loaded (optimistic locking)"),
    filing: filing.optional(),
    insured: insuredNow.optional(),
  });

type ActionKind = "change" | "revoke" | "extend";
const EVENT_OF: Record<ActionKind, "changed" | "revoked" | "extended"> = {
  change: "changed",
  revoke: "revoked",
  extend: "extended",
};

/** 478号 附件2 columns, in order (基本医疗保险跨省异地安置退休等人员备案信息汇总表). */
export const SUMMARY_COLUMNS = [
  "序号",
  "参保地行政区划代码",
  "姓名",
  "性别",
  "险种",
  "类型",
  "社会保障号码",
  "社会保障卡卡号",
  "地址",
  "联系电话",
  "就医地统筹地区行政区划代码",
  "备案医院名称",
  "备案医院编码",
] as const;

/**
 * The summary tables. 478号 附件2 gives its columns. 攀医保〔2017〕10号 六 names 附件3–5 (one per
 * long-term category) but the seed does not reproduce their columns, so they use 附件2's columns,
 * filtered by category and restricted to persons insured in Panzhihua (510400); every export of
 * them says so (x-yidi-note header; the XLSX "说明" sheet).
 */
const TABLES = {
  summary: {
    sheet: "附件2",
    title: "基本医疗保险跨省异地安置退休等人员备案信息汇总表",
    source: "人社厅发〔2016〕478号 附件2",
    category: undefined,
    region: undefined,
    note: "",
    header: "columns of 478 annex 2; hospital codes are not recorded (left empty)",
  },
  resettled: {
    sheet: "附件3",
    title: "攀枝花市基本医疗保险异地安置退休人员备案信息汇总表",
    source: "攀医保〔2017〕10号 附件3",
    category: "retired_resettled",
    region: "510400",
    note: "攀医保〔2017〕10号未载附件3的栏目，沿用478号附件2的栏目，仅含异地安置退休人员",
    header:
      "Panzhihua 2017 No.10 annex 3 does not list its columns: the columns of 478 annex 2 are used, rows of category retired_resettled insured in 510400",
  },
  long_term: {
    sheet: "附件4",
    title: "攀枝花市基本医疗保险异地长期居住人员备案信息汇总表",
    source: "攀医保〔2017〕10号 附件4",
    category: "long_term_resident",
    region: "510400",
    note: "攀医保〔2017〕10号未载附件4的栏目，沿用478号附件2的栏目，仅含异地长期居住人员",
    header:
      "Panzhihua 2017 No.10 annex 4 does not list its columns: the columns of 478 annex 2 are used, rows of category long_term_resident insured in 510400",
  },
  worker: {
    sheet: "附件5",
    title: "攀枝花市基本医疗保险常驻异地工作人员备案信息汇总表",
    source: "攀医保〔2017〕10号 附件5",
    category: "resident_worker",
    region: "510400",
    note: "攀医保〔2017〕10号未载附件5的栏目，沿用478号附件2的栏目，仅含常驻异地工作人员",
    header:
      "Panzhihua 2017 No.10 annex 5 does not list its columns: the columns of 478 annex 2 are used, rows of category resident_worker insured in 510400",
  },
} as const satisfies Record<
  string,
  {
    sheet: string;
    title: string;
    source: string;
    category: Category | undefined;
    region: string | undefined;
    note: string;
    /** The note in ASCII, for the x-yidi-note response header. */
    header: string;
  }
>;
type TableId = keyof typeof TABLES;

/** 张三 → 张*: lists shown to roles that do not handle files carry no full names. */
const maskName = (name: string | null) =>
  name ? `${Array.from(name)[0]}${"*".repeat(Array.from(name).length - 1)}` : name;

function summary(f: Filing, full: boolean) {
  const { idNumber: _id, details: _d, ...rest } = f;
  return { ...rest, name: full ? f.name : maskName(f.name) };
}

function detail(f: Filing, events: FilingEvent[], full: boolean) {
  return {
    ...summary(f, full),
    idNumber: full ? f.idNumber : f.idMasked,
    contact: full ? (f.details.contact ?? {}) : null,
    settlementMode: f.details.settlementMode ?? null,
    facts: full ? (f.details.facts ?? {}) : maskDeep(f.details.facts ?? {}),
    events: full ? events : events.map((e) => ({ ...e, detail: maskDeep(e.detail) })),
  };
}

/** The facts of an approved case that a later change, revocation or extension is decided with. */
function factsOf(c: Case): Record<string, unknown> {
  const {
    materials: _m,
    channel: _c,
    agent: _a,
    specialReason: _s,
    form: _f,
    category: _k,
    ...facts
  } = c.filing;
  return JSON.parse(JSON.stringify(facts));
}

function contactOf(c: Case): NonNullable<FilingDetails["contact"]> {
  const form = c.filing.form ?? {};
  const s = (v: unknown) => (v === undefined || v === null || v === "" ? undefined : String(v));
  const contact = {
    ssCardNumber: s(form.ssCardNumber),
    homeAddress: s(form.homeAddress),
    contactAddress: s(form.contactAddress),
    contactPerson: s(form.contactPerson),
    phone1: s(form.phone1),
    phone2: s(form.phone2),
  };
  return JSON.parse(JSON.stringify(contact));
}

const caseProblems = (issues: z.core.$ZodIssue[]) =>
  issues.map((i) => ({
    code: i.code,
    path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
    message: i.message,
  }));

const publicDecision = (d: Decision, decisionId: string) => {
  const { trace: _t, ...rest } = d;
  return { ...rest, decisionId };
};

export async function filingRoutes(fastify: FastifyInstance) {
  const app = fastify as unknown as App;
  const { store } = app.deps;
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const clerks = requireRoles(store, "clerk", "admin");
  const readers = requireRoles(store, "clerk", "admin", "tester", "officer", "approver");
  const fault = async (point: string) => app.deps.faults?.(point);
  const actorOf = (u: User | null) => u?.username ?? "";

  r.post(
    "/filings",
    {
      schema: {
        tags: ["filings"],
        summary: "Record an approved filing decision in the registry",
        body: z.strictObject({ decisionId: z.string() }),
        response: { 201: filingDetailSchema },
      },
      onRequest: clerks,
    },
    async (req, reply) => {
      const actor = actorOf(req.user);
      const d = await store.decisions.get(req.body.decisionId);
      if (!d) throw new AppError("NOT_FOUND", `no decision ${req.body.decisionId}`);
      if (d.kind !== "filing" || d.outcome !== "approved") {
        throw new AppError(
          "NOT_ELIGIBLE",
          `only an approved filing decision can be recorded; this one is a ${d.kind} decision, ${d.outcome}`,
        );
      }
      if (d.draftVersionId !== null) {
        throw new AppError(
          "NOT_ELIGIBLE",
          "this decision tried a draft rule set; decide with the published rules first",
        );
      }
      const parsed = caseSchema.safeParse(d.input, { error: plainMessages });
      if (!parsed.success) {
        throw new AppError(
          "NOT_ELIGIBLE",
          "the logged case no longer validates",
          caseProblems(parsed.error.issues),
        );
      }
      const c = parsed.data;
      const out = d.output;
      const v = out.validity;
      const dest = c.filing.destination;
      const filing = await store.transaction(async (tx) => {
        if (!(await tx.filings.lockDecision(d.id))) throw new AppError("NOT_FOUND", `no decision ${d.id}`);
        const existing = await tx.filings.byDecision(d.id);
        if (existing)
          throw new AppError("DUPLICATE", `decision ${d.id} is already recorded as filing ${existing.id}`);
        const f = await tx.filings.create({
          idNumber: c.applicant.idNumber,
          idMasked: maskIdNumber(c.applicant.idNumber),
          name: c.applicant.name ?? null,
          sex: c.applicant.sex,
          insuredRegion: c.insured.region,
          scheme: c.insured.scheme,
          category: out.category ?? (c.filing.category as string),
          destinationRegion: dest?.region ?? null,
          hospitalName: dest?.hospital?.name ?? null,
          hospitalLevel: dest?.hospital?.level ?? null,
          validFrom: v?.from ?? c.asOf,
          validUntil: v?.until ?? null,
          singleUse: v?.singleUse ?? false,
          changeLockedUntil: v?.changeLockedUntil ?? null,
          approvedOn: v?.from ?? c.asOf,
          decisionId: d.id,
          details: {
            insured: { status: c.insured.status },
            facts: factsOf(c),
            contact: contactOf(c),
            settlementMode: out.settlementMode,
          },
          createdBy: actor,
        });
        await fault("filing:after-update");
        const event = await tx.filings.addEvent({
          filingId: f.id,
          event: "filed",
          decisionId: d.id,
          actor,
          detail: { asOf: c.asOf, category: f.category, validity: v },
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
        return { f, event };
      });
      return reply.status(201).send(detail(filing.f, [filing.event], true));
    },
  );

  for (const kind of ["change", "revoke", "extend"] as const) {
    r.post(
      `/filings/:id/${kind}`,
      {
        schema: {
          tags: ["filings"],
          summary:
            kind === "change"
              ? "Change a filing (destination, hospital, category): decided by the rules, change locks apply"
              : kind === "revoke"
                ? "Revoke a filing (returning home): decided by the rules"
                : "Extend a filing's validity (referral): decided by the rules",
          description:
            "The request is decided as a case of this kind (logged in the decision log); only an approved decision is applied. " +
            "Not approved → 422 NOT_ELIGIBLE with the decision (reasons, missingMaterials). Stale revision → 409 STALE_REVISION; " +
            "a revoked or consumed filing → 409 INVALID_STATE.",
          params: z.object({ id: z.string() }),
          body: actionBody(kind === "change" ? changeFiling : actionFiling),
          response: { 200: filingDetailSchema.extend({ decision: z.record(z.string(), z.unknown()) }) },
        },
        onRequest: clerks,
      },
      async (req) => {
        const actor = actorOf(req.user);
        const body = req.body as {
          asOf: string;
          revision: number;
          filing?: Record<string, unknown>;
          insured?: Record<string, unknown>;
        };
        const f = await store.filings.get(req.params.id);
        if (!f) throw new AppError("NOT_FOUND", `no filing ${req.params.id}`);
        if (f.status !== "active") throw new AppError("INVALID_STATE", `the filing is ${f.status}`);
        if (f.revision !== body.revision) {
          throw new AppError("STALE_REVISION", undefined, undefined, { revision: f.revision });
        }

        const caseInput = {
          id: `filing:${f.id}:${kind}:r${f.revision}`,
          asOf: body.asOf,
          kind,
          applicant: { idNumber: f.idNumber, ...(f.name && { name: f.name }) },
          insured: {
            region: f.insuredRegion,
            scheme: f.scheme,
            ...(f.details.insured?.status && { status: f.details.insured.status }),
            ...body.insured,
          },
          filing: { ...f.details.facts, category: f.category, ...body.filing },
          previous: {
            category: f.category,
            approvedOn: f.approvedOn,
            validUntil: f.validUntil,
            extensions: f.extensions,
          },
        };
        const parsed = caseSchema.safeParse(caseInput, { error: plainMessages });
        if (!parsed.success) throw new AppError("CASE_INVALID", undefined, caseProblems(parsed.error.issues));
        const c = parsed.data;
        const result = (await app.policies.fresh()).decide(c);
        if (!result.ok) throw new AppError("NOT_DECIDABLE", result.problems[0]?.message, result.problems);
        const decision = result.decision;

        if (decision.outcome !== "approved") {
          const decisionId = await store.decisions.record(c, caseInput, decision, actor, null);
          throw new AppError(
            "NOT_ELIGIBLE",
            `the rules do not allow this ${kind} (${decision.outcome})`,
            undefined,
            { decision: publicDecision(decision, decisionId) },
          );
        }

        const patch = patchFor(kind, c, decision, f);
        return store.transaction(async (tx) => {
          const current = await tx.filings.lock(f.id);
          if (!current) throw new AppError("NOT_FOUND", `no filing ${f.id}`);
          if (current.status !== "active")
            throw new AppError("INVALID_STATE", `the filing is ${current.status}`);
          if (current.revision !== body.revision) {
            throw new AppError("STALE_REVISION", undefined, undefined, { revision: current.revision });
          }
          const decisionId = await tx.decisions.record(c, caseInput, decision, actor, null);
          const updated = await tx.filings.update(f.id, body.revision, patch);
          if (!updated) throw new AppError("STALE_REVISION");
          await fault("filing:after-update");
          const changes = diff(current, updated);
          await tx.filings.addEvent({
            filingId: f.id,
            event: EVENT_OF[kind],
            decisionId,
            actor,
            detail: { asOf: c.asOf, ...changes },
          });
          await tx.audit.record({
            actor,
            action: `filing.${kind}`,
            entity: "filing",
            entityId: f.id,
            detail: { decisionId, asOf: c.asOf, revision: updated.revision, ...changes },
          });
          const events = await tx.filings.events(f.id);
          return { ...detail(updated, events, true), decision: publicDecision(decision, decisionId) };
        });
      },
    );
  }

  r.post(
    "/filings/:id/consume",
    {
      schema: {
        tags: ["filings"],
        summary: "A settlement uses the filing: single-use filings are used up",
        description:
          "Admission and discharge must lie within the filing's validity (valid_from … valid_until), else 422 NOT_ELIGIBLE. " +
          "A single-use filing (referral, emergency) becomes consumed; a second consumption → 409 INVALID_STATE.",
        params: z.object({ id: z.string() }),
        body: z
          .strictObject({
            admission: isoDate,
            discharge: isoDate,
            revision: z.number().int().optional().describe("checked when given (optimistic locking)"),
          })
          .refine((b) => b.discharge >= b.admission, {
            message: "discharge is before admission",
            path: ["discharge"],
          }),
        response: { 200: filingDetailSchema },
      },
      onRequest: clerks,
    },
    async (req) => {
      const actor = actorOf(req.user);
      const { admission, discharge, revision } = req.body;
      return store.transaction(async (tx) => {
        const f = await tx.filings.lock(req.params.id);
        if (!f) throw new AppError("NOT_FOUND", `no filing ${req.params.id}`);
        if (f.status !== "active") {
          throw new AppError(
            "INVALID_STATE",
            f.status === "consumed"
              ? "this single-use filing was already used by a settlement"
              : `the filing is ${f.status}`,
          );
        }
        if (revision !== undefined && revision !== f.revision) {
          throw new AppError("STALE_REVISION", undefined, undefined, { revision: f.revision });
        }
        const outside = [
          ...(admission < f.validFrom || (f.validUntil !== null && admission > f.validUntil)
            ? ["admission"]
            : []),
          ...(f.validUntil !== null && discharge > f.validUntil ? ["discharge"] : []),
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
          const u = await tx.filings.update(f.id, f.revision, { status: "consumed" });
          if (!u) throw new AppError("STALE_REVISION");
          updated = u;
        }
        await fault("filing:after-update");
        const detailOf = { admission, discharge, singleUse: f.singleUse, status: updated.status };
        await tx.filings.addEvent({ filingId: f.id, event: "consumed", actor, detail: detailOf });
        await tx.audit.record({
          actor,
          action: "filing.consume",
          entity: "filing",
          entityId: f.id,
          detail: detailOf,
        });
        return detail(updated, await tx.filings.events(f.id), true);
      });
    },
  );

  const listQuery = {
    region: regionCode.optional().describe("insured region (参保地), by prefix: 510400 → every 5104xx"),
    destination: regionCode.optional().describe("treatment region (就医地), by prefix"),
    category: categoryEnum.optional(),
    from: isoDate.optional().describe("valid_from on or after"),
    to: isoDate.optional().describe("valid_from on or before"),
    crossProvince: z
      .enum(["true", "false"])
      .transform((v) => v === "true")
      .optional(),
  };

  r.get(
    "/filings",
    {
      schema: {
        tags: ["filings"],
        summary: "Search the registry (ID numbers masked)",
        querystring: z.object({
          ...listQuery,
          status: z.enum(FILING_STATUSES).optional(),
          idNumber: z.string().optional().describe("exact ID number (clerks and admins only)"),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.array(filingSummarySchema) },
      },
      onRequest: readers,
    },
    async (req) => {
      const full = hasRole(req.user, "clerk", "admin");
      if (req.query.idNumber && !full)
        throw new AppError("FORBIDDEN", "only clerks and admins may search by ID number");
      const rows = await store.filings.list(req.query);
      return rows.map((f) => ({ ...summary(f, full), idMasked: f.idMasked }));
    },
  );

  r.get(
    "/filings/export",
    {
      schema: {
        tags: ["filings"],
        summary: "Export a summary table (478号 附件2; 攀医保〔2017〕10号 附件3–5) as CSV or XLSX",
        description:
          "table=summary: 478号 附件2. resettled | long_term | worker: 攀医保〔2017〕10号 附件3 | 4 | 5 — the notice does not give " +
          "their columns, so they use 附件2's columns filtered by category, for persons insured in Panzhihua (510400). " +
          "Full ID numbers (社会保障号码): clerks and admins only; every export is audited. CSV is UTF-8 with a BOM.",
        querystring: z.object({
          ...listQuery,
          format: z.enum(["csv", "xlsx"]).default("csv"),
          table: z.enum(["summary", "resettled", "long_term", "worker"]).default("summary"),
          status: z.enum([...FILING_STATUSES, "all"]).default("active"),
        }),
      },
      onRequest: clerks,
    },
    async (req, reply) => {
      const q = req.query;
      const t = TABLES[q.table as TableId];
      if (t.category && q.category && q.category !== t.category) {
        throw new AppError("VALIDATION", `table ${q.table} holds only the category ${t.category}`);
      }
      if (t.region && q.region && !regionPrefix(q.region).startsWith(regionPrefix(t.region))) {
        throw new AppError(
          "VALIDATION",
          `table ${q.table} (${t.source}) covers persons insured in ${t.region}`,
        );
      }
      const filter: FilingFilter = {
        region: q.region ?? t.region,
        destination: q.destination,
        category: t.category ?? q.category,
        status: q.status === "all" ? undefined : q.status,
        from: q.from,
        to: q.to,
        crossProvince: q.crossProvince,
        order: "asc",
      };
      const rows = (await store.filings.list(filter)).map((f, i) => tableRow(f, i + 1));
      await store.audit.record({
        actor: actorOf(req.user),
        action: "filing.export",
        entity: "filing",
        detail: {
          table: q.table,
          format: q.format,
          rows: rows.length,
          filter: JSON.parse(JSON.stringify(filter)),
        },
      });
      const stem = `${t.sheet}-${t.title}`;
      const ascii = `filings-${q.table}`;
      reply.header("x-yidi-note", t.header);
      if (q.format === "csv") {
        const csv = `\uFEFF${stringify([[...SUMMARY_COLUMNS], ...rows], { record_delimiter: "\r\n" })}`;
        return reply
          .header("content-type", "text/csv; charset=utf-8")
          .header("content-disposition", disposition(`${ascii}.csv`, `${stem}.csv`))
          .send(csv);
      }
      const buf = await workbook(t, rows, filter);
      return reply
        .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .header("content-disposition", disposition(`${ascii}.xlsx`, `${stem}.xlsx`))
        .send(buf);
    },
  );

  r.get(
    "/filings/:id",
    {
      schema: {
        tags: ["filings"],
        summary: "One filing with its history; the full ID number for clerks and admins only",
        params: z.object({ id: z.string() }),
        response: { 200: filingDetailSchema },
      },
      onRequest: readers,
    },
    async (req) => {
      const f = await store.filings.get(req.params.id);
      if (!f) throw new AppError("NOT_FOUND", `no filing ${req.params.id}`);
      return detail(f, await store.filings.events(f.id), hasRole(req.user, "clerk", "admin"));
    },
  );
}

/** What an approved change, revocation or extension writes. */
function patchFor(kind: ActionKind, c: Case, d: Decision, f: Filing): FilingPatch {
  const v = d.validity;
  if (kind === "revoke") return { status: "revoked" };
  if (kind === "extend") {
    return {
      validUntil: v?.until ?? f.validUntil,
      extensions: v?.extensions ?? f.extensions + 1,
    };
  }
  // A change starts a new period: new destination, validity and change lock (攀医保〔2017〕10号:
  // the lock runs from the approval of the change).
  const dest = c.filing.destination;
  return {
    category: d.category ?? f.category,
    destinationRegion: dest?.region ?? null,
    hospitalName: dest?.hospital?.name ?? null,
    hospitalLevel: dest?.hospital?.level ?? null,
    validFrom: v?.from ?? c.asOf,
    validUntil: v?.until ?? null,
    singleUse: v?.singleUse ?? false,
    changeLockedUntil: v?.changeLockedUntil ?? null,
    approvedOn: v?.from ?? c.asOf,
    extensions: 0,
    details: {
      ...f.details,
      insured: { status: c.insured.status },
      facts: factsOf(c),
      contact: { ...f.details.contact, ...contactOf(c) },
      settlementMode: d.settlementMode,
    },
  };
}

const TRACKED = [
  "status",
  "category",
  "destinationRegion",
  "hospitalName",
  "hospitalLevel",
  "validFrom",
  "validUntil",
  "singleUse",
  "changeLockedUntil",
  "extensions",
  "approvedOn",
] as const;

/** The tracked fields that changed: {before: {...}, after: {...}} (no personal data). */
function diff(before: Filing, after: Filing) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const k of TRACKED) {
    if (before[k] !== after[k]) {
      b[k] = before[k];
      a[k] = after[k];
    }
  }
  return { before: b, after: a };
}

/** One row of the summary tables, in SUMMARY_COLUMNS order. */
function tableRow(f: Filing, n: number): (string | number)[] {
  const c = f.details.contact ?? {};
  return [
    n,
    f.insuredRegion,
    f.name ?? "",
    f.sex === "male" ? "男" : f.sex === "female" ? "女" : f.sex,
    vocabulary.SCHEMES.labels[f.scheme as keyof typeof vocabulary.SCHEMES.labels]?.zh ?? f.scheme,
    vocabulary.CATEGORIES.labels[f.category as Category]?.zh ?? f.category,
    f.idNumber, // 社会保障号码 is the resident ID number
    c.ssCardNumber ?? "",
    c.contactAddress ?? c.homeAddress ?? "",
    c.phone1 ?? "",
    // Recorded as the destination region of the filing (may be a district code under the pooling city).
    f.destinationRegion ?? "",
    f.hospitalName ?? "",
    "", // 备案医院编码: hospital codes are not recorded by the registry
  ];
}

async function workbook(
  t: (typeof TABLES)[TableId],
  rows: (string | number)[][],
  filter: FilingFilter,
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "yidi";
  const ws = wb.addWorksheet(t.sheet);
  ws.addRow([...SUMMARY_COLUMNS]).font = { bold: true };
  ws.addRows(rows);
  // Codes and ID numbers are text: as numbers Excel would round an 18-digit ID number.
  for (const col of [2, 7, 8, 10, 11]) ws.getColumn(col).numFmt = "@";
  ws.columns.forEach((col, i) => {
    col.width = [6, 12, 10, 6, 20, 18, 22, 20, 30, 16, 14, 28, 14][i] ?? 14;
  });
  ws.views = [{ state: "frozen", ySplit: 1 }];
  const about = wb.addWorksheet("说明");
  about.addRows([
    ["表名", t.title],
    ["依据", t.source],
    ...(t.note ? [["说明", t.note]] : []),
    ["备案医院编码", "备案信息库未登记医院编码，此栏留空"],
    ["筛选条件", JSON.stringify(filter)],
    ["行数", rows.length],
    ["导出时间", new Date().toISOString()],
  ]);
  about.getColumn(1).width = 14;
  about.getColumn(2).width = 80;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Content-Disposition with an ASCII fallback and the Chinese name (RFC 6266 / 5987). */
const disposition = (ascii: string, utf8: string) =>
  `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(utf8)}`;
