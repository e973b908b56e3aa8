import { type Kysely, sql, type Transaction } from "kysely";
import { DataKeyError, ENVELOPE, ENVELOPE_IN_TEXT, type Keyring } from "../data-keys.ts";
import type { Database } from "./schema.ts";

/*
 * Which stored fields are personal data, and how they are sealed (encrypted) and opened (issue #12).
 *
 * - filings: `id_number` (an envelope; `id_hash` is its keyed hash, what the registry is searched
 *   and the overlap check runs by) and, in `details`, the filing form's contact data (card number,
 *   addresses, contact person, phones);
 * - decisions: in the logged case (`input`) the applicant's ID number and name and the filing form's
 *   personal fields; anywhere in the case and the decision (`output`), and in `case_id`, every text
 *   holding an ID number (a case id that is one, a trace value);
 * - manual_reviews: the reviewer's written reason, and so in the audit log (`review.*` entries,
 *   whose details are otherwise stored with ID numbers masked, server/store/audit.ts).
 *
 * Inside a JSON document a sealed value is the envelope of the value's JSON text (a phone given as a
 * number comes back a number). A text that merely looks like an envelope is sealed too, so opening
 * gives back exactly what was written. Names in the registry stay clear text (searched by part).
 */

/**
 * An 18-character resident ID number anywhere in a text (as server/mask.ts finds them), in ASCII
 * or full-width digits (５１０４０２…, as an input method types them).
 */
const ID_IN_TEXT = /(?<![0-9０-９])[0-9０-９]{17}[0-9Xx０-９Ｘｘ](?![0-9０-９])/;
const LOOKS_SEALED = /enc:v1:/;

/** The filing-form fields (478号 附件1) that are personal data. */
export const PERSONAL_FORM_FIELDS = new Set([
  "name",
  "idNumber",
  "ssNumber",
  "ssCardNumber",
  "homeAddress",
  "contactAddress",
  "contactPerson",
  "phone1",
  "phone2",
]);

type Path = readonly string[];
type Personal = (path: Path) => boolean;

/** A logged case's personal fields. */
export const casePersonal: Personal = (p) =>
  (p.length === 2 && p[0] === "applicant" && (p[1] === "idNumber" || p[1] === "name")) ||
  (p.length === 3 && p[0] === "filing" && p[1] === "form" && PERSONAL_FORM_FIELDS.has(p[2] as string));

/** A filing's details: its contact data. */
export const detailsPersonal: Personal = (p) => p.length === 2 && p[0] === "contact";

const none: Personal = () => false;

/** An audit entry's details: the reviewer's reason of a `review.*` entry. */
export const auditPersonal = (action: string): Personal =>
  action.startsWith("review.") ? (p) => p.length === 1 && p[0] === "reason" : none;

/** Whether a text must be sealed wherever it stands: it holds an ID number or looks sealed. */
export const mustSeal = (s: string) => ID_IN_TEXT.test(s) || LOOKS_SEALED.test(s);

/** A copy of a JSON value with its personal fields (and every text `mustSeal`) sealed. */
export function sealDoc<T>(keys: Keyring, value: T, personal: Personal = none, path: string[] = []): T {
  if (value === null || value === undefined) return value;
  if (typeof value === "string") {
    return (personal(path) || mustSeal(value) ? keys.seal(JSON.stringify(value)) : value) as T;
  }
  if (typeof value === "number" || typeof value === "boolean") {
    return (personal(path) ? keys.seal(JSON.stringify(value)) : value) as T;
  }
  if (Array.isArray(value)) return value.map((v, i) => sealDoc(keys, v, personal, [...path, String(i)])) as T;
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = sealDoc(keys, v, personal, [...path, k]);
    return out as T;
  }
  return value;
}

/** A copy of a JSON value with every sealed value opened. */
export function openDoc<T>(keys: Keyring, value: T): T {
  if (typeof value === "string") return (ENVELOPE.test(value) ? JSON.parse(keys.open(value)) : value) as T;
  if (Array.isArray(value)) return value.map((v) => openDoc(keys, v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = openDoc(keys, v);
    return out as T;
  }
  return value;
}

/**
 * A decision as serialized for the log: unchanged (no parse) unless it holds an ID number, a text
 * that looks sealed, or one of the case's personal values (`values`) — then with those texts sealed.
 */
export function sealOutput(keys: Keyring, json: string, values: readonly string[]): string {
  const texts = values.filter((v) => v.length >= 2).map((v) => JSON.stringify(v));
  if (!mustSeal(json) && !texts.some((t) => json.includes(t))) return json;
  const personal = new Set(values);
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return mustSeal(v) || personal.has(v) ? keys.seal(JSON.stringify(v)) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return JSON.stringify(walk(JSON.parse(json)));
}

/** The personal texts of a case (what a decision must not echo in clear). */
export function personalValues(input: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string[]) => {
    if (typeof v === "string" || typeof v === "number") {
      if (casePersonal(path)) out.push(String(v));
    } else if (v && typeof v === "object" && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) if (path.length < 3) walk(x, [...path, k]);
    }
  };
  walk(input, []);
  return out;
}

