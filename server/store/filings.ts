import { CamelCasePlugin, type Kysely, type Selectable, sql } from "kysely";
import { z } from "zod";
import { regionPrefix } from "../../engine/index.ts";
import { defaultKeys, type Keyring } from "../data-keys.ts";
import { isUuid } from "./decisions.ts";
import { detailsPersonal, idKey, openDoc, openText, sealDoc } from "./personal-data.ts";
import type { Database, FilingEventsTable, FilingsTable } from "./schema.ts";

/** The states stored: an expired filing is an `active` one past its valid_until (see `stateOn`). */
export const FILING_STATUSES = ["active", "revoked", "consumed"] as const;
/** The states shown: stored ones, and `expired`, computed at read time against today. */
export const FILING_STATES = [...FILING_STATUSES, "expired"] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];
export type FilingState = (typeof FILING_STATES)[number];

const text = z.string().optional();

/**
 * What the registry keeps beside the columns: the facts of the case last approved for this filing
 * (so a change, revocation or extension can be decided without retyping them), the contact data of
 * the filing form (personal data: shown to clerks and admins only), and the settlement mode.
 */
export const filingDetailsSchema = z.object({
  insured: z.object({ status: text }).optional(),
  facts: z.record(z.string(), z.unknown()).optional(),
  contact: z
    .object({
      ssCardNumber: text,
      homeAddress: text,
      contactAddress: text,
      contactPerson: text,
      phone1: text,
      phone2: text,
    })
    .optional(),
  settlementMode: z.string().nullable().optional(),
});
export type FilingDetails = z.infer<typeof filingDetailsSchema>;

/**
 * A filing of the registry (备案人员信息库), described once: the store parses its rows with it,
 * the registry works on it and the routes derive their response schemas from it. `idNumber` is
 * the full ID number: callers decide who sees it (server/registry/privacy.ts).
 */
