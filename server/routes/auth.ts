import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { App } from "../app.ts";
import { forgetSessions, requestToken, requireRoles, SESSION_COOKIE } from "../auth.ts";
import { AppError } from "../errors.ts";
import { ROLES } from "../store/schema.ts";

export const userSchema = z.object({
  id: z.number(),
  username: z.string(),
  roles: z.array(z.enum(ROLES as ["officer", ...("approver" | "clerk" | "tester" | "admin")[]])),
  displayName: z.string().nullable(),
  active: z.boolean(),
});

/** POST /api/login → { token } (and a session cookie for the web app); POST /api/logout; GET /api/me. */
export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>() as unknown as App;
  const { store } = app.deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    "/login",
    {
      schema: {
        tags: ["auth"],
        security: [],
        body: z.strictObject({ username: z.string().min(1), password: z.string().min(1) }),
        response: { 200: z.object({ token: z.string(), expiresAt: z.string(), user: userSchema }) },
      },
    },
    async (req, reply) => {
      const user = await store.users.authenticate(req.body.username, req.body.password);
      if (!user) {
        await store.audit.record({ actor: req.body.username, action: "login.failed", entity: "session" });
        throw new AppError("BAD_CREDENTIALS");
      }
      const { token, expiresAt } = await store.users.startSession(user.id);
      await store.audit.record({ actor: user.username, action: "login", entity: "session" });
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: "strict",
        path: "/",
        expires: expiresAt,
      });
      return { token, expiresAt: expiresAt.toISOString(), user };
    },
  );

  r.post(
    "/logout",
    { schema: { tags: ["auth"], response: { 204: z.null() } }, onRequest: requireRoles(store, ...ROLES) },
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
    { schema: { tags: ["auth"], response: { 200: userSchema } }, onRequest: requireRoles(store, ...ROLES) },
    async (req) => req.user as z.infer<typeof userSchema>,
  );
}
