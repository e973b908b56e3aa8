import type { Kysely, Selectable } from "kysely";
import type { Database, PrepaymentsTable } from "./schema.ts";

/** One month's prepayment and clearing for a province pair; money as decimal strings ("1000000.00"). */
export type PrepaymentRecord = {
  id: number;
  insuredProvince: string;
  treatmentProvince: string;
  year: number;
  month: number;
  prepayment: string;
  clearing: string;
  recordedBy: string;
  recordedAt: string;
};

export type PrepaymentInput = Omit<PrepaymentRecord, "id" | "recordedAt">;

export type PrepaymentFilter = {
  year: number;
  /** One month; all months of the year when left out. */
  month?: number | undefined;
  insuredProvince?: string | undefined;
  treatmentProvince?: string | undefined;
};

/**
 * Prepayments (预付金) and monthly clearing (月度清算) per insured province → treatment
 * province and month (120号 经办规程第十六–二十四条). One row per pair and month; recording
 * again replaces it. Amounts stay `numeric` in the database and strings in TypeScript — never a
 * JS number.
 */
export class PrepaymentStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a month's figures, replacing any earlier ones for the pair and month, and returns
   * the row with what it replaced (`previous`, undefined when it is new).
   *
   * @example await store.prepayments.upsert({ insuredProvince: "51", treatmentProvince: "46", year: 2025, month: 3, prepayment: "1000000.00", clearing: "750000.00", recordedBy: "officer" })
   */
  async upsert(
    p: PrepaymentInput,
  ): Promise<{ record: PrepaymentRecord; previous: PrepaymentRecord | undefined }> {
    const previous = await this.find(p);
    const values = {
      prepayment: p.prepayment,
      clearing: p.clearing,
      recorded_by: p.recordedBy,
      recorded_at: new Date(),
    };
    const row = await this.db
      .insertInto("prepayments")
      .values({
        insured_province: p.insuredProvince,
        treatment_province: p.treatmentProvince,
        year: p.year,
        month: p.month,
        ...values,
      })
      .onConflict((oc) => oc.constraint("prepayments_pair_month").doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    return { record: toRecord(row), previous };
  }

  async find(k: {
    insuredProvince: string;
    treatmentProvince: string;
    year: number;
    month: number;
  }): Promise<PrepaymentRecord | undefined> {
    const row = await this.db
      .selectFrom("prepayments")
      .selectAll()
      .where("insured_province", "=", k.insuredProvince)
      .where("treatment_province", "=", k.treatmentProvince)
      .where("year", "=", k.year)
      .where("month", "=", k.month)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** A month's (or a year's) rows, by insured province, treatment province, then month. */
  async list(f: PrepaymentFilter): Promise<PrepaymentRecord[]> {
    let q = this.db.selectFrom("prepayments").selectAll().where("year", "=", f.year);
    if (f.month !== undefined) q = q.where("month", "=", f.month);
    if (f.insuredProvince) q = q.where("insured_province", "=", f.insuredProvince);
    if (f.treatmentProvince) q = q.where("treatment_province", "=", f.treatmentProvince);
    const rows = await q.orderBy("insured_province").orderBy("treatment_province").orderBy("month").execute();
    return rows.map(toRecord);
  }
}

function toRecord(r: Selectable<PrepaymentsTable>): PrepaymentRecord {
  return {
    id: r.id,
    insuredProvince: r.insured_province,
    treatmentProvince: r.treatment_province,
    year: r.year,
    month: r.month,
    // numeric(18, 2) arrives as a string from both pg and PGlite; String() guards a driver change.
    prepayment: String(r.prepayment),
    clearing: String(r.clearing),
    recordedBy: r.recorded_by,
    recordedAt: new Date(r.recorded_at).toISOString(),
  };
}
