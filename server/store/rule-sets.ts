import { CamelCasePlugin, type Kysely, type Selectable, type Updateable } from "kysely";
import { z } from "zod";
import type { LoadedRuleSet } from "../../engine/index.ts";
import type { Database, RuleSetVersionsTable } from "./schema.ts";

/**
 * A rule-set version, described once: the store parses its rows with it and the routes answer
 * with it (OpenAPI). Timestamps are ISO strings.
 */
export const ruleSetVersionSchema = z.object({
  id: z.number().describe("the version's id (used in every /versions/:id route)"),
  ruleSetId: z.string().describe("the rule set, a region path such as sichuan/panzhihua"),
  version: z.string(),
  status: z.enum(["draft", "in_review", "published", "rejected"]),
  content: z.string().describe("the YAML text"),
  hash: z.string().describe("sha256 of the content, as the engine computes it"),
  region: z.string().nullable(),
  effectiveFrom: z.string().nullable(),
  basedOn: z.number().nullable(),
  author: z.string(),
  submittedBy: z.string().nullable(),
  submittedAt: z.string().nullable().describe("when it was last submitted for review"),
  reviewedBy: z.string().nullable().describe("the approver who published or rejected it"),
  reviewedAt: z.string().nullable(),
  reviewComment: z.string().nullable(),
  publishedBy: z.string().nullable(),
  publishedAt: z.string().nullable(),
  revision: z.number().describe("optimistic-lock counter: send it back with an edit or a submission"),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RuleSetVersion = z.infer<typeof ruleSetVersionSchema>;
export type RuleSetStatus = RuleSetVersion["status"];

/** A version without its content (lists and history). */
export const ruleSetVersionSummarySchema = ruleSetVersionSchema.omit({ content: true });
export type RuleSetVersionSummary = z.infer<typeof ruleSetVersionSummarySchema>;

type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type CamelCased<T> = { [K in keyof T & string as Camel<K>]: T[K] };
type VersionsTable = CamelCased<RuleSetVersionsTable>;
/**
 * The rule-set table as kysely's CamelCasePlugin shows it. The plugin is applied to this store's
 * queries only: the other stores share the Kysely instance and still use snake_case names.
 */
type RuleSetDatabase = { ruleSetVersions: VersionsTable };
type Row = Selectable<VersionsTable>;

const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());

/** A row → a version, through the one schema (timestamps as ISO strings). */
function toVersion(r: Row): RuleSetVersion {
  return ruleSetVersionSchema.parse({
    ...r,
    submittedAt: iso(r.submittedAt),
    reviewedAt: iso(r.reviewedAt),
    publishedAt: iso(r.publishedAt),
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  });
}

const SUMMARY_COLUMNS = Object.keys(ruleSetVersionSummarySchema.shape) as (keyof Row)[];

/**
 * Rule-set versions. A published version is immutable (content and hash never change);
 * drafts are edited under optimistic locking (`revision`).
 */
export class RuleSetStore {
  private readonly db: Kysely<RuleSetDatabase>;

  constructor(db: Kysely<Database>) {
    // Within a transaction `db` is a Transaction; withPlugin keeps it one.
    this.db = (db as unknown as Kysely<RuleSetDatabase>).withPlugin(new CamelCasePlugin());
  }

  async count(): Promise<number> {
    const r = await this.db
      .selectFrom("ruleSetVersions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Imports a rule set from the repository's files as a published version. */
  async importPublished(rs: LoadedRuleSet, content: string, actor: string): Promise<RuleSetVersion> {
    const row = await this.db
      .insertInto("ruleSetVersions")
      .values({
        ruleSetId: rs.id,
        version: rs.version,
        status: "published",
        content,
        hash: rs.hash,
        region: rs.region,
        effectiveFrom: rs.effective.from,
        basedOn: null,
        author: actor,
        publishedBy: actor,
        publishedAt: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toVersion(row);
  }

  async published(): Promise<RuleSetVersion[]> {
    const rows = await this.db
      .selectFrom("ruleSetVersions")
      .selectAll()
      .where("status", "=", "published")
      .orderBy("ruleSetId")
      .orderBy("effectiveFrom")
      .execute();
    return rows.map(toVersion);
  }

  /**
   * A short stamp of the set of published versions: it changes with every publication or import
   * (published rows are never changed or removed), whichever process made it.
   */
  async publishedStamp(): Promise<string> {
    const row = await this.db
      .selectFrom("ruleSetVersions")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.max("id").as("maxId")])
      .where("status", "=", "published")
      .executeTakeFirstOrThrow();
    return `${Number(row.n)}:${row.maxId ?? 0}`;
  }

  async get(id: number): Promise<RuleSetVersion | undefined> {
    const row = await this.db
      .selectFrom("ruleSetVersions")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toVersion(row);
  }

  /** Every version (content left out), by rule-set id, then oldest first. */
  async list(ruleSetId?: string): Promise<RuleSetVersionSummary[]> {
    let q = this.db.selectFrom("ruleSetVersions").select(SUMMARY_COLUMNS);
    if (ruleSetId !== undefined) q = q.where("ruleSetId", "=", ruleSetId);
    const rows = await q.orderBy("ruleSetId").orderBy("id").execute();
    return rows.map((r) => {
      const { content: _c, ...summary } = toVersion({ ...(r as Omit<Row, "content">), content: "" });
      return summary;
    });
  }

  async byVersion(ruleSetId: string, version: string): Promise<RuleSetVersion | undefined> {
    const row = await this.db
      .selectFrom("ruleSetVersions")
      .selectAll()
      .where("ruleSetId", "=", ruleSetId)
      .where("version", "=", version)
      .executeTakeFirst();
    return row && toVersion(row);
  }

  /** A new draft (revision 1). The unique (rule_set_id, version) constraint refuses a duplicate. */
  async createDraft(d: {
    ruleSetId: string;
    version: string;
    content: string;
    hash: string;
    region: string | null;
    effectiveFrom: string | null;
    basedOn: number | null;
    author: string;
  }): Promise<RuleSetVersion> {
    const row = await this.db
      .insertInto("ruleSetVersions")
      .values({ ...d, status: "draft" })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toVersion(row);
  }

  /**
   * Replaces a draft's content under optimistic locking: only a draft still at `revision` is
   * changed (revision + 1). Undefined when no row matched; the caller tells why.
   */
  async updateDraft(
    id: number,
    revision: number,
    d: { content: string; hash: string; region: string | null; effectiveFrom: string | null },
  ): Promise<RuleSetVersion | undefined> {
    return this.change(id, { status: "draft", revision }, d);
  }

  /** draft → in_review, only from `revision`; undefined when no row matched. */
  async submit(id: number, revision: number, by: string): Promise<RuleSetVersion | undefined> {
    return this.change(
      id,
      { status: "draft", revision },
      { status: "in_review", submittedBy: by, submittedAt: new Date() },
    );
  }

  /**
   * in_review → published with its final content (effective date set) and hash, only from
   * `revision` (the one reviewed); undefined when no row matched (decided or changed meanwhile).
   */
  async publish(
    id: number,
    revision: number,
    p: {
      content: string;
      hash: string;
      region: string;
      effectiveFrom: string;
      by: string;
      comment: string | null;
    },
  ): Promise<RuleSetVersion | undefined> {
    const now = new Date();
    return this.change(
      id,
      { status: "in_review", revision },
      {
        status: "published",
        content: p.content,
        hash: p.hash,
        region: p.region,
        effectiveFrom: p.effectiveFrom,
        reviewedBy: p.by,
        reviewedAt: now,
        reviewComment: p.comment,
        publishedBy: p.by,
        publishedAt: now,
      },
    );
  }

  /**
   * in_review → draft again (withdrawn by an officer, e.g. to fix something before review);
   * undefined when the version is no longer in review.
   */
  async withdraw(id: number): Promise<RuleSetVersion | undefined> {
    return this.change(
      id,
      { status: "in_review" },
      { status: "draft", submittedBy: null, submittedAt: null },
    );
  }

  /** in_review → rejected, only from `revision`; undefined when no row matched. */
  async reject(
    id: number,
    revision: number,
    by: string,
    comment: string,
  ): Promise<RuleSetVersion | undefined> {
    return this.change(
      id,
      { status: "in_review", revision },
      { status: "rejected", reviewedBy: by, reviewedAt: new Date(), reviewComment: comment },
    );
  }

  /**
   * The one conditional update behind every change of a version: only while it is in `from.status`
   * (and at `from.revision`, when given); the revision goes up by one. Undefined when no row matched.
   */
  private async change(
    id: number,
    from: { status: RuleSetStatus; revision?: number },
    set: Omit<Updateable<VersionsTable>, "revision" | "updatedAt">,
  ): Promise<RuleSetVersion | undefined> {
    let q = this.db
      .updateTable("ruleSetVersions")
      .set((eb) => ({ ...set, revision: eb("revision", "+", 1), updatedAt: new Date() }))
      .where("id", "=", id)
      .where("status", "=", from.status);
    if (from.revision !== undefined) q = q.where("revision", "=", from.revision);
    const row = await q.returningAll().executeTakeFirst();
    return row && toVersion(row);
  }
}
