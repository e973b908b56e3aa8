import type { Kysely, Selectable, SelectQueryBuilder } from "kysely";
import { type Case, type Decision, regionPrefix } from "../../engine/index.ts";
import { defaultKeys, type Keyring } from "../data-keys.ts";
import { maskIdNumber } from "../mask.ts";
import { DecisionLog, type DecisionRow, type KeyToComplete, uuidv7 } from "./decision-log.ts";
import { DecisionPartitions, idBounds, monthOf, uuidMs } from "./decision-partitions.ts";
import { IdempotencyKeys } from "./idempotency.ts";
import {
  casePersonal,
  openDoc,
  openText,
  personalValues,
  sealDoc,
  sealOutput,
  sealText,
} from "./personal-data.ts";
import type { Database, DecisionsTable } from "./schema.ts";

export type DecisionRecord = {
  id: string;
  caseId: string;
  kind: string;
  outcome: string;
  insuredRegion: string;
  category: string | null;
  asOf: string;
  idMasked: string;
  chain: { id: string; version: string; hash: string }[];
  draftVersionId: number | null;
  askedBy: string;
  askedAt: string;
};
export type DecisionDetail = DecisionRecord & { input: Record<string, unknown>; output: Decision };

export type DecisionFilter = {
  outcome?: string | undefined;
  region?: string | undefined;
  category?: string | undefined;
  kind?: string | undefined;
  askedBy?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
};

/**
 * The decision log: input, the exact rule-set chain (with content hashes), output, who and when.
 * Personal data in the case (and any ID number in the case id or the decision) is stored encrypted
 * (store/personal-data.ts) and opened when read.
 *
 * The table is partitioned by month of its UUIDv7 ids (migration 0008, `partitions`): a decision's
 * id and its asked_at are the same millisecond of the app's clock (`partitions.now`), so a filter
 * by time also bounds the ids and PostgreSQL reads only the months concerned.
 */
export class DecisionStore {
  /** Batched writes of the log (outside a transaction only: a transaction writes its own rows). */
  private readonly batched: DecisionLog | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly keys: Keyring = defaultKeys(),
    /** The month partitions, shared by a store and its transactions. */
    readonly partitions: DecisionPartitions = new DecisionPartitions(db as Kysely<unknown>),
  ) {
    this.batched = db.isTransaction
      ? undefined
      : new DecisionLog(db, 50, 2, async (rows) => {
          // The partition was not there after all (an operator dropped it): look again.
          partitions.forget();
          await partitions.ensure(rows.map((r) => monthOf(uuidMs(r.id))));
        });
  }

  /** Makes the partition of a row's month first when it is not known to exist (rare: see 0008). */
  private async partitionFor(row: DecisionRow): Promise<void> {
    const ms = uuidMs(row.id);
    if (this.partitions.has(ms)) return;
    await this.partitions.ensure(
      [monthOf(ms)],
      this.db.isTransaction ? (this.db as Kysely<unknown>) : undefined,
    );
  }

  private row(
    c: Case,
    input: unknown,
    d: Decision,
    askedBy: string,
    draftVersionId: number | null,
    output: string,
  ): DecisionRow {
    return decisionRow(this.keys, c, input, d, askedBy, draftVersionId, output, this.partitions.now());
  }

  async record(
    c: Case,
    input: unknown,
    d: Decision,
    askedBy: string,
    draftVersionId: number | null,
    output: string = JSON.stringify(d),
  ): Promise<string> {
    const row = this.row(c, input, d, askedBy, draftVersionId, output);
    await this.partitionFor(row);
    await this.db.insertInto("decisions").values(row).execute();
    return row.id;
  }

  /**
   * Logs a decision through the batched writer: resolves with the decision's id once its row
   * has committed (with up to 49 others, within a few milliseconds); rejects when its batch
   * failed. `output` is the decision as already serialized for the answer. With `key`, the
   * request's Idempotency-Key is completed in the same commit (server/store/decision-log.ts).
   */
  async log(
    c: Case,
    input: unknown,
    d: Decision,
    askedBy: string,
    draftVersionId: number | null,
    output: string,
    key?: KeyToComplete,
  ): Promise<string> {
    const row = this.row(c, input, d, askedBy, draftVersionId, output);
    await this.partitionFor(row);
    if (this.batched) await this.batched.append(row, key);
    else {
      // In a transaction already: the row and the key commit together with it.
      await this.db.insertInto("decisions").values(row).execute();
      if (key) await new IdempotencyKeys(this.db as Kysely<unknown>).complete(key.userId, key.key, row.id);
    }
    return row.id;
  }

  /** Writes the decisions waiting in the batch (before closing the database). */
  async drain(): Promise<void> {
    await this.batched?.drain();
  }

  /**
   * A logged decision by its id — or by the id it had before migration 0008 gave it a UUIDv7
   * (`decision_id_aliases`), so links made before the upgrade still open it.
   */
  async get(id: string): Promise<DecisionDetail | undefined> {
    if (!isUuid(id)) return undefined;
    const byId = (x: string) =>
      this.db.selectFrom("decisions").selectAll().where("id", "=", x).executeTakeFirst();
    let r = await byId(id);
    if (!r) {
      const alias = await resolveAlias(this.db, id);
      if (alias) r = await byId(alias);
    }
    return r && { ...this.opened(r), ...toRecord(this.keys, r) };
  }

  /** A row's case and decision with their personal data opened (the export reads rows itself). */
  opened(r: { input: unknown; output: unknown }): { input: Record<string, unknown>; output: Decision } {
    return {
      input: openDoc(this.keys, r.input) as Record<string, unknown>,
      output: openDoc(this.keys, r.output) as Decision,
    };
  }

  async list(f: DecisionFilter = {}): Promise<DecisionRecord[]> {
    let q = this.db.selectFrom("decisions").selectAll();
    if (f.outcome) q = q.where("outcome", "=", f.outcome);
    if (f.region) q = q.where("insured_region", "like", `${regionPrefix(f.region)}%`);
    if (f.category) q = q.where("category", "=", f.category);
    if (f.kind) q = q.where("kind", "=", f.kind);
    if (f.askedBy) q = q.where("asked_by", "=", f.askedBy);
    const rows = await q
      .$call(askedBetween(f.from, f.to))
      .orderBy("asked_at", "desc")
      .orderBy("id")
      .limit(f.limit ?? 50)
      .offset(f.offset ?? 0)
      .execute();
    return rows.map((r) => toRecord(this.keys, r));
  }
}

