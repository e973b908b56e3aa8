import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Where Vite writes the web editor (`npm run build:editor`). */
export const DEFAULT_EDITOR_DIR = fileURLToPath(new URL("../editor/dist", import.meta.url));

const NOT_BUILT = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>yidi — 编辑器未构建 / editor not built</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.6">
<h1>规则编辑器尚未构建</h1>
<p>The web editor has not been built, so only the API is served here (<a href="/docs">/docs</a>).</p>
<p>构建后重新启动服务 / build it, then start the server again:</p>
<pre>npm run build:editor   # or: npm install (builds it too)
npm start</pre>
</body></html>
`;

/** A request for a page of the single-page app: a GET outside /api and /docs that accepts HTML. */
export function isAppPage(req: FastifyRequest): boolean {
  const path = req.url.split("?")[0] ?? "";
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (/^\/(api|docs)(\/|$)/.test(path)) return false;
  return String(req.headers.accept ?? "").includes("text/html");
}

/**
 * Serves the web editor from `dir` at `/`: hashed assets (`assets/…`) cached for a year, every
 * other file (index.html first) revalidated on each load, so a new build shows at once. Returns
 * the SPA fallback for the not-found handler: any page of the app gets index.html (or, when the
 * editor is not built, a page saying how to build it).
 */
export async function registerEditor(
  app: FastifyInstance,
  dir: string,
): Promise<(req: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined> {
  const built = existsSync(join(dir, "index.html"));
  if (!built) {
    app.get("/", { schema: { hide: true } }, async (_req, reply) =>
      reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(NOT_BUILT),
    );
    return (req, reply) =>
      isAppPage(req)
        ? reply
            .status(200)
            .type("text/html; charset=utf-8")
            .header("cache-control", "no-cache")
            .send(NOT_BUILT)
        : undefined;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: "/",
    wildcard: true,
    cacheControl: false,
    setHeaders: (reply, path) => {
      const hashed = /[\\/]assets[\\/]/.test(path);
      reply.header("cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  return (req, reply) =>
    isAppPage(req) ? reply.status(200).header("cache-control", "no-cache").sendFile("index.html") : undefined;
}
