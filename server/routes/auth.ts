import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { App } from "../app.ts";
import { forgetSessions, requestToken, requireRoles, SESSION_COOKIE } from "../auth.ts";
import { AppError } from "../errors.ts";
import { newPasswordField, PASSWORD_MAX, passwordProblem, usernameField } from "../password-policy.ts";
import { ROLES } from "../store/schema.ts";
import { sessionId } from "../store/users.ts";
import { SharedLoginThrottle, type Throttle } from "../throttle.ts";

export const userSchema = z.object({
  id: z.number(),
  username: z.string(),
  roles: z.array(z.enum(ROLES as ["officer", ...("approver" | "clerk" | "tester" | "admin")[]])),
  displayName: z.string().nullable(),
  active: z.boolean(),
});

const sessionSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  client: z.string().nullable(),
  address: z.string().nullable(),
  current: z.boolean(),
});

/** Whether the request came over TLS (directly, or through a trusted proxy), or the server says it always does. */
export const overTls = (app: App, req: FastifyRequest) => app.deps.tls === true || req.protocol === "https";

/** The session cookie: httpOnly, SameSite=Strict, Secure over TLS. */
export function setSessionCookie(
  app: App,
  req: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expires: Date,
) {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "strict",
    secure: overTls(app, req),
    path: "/",
    expires,
  });
}

/**
 * POST /api/login → { token } (and a session cookie for the web app); POST /api/logout; GET /api/me;
 * PUT /api/me/password; GET /api/me/sessions, DELETE /api/me/sessions/:id.
 */
export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>() as unknown as App;
  const { store } = app.deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const throttle: Throttle = app.deps.loginThrottle ?? new SharedLoginThrottle(store.loginFailures);
  const anyone = requireRoles(store, ...ROLES);

  r.post(
    "/login",
    {
      schema: {
        tags: ["auth"],
        security: [],
        description:
          "Throttled: 5 failures for one account within 15 minutes lock it (1 minute, doubling per further failure, " +
          "up to 15), 50 failures from one address lock the address for the rest of the 15 minutes; a locked attempt " +
          "is answered 429 with Retry-After, whatever the password.",
        body: z.strictObject({ username: usernameField, password: z.string().min(1).max(PASSWORD_MAX) }),
        response: { 200: z.object({ token: z.string(), expiresAt: z.string(), user: userSchema }) },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const address = req.ip;
      const wait = await throttle.retryAfter(username, address);
      if (wait > 0) {
        reply.header("retry-after", String(wait));
        throw new AppError("TOO_MANY_ATTEMPTS", undefined, undefined, { retryAfter: wait });
      }
      const checked = await store.users.check(username, password);
      if (!("user" in checked)) {
        await throttle.failed(username, address);
        // A known account's failures are each audited (the throttle bounds them); unknown names at
        // most once per address per window, so a stranger cannot fill the audit log.
        if (checked.failure !== "unknown_user" || !(await throttle.addressSeen(address))) {
          await store.audit.record({
            actor: username,
            action: "login.failed",
            entity: "session",
            detail: { reason: checked.failure, address },
          });
        }
        throw new AppError("BAD_CREDENTIALS");
      }
      const { user } = checked;
      await throttle.succeeded(username);
      const { token, expiresAt } = await store.users.startSession(user.id, {
        client: req.headers["user-agent"],
        address,
      });
      await store.audit.record({ actor: user.username, action: "login", entity: "session" });
      setSessionCookie(app, req, reply, token, expiresAt);
      return { token, expiresAt: expiresAt.toISOString(), user };
    },
  );

  r.post(
    "/logout",
    { schema: { tags: ["auth"], response: { 204: z.null() } }, onRequest: anyone },
    async (req, reply) => {
      const token = requestToken(req);
      if (token) {
        await store.users.endSession(token);
        forgetSessions(store, token);
      }
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.status(204).send(null);
    },
  );

  r.get(
    "/me",
    { schema: { tags: ["auth"], response: { 200: userSchema } }, onRequest: anyone },
    async (req) => req.user as z.infer<typeof userSchema>,
  );

  r.put(
    "/me/password",
    {
      schema: {
        tags: ["auth"],
        summary: "Change your own password",
        description:
          "Needs the current password. Every other session of yours ends; this one stays. The new password: " +
          "12–256 characters, not a common password, not your username.",
        body: z.strictObject({
          currentPassword: z.string().min(1).max(PASSWORD_MAX),
          newPassword: newPasswordField,
        }),
        response: { 200: z.object({ endedSessions: z.number() }) },
      },
      onRequest: anyone,
    },
    async (req, reply) => {
      const me = req.user as NonNullable<typeof req.user>;
      const wait = await throttle.retryAfter(me.username, req.ip);
      if (wait > 0) {
        reply.header("retry-after", String(wait));
        throw new AppError("TOO_MANY_ATTEMPTS", undefined, undefined, { retryAfter: wait });
      }
      const problem = passwordProblem(req.body.newPassword, me.username);
      if (problem)
        throw new AppError("VALIDATION", problem, [
          { code: "password_policy", path: ["body", "newPassword"], message: problem },
        ]);
      const checked = await store.users.check(me.username, req.body.currentPassword);
      if (!("user" in checked)) {
        await throttle.failed(me.username, req.ip);
        throw new AppError("BAD_CREDENTIALS", "the current password is wrong");
      }
      const token = requestToken(req);
      const ended = await store.transaction(async (tx) => {
        await tx.users.update(me.id, { password: req.body.newPassword });
        const n = await tx.users.endSessions(me.id, token);
        await tx.audit.record({
          actor: me.username,
          action: "user.password",
          entity: "user",
          entityId: me.id,
          detail: { endedSessions: n },
        });
        return n;
      });
      forgetSessions(store);
      return { endedSessions: ended };
    },
  );

  r.get(
    "/me/sessions",
    {
      schema: {
        tags: ["auth"],
        summary: "Your live sessions",
        description: "`current` marks the one this request uses. Ids are not tokens.",
        response: { 200: z.array(sessionSchema) },
      },
      onRequest: anyone,
    },
    async (req) => {
      const me = req.user as NonNullable<typeof req.user>;
      const token = requestToken(req);
      const current = token ? sessionId(token) : undefined;
      return (await store.users.sessions(me.id)).map((s) => ({ ...s, current: s.id === current }));
    },
  );

  r.delete(
    "/me/sessions/:id",
    {
      schema: {
        tags: ["auth"],
        summary: "End one of your sessions (log out another device)",
        params: z.object({ id: z.string().regex(/^[0-9a-f]{16}$/, "a session id: 16 hex digits") }),
        response: { 204: z.null() },
      },
      onRequest: anyone,
    },
    async (req, reply) => {
      const me = req.user as NonNullable<typeof req.user>;
      if (!(await store.users.endSessionById(me.id, req.params.id)))
        throw new AppError("NOT_FOUND", `you have no session ${req.params.id}`);
      forgetSessions(store);
      await store.audit.record({
        actor: me.username,
        action: "session.end",
        entity: "session",
        detail: { session: req.params.id },
      });
      return reply.status(204).send(null);
    },
  );
}
