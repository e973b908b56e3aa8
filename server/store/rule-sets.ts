import type { Kysely, Selectable, Updateable } from "kysely";
import type { LoadedRuleSet } from "../../engine/index.ts";
import type { Database, RuleSetStatus, RuleSetVersionsTable } from "./schema.ts";

export type RuleSetVersion = {
  id: number;
  ruleSetId: string;
  version: string;
  status: RuleSetStatus;
  content: string;
  hash: string;
  region: string | null;
  effectiveFrom: string | null;
  basedOn: number | null;
  author: string;
  submittedBy: string | null;
  reviewedBy: string | null;
  reviewComment: string | null;
  publishedBy: string | null;
  publishedAt: string | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
};

/**
 * Rule-set versions. A published version is immutable (content and hash never change);
 * drafts are edited under optimistic locking (`revision`).
 */
export class RuleSetStore {
  constructor(private readonly db: Kysely<Database>) {}

  async count(): Promise<number> {
    const r = await this.db
      .selectFrom("rule_set_versions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Imports a rule set from the repository's files as a published version. */
  async importPublished(rs: LoadedRuleSet, content: string, actor: string): Promise<RuleSetVersion> {
    const row = await this.db
      .insertInto("rule_set_versions")
      .values({
        rule_set_id: rs.id,
        version: rs.version,
        status: "published",
        content,
        hash: rs.hash,
        region: rs.region,
        effective_from: rs.effective.from,
        based_on: null,
        author: actor,
        published_by: actor,
        published_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toVersion(row);
  }

  async published(): Promise<RuleSetVersion[]> {
    const rows = await this.db
      .selectFrom("rule_set_versions")
      .selectAll()
      .where("status", "=", "published")
      .orderBy("rule_set_id")
      .orderBy("effective_from")
      .execute();
    return rows.map(toVersion);
  }

  /**
   * A short stamp of the set of published versions: it changes with every publication or import
   * (published rows are never changed or removed), whichever process made it.
   */
  async publishedStamp(): Promise<string> {
    const row = await this.db
      .selectFrom("rule_set_versions")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.max("id").as("maxId")])
      .where("status", "=", "published")
      .executeTakeFirstOrThrow();
    return `${Number(row.n)}:${row.maxId ?? 0}`;
  }

  async get(id: number): Promise<RuleSetVersion | undefined> {
    const row = await this.db
      .selectFrom("rule_set_versions")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toVersion(row);
  }

  /** Every version (content left out), by rule-set id, then oldest first. */
  async list(ruleSetId?: string): Promise<RuleSetVersionSummary[]> {
    let q = this.db.selectFrom("rule_set_versions").select(SUMMARY_COLUMNS);
    if (ruleSetId !== undefined) q = q.where("rule_set_id", "=", ruleSetId);
    const rows = await q.orderBy("rule_set_id").orderBy("id").execute();
    return rows.map(toSummary);
  }

  async byVersion(ruleSetId: string, version: string): Promise<RuleSetVersion | undefined> {
    const row = await this.db
      .selectFrom("rule_set_versions")
      .selectAll()
      .where("rule_set_id", "=", ruleSetId)
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
      .insertInto("rule_set_versions")
      .values({
        rule_set_id: d.ruleSetId,
        version: d.version,
        status: "draft",
        content: d.content,
        hash: d.hash,
        region: d.region,
        effective_from: d.effectiveFrom,
        based_on: d.basedOn,
        author: d.author,
      })
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
    return this.change(
      id,
      { status: "draft", revision },
      { content: d.content, hash: d.hash, region: d.region, effective_from: d.effectiveFrom },
    );
  }

  /** draft → in_review, only from `revision`; undefined when no row matched. */
  async submit(id: number, revision: number, by: string): Promise<RuleSetVersion | undefined> {
    return this.change(id, { status: "draft", revision }, { status: "in_review", submitted_by: by });
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
    return this.change(
      id,
      { status: "in_review", revision },
      {
        status: "published",
        content: p.content,
        hash: p.hash,
        region: p.region,
        effective_from: p.effectiveFrom,
        reviewed_by: p.by,
        review_comment: p.comment,
        published_by: p.by,
        published_at: new Date(),
      },
    );
  }

  /**
   * in_review → draft again (withdrawn by an officer, e.g. to fix something before review);
   * undefined when the version is no longer in review.
   */
  async withdraw(id: number): Promise<RuleSetVersion | undefined> {
    return this.change(id, { status: "in_review" }, { status: "draft", submitted_by: null });
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
      { status: "rejected", reviewed_by: by, review_comment: comment },
    );
  }

  /**
   * The one conditional update behind every change of a version: only while it is in `from.status`
   * (and at `from.revision`, when given); the revision goes up by one. Undefined when no row matched.
   */
  private async change(
    id: number,
    from: { status: RuleSetStatus; revision?: number },
    set: Omit<Updateable<RuleSetVersionsTable>, "revision" | "updated_at">,
  ): Promise<RuleSetVersion | undefined> {
    let q = this.db
      .updateTable("rule_set_versions")
      .set((eb) => ({ ...set, revision: eb("revision", "+", 1), updated_at: new Date() }))
      .where("id", "=", id)
      .where("status", "=", from.status);
    if (from.revision !== undefined) q = q.where("revision", "=", from.revision);
    const row = await q.returningAll().executeTakeFirst();
    return row && toVersion(row);
  }
}

const SUMMARY_COLUMNS = [
  "id",
  "rule_set_id",
  "version",
  "status",
  "hash",
  "region",
  "effective_from",
  "based_on",
  "author",
  "submitted_by",
  "reviewed_by",
  "review_comment",
  "published_by",
  "published_at",
  "revision",
  "created_at",
  "updated_at",
] as const;

/** A version without its content (lists and history). */
export type RuleSetVersionSummary = Omit<RuleSetVersion, "content">;

function toSummary(r: Omit<Row, "content">): RuleSetVersionSummary {
  const { content: _c, ...rest } = toVersion({ ...r, content: "" });
  return rest;
}

/** A row as the database returns it, derived from the table definition. */
type Row = Selectable<RuleSetVersionsTable>;

export function toVersion(r: Row): RuleSetVersion {
  return {
    id: r.id,
    ruleSetId: r.rule_set_id,
    version: r.version,
    status: r.status,
    content: r.content,
    hash: r.hash,
    region: r.region,
    effectiveFrom: r.effective_from,
    basedOn: r.based_on,
    author: r.author,
    submittedBy: r.submitted_by,
    reviewedBy: r.reviewed_by,
    reviewComment: r.review_comment,
    publishedBy: r.published_by,
    publishedAt: r.published_at ? new Date(r.published_at).toISOString() : null,
    revision: r.revision,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}