export const filingSchema = z.object({
  id: z.string(),
  idNumber: z.string(),
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
  endedOn: z.string().nullable().describe("when a revoked or consumed filing ended"),
  decisionId: z.string(),
  details: filingDetailsSchema,
  revision: z.number().int().describe("optimistic-lock counter: send it back with a change"),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Filing = z.infer<typeof filingSchema>;

export const FILING_EVENTS = ["filed", "changed", "revoked", "extended", "consumed"] as const;
export const filingEventSchema = z.object({
  id: z.number(),
  filingId: z.string(),
  event: z.enum(FILING_EVENTS),
  decisionId: z.string().nullable(),
  actor: z.string(),
  at: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type FilingEvent = z.infer<typeof filingEventSchema>;
export type FilingEventKind = FilingEvent["event"];

/** The state a filing is in on `today`: an active filing past its valid_until is expired. */
export function stateOn(f: Pick<Filing, "status" | "validUntil">, today: string): FilingState {
  return f.status === "active" && f.validUntil !== null && f.validUntil < today ? "expired" : f.status;
}

export type FilingFilter = {
  /** Insured region (参保地), matched by prefix: 510400 → 5104xx, 510000 → 51xxxx. */
  region?: string | undefined;
  /** Treatment region (就医地), matched by prefix like `region`. */
  destination?: string | undefined;
  category?: string | undefined;
  /** A state as shown: `active` leaves out expired filings, `expired` finds them (needs `today`). */
  status?: FilingState | undefined;
  /** Today's date, for `status: active | expired`. */
  today?: string | undefined;
  /** Full ID number (exact). */
  idNumber?: string | undefined;
  /** Masked ID number (exact, e.g. 510402********1236). */
  idMasked?: string | undefined;
  /** Part of the name. */
  name?: string | undefined;
  /** The same person's filings of a category (overlap checks). */
  person?: { idNumber: string; category: string } | undefined;
  /** valid_from on or after this date. */
  from?: string | undefined;
  /** valid_from on or before this date. */
  to?: string | undefined;
  /** Only filings whose destination is in another province than the insured place (or only in-province). */
  crossProvince?: boolean | undefined;
  /** By valid_from: newest first (lists, the default) or oldest first (exports). */
  order?: "asc" | "desc" | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
};

export type NewFiling = Omit<
  Filing,
  "id" | "status" | "revision" | "createdAt" | "updatedAt" | "extensions" | "endedOn"
> & { extensions?: number };

/** Fields a change may set (server/registry/lifecycle.ts says which request sets which). */
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
    | "endedOn"
    | "details"
  >
>;

type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type CamelCased<T> = { [K in keyof T & string as Camel<K>]: T[K] };
/** The registry's tables as kysely's CamelCasePlugin shows them (this store's queries only). */
type RegistryDatabase = {
  filings: CamelCased<FilingsTable>;
  filingEvents: CamelCased<FilingEventsTable>;
  decisions: CamelCased<Database["decisions"]>;
};
const iso = (d: Date | string) => new Date(d).toISOString();

/** A row → a filing, through the one schema (timestamps as ISO strings; personal data opened). */
function toFiling(keys: Keyring, r: Selectable<RegistryDatabase["filings"]>): Filing {
  return filingSchema.parse({
    ...r,
    idNumber: openText(keys, r.idNumber),
    details: openDoc(keys, r.details),
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  });
}
function toEvent(r: Selectable<RegistryDatabase["filingEvents"]>): FilingEvent {
  return filingEventSchema.parse({ ...r, at: iso(r.at) });
}

/**
 * The filing registry: filings and their history (filing_events). Every write here is meant to run
 * inside `store.transaction` together with its event and audit entry; `update` is optimistic
 * (`WHERE revision = ?`) and `lock` takes the row lock that serialises concurrent changes.
 *
 * The ID number and the contact data are stored encrypted (store/personal-data.ts): written sealed,
 * read opened, looked up by the ID number's keyed hash (`id_hash`).
 */
export class FilingStore {
  private readonly db: Kysely<RegistryDatabase>;
  private readonly toFiling: (r: Selectable<RegistryDatabase["filings"]>) => Filing;

  constructor(
    db: Kysely<Database>,
    private readonly keys: Keyring = defaultKeys(),
  ) {
    this.toFiling = (r) => toFiling(keys, r);
    // JSON columns (details, detail) keep their keys as written.
    this.db = (db as unknown as Kysely<RegistryDatabase>).withPlugin(
      new CamelCasePlugin({ maintainNestedObjectKeys: true }),
    );
  }

  async create(f: NewFiling): Promise<Filing> {
    const row = await this.db
      .insertInto("filings")
      .values({
        ...f,
        idNumber: this.keys.seal(f.idNumber),
        idHash: this.keys.lookupHash(idKey(f.idNumber)),
        status: "active",
        extensions: f.extensions ?? 0,
        details: JSON.stringify(sealDoc(this.keys, f.details, detailsPersonal)),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.toFiling(row);
  }

  async get(id: string): Promise<Filing | undefined> {
    if (!isUuid(id)) return undefined;
    const r = await this.db.selectFrom("filings").selectAll().where("id", "=", id).executeTakeFirst();
    return r && this.toFiling(r);
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
    return r && this.toFiling(r);
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

  /**
   * Serialises, until the transaction ends, the recording of filings for one person (an advisory
   * lock on the ID number's keyed hash): two clerks recording overlapping filings at once cannot
   * both pass the overlap check.
   */
  async lockPerson(idNumber: string): Promise<void> {
    const hash = this.keys.lookupHash(idKey(idNumber));
    await sql`select pg_advisory_xact_lock(hashtext(${hash}))`.execute(this.db);
  }

  async byDecision(decisionId: string): Promise<Filing | undefined> {
    if (!isUuid(decisionId)) return undefined;
    const r = await this.db
      .selectFrom("filings")
      .selectAll()
      .where("decisionId", "=", decisionId)
      .executeTakeFirst();
    return r && this.toFiling(r);
  }

  /**
   * Applies a patch if the filing is still at `revision` (optimistic locking) and bumps the
   * revision; undefined when someone else changed it first (or it does not exist).
   */
  async update(id: string, revision: number, patch: FilingPatch): Promise<Filing | undefined> {
    const { details, ...columns } = patch;
    const row = await this.db
      .updateTable("filings")
      .set({
        ...columns,
        ...(details !== undefined && {
          details: JSON.stringify(sealDoc(this.keys, details, detailsPersonal)),
        }),
        revision: sql<number>`revision + 1`,
        updatedAt: sql<Date>`now()`,
      })
      .where("id", "=", id)
      .where("revision", "=", revision)
      .returningAll()
      .executeTakeFirst();
    return row && this.toFiling(row);
  }

  async addEvent(e: {
    filingId: string;
    event: FilingEventKind;
    decisionId?: string | null;
    actor: string;
    detail?: Record<string, unknown>;
  }): Promise<FilingEvent> {
    const row = await this.db
      .insertInto("filingEvents")
      .values({
        filingId: e.filingId,
        event: e.event,
        decisionId: e.decisionId ?? null,
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
      .selectFrom("filingEvents")
      .selectAll()
      .where("filingId", "=", filingId)
      .orderBy("id")
      .execute();
    return rows.map(toEvent);
  }

  /** Filings matching a filter; without `limit`, all of them (exports). */
  async list(f: FilingFilter = {}): Promise<Filing[]> {
    let q = this.db.selectFrom("filings").selectAll();
    if (f.region) q = q.where("insuredRegion", "like", `${regionPrefix(f.region)}%`);
    if (f.destination) q = q.where("destinationRegion", "like", `${regionPrefix(f.destination)}%`);
    if (f.category) q = q.where("category", "=", f.category);
    if (f.status === "active" || f.status === "expired") {
      const today = f.today ?? new Date().toISOString().slice(0, 10);
      q = q.where("status", "=", "active");
      q =
        f.status === "expired"
          ? q.where("validUntil", "<", today)
          : q.where((eb) => eb.or([eb("validUntil", "is", null), eb("validUntil", ">=", today)]));
    } else if (f.status) q = q.where("status", "=", f.status);
    // By keyed hash, under every key of the ring (rows a rotation has not reached yet).
    if (f.idNumber) q = q.where("idHash", "in", this.keys.lookupHashes(idKey(f.idNumber)));
    if (f.idMasked) q = q.where("idMasked", "=", f.idMasked);
    if (f.name) q = q.where("name", "like", `%${f.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (f.person) {
      q = q
        .where("idHash", "in", this.keys.lookupHashes(idKey(f.person.idNumber)))
        .where("category", "=", f.person.category);
    }
    if (f.from) q = q.where("validFrom", ">=", f.from);
    if (f.to) q = q.where("validFrom", "<=", f.to);
    if (f.crossProvince !== undefined) {
      // The SQL form of engine/regions.ts crossProvince (the province: the first two digits).
      const cross = sql<boolean>`substr(destination_region, 1, 2) <> substr(insured_region, 1, 2)`;
      q = f.crossProvince ? q.where(cross) : q.where(sql<boolean>`not (${cross})`);
    }
    const dir = f.order ?? "desc";
    q = q.orderBy("validFrom", dir).orderBy("createdAt", dir).orderBy("id");
    if (f.limit !== undefined) q = q.limit(f.limit);
    if (f.offset) q = q.offset(f.offset);
    return (await q.execute()).map(this.toFiling);
  }
}
