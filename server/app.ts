import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { z } from "zod";
import { plainMessages } from "../engine/index.ts";
import { DEFAULT_EDITOR_DIR, registerEditor } from "./editor-static.ts";
import { AppError, errorLang } from "./errors.ts";
import {
  DATABASE_RETRY_AFTER_S,
  databaseInputError,
  databaseUnavailable,
  logSafeError,
  registerHardening,
} from "./hardening.ts";
import { maskText } from "./mask.ts";
import { PolicyService } from "./policy-service.ts";
import { Registry } from "./registry/registry.ts";
import { ManualReviews } from "./registry/reviews.ts";
import { readSamples, type Sample } from "./review/try.ts";
import { RuleSetValidator } from "./review/validation.ts";
import { ReviewWorkflow } from "./review/workflow.ts";
import { auditRoutes } from "./routes/audit.ts";
import { authRoutes } from "./routes/auth.ts";
import { decisionLogRoutes } from "./routes/decision-log.ts";
import { decisionRoutes } from "./routes/decisions.ts";
import { deskRoutes } from "./routes/desk.ts";
import { documentRoutes } from "./routes/documents.ts";
import { filingRoutes } from "./routes/filings.ts";
import { prepaymentRoutes } from "./routes/prepayments.ts";
import { reviewRoutes } from "./routes/reviews.ts";
import { ruleSetReviewRoutes } from "./routes/rule-set-review.ts";
import { ruleSetViewRoutes } from "./routes/rule-set-views.ts";
import { type RuleSetRouteOptions, ruleSetRoutes } from "./routes/rule-sets.ts";
import { simulationRoutes } from "./routes/simulations.ts";
import { userRoutes } from "./routes/users.ts";
import type { Store } from "./store/index.ts";
import type { Throttle } from "./throttle.ts";

/** What the app needs from outside; tests pass their own. */
export type AppDeps = {
  store: Store;
  /** A hook for fault-injection tests: called at named points inside transactions. */
  faults?: (point: string) => void | Promise<void>;
  logger?: FastifyServerOptions["logger"];
  bodyLimit?: number;
  /**
   * How often (ms) decisions check whether another process sharing the database published a
   * rule-set version (default 1000; 0 checks on every decision).
   */
  policyRefreshMs?: number;
  /**
   * Simulations run at once (default 2, YIDI_SIMULATIONS_AT_ONCE): each replays up to 16 MiB of
   * cases or 50,000 logged decisions on the server's cores; more at once are answered 503.
   */
  simulationsAtOnce?: number;
  /** The built web editor to serve at `/` (default editor/dist); without index.html, `/` says how to build it. */
  editorDir?: string;
  /** The sample cases offered by the Try panel (default simulator/cases). */
  samplesDir?: string;
  /** Today's date (YYYY-MM-DD) for the versions' timeline and the registry's expiry; tests fix it. */
  today?: () => string;
  /** Login throttling (default: 5 failures per account, 50 per address, per 15 minutes). */
  loginThrottle?: Throttle;
  /** Served over TLS (YIDI_TLS=1): Secure cookies and HSTS on every request, not only on https ones. */
  tls?: boolean;
  /** Trust X-Forwarded-* from a reverse proxy (YIDI_TRUST_PROXY): the client's address, https. */
  trustProxy?: boolean | string;
};

const DEFAULT_SAMPLES_DIR = fileURLToPath(new URL("../simulator/cases", import.meta.url));

export type App = FastifyInstance & { deps: AppDeps; policies: PolicyService };

/**
 * pino options: ID numbers masked in every log line (percent-encoded ones too); credentials
 * never logged; an error logged by its type, code, message and stack only (a database error's
 * query parameters and failing row hold the whole case).
 */
export function loggerOptions(level: string) {
  return {
    level,
    redact: {
      paths: ["req.headers.authorization", "req.headers.cookie", "password", "*.password"],
      censor: "[redacted]",
    },
    serializers: { err: logSafeError },
    // Every line is masked as written, whatever field (url, body, error) carries an ID number.
    hooks: { streamWrite: maskText },
  };
}

/**
 * fastify-type-provider-zod's validator, with the engine's plain messages: zod is configured per
 * parse, never globally, so a failed request is parsed once more with them (errors only).
 */
const plainValidatorCompiler: typeof validatorCompiler = (route) => {
  const validate = validatorCompiler(route);
  const schema = route.schema as z.ZodType;
  return (data) => {
    const r = validate(data) as { error?: { message?: string | undefined }[] };
    if (!r.error) return r as ReturnType<typeof validate>;
    const plain = schema.safeParse(data, { error: plainMessages });
    if (!plain.success) {
      for (const [i, e] of r.error.entries()) e.message = plain.error.issues[i]?.message ?? e.message;
    }
    return r as ReturnType<typeof validate>;
  };
};

/**
 * Builds the fastify app (it does not listen). The store must be migrated and the rule sets
 * imported (see `bootstrap`); the policy service is loaded here.
 *
 * @example const app = await build({ store }); await app.inject({ method: "GET", url: "/api/health" })
 */
