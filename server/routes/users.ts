import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { App } from "../app.ts";
import { forgetSessions, requireRoles } from "../auth.ts";
import { AppError } from "../errors.ts";
import { ROLES } from "../store/schema.ts";
import { userSchema } from "./auth.ts";

const role = z.enum(ROLES as ["officer", ...("approver" | "clerk" | "tester" | "admin")[]]);

/** User administration (admin only); every change is audited. */
export async function userRoutes(fastify: FastifyInstance) {
  const app = fastify as unknown as App;
  const { store } = app.deps;
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const admin = requireRoles(store, "admin");

  r.get(
    "/users",
    { schema: { tags: ["users"], response: { 200: z.array(userSchema) } }, onRequest: admin },
    async () => store.users.list(),
  );

  r.post(
    "/users",
    {
      schema: {
        tags: ["users"],
        body: z.strictObject({
          username: z.string().regex(/^[a-zA-Z0-9_.-]{2,40}$/, "2–40 letters, digits, '_', '.' or '-'"),
          password: z.string().min(8, "at least 8 characters"),
          roles: z.array(role).min(1),
          displayName: z.string().optional(),
        }),
        response: { 201: userSchema },
      },
      onRequest: admin,
    },
    async (req, reply) => {
      const actor = req.user?.username ?? "";
      const user = await store.transaction(async (tx) => {
        if (await tx.users.byUsername(req.body.username))
          throw new AppError("DUPLICATE", `user ${req.body.username} exists`);
        const u = await tx.users.create({ ...req.body, displayName: req.body.displayName ?? null });
        await tx.audit.record({
          actor,
          action: "user.create",
          entity: "user",
          entityId: u.id,
          detail: { username: u.username, roles: u.roles },
        });
        return u;
      });
      return reply.status(201).send(user);
    },
  );

  r.patch(
    "/users/:id",
    {
      schema: {
        tags: ["users"],
        params: z.object({ id: z.coerce.number().int() }),
        body: z.strictObject({
          roles: z.array(role).min(1).optional(),
          active: z.boolean().optional(),
          password: z.string().min(8).optional(),
        }),
        response: { 200: userSchema },
      },
      onRequest: admin,
    },
    async (req) => {
      const actor = req.user?.username ?? "";
      const user = await store.transaction(async (tx) => {
        const u = await tx.users.update(req.params.id, req.body);
        if (!u) throw new AppError("NOT_FOUND", `no user ${req.params.id}`);
        const { password: _p, ...changed } = req.body;
        await tx.audit.record({
          actor,
          action: "user.update",
          entity: "user",
          entityId: u.id,
          detail: { ...changed, ...(req.body.password && { password: "changed" }) },
        });
        return u;
      });
      // Roles, activity or password changed: no cached session outlives the committed change.
      forgetSessions(store);
      return user;
    },
  );
}
