import type { ColumnType, Generated, JSONColumnType } from "kysely";

/** The database tables, as kysely sees them. One set of migrations serves PGlite and PostgreSQL. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type Role = "officer" | "approver" | "clerk" | "tester" | "admin";
export const ROLES: readonly Role[] = ["officer", "approver", "clerk", "tester", "admin"];

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  roles: JSONColumnType<Role[]>;
  display_name: string | null;
  active: Generated<boolean>;
  created_at: Timestamp;
}

export interface SessionsTable {
  token_hash: string;
  user_id: number;
  created_at: Timestamp;
  expires_at: Timestamp;
  /** Migration 0004: the last request seen (idle timeout), and who opened it. */
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  client: ColumnType<string | null, string | null | undefined, string | null>;
  address: ColumnType<string | null, string | null | undefined, string | null>;
}

export type RuleSetStatus = "draft" | "in_review" | "published" | "rejected";

export interface RuleSetVersionsTable {
  id: Generated<number>;
  rule_set_id: string;
  version: string;
  status: RuleSetStatus;
  content: string;
  hash: string;
  region: string | null;
  effective_from: string | null;
  based_on: number | null;
  author: string;
  submitted_by: string | null;
  reviewed_by: string | null;
  review_comment: string | null;
  published_by: string | null;
  published_at: Timestamp | null;
  /** When it was last submitted for review (cleared by a withdrawal); migration 0002. */
  submitted_at: Timestamp | null;
  /** When an approver published or rejected it; migration 0002. */
  reviewed_at: Timestamp | null;
  revision: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DecisionsTable {
  /** A UUIDv7 made by the server (no default since migration 0008: it is the partition key). */
  id: string;
  case_id: string;
  kind: string;
  outcome: string;
  insured_region: string;
  category: string | null;
  as_of: string;
  id_masked: string;
  input: JSONColumnType<Record<string, unknown>>;
  chain: JSONColumnType<{ id: string; version: string; hash: string }[]>;
  output: JSONColumnType<Record<string, unknown>>;
  draft_version_id: number | null;
  asked_by: string;
  asked_at: Timestamp;
}

export type FilingStatus = "active" | "revoked" | "consumed";

export interface FilingsTable {
  id: Generated<string>;
  /** Migration 0006: an envelope (server/data-keys.ts), never the ID number in clear. */
  id_number: string;
  /** Migration 0006: the ID number's keyed hash (HMAC-SHA256), what look-ups and the overlap check use. */
  id_hash: string;
  id_masked: string;
  name: string | null;
  sex: string;
  insured_region: string;
  scheme: string;
  category: string;
  status: FilingStatus;
  destination_region: string | null;
  hospital_name: string | null;
  hospital_level: string | null;
  valid_from: string;
  valid_until: string | null;
  single_use: boolean;
  change_locked_until: string | null;
  extensions: Generated<number>;
  approved_on: string;
  decision_id: string;
  details: JSONColumnType<Record<string, unknown>>;
  /** When a revoked or consumed filing ended; migration 0003. */
  ended_on: ColumnType<string | null, string | null | undefined, string | null>;
  revision: Generated<number>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FilingEventsTable {
  id: Generated<number>;
  filing_id: string;
  event: "filed" | "changed" | "revoked" | "extended" | "consumed";
  decision_id: string | null;
  actor: string;
  at: Timestamp;
  detail: JSONColumnType<Record<string, unknown>>;
}

/** The manual review queue (migration 0003): decisions that came out manual_review. */
export interface ManualReviewsTable {
  decision_id: string;
  status: "pending" | "approved" | "rejected";
  /** The filing a change, revocation or extension request acts on, and its revision then. */
  filing_id: string | null;
  filing_revision: number | null;
  requested_by: string;
  requested_at: Timestamp;
  decided_by: string | null;
  decided_at: Timestamp | null;
  reason: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor: string;
  action: string;
  entity: string;
  entity_id: string | null;
  detail: JSONColumnType<Record<string, unknown>>;
}

/** Migration 0006: the data keys that sealed data here (by id), each with a value only it opens. */
export interface DataKeysTable {
  key_id: string;
  check_value: string;
  created_at: Timestamp;
  /** Set by a rotation once no row is sealed with this key any more. */
  retired_at: Timestamp | null;
}

export interface PrepaymentsTable {
  id: Generated<number>;
  insured_province: string;
  treatment_province: string;
  year: number;
  month: number;
  prepayment: string;
  clearing: string;
  recorded_by: string;
  recorded_at: Timestamp;
}

/** Migration 0008: the version-4 id a decision had before it got a UUIDv7. */
export interface DecisionIdAliasesTable {
  old_id: string;
  id: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  rule_set_versions: RuleSetVersionsTable;
  decisions: DecisionsTable;
  decision_id_aliases: DecisionIdAliasesTable;
  filings: FilingsTable;
  filing_events: FilingEventsTable;
  manual_reviews: ManualReviewsTable;
  audit_log: AuditLogTable;
  prepayments: PrepaymentsTable;
  data_keys: DataKeysTable;
}
