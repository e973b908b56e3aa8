import { z } from "zod";
import type { Decision } from "../../engine/index.ts";
import { maskDeep } from "../mask.ts";
import {
  FILING_STATES,
  type Filing,
  type FilingEvent,
  filingEventSchema,
  filingSchema,
  stateOn,
} from "../store/filings.ts";
import { maskName } from "./privacy.ts";

/*
 * What the routes answer about filings, derived from the one filing schema (store/filings.ts):
 * the stored status becomes the state on today (an active filing past its valid_until is
 * `expired`), personal data is shown as the role may see it.
 */

export const filingSummarySchema = filingSchema.omit({ idNumber: true, details: true }).extend({
  status: z
    .enum(FILING_STATES)
    .describe("the state today: an active filing past its validUntil is expired (computed when read)"),
  endedOn: z
    .string()
    .nullable()
    .describe("when it ended: revoked (the revocation's date), consumed (discharge), expired (validUntil)"),
});
export type FilingSummary = z.infer<typeof filingSummarySchema>;

export const filingDetailSchema = filingSummarySchema.extend({
  idNumber: z.string().describe("full for clerks and admins, masked for other roles"),
  contact: z
    .record(z.string(), z.string().optional())
    .nullable()
    .describe("filing-form contact data (card number, addresses, phones): clerks and admins only"),
  settlementMode: z.string().nullable(),
  facts: z.record(z.string(), z.unknown()).describe("the case facts the next change is decided with"),
  events: z.array(filingEventSchema.omit({ filingId: true })),
});
export type FilingDetail = z.infer<typeof filingDetailSchema>;

/** A filing in a list, on `today`, for a role that handles files (`full`) or not. */
export function filingSummary(f: Filing, today: string, full: boolean): FilingSummary {
  const { idNumber: _id, details: _d, ...rest } = f;
  const state = stateOn(f, today);
  return {
    ...rest,
    status: state,
    endedOn: f.endedOn ?? (state === "expired" ? f.validUntil : null),
    name: full ? f.name : maskName(f.name),
  };
}

/** One filing with its history. */
export function filingDetail(f: Filing, events: FilingEvent[], today: string, full: boolean): FilingDetail {
  return {
    ...filingSummary(f, today, full),
    idNumber: full ? f.idNumber : f.idMasked,
    contact: full ? (f.details.contact ?? {}) : null,
    settlementMode: f.details.settlementMode ?? null,
    facts: full ? (f.details.facts ?? {}) : maskDeep(f.details.facts ?? {}),
    events: events.map(({ filingId: _f, ...e }) => (full ? e : { ...e, detail: maskDeep(e.detail) })),
  };
}

/** A decision as the API returns it with an action: no trace, with its id in the log. */
export const publicDecision = (d: Decision, decisionId: string) => {
  const { trace: _t, ...rest } = d;
  return { ...rest, decisionId };
};
