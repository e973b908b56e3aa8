import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, build } from "../../server/app.ts";
import { bootstrap } from "../../server/bootstrap.ts";
import { DataKeyError, generateKeyText, KEY_FILE, Keyring, resolveKeys } from "../../server/data-keys.ts";
import { main } from "../../server/main.ts";
import { type DatabaseTarget, openDatabase } from "../../server/store/database.ts";
import { createStore, type Store } from "../../server/store/index.ts";
import { migrateTo } from "../../server/store/migrations.ts";
import type { Database } from "../../server/store/schema.ts";
import { ruleSource } from "../../simulator/rule-source.ts";
import { simulate } from "../../simulator/run.ts";
import { APPROVED_CASE, DIALECTS, type FreshTarget, freshTarget, PASSWORD } from "./harness.ts";

/*
 * ID numbers and contact data encrypted at rest (issue #12): what the tables hold, read straight
 * from the database, has none of them in clear; the registry still finds a person by ID number and
 * refuses an overlapping filing; the decision-log export still replays identically; a rotation
 * re-encrypts every row so the old key can go; a wrong key stops the start with a clear error.
 */

const ID = "510402195001011236";
const PHONE = "13912345678";
const CARD = "A98765432";
const ADDRESS = "攀枝花市东区炳草岗大街1号";
const CONTACT_ADDRESS = "三亚市吉阳区迎宾路8号";
const CASE = {
  ...APPROVED_CASE,
  id: ID, // a case id that is an ID number (clerks do that)
  filing: {
    ...APPROVED_CASE.filing,
    form: {
      phone1: PHONE,
      ssCardNumber: CARD,
      homeAddress: ADDRESS,
      contactAddress: CONTACT_ADDRESS,
      contactPerson: "李四",
    },
  },
};
const SECRETS = [ID, PHONE, CARD, ADDRESS, CONTACT_ADDRESS, "李四"];
const keyText = (id: string) => generateKeyText(id);

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked by the assertions
type Json = Record<string, any>;

/** Everything personal-data tables hold, as the database has it (no store in between). */
async function rawTables(db: Kysely<Database>): Promise<string> {
  const tables = ["filings", "decisions", "manual_reviews", "filing_events", "audit_log"] as const;
  const parts: string[] = [];
  for (const t of tables) parts.push(JSON.stringify(await db.selectFrom(t).selectAll().execute()));
  return parts.join("\n");
}

async function serve(store: Store): Promise<{ app: App; as: (u: string, o: Json) => Promise<Json> }> {
  const app = await build({ store });
  const tokens = new Map<string, string>();
  for (const [username, roles] of [
    ["clerk", ["clerk"]],
    ["admin", ["admin"]],
    ["approver", ["approver"]],
  ] as const) {
    const u =
      (await store.users.byUsername(username)) ??
      (await store.users.create({ username, password: PASSWORD, roles: [...roles] }));
    tokens.set(username, (await store.users.startSession(u.id)).token);
  }
  return {
    app,
    as: (user, o) =>
      app.inject({
        ...o,
        headers: { authorization: `Bearer ${tokens.get(user)}` },
      } as never) as unknown as Promise<Json>,
  };
}

