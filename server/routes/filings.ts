import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { caseFields, isoDate, regionWithin, vocabulary } from "../../engine/index.ts";
import { hasRole, requireRoles } from "../auth.ts";
import { AppError } from "../errors.ts";
import {
  contentDisposition,
  summaryCsv,
  summaryXlsx,
  TABLE_IDS,
  TABLES,
  tableRow,
} from "../exports/summary-tables.ts";
import { handlesFiles } from "../registry/privacy.ts";
import type { FilingWithEvents, Registry } from "../registry/registry.ts";
import {
  filingDetail,
  filingDetailSchema,
  filingSummary,
  filingSummarySchema,
  publicDecision,
} from "../registry/views.ts";
import { FILING_STATES, type FilingFilter } from "../store/filings.ts";
import type { Store } from "../store/index.ts";
import { manualReviewSchema } from "../store/manual-reviews.ts";

/** What the filing routes need (given by `build`, typed). */
export type FilingRouteOptions = {
  store: Store;
  registry: Registry;
  /** Today's date (YYYY-MM-DD): filings past their validUntil show as expired. */
  today: () => string;
};

const categoryEnum = z.enum(vocabulary.CATEGORIES.ids);
const regionCode = z.string().regex(/^\d{6}$/, 'a 6-digit region code such as "510400"');
const flag = z
  .enum(["true", "false"])
  .transform((v) => v === "true")
  .optional();

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

const SUMMARY: Record<"change" | "revoke" | "extend", string> = {
  change: "Change a filing (destination, hospital, category): decided by the rules, change locks apply",
  revoke: "Revoke a filing (returning home): decided by the rules; the filing records the day it ended",
  extend: "Extend a filing's validity (referral): decided by the rules",
};

/**
 * The filing registry over HTTP (server/registry/ holds the logic). Roles: clerks and admins
 * record, change, revoke, extend, consume and export; every logged-in role but none reads, with
 * personal data as server/registry/privacy.ts says.
 */
