import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Command } from "commander";

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
      const { loadConfig } = await import("../server/config.ts");
      const { openDatabase } = await import("../server/store/database.ts");
      const { createStore } = await import("../server/store/index.ts");
      const config = loadConfig();
      const store = createStore(
        openDatabase(
          config.DATABASE_URL
            ? { kind: "postgres", url: config.DATABASE_URL }
            : { kind: "pglite", dataDir: config.YIDI_DATA_DIR },
        ),
      );
      try {
        await store.migrate();
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
}