export async function build(deps: AppDeps): Promise<App> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    trustProxy: deps.trustProxy ?? false,
  }).withTypeProvider<ZodTypeProvider>() as unknown as App;
  app.setValidatorCompiler(plainValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate("deps", deps);
  const policies = new PolicyService(deps.store, deps.policyRefreshMs, (err) =>
    app.log.error(
      { err },
      "rule sets published elsewhere could not be loaded; deciding with the ones loaded before",
    ),
  );
  await policies.reload();
  app.decorate("policies", policies);
  app.decorateRequest("user", null);

  await app.register(fastifyCookie);
  await registerHardening(app, { overTls: (req) => deps.tls === true || req.protocol === "https" });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "yidi API — 异地就医备案",
        description:
          "Decisions for clerks, rule-set versions with review and publication, the filing registry, decision logs. " +
          "Log in with POST /api/login and send `Authorization: Bearer <token>`.",
        version: "0.1.0",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });

  app.setErrorHandler((err, req, reply) => {
    const lang = errorLang(req.headers["accept-language"]);
    if (err instanceof AppError) {
      if (typeof err.extra?.retryAfter === "number")
        reply.header("retry-after", String(err.extra.retryAfter));
      return reply.status(err.status).send(err.toJSON(lang));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      // fastify-type-provider-zod 7 puts the zod issue's code in `keyword` and its path in `instancePath`.
      const problems = err.validation.map((v) => {
        const path = v.instancePath
          .split("/")
          .slice(1)
          .filter((p) => p !== "");
        return {
          code: v.keyword,
          path: [err.validationContext ?? "body", ...path],
          message: v.message ?? "",
        };
      });
      return reply.status(400).send(new AppError("VALIDATION", undefined, problems).toJSON(lang));
    }
    const e = err as { statusCode?: number; code?: string; message: string };
    if (databaseUnavailable(err)) {
      req.log.warn({ err }, "the database is unavailable");
      return reply
        .status(503)
        .header("retry-after", String(DATABASE_RETRY_AFTER_S))
        .send(
          new AppError("DATABASE_UNAVAILABLE", undefined, undefined, {
            retryAfter: DATABASE_RETRY_AFTER_S,
          }).toJSON(lang),
        );
    }
    const dbInput = databaseInputError(err);
    if (dbInput) return reply.status(400).send(dbInput.toJSON(lang));
    if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE")
      return reply.status(413).send(new AppError("PAYLOAD_TOO_LARGE").toJSON(lang));
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.status(e.statusCode).send(new AppError("VALIDATION", e.message).toJSON(lang));
    }
    if (isResponseSerializationError(err)) req.log.error({ err }, "response does not match its schema");
    else req.log.error({ err }, "unhandled error");
    return reply.status(500).send(new AppError("INTERNAL").toJSON(lang));
  });
  const appPage = await registerEditor(app, deps.editorDir ?? DEFAULT_EDITOR_DIR);
  app.setNotFoundHandler(
    (req, reply) =>
      appPage(req, reply) ??
      reply
        .status(404)
        .send(
          new AppError("NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`).toJSON(
            errorLang(req.headers["accept-language"]),
          ),
        ),
  );

  app.get("/api/health", { schema: { hide: true } }, async () => ({ ok: true }));
  await app.register(authRoutes, { prefix: "/api" });
  await app.register(userRoutes, { prefix: "/api" });
  const today = deps.today ?? (() => new Date().toISOString().slice(0, 10));
  const registry = new Registry({
    store: deps.store,
    decider: () => policies.fresh(),
    today,
    faults: deps.faults,
  });
  const reviews = new ManualReviews(deps.store, registry);
  await app.register(decisionLogRoutes, { prefix: "/api", store: deps.store });
  await app.register(decisionRoutes, { prefix: "/api", store: deps.store, policies });
  await app.register(filingRoutes, { prefix: "/api", store: deps.store, registry, today });
  await app.register(reviewRoutes, { prefix: "/api", store: deps.store, reviews, today });
  await app.register(deskRoutes, { prefix: "/api", store: deps.store, policies, today });
  await app.register(documentRoutes, { prefix: "/api", store: deps.store, today });
  let samples: Sample[] | undefined;
  const validator = new RuleSetValidator();
  const ruleSets: RuleSetRouteOptions & { prefix: string } = {
    prefix: "/api",
    store: deps.store,
    validator,
    policies,
    workflow: new ReviewWorkflow(deps.store, validator, {
      published: () => policies.reload(),
      faults: deps.faults,
    }),
    samples: () => {
      samples ??= readSamples(deps.samplesDir ?? DEFAULT_SAMPLES_DIR, "simulator/cases");
      return samples;
    },
    ...(deps.today && { today: deps.today }),
  };
  await app.register(ruleSetRoutes, ruleSets);
  await app.register(ruleSetReviewRoutes, ruleSets);
  await app.register(ruleSetViewRoutes, ruleSets);
  await app.register(simulationRoutes, {
    prefix: "/api",
    store: deps.store,
    atOnce: deps.simulationsAtOnce ?? 2,
  });
  await app.register(auditRoutes, { prefix: "/api" });
  await app.register(prepaymentRoutes, { prefix: "/api", store: deps.store, faults: deps.faults });
  return app;
}
