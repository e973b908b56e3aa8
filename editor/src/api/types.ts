import type { paths } from "./schema.d.ts";

/** The shapes the app reads, taken from the server's OpenAPI document (schema.d.ts). */
type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer T } } };
}
  ? T
  : never;

export type User = Json<"/api/me", "get">;
export type Role = User["roles"][number];
export type RuleSetGroup = Json<"/api/rule-sets", "get">[number];
export type VersionSummary = RuleSetGroup["versions"][number];
export type VersionStatus = VersionSummary["status"];
export type Version = Json<"/api/rule-sets/versions/{id}", "get">;
export type Problem = Json<"/api/rule-sets/versions/{id}/validate", "post">["problems"][number];
export type Actions = Json<"/api/rule-sets/versions/{id}/actions", "get">;
export type Action = Actions["edit"];
export type Inherited = Json<"/api/rule-sets/versions/{id}/inherited", "get">;
export type InheritedEntry = Inherited["entries"][number];
export type InheritedStatus = InheritedEntry["status"];
export type ChangeSummary = Json<"/api/rule-sets/versions/{id}/summary", "get">;
export type Change = ChangeSummary["changes"][number];
export type TryResult = Json<"/api/rule-sets/versions/{id}/try", "post">["results"][number];
export type Decision = Extract<TryResult, { ok: true }>["decision"];
export type TraceEntry = Decision["trace"][number];
export type Citation = NonNullable<TraceEntry["citation"]>;
export type Sample = Json<"/api/rule-sets/versions/{id}/samples", "get">[number];

/** The engine's condition trace (engine/conditions.ts ConditionTrace); the API types it as unknown. */
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

/** The API's error body, `{ error: { code, message, problems? } }`, as an exception. */
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
