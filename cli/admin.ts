import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Command } from "commander";
import type { Store } from "../server/store/index.ts";

/**
 * The server's store, opened as the server opens it: DATABASE_URL, else the PGlite folder
 * YIDI_DATA_DIR (which a running server holds: stop it first), with the data keys the server
 * would use (YIDI_DATA_KEY / YIDI_DATA_KEY_PREVIOUS, else the folder's key file), migrated.
 */
async function openServerStore(): Promise<Store> {
  const { loadConfig } = await import("../server/config.ts");
  const { openDatabase } = await import("../server/store/database.ts");
  const { createStore } = await import("../server/store/index.ts");
  const { resolveKeys } = await import("../server/data-keys.ts");
  const config = loadConfig();
  const target = config.DATABASE_URL
    ? ({ kind: "postgres", url: config.DATABASE_URL } as const)
    : ({ kind: "pglite", dataDir: config.YIDI_DATA_DIR } as const);
  // The data keys before the database: a missing or malformed key is one line, nothing opened.
  const keys = resolveKeys(process.env, target, (line) => process.stderr.write(`${line}\n`));
  const store = createStore(openDatabase(target), keys.keyring);
  try {
    await store.migrate();
    return store;
  } catch (e) {
    await store.close();
    throw e;
  }
}

/**
 * `yidi admin reset-password USER`: for the machine's operator when every admin password is lost.
 * It works on the database directly (DATABASE_URL, else the PGlite folder YIDI_DATA_DIR — which a
 * running server holds: stop it first), sets a generated password, ends the user's sessions,
 * reactivates the account, and audits it as `operator@<host>`. The password is printed once.
 */
export function registerAdmin(program: Command): void {
  const admin = program.command("admin").description("operator commands on the server's database");
  admin
    .command("reset-password")
    .description("set a generated password for USER (printed once), end their sessions, reactivate them")
    .argument("<user>", "the username")
    .action(async (username: string) => {
      const store = await openServerStore();
      try {
        const password = randomBytes(18).toString("base64url");
        const actor = `operator@${hostname()}`;
        const done = await store.transaction(async (tx) => {
          const user = await tx.users.byUsername(username);
          if (!user) return false;
          await tx.users.update(user.id, { password, active: true });
          const ended = await tx.users.endSessions(user.id);
          await tx.audit.record({
            actor,
            action: "user.reset_password",
            entity: "user",
            entityId: user.id,
            detail: { username, endedSessions: ended, reactivated: !user.active },
          });
          return true;
        });
        // Thrown, not exitCode: closing PGlite resets the exit code. main.ts prints it as one line.
        if (!done) throw new Error(`no user ${JSON.stringify(username)}`);
        process.stdout.write(
          `password of ${username} reset by ${actor}: ${password}\n(shown once; every session of ${username} ended; log in and change it)\n`,
        );
      } finally {
        await store.close();
      }
    });
  admin
    .command("generate-key")
    .description("print a new data key for YIDI_DATA_KEY (32 random bytes, base64, after its id)")
    .option("--id <id>", "the key's id (default: its fingerprint)")
    .action(async (o: { id?: string }) => {
      const { generateKeyText } = await import("../server/data-keys.ts");
      process.stdout.write(`${generateKeyText(o.id)}\n`);
    });

  admin
    .command("rotate-key")
    .description(
      "re-encrypt every stored ID number and contact datum with YIDI_DATA_KEY (older keys in YIDI_DATA_KEY_PREVIOUS), then retire the older keys",
    )
    .option("--batch <rows>", "rows per transaction", "500")
    .action(async (o: { batch: string }) => {
      const batch = Number.parseInt(o.batch, 10);
      if (!(batch >= 1 && batch <= 100_000)) throw new Error("--batch must be 1 to 100000");
      const store = await openServerStore();
      try {
        const actor = `operator@${hostname()}`;
        const primary = store.keys.primary.id;
        const started = Date.now();
        const r = await store.reencrypt({
          batch,
          onBatch: (table, rows) => rows && process.stderr.write(`  ${table}: ${rows} rows checked\n`),
        });
        await store.audit.record({
          actor,
          action: "data_key.rotate",
          entity: "data_key",
          entityId: primary,
          detail: {
            reencrypted: { filings: r.filings, decisions: r.decisions, reviews: r.reviews, audit: r.audit },
            retired: r.retired,
          },
        });
        process.stdout.write(
          `data key ${primary}: re-encrypted ${r.filings} filing(s), ${r.decisions} logged decision(s), ` +
            `${r.reviews} review(s), ${r.audit} audit entr${r.audit === 1 ? "y" : "ies"} in ${((Date.now() - started) / 1000).toFixed(1)} s (by ${actor})\n` +
            (r.retired.length
              ? `retired key(s) ${r.retired.join(", ")}: nothing is encrypted with them any more; remove them from ` +
                "YIDI_DATA_KEY_PREVIOUS (and delete a yidi-data.key file the data folder still has)\n"
              : "no older key held data\n"),
        );
      } finally {
        await store.close();
      }
    });
}
