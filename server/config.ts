import { resolve } from "node:path";
import { z } from "zod";
import { plainMessages } from "../engine/index.ts";
import { passwordProblem, USERNAME } from "./password-policy.ts";

const flag = z
  .enum(["1", "0", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

/** Configuration from the environment (documented in the README). */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  YIDI_DATA_DIR: z.string().default("./data"),
  DATABASE_URL: z.string().url().optional(),
  YIDI_RULES_DIR: z.string().optional(),
  YIDI_ADMIN_USER: z.string().regex(USERNAME, "1–64 letters, digits, '_', '.', '@' or '-'").optional(),
  YIDI_ADMIN_PASSWORD: z
    .string()
    .superRefine((p, ctx) => {
      const problem = passwordProblem(p);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional(),
  /** Minutes without a request after which a session ends. */
  YIDI_SESSION_IDLE_MINUTES: z.coerce.number().positive().max(525_600).default(30),
  /** Hours after login at which a session ends, however active. */
  YIDI_SESSION_HOURS: z.coerce.number().positive().max(8_760).default(12),
  /** The server is reached over HTTPS (a TLS-terminating proxy): Secure cookies and HSTS always. */
  YIDI_TLS: flag,
  /** Trust X-Forwarded-For/-Proto/-Host from the proxy in front (then https requests get Secure cookies and HSTS). */
  YIDI_TRUST_PROXY: flag,
  /** Simulations (POST /api/simulations, impact reports) run at once; more are answered 503 with Retry-After. */
  YIDI_SIMULATIONS_AT_ONCE: z.coerce.number().int().min(1).max(64).default(2),
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
