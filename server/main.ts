import { build, loggerOptions } from "./app.ts";
import { bootstrap } from "./bootstrap.ts";
import { loadConfig } from "./config.ts";
import { resolveKeys } from "./data-keys.ts";
import { type DatabaseTarget, describeTarget, openDatabase } from "./store/database.ts";
import { createStore } from "./store/index.ts";

/** Starts the server: `npm start` or `npx yidi serve`. Only this file listens. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadConfig(env);
  const target: DatabaseTarget = config.DATABASE_URL
    ? { kind: "postgres", url: config.DATABASE_URL }
    : { kind: "pglite", dataDir: config.YIDI_DATA_DIR };
  // The data keys before the database: a missing or malformed key is one line, nothing opened.
  const keys = resolveKeys(env, target, (line) => process.stderr.write(`${line}\n`));
  const store = createStore(openDatabase(target), keys.keyring);
  store.users.policy = {
    idleMs: config.YIDI_SESSION_IDLE_MINUTES * 60_000,
    lifetimeMs: config.YIDI_SESSION_HOURS * 3600_000,
  };
  let report: Awaited<ReturnType<typeof bootstrap>>;
  try {
    report = await bootstrap(store, {
      rulesDir: config.YIDI_RULES_DIR,
      adminUser: config.YIDI_ADMIN_USER,
      adminPassword: config.YIDI_ADMIN_PASSWORD,
    });
  } catch (e) {
    await store.close(); // releases the data folder: a wrong data key is one clear line, not a held lock
    throw e;
  }
  const app = await build({
    store,
    logger: loggerOptions(config.LOG_LEVEL),
    tls: config.YIDI_TLS,
    trustProxy: config.YIDI_TRUST_PROXY,
    simulationsAtOnce: config.YIDI_SIMULATIONS_AT_ONCE,
  });
  const close = async () => {
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.once("SIGINT", close);
  process.once("SIGTERM", close);
  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const lines = [
    `yidi is serving on http://${config.HOST}:${port}  (API docs: http://${config.HOST}:${port}/docs)`,
    `database: ${describeTarget(target)}${report.migrations.length ? `; migrations applied: ${report.migrations.join(", ")}` : ""}`,
    `data key: ${keys.keyring.primary.id} (${keys.kind === "env" ? "YIDI_DATA_KEY" : keys.kind === "file" ? keys.path : "this process only: in-memory database"})${keys.keyring.previous.length ? `; previous: ${keys.keyring.previous.map((k) => k.id).join(", ")}` : ""}`,
    `rule sets: ${app.policies.publishedRuleSets().length} published${report.imported ? ` (${report.imported} imported from rules/ at first start)` : ""}`,
  ];
  if (report.admin?.generatedPassword) {
    lines.push(
      `first admin created: username "${report.admin.username}", password "${report.admin.generatedPassword}" — shown once; change it, or set YIDI_ADMIN_USER / YIDI_ADMIN_PASSWORD before the first start`,
    );
  } else if (report.admin) {
    lines.push(`first admin created from YIDI_ADMIN_USER: "${report.admin.username}"`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: Error) => {
    process.stderr.write(`yidi: ${e.message}\n`);
    process.exit(1);
  });
}
