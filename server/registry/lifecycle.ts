import type { Case, Decision } from "../../engine/index.ts";
import { vocabulary } from "../../engine/index.ts";
import type { Filing, FilingDetails, FilingPatch, NewFiling } from "../store/filings.ts";

/*
 * The lifecycle of a filing as data: what an approved filing decision records, the case a change,
 * revocation or extension is decided as, and what an approved one writes. Pure functions: the
 * registry (registry.ts) runs them inside its transactions.
 */

export type ActionKind = "change" | "revoke" | "extend";
export const EVENT_OF: Record<ActionKind, "changed" | "revoked" | "extended"> = {
  change: "changed",
  revoke: "revoked",
  extend: "extended",
};

/** What a change, revocation or extension request hands in (the route's body, parsed). */
export type ActionRequest = {
  asOf: string;
  revision: number;
  filing?: Record<string, unknown> | undefined;
  insured?: Record<string, unknown> | undefined;
};

/** The facts of an approved case that a later change, revocation or extension is decided with. */
export function factsOf(c: Case): Record<string, unknown> {
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

/** The filing form's contact data (478号 附件1), kept for the summary tables. */
export function contactOf(c: Case): NonNullable<FilingDetails["contact"]> {
  const form = c.filing.form ?? {};
  const s = (v: unknown) => (v === undefined || v === null || v === "" ? undefined : String(v));
  return JSON.parse(
    JSON.stringify({
      ssCardNumber: s(form.ssCardNumber),
      homeAddress: s(form.homeAddress),
      contactAddress: s(form.contactAddress),
      contactPerson: s(form.contactPerson),
      phone1: s(form.phone1),
      phone2: s(form.phone2),
    }),
  );
}

/** The registry entry an approved (or reviewed and approved) filing decision becomes. */
export function newFiling(c: Case, d: Decision, decisionId: string, createdBy: string): NewFiling {
  const v = d.validity;
  const dest = c.filing.destination;
  return {
    idNumber: c.applicant.idNumber,
    idMasked: vocabulary.maskIdNumber(c.applicant.idNumber),
    name: c.applicant.name ?? null,
    sex: c.applicant.sex,
    insuredRegion: c.insured.region,
    scheme: c.insured.scheme,
    category: d.category ?? (c.filing.category as string),
    destinationRegion: dest?.region ?? null,
    hospitalName: dest?.hospital?.name ?? null,
    hospitalLevel: dest?.hospital?.level ?? null,
    validFrom: v?.from ?? c.asOf,
    validUntil: v?.until ?? null,
    singleUse: v?.singleUse ?? false,
    changeLockedUntil: v?.changeLockedUntil ?? null,
    approvedOn: v?.from ?? c.asOf,
    decisionId,
    details: {
      insured: { status: c.insured.status },
      facts: factsOf(c),
      contact: contactOf(c),
      settlementMode: d.settlementMode,
    },
    createdBy,
  };
}

/**
 * The case a change, revocation or extension is decided as: the applicant and insured person as
 * recorded, the facts of the last approved case, what the request hands in now, and `previous`
 * from the filing's columns.
 */
export function actionCase(kind: ActionKind, f: Filing, req: ActionRequest): Record<string, unknown> {
  return {
    id: `filing:${f.id}:${kind}:r${f.revision}`,
    asOf: req.asOf,
    kind,
    applicant: { idNumber: f.idNumber, ...(f.name && { name: f.name }) },
    insured: {
      region: f.insuredRegion,
      scheme: f.scheme,
      ...(f.details.insured?.status && { status: f.details.insured.status }),
      ...req.insured,
    },
    filing: { ...f.details.facts, category: f.category, ...req.filing },
    previous: {
      category: f.category,
      approvedOn: f.approvedOn,
      validUntil: f.validUntil,
      extensions: f.extensions,
    },
  };
}

/** What an approved change, revocation or extension writes. */
export function patchFor(kind: ActionKind, c: Case, d: Decision, f: Filing): FilingPatch {
  const v = d.validity;
  // A revocation ends the filing on the day it is decided for (returning home on asOf).
  if (kind === "revoke") return { status: "revoked", endedOn: c.asOf };
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
  "endedOn",
] as const;

/** The tracked fields that changed: {before: {...}, after: {...}} (no personal data). */
export function changes(before: Filing, after: Filing) {
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

/** Two validity periods (until null: open-ended) share at least one day. */
export function periodsOverlap(
  a: { validFrom: string; validUntil: string | null },
  b: { validFrom: string; validUntil: string | null },
): boolean {
  return (
    (a.validUntil === null || a.validUntil >= b.validFrom) &&
    (b.validUntil === null || b.validUntil >= a.validFrom)
  );
}