/** A text column: sealed when personal (always) or when it `mustSeal` (a case id). */
export const sealText = (keys: Keyring, s: string, always = false) =>
  always || mustSeal(s) ? keys.seal(s) : s;
export const openText = (keys: Keyring, s: string) => (ENVELOPE.test(s) ? keys.open(s) : s);

/** The look-up form of an ID number (the check digit's x in upper case). */
export const idKey = (idNumber: string) => idNumber.trim().toUpperCase();

// ---- key bookkeeping, and re-encryption (the upgrade of migration 0006, and `yidi admin rotate-key`)

const CHECK = "yidi data key check v1";
/** The value only this primary key opens, recorded with its id. */
export const checkValue = (keys: Keyring) => keys.seal(CHECK);

/**
 * Whether the keys given can open this database's data, before anything is read or written:
 * - every key that sealed data here and is not retired must be in the ring (else: which one is missing);
 * - a key of the ring that is known here must be the same key (its check value opens), not one that
 *   merely has the same id;
 * - the primary key is recorded at its first use.
 * A DataKeyError says what to set; nothing is decrypted into garbage.
 */
export async function checkKeys(db: Kysely<Database>, keys: Keyring): Promise<void> {
  const rows = await db.selectFrom("data_keys").selectAll().execute();
  for (const r of rows) {
    if (keys.has(r.key_id)) {
      let ok = false;
      try {
        ok = keys.open(r.check_value) === CHECK;
      } catch {}
      if (!ok) {
        throw new DataKeyError(
          `the data key with id "${r.key_id}" is not the key this database's data was encrypted with ` +
            `(first used ${new Date(r.created_at).toISOString()}): check YIDI_DATA_KEY and YIDI_DATA_KEY_PREVIOUS`,
        );
      }
    } else if (r.retired_at === null) {
      throw new DataKeyError(
        `this database holds data encrypted with data key "${r.key_id}" (first used ${new Date(r.created_at).toISOString()}), ` +
          `which is neither YIDI_DATA_KEY (id "${keys.primary.id}") nor in YIDI_DATA_KEY_PREVIOUS: ` +
          "set it as YIDI_DATA_KEY, or keep it in YIDI_DATA_KEY_PREVIOUS and run `yidi admin rotate-key`",
      );
    }
  }
  if (!rows.some((r) => r.key_id === keys.primary.id)) {
    await db
      .insertInto("data_keys")
      .values({ key_id: keys.primary.id, check_value: checkValue(keys) })
      .onConflict((oc) => oc.column("key_id").doNothing())
      .execute();
  } else if (rows.some((r) => r.key_id === keys.primary.id && r.retired_at !== null)) {
    await db
      .updateTable("data_keys")
      .set({ retired_at: null })
      .where("key_id", "=", keys.primary.id)
      .execute();
  }
}

/** Whether a stored text still holds a sealed value under another key than the primary, or an ID number in clear. */
function stale(keys: Keyring, text: string | null): boolean {
  if (text === null) return false;
  for (const m of text.matchAll(ENVELOPE_IN_TEXT)) if (m[1] !== keys.primary.id) return true;
  return ID_IN_TEXT.test(text.replace(ENVELOPE_IN_TEXT, ""));
}
const json = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
const parsed = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);

export type RotationReport = {
  filings: number;
  decisions: number;
  reviews: number;
  audit: number;
  retired: string[];
};

/**
 * Brings every stored personal value under the primary key (and seals what is still clear text): in
 * batches of `batch` rows, each batch one transaction whose rows are locked, rewritten whole and
 * committed together — a run stopped half-way leaves every row readable with the same keys, and the
 * next run goes on. When no row names another key, the other keys are retired: they may then be
 * removed from YIDI_DATA_KEY_PREVIOUS.
 */
