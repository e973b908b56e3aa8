import { type Kysely, type Selectable, sql } from "kysely";
import { isUuid } from "./decisions.ts";
import type { Database, FilingEventsTable, FilingStatus, FilingsTable } from "./schema.ts";

/** One filing in the registry (备案人员信息库). `idNumber` is the full ID number: callers decide who sees it. */
export type Filing = {
  id: string;
  idNumber: string;
  idMasked: string;
  name: string | null;
  sex: string;
  insuredRegion: string;
  scheme: string;
  category: string;
  status: FilingStatus;
  destinationRegion: string | null;
  hospitalName: string | null;
  hospitalLevel: string | null;
  validFrom: string;
  validUntil: string | null;
  singleUse: boolean;
  changeLockedUntil: string | null;
  extensions: number;
  approvedOn: string;
  decisionId: string;
  details: FilingDetails;
  revision: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
};

/**
 * What the registry keeps beside the columns: the facts of the case last approved for this filing
 * (so a change, revocation or extension can be decided without retyping them), the contact data of
 * the filing form (personal data: shown to clerks and admins only), and the settlement mode.
 */
export type FilingDetails = {
  insured?: { status?: string | undefined };
  facts?: Record<string, unknown>;
  contact?: {
    ssCardNumber?: string | undefined;
    homeAddress?: string | undefined;
    contactAddress?: string | undefined;
    contactPerson?: string | undefined;
    phone1?: string | undefined;
    phone2?: string | undefined;
  };
  settlementMode?: string | null;
};

export type FilingEventKind = FilingEventsTable["event"];

export type FilingEvent = {
  id: number;
  filingId: string;
  event: FilingEventKind;
  decisionId: string | null;
  actor: string;
  at: string;
  detail: Record<string, unknown>;
};

export type FilingFilter = {
  /** Insured region (参保地), matched by prefix: 510400 → 5104xx, 510000 → 51xxxx. */
  region?: string | undefined;
  /** Treatment region (就医地), matched by prefix like `region`. */
  destination?: string | undefined;
  category?: string | undefined;
  status?: FilingStatus | undefined;
  /** Full ID number (exact). */
  idNumber?: string | undefined;
  /** valid_from on or after this date. */
  from?: string | undefined;
  /** valid_from on or before this date. */
  to?: string | undefined;
  /** Only filings whose destination is in another province than the insured place. */
  crossProvince?: boolean | undefined;
  /** By valid_from: newest first (lists, the default) or oldest first (exports). */
  order?: "asc" | "desc" | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
};

export type NewFiling = Omit<
  Filing,
  "id" | "status" | "revision" | "createdAt" | "updatedAt" | "extensions"
> & {
  extensions?: number;
};

/** Fields a change may set (see the routes for which request sets which). */
export type FilingPatch = Partial<
  Pick<
    Filing,
    | "category"
    | "status"
    | "destinationRegion"
    | "hospitalName"
    | "hospitalLevel"
    | "validFrom"
    | "validUntil"
    | "singleUse"
    | "changeLockedUntil"
    | "extensions"
    | "approvedOn"
    | "details"
  >
>;

/** A region code as a prefix: trailing "00" pairs dropped (510400 → 5104, 000000 → ""). */
export const regionPrefix = (code: string) => code.replace(/(?:00)+$/, "");

/**
 * The filing registry: filings and their history (filing_events). Every write here is meant to run
 * inside `store.transaction` together with its event and audit entry; `update` is optimistic
 * (`WHERE revision = ?`) and `lock` takes the row lock that serialises concurrent changes.
 */