describe.each(DIALECTS)("personal data encrypted at rest on $name", (dialect) => {
  let fresh: FreshTarget;
  let db: Kysely<Database>;
  const A = keyText("a");
  const B = keyText("b");
  beforeAll(async () => {
    fresh = await freshTarget(dialect.name);
    db = openDatabase(fresh.target);
    await bootstrap(createStore(db, Keyring.parse(A)), { adminUser: "root", adminPassword: PASSWORD });
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
    await fresh?.drop();
  });

  let filingId = "";
  it("stores no ID number, phone, card number or address in clear, and serves them whole to a clerk", async () => {
    const { app, as } = await serve(createStore(db, Keyring.parse(A)));
    try {
      const d = (await as("clerk", { method: "POST", url: "/api/decisions", payload: CASE })).json();
      expect(d.outcome).toBe("approved");
      const f = await as("clerk", {
        method: "POST",
        url: "/api/filings",
        payload: { decisionId: d.decisionId },
      });
      expect(f.statusCode, f.body).toBe(201);
      filingId = f.json().id;
      // A manual-review reason naming the applicant is personal too.
      await db
        .insertInto("manual_reviews")
        .values({ decision_id: d.decisionId, status: "pending", requested_by: "clerk" })
        .execute();
      const store = createStore(db, Keyring.parse(A));
      await store.reviews.decide(d.decisionId, {
        status: "rejected",
        decidedBy: "approver",
        reason: `${ID} 电话 ${PHONE}`,
      });
      // …and so is its copy in the audit log.
      await store.audit.record({
        actor: "approver",
        action: "review.rejected",
        entity: "decision",
        entityId: d.decisionId,
        detail: { reason: `电话 ${PHONE}` },
      });

      const raw = await rawTables(db);
      for (const s of SECRETS) expect(raw).not.toContain(s);
      expect(raw).toContain("enc:v1:a:");

      // Read back through the API: whole for a clerk.
      const detail = (await as("clerk", { method: "GET", url: `/api/filings/${filingId}` })).json();
      expect(detail.idNumber).toBe(ID);
      expect(detail.contact).toMatchObject({ phone1: PHONE, ssCardNumber: CARD, homeAddress: ADDRESS });
      expect((await store.decisions.get(d.decisionId))?.input).toEqual(CASE);
      expect((await store.reviews.get(d.decisionId))?.reason).toBe(`${ID} 电话 ${PHONE}`);
      const [entry] = await store.audit.list({ entity: "decision", entityId: d.decisionId });
      expect(entry?.detail).toEqual({ reason: `电话 ${PHONE}` });
    } finally {
      await app.close();
    }
  });

  it("seals a case id that is an ID number in full-width digits (as an input method types it)", async () => {
    const { app, as } = await serve(createStore(db, Keyring.parse(A)));
    try {
      const fullWidth = [...ID].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("");
      const d = (
        await as("clerk", { method: "POST", url: "/api/decisions", payload: { ...CASE, id: fullWidth } })
      ).json();
      expect(d.caseId).toBe(fullWidth);
      expect(await rawTables(db)).not.toContain(fullWidth);
      const logged = await createStore(db, Keyring.parse(A)).decisions.get(d.decisionId);
      expect(logged?.caseId).toBe(fullWidth);
      expect(logged?.input.id).toBe(fullWidth);
    } finally {
      await app.close();
    }
  });

  it("finds the filing by ID number (keyed hash) and refuses an overlapping one (409)", async () => {
    const { app, as } = await serve(createStore(db, Keyring.parse(A)));
    try {
      const found = (await as("clerk", { method: "GET", url: `/api/filings?idNumber=${ID}` })).json();
      expect(found.map((x: Json) => x.id)).toEqual([filingId]);
      const again = (
        await as("clerk", { method: "POST", url: "/api/decisions", payload: { ...CASE, id: "same-person" } })
      ).json();
      const r = await as("clerk", {
        method: "POST",
        url: "/api/filings",
        payload: { decisionId: again.decisionId },
      });
      expect(r.statusCode).toBe(409);
      expect(r.json().error.code).toBe("OVERLAPPING_FILING");
    } finally {
      await app.close();
    }
  });

  it("exports the decision log in clear for replay, and every logged decision replays identically", async () => {
    const { app, as } = await serve(createStore(db, Keyring.parse(A)));
    try {
      const r = await as("admin", { method: "GET", url: "/api/decisions/export" });
      expect(r.statusCode).toBe(200);
      const lines = r.body
        .trim()
        .split("\n")
        .map((l: string) => JSON.parse(l));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines[0].case).toEqual(CASE);
      const dir = mkdtempSync(join(tmpdir(), "yidi-enc-"));
      try {
        writeFileSync(join(dir, "decisions.jsonl"), r.body);
        const base = ruleSource("rules", "rules").spec;
        if (!base) throw new Error("rules do not load");
        const sim = await simulate({ paths: [join(dir, "decisions.jsonl")], sources: [base], workers: 0 });
        expect(sim.data.totals).toMatchObject({
          logged: lines.length,
          reproduced: lines.length,
          defects: 0,
          invalid: 0,
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await app.close();
    }
  }, 60_000);

  it("a wrong key stops the start with a clear error, not garbage", async () => {
    await expect(createStore(db, Keyring.parse(keyText("c"))).migrate()).rejects.toThrow(
      /data key "a".*neither YIDI_DATA_KEY \(id "c"\) nor in YIDI_DATA_KEY_PREVIOUS/,
    );
    // Same id, other key material: caught by the key's check value.
    await expect(createStore(db, Keyring.parse(keyText("a"))).migrate()).rejects.toThrow(
      /data key with id "a" is not the key this database's data was encrypted with/,
    );
  });

  it("rotation re-encrypts every row under the new key; an interrupted one retires nothing; then the old key can go", async () => {
    const both = createStore(db, Keyring.parse(B, A));
    await both.migrate();
    // Stopped after the first batch (of one row): rows under either key, all readable, `a` still needed.
    await expect(
      both.reencrypt({
        batch: 1,
        onBatch: () => {
          throw new Error("stopped");
        },
      }),
    ).rejects.toThrow("stopped");
    const mid = await rawTables(db);
    expect(mid).toContain("enc:v1:a:");
    expect(mid).toContain("enc:v1:b:");
    expect((await both.filings.list({ idNumber: ID })).map((f) => f.id)).toEqual([filingId]);
    await expect(createStore(db, Keyring.parse(B)).migrate()).rejects.toThrow(/data key "a"/);

    const report = await both.reencrypt({ batch: 2 });
    expect(report.retired).toEqual(["a"]);
    expect(report.audit).toBe(1);
    expect(report.decisions).toBeGreaterThanOrEqual(1);
    const raw = await rawTables(db);
    expect(raw).not.toContain("enc:v1:a:");
    for (const s of SECRETS) expect(raw).not.toContain(s);

    // The new key alone now opens everything; the registry still finds the person.
    const only = createStore(db, Keyring.parse(B));
    await only.migrate();
    const [f] = await only.filings.list({ idNumber: ID });
    expect(f).toMatchObject({ id: filingId, idNumber: ID, details: { contact: { phone1: PHONE } } });
    const { app, as } = await serve(only);
    try {
      const found = (await as("clerk", { method: "GET", url: `/api/filings?idNumber=${ID}` })).json();
      expect(found.map((x: Json) => x.id)).toEqual([filingId]);
    } finally {
      await app.close();
    }
    // And the old key alone no longer does.
    await expect(createStore(db, Keyring.parse(A)).migrate()).rejects.toThrow(/data key "b"/);
  }, 60_000);
});

describe.each(DIALECTS)(
  "upgrading a database with personal data in clear (migration 0006) on $name",
  (dialect) => {
    it("seals the rows already stored, in the migration, and they read back as they were", async () => {
      const fresh = await freshTarget(dialect.name);
      const db = openDatabase(fresh.target);
      try {
        const keys = Keyring.parse(keyText("up"));
        await migrateTo(db as Kysely<unknown>, keys, "0005-idempotency");
        // What a server before 0006 wrote: everything in clear.
        const old = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
        const decision = "01900000-0000-7000-8000-000000000001";
        await old
          .insertInto("decisions")
          .values({
            id: decision,
            case_id: ID,
            kind: "filing",
            outcome: "approved",
            insured_region: "510402",
            category: "retired_resettled",
            as_of: "2017-06-01",
            id_masked: "510402********1236",
            input: JSON.stringify(CASE),
            chain: "[]",
            output: JSON.stringify({ caseId: ID, outcome: "approved" }),
            asked_by: "clerk",
          })
          .execute();
        await old
          .insertInto("filings")
          .values({
            id_number: ID,
            id_masked: "510402********1236",
            name: "张三",
            sex: "male",
            insured_region: "510402",
            scheme: "employee",
            category: "retired_resettled",
            status: "active",
            valid_from: "2017-06-01",
            single_use: false,
            approved_on: "2017-06-01",
            decision_id: decision,
            details: JSON.stringify({ contact: { phone1: PHONE, ssCardNumber: CARD, homeAddress: ADDRESS } }),
            created_by: "clerk",
          })
          .execute();
        await old
          .insertInto("manual_reviews")
          .values({
            decision_id: decision,
            status: "rejected",
            requested_by: "clerk",
            reason: `电话 ${PHONE}`,
          })
          .execute();
        for (const x of [ID, PHONE, CARD, ADDRESS]) expect(await rawTables(db)).toContain(x);

        const store = createStore(db, keys);
        expect(await store.migrate()).toEqual([
          "0006-personal-data-encrypted",
          "0007-login-failures",
          "0008-decisions-by-month",
          "0009-decision-documents-json",
        ]);
        const raw = await rawTables(db);
        for (const x of [ID, PHONE, CARD, ADDRESS]) expect(raw).not.toContain(x);
        const [f] = await store.filings.list({ idNumber: ID });
        expect(f).toMatchObject({
          idNumber: ID,
          details: { contact: { phone1: PHONE, homeAddress: ADDRESS } },
        });
        const d = await store.decisions.get(decision);
        expect(d).toMatchObject({ caseId: ID, input: CASE, output: { caseId: ID } });
        expect((await store.reviews.get(decision))?.reason).toBe(`电话 ${PHONE}`);
      } finally {
        await db.destroy();
        await fresh.drop();
      }
    }, 60_000);
  },
);

describe("where the data key comes from", () => {
  it("generates a key file (mode 0600) in a fresh PGlite data folder, says so, and reuses it", () => {
    const dir = mkdtempSync(join(tmpdir(), "yidi-key-"));
    try {
      const logged: string[] = [];
      const first = resolveKeys({}, { kind: "pglite", dataDir: dir }, (l) => logged.push(l));
      expect(first.kind).toBe("file");
      expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
      expect(logged.join("\n")).toMatch(/generated a data key .* \(mode 0600\)/);
      const second = resolveKeys({}, { kind: "pglite", dataDir: dir });
      expect(second.keyring.primary.id).toBe(first.keyring.primary.id);
      expect(second.keyring.open(first.keyring.seal("x"))).toBe("x");
      // With YIDI_DATA_KEY set, the file's key stays readable as a previous key (to rotate off it).
      const env = resolveKeys({ YIDI_DATA_KEY: keyText("new") }, { kind: "pglite", dataDir: dir });
      expect(env.keyring.primary.id).toBe("new");
      expect(env.keyring.ids).toContain(first.keyring.primary.id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses PostgreSQL without YIDI_DATA_KEY, and a malformed key", () => {
    expect(() => resolveKeys({}, { kind: "postgres" })).toThrow(/YIDI_DATA_KEY is not set/);
    expect(() => resolveKeys({ YIDI_DATA_KEY: "short" }, { kind: "postgres" })).toThrow(DataKeyError);
    expect(() => resolveKeys({ YIDI_DATA_KEY: "short" }, { kind: "postgres" })).toThrow(/32 bytes/);
  });

  it("an envelope altered at rest does not open", () => {
    const k = Keyring.parse(keyText("a"));
    const sealed = k.seal(ID);
    const body = Buffer.from(sealed.split(":")[3] as string, "base64url");
    body[20] = (body[20] as number) ^ 1;
    expect(() => k.open(`enc:v1:a:${body.toString("base64url")}`)).toThrow(/does not decrypt/);
    expect(k.seal(ID)).not.toBe(sealed); // a random nonce each time
  });
});

describe("the server and `yidi admin rotate-key` on a data folder", () => {
  const run = promisify(execFile);
  const BIN = new URL("../../bin/yidi.js", import.meta.url).pathname;
  const yidi = async (env: NodeJS.ProcessEnv, ...args: string[]) => {
    try {
      return { code: 0, ...(await run("node", [BIN, ...args], { env })) };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  it("starts on the generated key, rotates onto YIDI_DATA_KEY, and then runs without the file; a wrong key is one clear line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "yidi-rot-"));
    const { YIDI_DATA_KEY: _k, DATABASE_URL: _d, ...base } = process.env;
    const target: DatabaseTarget = { kind: "pglite", dataDir: dir };
    try {
      // A first start without a key: the key file is generated, the data sealed with it.
      const keys = resolveKeys({}, target).keyring;
      let store = createStore(openDatabase(target), keys);
      await bootstrap(store, { adminUser: "root", adminPassword: PASSWORD });
      const { app, as } = await serve(store);
      const d = (await as("clerk", { method: "POST", url: "/api/decisions", payload: CASE })).json();
      expect(
        (await as("clerk", { method: "POST", url: "/api/filings", payload: { decisionId: d.decisionId } }))
          .statusCode,
      ).toBe(201);
      await app.close();
      await store.close();

      const NEW = keyText("k2");
      const env = { ...base, YIDI_DATA_DIR: dir, YIDI_DATA_KEY: NEW, NO_COLOR: "1" };
      const r = await yidi(env, "admin", "rotate-key", "--batch", "1");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/data key k2: re-encrypted 1 filing\(s\), 1 logged decision\(s\)/);
      expect(r.stdout).toContain(`retired key(s) ${keys.primary.id}`);

      // The old key file can go now: the new key alone opens everything.
      rmSync(join(dir, KEY_FILE));
      store = createStore(openDatabase(target), Keyring.parse(NEW));
      try {
        await store.migrate();
        expect((await store.filings.list({ idNumber: ID }))[0]?.details.contact?.phone1).toBe(PHONE);
        const [entry] = await store.audit.list({ entity: "data_key" });
        expect(entry).toMatchObject({
          action: "data_key.rotate",
          entityId: "k2",
          detail: { retired: [keys.primary.id] },
        });
      } finally {
        await store.close();
      }
      // A wrong key: the server refuses to start, naming the key it needs — twice, so the first
      // refusal released the data folder.
      const wrong = { ...base, YIDI_DATA_DIR: dir, YIDI_DATA_KEY: keyText("wrong"), PORT: "0" };
      await expect(main(wrong)).rejects.toThrow(/data key "k2".*neither YIDI_DATA_KEY \(id "wrong"\)/);
      await expect(main(wrong)).rejects.toThrow(/data key "k2"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
