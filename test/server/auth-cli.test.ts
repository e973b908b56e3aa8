import { execFile } from "node:child_process";
import { hostname } from "node:os";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { bootstrap } from "../../server/bootstrap.ts";
import { type DatabaseTarget, openDatabase } from "../../server/store/database.ts";
import { createStore } from "../../server/store/index.ts";
import { DIALECTS, freshTarget, PASSWORD } from "./harness.ts";

/** `yidi admin reset-password USER`: the operator's way back in when every admin password is lost. */
const run = promisify(execFile);
const BIN = new URL("../../bin/yidi.js", import.meta.url).pathname;

async function yidi(target: DatabaseTarget, ...args: string[]) {
  const { DATABASE_URL: _, ...env } = process.env;
  const where =
    target.kind === "postgres" ? { DATABASE_URL: target.url } : { YIDI_DATA_DIR: target.dataDir ?? "" };
  try {
    const r = await run("node", [BIN, ...args], { env: { ...env, ...where, NO_COLOR: "1" } });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe.each(DIALECTS)("yidi admin reset-password on $name", (dialect) => {
  it("sets a generated password printed once, ends the sessions, audits operator@host", async () => {
    const fresh = await freshTarget(dialect.name, { onDisk: true });
    try {
      let store = createStore(openDatabase(fresh.target));
      await bootstrap(store, { adminUser: "admin", adminPassword: PASSWORD });
      const admin = await store.users.byUsername("admin");
      const { token } = await store.users.startSession(admin?.id ?? 0);
      await store.close();

      const r = await yidi(fresh.target, "admin", "reset-password", "admin");
      expect(r.code, r.stderr).toBe(0);
      const password = /reset by operator@[^:]+: (\S+)/.exec(r.stdout)?.[1] ?? "";
      expect(password.length).toBeGreaterThanOrEqual(20);
      const unknown = await yidi(fresh.target, "admin", "reset-password", "nobody");
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no user "nobody"');

      store = createStore(openDatabase(fresh.target));
      try {
        expect(await store.users.authenticate("admin", PASSWORD)).toBeUndefined();
        expect(await store.users.authenticate("admin", password)).toMatchObject({ username: "admin" });
        expect(await store.users.userForToken(token)).toBeUndefined();
        const [entry] = await store.audit.list({ entity: "user" });
        expect(entry).toMatchObject({ actor: `operator@${hostname()}`, action: "user.reset_password" });
        expect(JSON.stringify(entry)).not.toContain(password);
      } finally {
        await store.close();
      }
    } finally {
      await fresh.drop();
    }
  }, 180_000);
});
