import { Readable } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { type Kysely, sql } from "kysely";
import { z } from "zod";
import { regionPrefix } from "../../engine/index.ts";
import { requireRoles } from "../auth.ts";
import { handlesFiles, outputAsSeen, replayCaseAsSeen } from "../registry/privacy.ts";
import { askedBetween } from "../store/decisions.ts";
import type { Store } from "../store/index.ts";
import type { Database } from "../store/schema.ts";

export type DecisionLogRouteOptions = { store: Store };

/** Rows read per query while exporting. */
const PAGE = 1000;

/**
 * GET /api/decisions/export: the decision log as JSON Lines, one logged decision a line —
 * `{case, decision, ruleSets, loggedAt, decisionId}` — the case as it was given (for admins, who
 * handle files; testers and approvers get it masked as they see the log, with a stand-in ID
 * number that keeps the birth date and sex the rules read, so it replays alike), the decision
 * first given and its rule-set chain with content hashes. `yidi simulate` reads the file as it
 * is and compares each replayed decision with the logged one. Decisions made against a draft are left out (they were never the platform's answer).
 * Testers, approvers and admins only; every export is in the audit log with its filter and count.
 */
export const decisionLogRoutes: FastifyPluginAsyncZod<DecisionLogRouteOptions> = async (r, opts) => {
  const { store } = opts;
  r.get(
    "/decisions/export",
    {
      schema: {
        tags: ["decisions"],
        summary: "Export the decision log as JSON Lines (for `yidi simulate`)",
        description:
          "Admins get each case as it was given. Testers and approvers get it as they see the log (names shortened, " +
          "contact data ***, ID numbers and case ids masked), the applicant's ID number replaced by a valid stand-in " +
          "with the same region, birth date and sex, so the case replays to the same decision.",
        querystring: z.object({
          from: z.iso.date().optional().describe("asked on or after this date"),
          to: z.iso.date().optional().describe("asked before this date"),
          region: z
            .string()
            .regex(/^\d{6}$/)
            .optional()
            .describe("insured regions within this code"),
          outcome: z.enum(["approved", "rejected", "incomplete", "manual_review"]).optional(),
        }),
      },
      onRequest: requireRoles(store, "tester", "approver", "admin"),
    },
    async (req, reply) => {
      const q = req.query;
      // Admins handle files and get the cases as given; testers and approvers get them as they
      // see the log, with a stand-in ID number that decides alike (server/registry/privacy.ts).
      const full = handlesFiles(req.user);
      const actor = req.user?.username ?? "";
      // Streamed a page at a time (never the whole log in memory); audited with its count once sent.
      async function* body() {
        let count = 0;
        for await (const page of exportPages(store, q)) {
          count += page.length;
          yield `${(full ? page : page.map(replayLineAsSeen)).join("\n")}\n`;
        }
        await store.audit.record({
          actor,
          action: "decisions.export",
          entity: "decisions",
          detail: { filter: q, count },
        });
      }
      return reply
        .type("application/x-ndjson; charset=utf-8")
        .header("content-disposition", 'attachment; filename="decisions.jsonl"')
        .send(Readable.from(body()));
    },
  );
};

type ExportFilter = {
  from?: string | undefined;
  to?: string | undefined;
  region?: string | undefined;
  outcome?: string | undefined;
};

function exportQuery(store: Store, q: ExportFilter) {
  // The decision store's connection (read only here); its own methods page without input/output.
  const db = (store.decisions as unknown as { db: Kysely<Database> }).db;
  let query = db
    .selectFrom("decisions")
    .select(["id", "input", "output", "chain", "asked_at", sql<string>`asked_at::text`.as("cursor_at")])
    .where("draft_version_id", "is", null);
  if (q.outcome) query = query.where("outcome", "=", q.outcome);
  if (q.region) query = query.where("insured_region", "like", `${regionPrefix(q.region)}%`);
  return query.$call(askedBetween(q.from, q.to));
}

/**
 * The export's lines, oldest first, a page of rows at a time: each page is read after the last
 * row of the one before (keyset: asked_at to the microsecond, then id), so the whole log is
 * never held and a row logged meanwhile is neither skipped nor read twice.
 */
export async function* exportPages(store: Store, q: ExportFilter): AsyncGenerator<string[]> {
  const base = exportQuery(store, q);
  let after: { at: string; id: string } | undefined;
  for (;;) {
    let query = base;
    if (after) {
      const { at, id } = after;
      query = query.where(sql<boolean>`(asked_at, id) > (${at}::timestamptz, ${id})`);
    }
    const rows = await query.orderBy("asked_at").orderBy("id").limit(PAGE).execute();
    if (rows.length) yield rows.map((row) => line({ ...row, ...store.decisions.opened(row) }));
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) return;
    after = { at: last.cursor_at, id: last.id };
  }
}

/** The export's lines, oldest first; with `last`, the last N (the server-side simulator's "last N logged decisions"). */
export async function exportLines(
  store: Store,
  q: ExportFilter & { last?: number | undefined },
): Promise<string[]> {
  const out: string[] = [];
  if (q.last !== undefined) {
    const rows = await exportQuery(store, q)
      .orderBy("asked_at", "desc")
      .orderBy("id", "desc")
      .limit(q.last)
      .execute();
    for (const row of rows.reverse()) out.push(line({ ...row, ...store.decisions.opened(row) }));
    return out;
  }
  for await (const page of exportPages(store, q)) out.push(...page);
  return out;
}

function line(row: {
  id: string;
  input: unknown;
  output: unknown;
  chain: unknown;
  asked_at: unknown;
}): string {
  return JSON.stringify({
    case: row.input,
    decision: row.output,
    ruleSets: row.chain,
    loggedAt: new Date(row.asked_at as string).toISOString(),
    decisionId: row.id,
  });
}

/** An export line as roles that do not handle files get it (see `replayCaseAsSeen`). */
function replayLineAsSeen(line: string): string {
  const entry = JSON.parse(line) as { case: Record<string, unknown>; decision: unknown };
  return JSON.stringify({
    ...entry,
    case: replayCaseAsSeen(entry.case, false),
    decision: outputAsSeen(entry.decision, false),
  });
}
