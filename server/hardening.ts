import fastifyHelmet from "@fastify/helmet";
import type { FastifyInstance, FastifyRequest } from "fastify";
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

export async function registerHardening(app: FastifyInstance, opts: HardeningOptions): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    // Sent only over TLS (below): over plain HTTP it would be ignored, or pin a test host to HTTPS.
    strictTransportSecurity: false,
    referrerPolicy: { policy: "same-origin" },
    frameguard: { action: "deny" },
    crossOriginEmbedderPolicy: false,
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