export const filingRoutes: FastifyPluginAsyncZod<FilingRouteOptions> = async (r, opts) => {
  const { store, registry, today } = opts;
  const clerks = requireRoles(store, "clerk", "admin");
  const readers = requireRoles(store, "clerk", "admin", "tester", "officer", "approver");
  const actorOf = (u: { username: string } | null) => u?.username ?? "";
  const full = (x: FilingWithEvents) => filingDetail(x.filing, x.events, today(), true);

  r.post(
    "/filings",
    {
      schema: {
        tags: ["filings"],
        summary: "Record an approved filing decision (or one approved by a manual review) in the registry",
        description:
          "409 DUPLICATE when the decision is recorded already; 409 OVERLAPPING_FILING (naming the existing filing) when " +
          "the person holds an active filing of the category for an overlapping period (two single-use filings may overlap); " +
          "422 NOT_ELIGIBLE for any other decision, or a manual_review one not yet approved by a reviewer.",
        body: z.strictObject({ decisionId: z.string() }),
        response: { 201: filingDetailSchema },
      },
      onRequest: clerks,
    },
    async (req, reply) =>
      reply.status(201).send(full(await registry.record(req.body.decisionId, actorOf(req.user)))),
  );

  for (const kind of ["change", "revoke", "extend"] as const) {
    r.post(
      `/filings/:id/${kind}`,
      {
        schema: {
          tags: ["filings"],
          summary: SUMMARY[kind],
          description:
            "The request is decided as a case of this kind (logged in the decision log). Approved → applied (200). " +
            "manual_review → queued for a reviewer, the filing unchanged (202, GET /api/reviews). Otherwise 422 NOT_ELIGIBLE " +
            "with the decision (reasons, missingMaterials). A revision behind the stored one → 409 STALE_REVISION; ahead of it " +
            "→ 409 REVISION_AHEAD; a revoked or consumed filing → 409 INVALID_STATE.",
          params: z.object({ id: z.string() }),
          body: actionBody(kind === "change" ? changeFiling : actionFiling),
          response: {
            200: filingDetailSchema.extend({ decision: z.record(z.string(), z.unknown()) }),
            202: z.object({ review: manualReviewSchema, decision: z.record(z.string(), z.unknown()) }),
          },
        },
        onRequest: clerks,
      },
      async (req, reply) => {
        const body = req.body as Parameters<Registry["act"]>[2];
        const result = await registry.act(req.params.id, kind, body, actorOf(req.user));
        const decision = publicDecision(result.decision, result.decisionId);
        if (!result.applied) return reply.status(202).send({ review: result.review, decision });
        return reply.status(200).send({ ...full(result), decision });
      },
    );

    r.post(
      `/filings/:id/${kind}/preview`,
      {
        schema: {
          tags: ["filings"],
          summary: `What POST /filings/{id}/${kind} would decide, applying nothing`,
          description:
            "The same request and checks as the action, decided by the rules in force, but nothing is applied, logged or " +
            "queued: the clerk sees the decision before confirming. effect: apply (approved), queue (manual_review) or " +
            "refuse (any other outcome, with reasons and missing materials).",
          params: z.object({ id: z.string() }),
          body: actionBody(kind === "change" ? changeFiling : actionFiling),
          response: {
            200: z.object({
              effect: z.enum(["apply", "queue", "refuse"]),
              decision: z.record(z.string(), z.unknown()),
            }),
          },
        },
        onRequest: clerks,
      },
      async (req) => {
        const body = req.body as Parameters<Registry["act"]>[2];
        const { decision, effect } = await registry.preview(req.params.id, kind, body);
        const { trace: _trace, ...shown } = decision;
        return { effect, decision: shown };
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
          "A single-use filing (referral, emergency) becomes consumed, ending on the discharge date; a second consumption → 409 INVALID_STATE.",
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
    async (req) => full(await registry.consume(req.params.id, req.body, actorOf(req.user))),
  );

  const listQuery = {
    region: regionCode.optional().describe("insured region (参保地), by prefix: 510400 → every 5104xx"),
    destination: regionCode.optional().describe("treatment region (就医地), by prefix"),
    category: categoryEnum.optional(),
    from: isoDate.optional().describe("valid_from on or after"),
    to: isoDate.optional().describe("valid_from on or before"),
    crossProvince: flag.describe("true: only cross-province filings; false: only in-province ones"),
  };

  r.get(
    "/filings",
    {
      schema: {
        tags: ["filings"],
        summary:
          "Search the registry (ID numbers masked; names shortened for roles that do not handle files)",
        querystring: z.object({
          ...listQuery,
          status: z
            .enum(FILING_STATES)
            .optional()
            .describe("the state today: active leaves out expired filings"),
          name: z.string().min(1).max(50).optional().describe("part of the name"),
          idNumber: z
            .string()
            .regex(/^\d{6}(\d{8}|\*{8})\d{3}[\dXx]$/, "an ID number, full or masked (510402********1236)")
            .optional()
            .describe(
              "a full ID number (clerks and admins only) or a masked one; results are masked either way",
            ),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.array(filingSummarySchema) },
      },
      onRequest: readers,
    },
    async (req) => {
      const mayIdentify = handlesFiles(req.user);
      const { idNumber, ...q } = req.query;
      const masked = idNumber?.includes("*");
      if (idNumber && !masked && !mayIdentify)
        throw new AppError("FORBIDDEN", "only clerks and admins may search by a full ID number");
      const id = idNumber?.toUpperCase();
      const rows = await store.filings.list({
        ...q,
        today: today(),
        ...(id && (masked ? { idMasked: id } : { idNumber: id })),
      });
      return rows.map((f) => filingSummary(f, today(), mayIdentify));
    },
  );

  r.get(
    "/filings/export",
    {
      schema: {
        tags: ["filings"],
        summary: "Download a summary table (478号 附件2; 攀医保〔2017〕10号 附件3–5) as CSV or XLSX",
        description:
          "table=summary: 478号 附件2, cross-province filings only unless includeInProvince=true. resettled | long_term | " +
          "worker: 攀医保〔2017〕10号 附件3 | 4 | 5 — the notice does not give their columns, so they use 附件2's columns " +
          "filtered by category, for persons insured in Panzhihua (510400). A last column 备案状态 gives each filing's state " +
          "today (有效 / 已过期 / 已撤销 / 已使用). Full ID numbers (社会保障号码): clerks and admins only; every export is " +
          "audited. CSV is UTF-8 with a BOM. Content-Disposition: attachment with the Chinese file name (RFC 5987).",
        querystring: z.object({
          ...listQuery,
          format: z.enum(["csv", "xlsx"]).default("csv"),
          table: z.enum(TABLE_IDS).default("summary"),
          status: z.enum([...FILING_STATES, "all"]).default("active"),
          includeInProvince: flag.describe("附件2 only: include in-province filings too"),
        }),
      },
      onRequest: clerks,
    },
    async (req, reply) => {
      const q = req.query;
      const t = TABLES[q.table];
      if (t.category && q.category && q.category !== t.category) {
        throw new AppError("VALIDATION", `table ${q.table} holds only the category ${t.category}`);
      }
      if (t.region && q.region && !regionWithin(q.region, t.region)) {
        throw new AppError(
          "VALIDATION",
          `table ${q.table} (${t.source}) covers persons insured in ${t.region}`,
        );
      }
      const now = today();
      const filter: FilingFilter = {
        region: q.region ?? t.region,
        destination: q.destination,
        category: t.category ?? q.category,
        status: q.status === "all" ? undefined : q.status,
        today: now,
        from: q.from,
        to: q.to,
        crossProvince: q.crossProvince ?? (t.crossProvinceOnly && !q.includeInProvince ? true : undefined),
        order: "asc",
      };
      const rows = (await store.filings.list(filter)).map((f, i) => tableRow(f, i + 1, now));
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
      const file =
        q.format === "csv"
          ? summaryCsv(q.table, rows)
          : await summaryXlsx(q.table, rows, filter, new Date().toISOString());
      return reply
        .header("x-yidi-note", t.header)
        .header("content-type", file.contentType)
        .header("content-disposition", contentDisposition(file.filename.ascii, file.filename.utf8))
        .send(file.body);
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
      const x = await registry.get(req.params.id);
      return filingDetail(x.filing, x.events, today(), hasRole(req.user, "clerk", "admin"));
    },
  );
};
