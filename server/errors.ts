import type { Problem } from "../engine/index.ts";

/**
 * Every runtime error the API returns, by code: its HTTP status and default message. Each code
 * is documented in docs/errors.md (a test checks it). Body: `{ error: { code, message, problems? } }`.
 */
export const ERRORS = {
  VALIDATION: { status: 400, message: "the request is not valid; see problems for each field" },
  CASE_INVALID: { status: 400, message: "the case is not valid; see problems for each field" },
  BAD_CREDENTIALS: { status: 401, message: "wrong username or password" },
  UNAUTHENTICATED: {
    status: 401,
    message: "log in first (POST /api/login), then send Authorization: Bearer <token>",
  },
  FORBIDDEN: { status: 403, message: "your role does not allow this" },
  FOUR_EYES: {
    status: 403,
    message: "a rule-set version must be approved by someone other than its author and submitter",
  },
  NOT_FOUND: { status: 404, message: "no such resource" },
  STALE_REVISION: {
    status: 409,
    message: "someone else changed this since you loaded it; reload and reapply your edit",
  },
  INVALID_STATE: { status: 409, message: "this action is not allowed in the resource's current state" },
  DUPLICATE: { status: 409, message: "this already exists" },
  PAYLOAD_TOO_LARGE: { status: 413, message: "the request body is too large" },
  RULES_INVALID: { status: 422, message: "the rule set has errors; see problems for file, line and column" },
  NOT_DECIDABLE: { status: 422, message: "no rule set can decide this case" },
  NOT_ELIGIBLE: { status: 422, message: "the rules do not allow this; see the decision's reasons" },
  INTERNAL: { status: 500, message: "an internal error; it has been logged" },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly problems?: Problem[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(message ?? ERRORS[code].message);
    this.status = ERRORS[code].status;
  }

  toJSON() {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.problems && { problems: this.problems }),
        ...this.extra,
      },
    };
  }
}
