import type { Problem } from "../engine/index.ts";
import { maskText } from "./mask.ts";

/** A message in the two languages the API speaks. */
export type Message = { readonly en: string; readonly zh: string };
export type ErrorLang = keyof Message;

/**
 * Every runtime error the API returns, by code: its HTTP status and default message in English
 * (`message`) and Chinese (`zh`). Each code is documented in docs/errors.md (a test checks it).
 * Body: `{ error: { code, message, problems? } }`, the message in the language the request's
 * Accept-Language prefers (see `errorLang`).
 */
export const ERRORS = {
  VALIDATION: {
    status: 400,
    message: "the request is not valid; see problems for each field",
    zh: "请求不符合要求，请按 problems 逐项修改",
  },
  CASE_INVALID: {
    status: 400,
    message: "the case is not valid; see problems for each field",
    zh: "案例数据有误，请按 problems 逐项修改",
  },
  BAD_CREDENTIALS: { status: 401, message: "wrong username or password", zh: "用户名或密码错误" },
  UNAUTHENTICATED: {
    status: 401,
    message: "log in first (POST /api/login), then send Authorization: Bearer <token>",
    zh: "请先登录（POST /api/login），再以 Authorization: Bearer <token> 发送请求",
  },
  FORBIDDEN: { status: 403, message: "your role does not allow this", zh: "您的角色无权执行此操作" },
  FOUR_EYES: {
    status: 403,
    message: "a rule-set version must be approved by someone other than its author and submitter",
    zh: "须由作者和提交人以外的人审核（四眼原则）",
  },
  NOT_FOUND: { status: 404, message: "no such resource", zh: "没有该资源" },
  STALE_REVISION: {
    status: 409,
    message: "someone else changed this since you loaded it; reload and reapply your edit",
    zh: "您加载之后已有他人修改，请刷新后重新操作",
  },
  REVISION_AHEAD: {
    status: 409,
    message: "the revision you sent is newer than the stored one; reload it and try again",
    zh: "您提交的版本号比系统中保存的还新，请刷新后重试",
  },
  INVALID_STATE: {
    status: 409,
    message: "this action is not allowed in the resource's current state",
    zh: "当前状态下不允许此操作",
  },
  DUPLICATE: { status: 409, message: "this already exists", zh: "该记录已存在" },
  OVERLAPPING_FILING: {
    status: 409,
    message: "this person already has an active filing of this category for an overlapping period",
    zh: "该参保人员已有同类别且有效期重叠的有效备案",
  },
  LAST_ADMIN: {
    status: 409,
    message: "the last active admin cannot lose the admin role or be deactivated",
    zh: "最后一位在用的管理员不能被取消管理员角色或停用",
  },
  CROSS_ORIGIN: {
    status: 403,
    message: "a cookie-authenticated change must come from this server's own pages (Origin)",
    zh: "使用 Cookie 登录的修改请求须来自本系统自己的页面（Origin 不符）",
  },
  TOO_MANY_ATTEMPTS: {
    status: 429,
    message: "too many failed logins; wait the seconds in Retry-After",
    zh: "登录失败次数过多，请在 Retry-After 所示秒数后再试",
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: "the request body is too large", zh: "请求内容过大" },
  RULES_INVALID: {
    status: 422,
    message: "the rule set has errors; see problems for file, line and column",
    zh: "规则集有错误，请按 problems 中的文件、行、列修改",
  },
  NOT_DECIDABLE: { status: 422, message: "no rule set can decide this case", zh: "没有可判定该案例的规则集" },
  NOT_ELIGIBLE: {
    status: 422,
    message: "the rules do not allow this; see the decision's reasons",
    zh: "规则不允许此操作，理由见决定中的 reasons",
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: "this Idempotency-Key was used with a different request; use a new key for a new request",
    zh: "该 Idempotency-Key 已用于另一个不同的请求，新请求请使用新的键",
  },
  IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    message:
      "a request with this Idempotency-Key is still being processed; retry after the seconds in Retry-After",
    zh: "使用该 Idempotency-Key 的请求仍在处理中，请在 Retry-After 所示秒数后重试",
  },
  SIMULATOR_BUSY: {
    status: 503,
    message:
      "the server is already running as many simulations as it allows at once; retry after the seconds in Retry-After",
    zh: "服务器正在运行的模拟已达同时运行上限，请在 Retry-After 所示秒数后重试",
  },
  DATABASE_UNAVAILABLE: {
    status: 503,
    message: "the database cannot be reached right now; retry after the seconds in Retry-After",
    zh: "数据库暂时无法连接，请在 Retry-After 所示秒数后重试",
  },
  INTERNAL: {
    status: 500,
    message: "an internal error; it has been logged",
    zh: "服务器内部错误，已记录日志",
  },
} as const satisfies Record<string, { status: number; message: string; zh: string }>;

export type ErrorCode = keyof typeof ERRORS;

/**
 * The language of error messages for a request: Chinese when its Accept-Language prefers zh
 * (the highest-q tag is a zh one), else English.
 *
 * @example errorLang("zh-CN,zh;q=0.9,en;q=0.8") // "zh"; errorLang(undefined) // "en"
 */
export function errorLang(acceptLanguage: string | undefined): ErrorLang {
  let best: { lang: string; q: number } | undefined;
  for (const part of (acceptLanguage ?? "").split(",")) {
    const [tag = "", ...params] = part.trim().split(";");
    if (!tag) continue;
    const qp = params.find((p) => p.trim().startsWith("q="));
    const q = qp ? Number(qp.trim().slice(2)) : 1;
    if (Number.isFinite(q) && (!best || q > best.q)) best = { lang: tag.toLowerCase(), q };
  }
  return best && best.q > 0 && (best.lang === "zh" || best.lang.startsWith("zh-")) ? "zh" : "en";
}

export class AppError extends Error {
  readonly status: number;
  /** The message in Chinese (the code's default unless the thrower gave one). */
  readonly zh: string;
  constructor(
    readonly code: ErrorCode,
    message?: string | Message,
    readonly problems?: Problem[],
    readonly extra?: Record<string, unknown>,
  ) {
    const m = message === undefined ? { en: ERRORS[code].message, zh: ERRORS[code].zh } : message;
    super(typeof m === "string" ? m : m.en);
    // A detail given in English only is shown after the code's Chinese message.
    this.zh = typeof m === "string" ? (message === undefined ? m : `${ERRORS[code].zh}（${m}）`) : m.zh;
    this.status = ERRORS[code].status;
  }

  /** The answer's body. An ID number in a message (a 404 echoing a URL, say) is masked, whoever asked. */
  toJSON(lang: ErrorLang = "en") {
    return {
      error: {
        code: this.code,
        message: maskText(lang === "zh" ? this.zh : this.message),
        ...(this.problems && {
          problems: this.problems.map((p) =>
            typeof p.message === "string" ? { ...p, message: maskText(p.message) } : p,
          ),
        }),
        ...this.extra,
      },
    };
  }
}
