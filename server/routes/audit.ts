import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { App } from "../app.ts";
import { requireRoles } from "../auth.ts";

/** GET /api/audit: the audit log (admin), newest first. */
export async function auditRoutes(fastify: FastifyInstance) {
  const { store } = (fastify as unknown as App).deps;
  fastify.withTypeProvider<ZodTypeProvider>().get(
    "/audit",
    {
      schema: {
        tags: ["audit"],
        querystring: z.object({
          entity: z.string().optional(),
          entityId: z.string().optional(),
          actor: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: {
          200: z.array(
            z.object({
              id: z.number(),
              at: z.string(),
              actor: z.string(),
              action: z.string(),
              entity: z.string(),
              entityId: z.string().nullable(),
              detail: z.record(z.string(), z.unknown()),
            }),
          ),
        },
      },
      onRequest: requireRoles(store, "admin"),
    },
    async (req) => store.audit.list(req.query),
  );
}