/**
 * Decisions asked from `from` (inclusive) to `to` (exclusive), ISO dates or times: the same bounds
 * on the id, the partition key, so that only the months concerned are read (migration 0008).
 *
 * @example db.selectFrom("decisions").selectAll().$call(askedBetween("2026-11-01", "2026-12-01"))
 */
export function askedBetween(from: string | undefined, to: string | undefined) {
  const start = from ? new Date(from) : undefined;
  const end = to ? new Date(to) : undefined;
  const ids = idBounds(start, end);
  return <O>(
    q: SelectQueryBuilder<Database, "decisions", O>,
  ): SelectQueryBuilder<Database, "decisions", O> => {
    let out = q;
    if (start) out = out.where("asked_at", ">=", start);
    if (end) out = out.where("asked_at", "<", end);
    if (ids.min) out = out.where("id", ">=", ids.min);
    if (ids.max) out = out.where("id", "<", ids.max);
    return out;
  };
}

function decisionRow(
  keys: Keyring,
  c: Case,
  input: unknown,
  d: Decision,
  askedBy: string,
  draftVersionId: number | null,
  output: string,
  now: number,
): DecisionRow {
  return {
    // The id's time and asked_at are one and the same millisecond (the id is the partition key).
    id: uuidv7(now),
    case_id: sealText(keys, c.id),
    kind: d.kind,
    outcome: d.outcome,
    insured_region: c.insured.region,
    category: d.category,
    as_of: c.asOf,
    id_masked: maskIdNumber(c.applicant.idNumber),
    input: JSON.stringify(sealDoc(keys, input, casePersonal)),
    chain: JSON.stringify(d.ruleSets),
    output: sealOutput(keys, output, personalValues(input)),
    draft_version_id: draftVersionId,
    asked_by: askedBy,
    asked_at: new Date(now),
  };
}

/** The id a decision got in migration 0008 for the version-4 id it had before, if any. */
export async function resolveAlias(db: Kysely<Database>, oldId: string): Promise<string | undefined> {
  const a = await db
    .selectFrom("decision_id_aliases")
    .select("id")
    .where("old_id", "=", oldId)
    .executeTakeFirst();
  return a?.id;
}

export const isUuid = (s: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

function toRecord(keys: Keyring, r: Selectable<DecisionsTable>): DecisionRecord {
  return {
    id: r.id,
    caseId: openText(keys, r.case_id),
    kind: r.kind,
    outcome: r.outcome,
    insuredRegion: r.insured_region,
    category: r.category,
    asOf: r.as_of,
    idMasked: r.id_masked,
    chain: r.chain as DecisionRecord["chain"],
    draftVersionId: r.draft_version_id,
    askedBy: r.asked_by,
    askedAt: new Date(r.asked_at).toISOString(),
  };
}
