import type { Bilingual } from "../i18n.tsx";

/** The shapes the app reads from the HTTP API (the server's OpenAPI document at /docs). */

export type Role = "officer" | "approver" | "clerk" | "tester" | "admin";
export type User = {
  id: number;
  username: string;
  roles: Role[];
  displayName: string | null;
  active: boolean;
};

export type VersionStatus = "draft" | "in_review" | "published" | "rejected";

export type VersionSummary = {
  id: number;
  ruleSetId: string;
  version: string;
  status: VersionStatus;
  /** where the version stands today, when the server says (superseded: a later version is in force) */
  lifecycle?: VersionStatus | "superseded";
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
export type Version = VersionSummary & { content: string; file: string };
export type RuleSetGroup = { id: string; versions: VersionSummary[] };

export type Problem = {
  code: string;
  path: (string | number)[];
  message: string;
  file?: string;
  line?: number;
  column?: number;
};

export type Action = { allowed: boolean; reason?: Bilingual };
export type Actions = Record<"edit" | "submit" | "withdraw" | "approve" | "reject", Action>;

export type InheritedStatus = "inherited" | "overridden" | "added" | "removed";
export type InheritedEntry = {
  section: string;
  key: string;
  status: InheritedStatus;
  origin: string;
  overrides?: string;
  value: unknown;
};
export type Inherited = { chain: { id: string; version: string }[]; entries: InheritedEntry[] };

export type Change = {
  section: string;
  key: string;
  change: "added" | "removed" | "changed";
  message: Bilingual;
  fields?: { path: string; before: unknown; after: unknown }[];
};
export type VersionRef = { id: number; ruleSetId: string; version: string };
export type ChangeSummary = { from?: VersionRef; to?: VersionRef; changes: Change[] };

export type Citation = { document: string; clause: string };
export type TriState = true | false | "unknown";
export type ConditionTrace =
  | { all: ConditionTrace[]; result: TriState }
  | { any: ConditionTrace[]; result: TriState }
  | { not: ConditionTrace; result: TriState }
  | {
      fact: string;
      operator: string;
      value?: unknown;
      factResult: unknown;
      valueResult: unknown;
      result: TriState;
    };
export type TraceEntry = {
  rule: string;
  type: string;
  ruleSet: string;
  result: boolean | "unknown";
  effect?: string;
  when?: unknown;
  conditions?: unknown;
  detail?: unknown;
  citation?: Citation;
};
export type Decision = {
  caseId: string;
  outcome: "approved" | "rejected" | "incomplete" | "manual_review";
  kind: string;
  category: string | null;
  asOf: string;
  ruleSets: { id: string; version: string; hash: string }[];
  reasons: { code: string; effect: string; message: string; citation: Citation; ruleSet: string }[];
  missingMaterials: {
    id?: string;
    anyOf?: string[];
    label: string;
    citation: Citation;
    requirement: string;
  }[];
  missingFields: string[];
  validity: {
    from: string;
    until: string | null;
    singleUse: boolean;
    changeLockedUntil: string | null;
    extensions?: number;
  } | null;
  settlementMode: string | null;
  processing: { immediate: boolean; dueDate: string | null; workingDays?: number };
  warnings: { code: string; message: string; citation?: Citation }[];
  trace: TraceEntry[];
};
export type TryResult =
  | { id?: string; ok: true; decision: Decision }
  | { id?: string; ok: false; problems: Problem[] };
export type Sample = {
  file: string;
  id: string;
  title: string | null;
  asOf: string;
  region: string;
  text: string;
};

/** The API's error body: `{ error: { code, message, problems? } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}