export class FilingStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(f: NewFiling): Promise<Filing> {
    const row = await this.db
      .insertInto("filings")
      .values({
        id_number: f.idNumber,
        id_masked: f.idMasked,
        name: f.name,
        sex: f.sex,
        insured_region: f.insuredRegion,
        scheme: f.scheme,
        category: f.category,
        status: "active",
        destination_region: f.destinationRegion,
        hospital_name: f.hospitalName,
        hospital_level: f.hospitalLevel,
        valid_from: f.validFrom,
        valid_until: f.validUntil,
        single_use: f.singleUse,
        change_locked_until: f.changeLockedUntil,
        extensions: f.extensions ?? 0,
        approved_on: f.approvedOn,
        decision_id: f.decisionId,
        details: JSON.stringify(f.details),
        created_by: f.createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toFiling(row);
  }

  async get(id: string): Promise<Filing | undefined> {
    if (!isUuid(id)) return undefined;
    const r = await this.db.selectFrom("filings").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toFiling(r);
  }

  /**
   * The filing with its row locked until the transaction ends (SELECT … FOR UPDATE): concurrent
   * changes of one filing wait for each other instead of both reading the same state.
   */
  async lock(id: string): Promise<Filing | undefined> {
    if (!isUuid(id)) return undefined;
    const r = await this.db
      .selectFrom("filings")
      .selectAll()
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    return r && toFiling(r);
  }

  /**
   * Locks a logged decision's row, so two requests recording the same decision as a filing are
   * serialised (the second then finds the first's filing). False when there is no such decision.
   */
  async lockDecision(decisionId: string): Promise<boolean> {
    if (!isUuid(decisionId)) return false;
    const r = await this.db
      .selectFrom("decisions")
      .select("id")
      .where("id", "=", decisionId)
      .forUpdate()
      .executeTakeFirst();
    return !!r;
  }

  async byDecision(decisionId: string): Promise<Filing | undefined> {
    if (!isUuid(decisionId)) return undefined;
    const r = await this.db
      .selectFrom("filings")
      .selectAll()
      .where("decision_id", "=", decisionId)
      .executeTakeFirst();
    return r && toFiling(r);
  }

  /**
   * Applies a patch if the filing is still at `revision` (optimistic locking) and bumps the
   * revision; undefined when someone else changed it first (or it does not exist).
   */
  async update(id: string, revision: number, patch: FilingPatch): Promise<Filing | undefined> {
    const set: Record<string, unknown> = {};
    if (patch.category !== undefined) set.category = patch.category;
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.destinationRegion !== undefined) set.destination_region = patch.destinationRegion;
    if (patch.hospitalName !== undefined) set.hospital_name = patch.hospitalName;
    if (patch.hospitalLevel !== undefined) set.hospital_level = patch.hospitalLevel;
    if (patch.validFrom !== undefined) set.valid_from = patch.validFrom;
    if (patch.validUntil !== undefined) set.valid_until = patch.validUntil;
    if (patch.singleUse !== undefined) set.single_use = patch.singleUse;
    if (patch.changeLockedUntil !== undefined) set.change_locked_until = patch.changeLockedUntil;
    if (patch.extensions !== undefined) set.extensions = patch.extensions;
    if (patch.approvedOn !== undefined) set.approved_on = patch.approvedOn;
    if (patch.details !== undefined) set.details = JSON.stringify(patch.details);
    const row = await this.db
      .updateTable("filings")
      .set({ ...set, revision: sql<number>`revision + 1`, updated_at: sql<Date>`now()` })
      .where("id", "=", id)
      .where("revision", "=", revision)
      .returningAll()
      .executeTakeFirst();
    return row && toFiling(row);
  }

  async addEvent(e: {
    filingId: string;
    event: FilingEventKind;
    decisionId?: string | null;
    actor: string;
    detail?: Record<string, unknown>;
  }): Promise<FilingEvent> {
    const row = await this.db
      .insertInto("filing_events")
      .values({
        filing_id: e.filingId,
        event: e.event,
        decision_id: e.decisionId ?? null,
        actor: e.actor,
        detail: JSON.stringify(e.detail ?? {}),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toEvent(row);
  }

  /** A filing's history, oldest first. */
  async events(filingId: string): Promise<FilingEvent[]> {
    if (!isUuid(filingId)) return [];
    const rows = await this.db
      .selectFrom("filing_events")
      .selectAll()
      .where("filing_id", "=", filingId)
      .orderBy("id")
      .execute();
    return rows.map(toEvent);
  }

  /** Filings matching a filter; without `limit`, all of them (exports). */
  async list(f: FilingFilter = {}): Promise<Filing[]> {
    let q = this.db.selectFrom("filings").selectAll();
    if (f.region) q = q.where("insured_region", "like", `${regionPrefix(f.region)}%`);
    if (f.destination) q = q.where("destination_region", "like", `${regionPrefix(f.destination)}%`);
    if (f.category) q = q.where("category", "=", f.category);
    if (f.status) q = q.where("status", "=", f.status);
    if (f.idNumber) q = q.where("id_number", "=", f.idNumber);
    if (f.from) q = q.where("valid_from", ">=", f.from);
    if (f.to) q = q.where("valid_from", "<=", f.to);
    if (f.crossProvince !== undefined) {
      const cross = sql<boolean>`substr(destination_region, 1, 2) <> substr(insured_region, 1, 2)`;
      q = f.crossProvince ? q.where(cross) : q.where(sql<boolean>`not (${cross})`);
    }
    const dir = f.order ?? "desc";
    q = q.orderBy("valid_from", dir).orderBy("created_at", dir).orderBy("id");
    if (f.limit !== undefined) q = q.limit(f.limit);
    if (f.offset) q = q.offset(f.offset);
    return (await q.execute()).map(toFiling);
  }
}

function toFiling(r: Selectable<FilingsTable>): Filing {
  return {
    id: r.id,
    idNumber: r.id_number,
    idMasked: r.id_masked,
    name: r.name,
    sex: r.sex,
    insuredRegion: r.insured_region,
    scheme: r.scheme,
    category: r.category,
    status: r.status,
    destinationRegion: r.destination_region,
    hospitalName: r.hospital_name,
    hospitalLevel: r.hospital_level,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    singleUse: r.single_use,
    changeLockedUntil: r.change_locked_until,
    extensions: r.extensions,
    approvedOn: r.approved_on,
    decisionId: r.decision_id,
    details: r.details as FilingDetails,
    revision: r.revision,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

function toEvent(r: Selectable<FilingEventsTable>): FilingEvent {
  return {
    id: r.id,
    filingId: r.filing_id,
    event: r.event,
    decisionId: r.decision_id,
    actor: r.actor,
    at: new Date(r.at).toISOString(),
    detail: r.detail as Record<string, unknown>,
  };
}
