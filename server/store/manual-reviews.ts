import { CamelCasePlugin, type Kysely, type Selectable } from "kysely";
import { z } from "zod";
import { defaultKeys, type Keyring } from "../data-keys.ts";
import { isUuid } from "./decisions.ts";
import { openText } from "./personal-data.ts";
import type { Database, ManualReviewsTable } from "./schema.ts";

export const REVIEW_STATUSES = ["pending", "approved", "rejected"] as const;

/** A decision waiting for (or decided by) a person: the manual review queue, described once. */
export const manualReviewSchema = z.object({
  decisionId: z.string(),
  status: z.enum(REVIEW_STATUSES),
  filingId: z.string().nullable().describe("the filing a change, revocation or extension acts on"),
  filingRevision: z.number().nullable().describe("the filing's revision when the request was made"),
  requestedBy: z.string(),
  requestedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable().describe("the reviewer's written reason"),
});
export type ManualReview = z.infer<typeof manualReviewSchema>;

type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type Table = { [K in keyof ManualReviewsTable & string as Camel<K>]: ManualReviewsTable[K] };
type ReviewDatabase = { manualReviews: Table };
const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());

/**
 * The manual review queue (decisions that came out manual_review, and what a reviewer made of them).
 * The reviewer's written reason is stored encrypted (it may name the applicant); the decision's own
 * personal data is in the decision log, encrypted there.
 */
export class ManualReviewStore {
  private readonly db: Kysely<ReviewDatabase>;

  constructor(
    db: Kysely<Database>,
    private readonly keys: Keyring = defaultKeys(),
  ) {
    this.db = (db as unknown as Kysely<ReviewDatabase>).withPlugin(new CamelCasePlugin());
  }

  private readonly toReview = (r: Selectable<Table>): ManualReview =>
    manualReviewSchema.parse({
      ...r,
      reason: r.reason === null ? null : openText(this.keys, r.reason),
      requestedAt: iso(r.requestedAt),
      decidedAt: iso(r.decidedAt),
    });

  async enqueue(r: {
    decisionId: string;
    requestedBy: string;
    filingId?: string | null;
    filingRevision?: number | null;
  }): Promise<ManualReview> {
    const row = await this.db
      .insertInto("manualReviews")
      .values({
        decisionId: r.decisionId,
        status: "pending",
        filingId: r.filingId ?? null,
        filingRevision: r.filingRevision ?? null,
        requestedBy: r.requestedBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.toReview(row);
  }

  async get(decisionId: string): Promise<ManualReview | undefined> {
    if (!isUuid(decisionId)) return undefined;
    const r = await this.db
      .selectFrom("manualReviews")
      .selectAll()
      .where("decisionId", "=", decisionId)
      .executeTakeFirst();
    return r && this.toReview(r);
  }

  /** The review with its row locked until the transaction ends (two reviewers at once wait). */
  async lock(decisionId: string): Promise<ManualReview | undefined> {
    if (!isUuid(decisionId)) return undefined;
    const r = await this.db
      .selectFrom("manualReviews")
      .selectAll()
      .where("decisionId", "=", decisionId)
      .forUpdate()
      .executeTakeFirst();
    return r && this.toReview(r);
  }

  /** Records the reviewer's outcome; undefined when it was decided already. */
  async decide(
    decisionId: string,
    d: { status: "approved" | "rejected"; decidedBy: string; reason: string },
  ): Promise<ManualReview | undefined> {
    const row = await this.db
      .updateTable("manualReviews")
      .set({ ...d, reason: this.keys.seal(d.reason), decidedAt: new Date() })
      .where("decisionId", "=", decisionId)
      .where("status", "=", "pending")
      .returningAll()
      .executeTakeFirst();
    return row && this.toReview(row);
  }

  /** The queue: oldest request first. */
  async list(f: { status?: ManualReview["status"] | undefined; limit?: number; offset?: number } = {}) {
    let q = this.db.selectFrom("manualReviews").selectAll();
    if (f.status) q = q.where("status", "=", f.status);
    const rows = await q
      .orderBy("requestedAt")
      .orderBy("decisionId")
      .limit(f.limit ?? 100)
      .offset(f.offset ?? 0)
      .execute();
    return rows.map(this.toReview);
  }
}
