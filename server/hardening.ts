import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";
import helmet, { type HelmetOptions } from "helmet";
import { AppError } from "./errors.ts";

/**
 * The server's defences that apply to every route (issue #12): security headers (helmet, with a
 * CSP of 'self' only), an Origin check on cookie-authenticated changes, and NUL characters refused
 * before any route sees them (PostgreSQL cannot store them in text, and they are never data here).
 */
export type HardeningOptions = {
  /** Whether a request came over TLS (directly, through a trusted proxy, or YIDI_TLS). */
  overTls: (req: FastifyRequest) => boolean;
};

/** The Content-Security-Policy: only this server's own scripts, styles, workers and images. */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  // antd and monaco put style elements and attributes in the page at run time.
  styleSrc: ["'self'", "'unsafe-inline'"],
  // monaco's language workers start from blob: URLs.
  workerSrc: ["'self'", "blob:"],
  imgSrc: ["'self'", "data:", "blob:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
};

const CHANGES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The origin (scheme://host[:port]) a Referer names, or "" when it is not a URL. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
}

/**
 * Whether a state-changing request without a bearer token comes from another site: its Origin
 * (or, lacking one, its Referer) names a host other than the one it was sent to. A request with
 * neither header is not a browser's cross-site request (browsers send Origin on every cross-site
 * POST), and is let through — it still needs a session.
 */
export function crossOrigin(req: FastifyRequest): boolean {
  if (!CHANGES.has(req.method)) return false;
  if (req.headers.authorization?.startsWith("Bearer ")) return false;
  const origin = req.headers.origin ?? (req.headers.referer ? originOf(req.headers.referer) : undefined);
  if (origin === undefined) return false;
  if (origin === "" || origin === "null") return true;
  try {
    return new URL(origin).host !== req.host;
  } catch {
    return true;
  }
}

/** Whether a parsed body holds a NUL character in any string or key (iterative: any depth). */
export function hasNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (v.includes("\u0000")) return true;
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes("\u0000")) return true;
        stack.push(x);
      }
    }
  }
  return false;
}

const nulError = (where: string) =>
  new AppError("VALIDATION", `the ${where} holds a NUL character (\\u0000), which no field accepts`, [
    { code: "nul_character", path: [where], message: "NUL characters (\\u0000) are not accepted" },
  ]);

/** helmet's options: the CSP above; HSTS only over TLS (set per request, below). */
const HELMET: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
  // Sent only over TLS (below): over plain HTTP it would be ignored, or pin a test host to HTTPS.
  strictTransportSecurity: false,
  referrerPolicy: { policy: "same-origin" },
  frameguard: { action: "deny" },
  crossOriginEmbedderPolicy: false,
};

/**
 * The headers helmet sets (and removes) with these options, worked out once: helmet's middleware
 * run against a recording response. They are the same for every request (no nonces), and
 * `@fastify/helmet` rebuilt the middleware — parsing the CSP directives again — on every request
 * (~6 % of the server's time under load, issue #11).
 */
export function helmetHeaders(options: HelmetOptions = HELMET): {
  set: [string, string][];
  removed: string[];
} {
  const set = new Map<string, string>();
  const removed: string[] = [];
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.set(name.toLowerCase(), String(value));
      return res;
    },
    removeHeader(name: string) {
      removed.push(name.toLowerCase());
    },
    getHeader: () => undefined,
  };
  let error: unknown;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (e?: unknown) => {
    error = e;
  });
  if (error) throw error;
  return { set: [...set], removed };
}

export async function registerHardening(app: FastifyInstance, opts: HardeningOptions): Promise<void> {
  const { set, removed } = helmetHeaders();
  app.addHook("onRequest", (_req, reply, done) => {
    for (const [name, value] of set) reply.header(name, value);
    for (const name of removed) reply.raw.removeHeader(name);
    done();
  });
  app.addHook("onRequest", async (req, reply) => {
    if (opts.overTls(req)) reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
    if (/%00/i.test(req.url) || req.url.includes("\u0000"))
      throw nulError(req.url.includes("?") ? "querystring" : "url");
    if (crossOrigin(req)) throw new AppError("CROSS_ORIGIN");
  });
  app.addHook("preValidation", async (req) => {
    if (req.body !== undefined && hasNul(req.body)) throw nulError("body");
  });
}

/**
 * A database error that a request's own values caused (PostgreSQL's class 22, data exception:
 * a number out of range, an invalid text representation, a NUL character…), as a 400 instead of
 * a 500. A route's schema should have refused the value first; this is the backstop.
 */
export function databaseInputError(err: unknown): AppError | undefined {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== "string" || !/^22[0-9A-Z]{3}$/.test(code)) return undefined;
  return new AppError("VALIDATION", "a value in the request is out of range or not valid (database)", [
    { code: "database_value", path: [], message: `the database refused a value (SQLSTATE ${code})` },
  ]);
}

/** SQLSTATE classes and connection error codes that mean the database is away, not that the request is wrong. */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/;
const UNAVAILABLE_NODE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
/** Messages of node-postgres (pg, pg-pool) for a connection that is gone or cannot be had. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Cannot use a pool after calling end|Client was closed)/i;

/** How long a client is asked to wait (Retry-After, seconds) while the database is away. */
export const DATABASE_RETRY_AFTER_S = 5;

/**
 * Whether an error says the database cannot be reached right now (PostgreSQL restarting, shut
 * down by an administrator, a connection refused, terminated or timed out) — a 503 with
 * Retry-After, for the client to try again, rather than a 500. Looks through `cause` and an
 * AggregateError's `errors` (a connection refused on every address of localhost).
 */
export function databaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== "object" || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string" && (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_NODE.has(e.code)))
    return true;
  if (typeof e.message === "string" && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => databaseUnavailable(x, depth + 1))) return true;
  return databaseUnavailable(e.cause, depth + 1);
}

/**
 * An error as the log writes it: type, code, message and stack — never the other fields a
 * database error carries (PGlite's `query` and `params`, PostgreSQL's `detail` "Failing row
 * contains (…)", `where`), which hold a case's values. `cause` and an AggregateError's
 * `errors` are written the same way.
 */
export type LoggedError = { [key: string]: unknown; type: string; message: string; stack: string };
export function logSafeError(err: unknown, depth = 0): LoggedError {
  if (!err || typeof err !== "object") return { type: typeof err, message: String(err), stack: "" };
  const e = err as Error & {
    code?: unknown;
    severity?: unknown;
    constraint?: unknown;
    table?: unknown;
    statusCode?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  const out: LoggedError = {
    type: e.constructor?.name ?? "Error",
    message: typeof e.message === "string" ? e.message : String(e.message),
    stack: typeof e.stack === "string" ? e.stack : "",
  };
  for (const k of ["code", "severity", "constraint", "table", "statusCode"] as const) {
    if (typeof e[k] === "string" || typeof e[k] === "number") out[k] = e[k];
  }
  if (depth < 3 && e.cause !== undefined) out.cause = logSafeError(e.cause, depth + 1);
  if (depth < 3 && Array.isArray(e.errors)) out.errors = e.errors.map((x) => logSafeError(x, depth + 1));
  return out;
}