export async function reencrypt(
  db: Kysely<Database>,
  keys: Keyring,
  opts: { batch?: number; onBatch?: (table: string, rows: number) => void } = {},
): Promise<RotationReport> {
  const batch = opts.batch ?? 500;
  const inTx = <T>(fn: (tx: Kysely<Database>) => Promise<T>) =>
    db.isTransaction ? fn(db) : db.transaction().execute((tx: Transaction<Database>) => fn(tx));
  const report: RotationReport = { filings: 0, decisions: 0, reviews: 0, audit: 0, retired: [] };
  const FIRST_UUID = "00000000-0000-0000-0000-000000000000";

  /**
   * Pages a table in key order, `batch` rows a transaction with the rows locked (`read`), and
   * rewrites each row that needs it (`rewrite` answers whether it did); the count of rewritten rows.
   */
  const eachBatch = async <R, K>(
    table: string,
    first: K,
    read: (tx: Kysely<Database>, after: K) => Promise<R[]>,
    keyOf: (row: R) => K,
    rewrite: (tx: Kysely<Database>, row: R) => Promise<boolean>,
  ): Promise<number> => {
    let rewritten = 0;
    for (let after = first; ; ) {
      const n = await inTx(async (tx) => {
        const rows = await read(tx, after);
        for (const r of rows) if (await rewrite(tx, r)) rewritten++;
        const last = rows.at(-1);
        if (last !== undefined) after = keyOf(last);
        return rows.length;
      });
      opts.onBatch?.(table, n);
      if (n < batch) return rewritten;
    }
  };

  report.filings = await eachBatch(
    "filings",
    FIRST_UUID,
    (tx, after) =>
      tx
        .selectFrom("filings")
        .select(["id", "id_number", "id_hash", "details"])
        .where("id", ">", after)
        .orderBy("id")
        .limit(batch)
        .forUpdate()
        .execute(),
    (r) => r.id,
    async (tx, r) => {
      const idNumber = idKey(openText(keys, r.id_number));
      const hash = keys.lookupHash(idNumber);
      const details = json(r.details);
      if (
        !stale(keys, r.id_number) &&
        ENVELOPE.test(r.id_number) &&
        r.id_hash === hash &&
        !stale(keys, details)
      )
        return false;
      await tx
        .updateTable("filings")
        .set({
          id_number: keys.seal(idNumber),
          id_hash: hash,
          details: JSON.stringify(sealDoc(keys, openDoc(keys, parsed(r.details)), detailsPersonal)),
        })
        .where("id", "=", r.id)
        .execute();
      return true;
    },
  );

  report.decisions = await eachBatch(
    "decisions",
    FIRST_UUID,
    (tx, after) =>
      tx
        .selectFrom("decisions")
        .select(["id", "case_id", "input", "output"])
        .where("id", ">", after)
        .orderBy("id")
        .limit(batch)
        .forUpdate()
        .execute(),
    (r) => r.id,
    async (tx, r) => {
      const input = json(r.input);
      const output = json(r.output);
      if (!stale(keys, r.case_id) && !stale(keys, input) && !stale(keys, output)) return false;
      const plainInput = openDoc(keys, parsed(r.input));
      await tx
        .updateTable("decisions")
        .set({
          case_id: sealText(keys, openText(keys, r.case_id)),
          input: JSON.stringify(sealDoc(keys, plainInput, casePersonal)),
          output: sealOutput(
            keys,
            JSON.stringify(openDoc(keys, parsed(r.output))),
            personalValues(plainInput),
          ),
        })
        .where("id", "=", r.id)
        .execute();
      return true;
    },
  );

  report.reviews = await eachBatch(
    "manual_reviews",
    FIRST_UUID,
    (tx, after) =>
      tx
        .selectFrom("manual_reviews")
        .select(["decision_id", "reason"])
        .where("decision_id", ">", after)
        .orderBy("decision_id")
        .limit(batch)
        .forUpdate()
        .execute(),
    (r) => r.decision_id,
    async (tx, r) => {
      if (r.reason === null || (ENVELOPE.test(r.reason) && !stale(keys, r.reason))) return false;
      await tx
        .updateTable("manual_reviews")
        .set({ reason: keys.seal(openText(keys, r.reason)) })
        .where("decision_id", "=", r.decision_id)
        .execute();
      return true;
    },
  );

  report.audit = await eachBatch(
    "audit_log",
    0,
    (tx, after) =>
      tx
        .selectFrom("audit_log")
        .select(["id", "action", "detail"])
        .where("id", ">", after)
        .orderBy("id")
        .limit(batch)
        .forUpdate()
        .execute(),
    (r) => r.id,
    async (tx, r) => {
      const text = json(r.detail);
      const personal = auditPersonal(r.action);
      const reason = (parsed(r.detail) as { reason?: unknown }).reason;
      const clearReason = personal(["reason"]) && typeof reason === "string" && !ENVELOPE.test(reason);
      if (!clearReason && ![...text.matchAll(ENVELOPE_IN_TEXT)].some((m) => m[1] !== keys.primary.id))
        return false;
      await tx
        .updateTable("audit_log")
        .set({ detail: JSON.stringify(sealDoc(keys, openDoc(keys, parsed(r.detail)), personal)) })
        .where("id", "=", r.id)
        .execute();
      return true;
    },
  );

  // Nothing names another key now (rows written meanwhile by servers already on this primary key
  // are sealed with it): the others are retired.
  const retired = await db
    .updateTable("data_keys")
    .set({ retired_at: sql`now()` })
    .where("key_id", "<>", keys.primary.id)
    .where("retired_at", "is", null)
    .returning("key_id")
    .execute();
  report.retired = retired.map((r) => r.key_id);
  return report;
}
