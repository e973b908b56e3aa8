import type { Kysely, Selectable } from "kysely";
import { type Case, type Decision, regionPrefix } from "../../engine/index.ts";
import { defaultKeys, type Keyring } from "../data-keys.ts";
import { maskIdNumber } from "../mask.ts";
import { DecisionLog, type DecisionRow, uuidv7 } from "./decision-log.ts";
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
 */
export class DecisionStore {
  /** Batched writes of the log (outside a transaction only: a transaction writes its own rows). */
  private readonly batched: DecisionLog | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly keys: Keyring = defaultKeys(),
  ) {
    this.batched = db.isTransaction ? undefined : new DecisionLog(db);
  }

  async record(
    c: Case,
    input: unknown,
    d: Decision,
    askedBy: string,
    draftVersionId: number | null,
    output: string = JSON.stringify(d),
  ): Promise<string> {
    const row = decisionRow(this.keys, c, input, d, askedBy, draftVersionId, output);
    await this.db.insertInto("decisions").values(row).execute();
    return row.id;
  }

  /**
   * Logs a decision through the batched writer: resolves with the decision's id once its row
   * has committed (with up to 49 others, within a few milliseconds); rejects when its batch
   * failed. `output` is the decision as already serialized for the answer.
   */
  async log(
    c: Case,
    input: unknown,
    d: Decision,
    askedBy: string,
    draftVersionId: number | null,
    output: string,
  ): Promise<string> {
    const row = decisionRow(this.keys, c, input, d, askedBy, draftVersionId, output);
    if (this.batched) await this.batched.append(row);
    else await this.db.insertInto("decisions").values(row).execute();
    return row.id;
  }

  /** Writes the decisions waiting in the batch (before closing the database). */
  async drain(): Promise<void> {
    await this.batched?.drain();
  }

  async get(id: string): Promise<DecisionDetail | undefined> {
    if (!isUuid(id)) return undefined;
    const r = await this.db.selectFrom("decisions").selectAll().where("id", "=", id).executeTakeFirst();
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
    if (f.from) q = q.where("asked_at", ">=", new Date(f.from));
    if (f.to) q = q.where("asked_at", "<", new Date(f.to));
    const rows = await q
      .orderBy("asked_at", "desc")
      .orderBy("id")
      .limit(f.limit ?? 50)
      .offset(f.offset ?? 0)
      .execute();
    return rows.map((r) => toRecord(this.keys, r));
  }
}

function decisionRow(
  keys: Keyring,
  c: Case,
  input: unknown,
  d: Decision,
  askedBy: string,
  draftVersionId: number | null,
  output: string,
): DecisionRow {
  return {
    id: uuidv7(),
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
  };
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
