import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { type Case, caseSchema, plainMessages, vocabulary } from "../../engine/index.ts";
import { requireRoles } from "../auth.ts";
import { PRINT_SCRIPT, withPrintButton } from "../documents/layout.ts";
import type { Person } from "../documents/notice.ts";
import { noticeHtml } from "../documents/notice.ts";
import { receiptHtml } from "../documents/receipt.ts";
import { settlementSlipHtml } from "../documents/slip.ts";
import { AppError } from "../errors.ts";
import { handlesFiles, maskName, outputAsSeen } from "../registry/privacy.ts";
import type { DecisionDetail } from "../store/decisions.ts";
import type { Store } from "../store/index.ts";

/** What the printable documents need (given by `build`, typed). */
export type DocumentRouteOptions = { store: Store; today: () => string };

const html = z
  .string()
  .describe("a print-ready A4 HTML page (print it, or save it as PDF, from the browser)");
const TAGS = ["documents"];

/**
 * Printable documents of logged decisions, as A4 HTML pages (the browser's print gives the PDF):
 * the 一次性告知书, the 受理回执 / 备案凭证 and the 附件6 settlement slip. ID numbers and names are
 * shown in full only to the roles that handle files (server/registry/privacy.ts).
 */
export const documentRoutes: FastifyPluginAsyncZod<DocumentRouteOptions> = async (r, opts) => {
  // the print button's script: public, nothing personal in it (hidden from the API document)
  r.get("/documents/print.js", { schema: { hide: true } }, async (_req, reply) =>
    reply
      .type("text/javascript; charset=utf-8")
      .header("cache-control", "public, max-age=3600")
      .send(PRINT_SCRIPT),
  );
  const { store, today } = opts;
  const readers = requireRoles(store, "clerk", "tester", "officer", "approver", "admin");

  /** A logged decision and its case; for roles that do not handle files, the output's ID numbers (the case id) masked. */
  const load = async (id: string, full: boolean): Promise<{ d: DecisionDetail; c: Case }> => {
    const logged = await store.decisions.get(id);
    const d = logged && (full ? logged : { ...logged, output: outputAsSeen(logged.output, false) });
    if (!d) throw new AppError("NOT_FOUND", { en: `no decision ${id}`, zh: `没有决定 ${id}` });
    const parsed = caseSchema.safeParse(d.input, { error: plainMessages });
    if (!parsed.success) throw new AppError("NOT_ELIGIBLE", "the logged case no longer validates");
    return { d, c: parsed.data };
  };
  const person = (c: Case, full: boolean): Person => ({
    name: full ? (c.applicant.name ?? null) : maskName(c.applicant.name),
    idNumber: full ? c.applicant.idNumber : vocabulary.maskIdNumber(c.applicant.idNumber),
    insuredRegion: c.insured.region,
  });
  const params = z.object({ id: z.string() });
  const schema = (summary: string, description: string) => ({
    tags: TAGS,
    summary,
    description,
    params,
    produces: ["text/html"],
    response: { 200: html },
  });

  r.get(
    "/decisions/:id/notice.html",
    {
      schema: schema(
        "一次性告知书: every missing material and field of a decision, each with its citation",
        "For any filing, change, revocation or extension decision; an empty list says nothing is missing.",
      ),
      onRequest: readers,
    },
    async (req, reply) => {
      const { d, c } = await load(req.params.id, handlesFiles(req.user));
      const page = noticeHtml(d.output, person(c, handlesFiles(req.user)), today());
      return reply.type("text/html; charset=utf-8").send(withPrintButton(page));
    },
  );

  r.get(
    "/decisions/:id/receipt.html",
    {
      schema: schema(
        "受理回执 / 备案凭证 of an approved decision (the 备案凭证 once it is recorded as a filing)",
        "422 NOT_ELIGIBLE for a decision that is not approved (or a manual_review one not approved by a reviewer).",
      ),
      onRequest: readers,
    },
    async (req, reply) => {
      const { d, c } = await load(req.params.id, handlesFiles(req.user));
      const reviewed =
        d.outcome === "manual_review" && (await store.reviews.get(d.id))?.status === "approved";
      if (d.outcome !== "approved" && !reviewed) {
        throw new AppError("NOT_ELIGIBLE", {
          en: `a receipt is for an approved decision; this one is ${d.outcome}`,
          zh: `仅已核准的决定可出具回执，本决定为 ${d.outcome}`,
        });
      }
      const filing = await store.filings.byDecision(d.id);
      const output = filing
        ? {
            ...d.output,
            validity: d.output.validity ?? {
              from: filing.validFrom,
              until: filing.validUntil,
              singleUse: filing.singleUse,
              changeLockedUntil: filing.changeLockedUntil,
            },
          }
        : d.output;
      const page = receiptHtml(
        output,
        person(c, handlesFiles(req.user)),
        today(),
        filing && {
          id: filing.id,
          destinationRegion: filing.destinationRegion,
          hospitalName: filing.hospitalName,
          validFrom: filing.validFrom,
          validUntil: filing.validUntil,
          status: filing.status,
        },
      );
      return reply.type("text/html; charset=utf-8").send(withPrintButton(page));
    },
  );

  r.get(
    "/filings/:id/certificate.html",
    {
      schema: schema(
        "备案凭证 of a filing as it stands now (after its changes and extensions)",
        "The filing's current destination and validity, with the reasons of the last decision applied to it.",
      ),
      onRequest: readers,
    },
    async (req, reply) => {
      const filing = await store.filings.get(req.params.id);
      if (!filing)
        throw new AppError("NOT_FOUND", {
          en: `no filing ${req.params.id}`,
          zh: `没有备案 ${req.params.id}`,
        });
      const events = await store.filings.events(filing.id);
      const last = [...events].reverse().find((e) => e.decisionId && e.event !== "revoked")?.decisionId;
      const { d, c } = await load(last ?? filing.decisionId, handlesFiles(req.user));
      const output = {
        ...d.output,
        validity: {
          from: filing.validFrom,
          until: filing.validUntil,
          singleUse: filing.singleUse,
          changeLockedUntil: filing.changeLockedUntil,
        },
      };
      const page = receiptHtml(output, person(c, handlesFiles(req.user)), today(), {
        id: filing.id,
        destinationRegion: filing.destinationRegion,
        hospitalName: filing.hospitalName,
        validFrom: filing.validFrom,
        validUntil: filing.validUntil,
        status: filing.status,
      });
      return reply.type("text/html; charset=utf-8").send(withPrintButton(page));
    },
  );

  r.get(
    "/decisions/:id/slip.html",
    {
      schema: schema(
        "附件6 settlement slip (跨省异地就医住院结算单) of a settlement decision",
        "The same slip as `yidi settle --format html`. 422 NOT_ELIGIBLE for a decision that is not a settlement.",
      ),
      onRequest: readers,
    },
    async (req, reply) => {
      const { d, c } = await load(req.params.id, handlesFiles(req.user));
      if (!c.settlement || !d.output.benefits) {
        throw new AppError("NOT_ELIGIBLE", { en: "this decision is not a settlement", zh: "该决定不是结算" });
      }
      const full = handlesFiles(req.user);
      const shown = full
        ? c
        : { ...c, applicant: { ...c.applicant, name: maskName(c.applicant.name) ?? undefined } };
      return reply
        .type("text/html; charset=utf-8")
        .send(withPrintButton(settlementSlipHtml(shown as Case, d.output, full)));
    },
  );
};
