import { resolve } from "node:path";
import { z } from "zod";
import { plainMessages } from "../engine/index.ts";

/** Configuration from the environment (documented in the README). */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  YIDI_DATA_DIR: z.string().default("./data"),
  DATABASE_URL: z.string().url().optional(),
  YIDI_RULES_DIR: z.string().optional(),
  YIDI_ADMIN_USER: z.string().min(1).optional(),
  YIDI_ADMIN_PASSWORD: z.string().min(8, "YIDI_ADMIN_PASSWORD needs at least 8 characters").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const r = configSchema.safeParse(env, { error: plainMessages });
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  return { ...r.data, YIDI_DATA_DIR: resolve(r.data.YIDI_DATA_DIR) };
}
