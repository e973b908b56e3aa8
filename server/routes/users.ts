import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { App } from "../app.ts";
import { forgetSessions, requestToken, requireRoles } from "../auth.ts";
import { AppError } from "../errors.ts";
import { newPasswordField, passwordProblem, usernameField } from "../password-policy.ts";
import type { Store } from "../store/index.ts";
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
          username: usernameField,
          password: newPasswordField,
          roles: z.array(role).min(1),
          displayName: z.string().optional(),
        }),
        response: { 201: userSchema },
      },
      onRequest: admin,
    },
    async (req, reply) => {
      const actor = req.user?.username ?? "";
      notUsername(req.body.password, req.body.username);
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
        description:
          "A new password ends every session of the user (but the admin's own, when changing their own). " +
          "The last active admin can neither lose the admin role nor be deactivated (409 LAST_ADMIN).",
        params: z.object({ id: z.coerce.number().int().min(1).max(2_147_483_647) }),
        body: z.strictObject({
          roles: z.array(role).min(1).optional(),
          active: z.boolean().optional(),
          password: newPasswordField.optional(),
        }),
        response: { 200: userSchema },
      },
      onRequest: admin,
    },
    async (req) => {
      const actor = req.user?.username ?? "";
      const user = await store.transaction(async (tx) => {
        const before = await tx.users.byId(req.params.id);
        if (!before) throw new AppError("NOT_FOUND", `no user ${req.params.id}`);
        if (req.body.password) notUsername(req.body.password, before.username);
        await keepAnAdmin(tx, before, req.body);
        const u = await tx.users.update(req.params.id, req.body);
        if (!u) throw new AppError("NOT_FOUND", `no user ${req.params.id}`);
        const ended = req.body.password
          ? await tx.users.endSessions(u.id, u.id === req.user?.id ? requestToken(req) : undefined)
          : 0;
        const { password: _p, ...changed } = req.body;
        await tx.audit.record({
          actor,
          action: "user.update",
          entity: "user",
          entityId: u.id,
          detail: { ...changed, ...(req.body.password && { password: "changed", endedSessions: ended }) },
        });
        return u;
      });
      // Roles, activity or password changed: no cached session outlives the committed change.
      forgetSessions(store);
      return user;
    },
  );
}

function notUsername(password: string, username: string) {
  const problem = passwordProblem(password, username);
  if (problem)
    throw new AppError("VALIDATION", problem, [
      { code: "password_policy", path: ["body", "password"], message: problem },
    ]);
}

/**
 * The last active admin keeps the role and stays active: someone must be able to manage users
 * (`yidi admin reset-password` is for a lost password, not a lost admin). The active users' rows
 * are locked first, so two admins demoting each other at once cannot both succeed.
 */
async function keepAnAdmin(
  tx: Store,
  user: { id: number; roles: readonly string[]; active: boolean },
  patch: { roles?: readonly string[] | undefined; active?: boolean | undefined },
) {
  if (!user.active || !user.roles.includes("admin")) return;
  const losesAdmin = (patch.roles && !patch.roles.includes("admin")) || patch.active === false;
  if (!losesAdmin) return;
  const admins = await tx.users.activeAdminsLocked();
  if (admins.every((id) => id === user.id)) {
    throw new AppError(
      "LAST_ADMIN",
      patch.active === false
        ? "this is the last active admin; make someone else an admin first"
        : "this is the last active admin and cannot lose the admin role; make someone else an admin first",
    );
  }
}
