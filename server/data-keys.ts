import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  randomFillSync,
  timingSafeEqual,
} from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/*
 * Personal data at rest (issue #12): ID numbers and contact data are stored as AES-256-GCM
 * envelopes, and ID numbers are looked up through an HMAC-SHA256 keyed hash. The key comes from the
 * environment (YIDI_DATA_KEY), older keys stay readable while a rotation runs (YIDI_DATA_KEY_PREVIOUS).
 *
 * Envelope: `enc:v1:<keyId>:<base64url(nonce ‖ ciphertext ‖ tag)>`, a random 96-bit nonce per value,
 * the header (`enc:v1:<keyId>`) authenticated as associated data. Each key is 32 random bytes; the
 * encryption and look-up keys are derived from it with HKDF-SHA256, so the two uses never share a key.
 */

export const ENVELOPE = /^enc:v1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{38,})$/;
/** Any envelope inside a text (a JSON document, say); group 1 is its key id. */
export const ENVELOPE_IN_TEXT = /enc:v1:([A-Za-z0-9_-]{1,32}):[A-Za-z0-9_-]{38,}/g;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** The name of the generated key file in a PGlite data folder. */
export const KEY_FILE = "yidi-data.key";

/** A key that cannot be read, or data that the keys given cannot open: a start-up error, never garbage. */
export class DataKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataKeyError";
  }
}

/** Keys separated by commas or white space. */
export function parsePrevious(text: string, source = "YIDI_DATA_KEY_PREVIOUS"): DataKey[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((t, i) => parseKey(t, `${source}[${i + 1}]`));
}

export type DataKey = { readonly id: string; readonly enc: Buffer; readonly mac: Buffer };

const derive = (master: Buffer, info: string) =>
  Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), info, 32));

/**
 * One key from its text: `[<id>:]<32 bytes as base64, base64url or 64 hex digits>`. Without an id
 * the key's fingerprint is its id (`k` and 10 hex digits of SHA-256 of the key).
 *
 * @example parseKey("k2025:" + randomBytes(32).toString("base64"), "YIDI_DATA_KEY")
 */
export function parseKey(text: string, source: string): DataKey {
  const t = text.trim();
  const colon = t.lastIndexOf(":");
  const id = colon >= 0 ? t.slice(0, colon) : undefined;
  const material = colon >= 0 ? t.slice(colon + 1) : t;
  if (id !== undefined && !KEY_ID.test(id)) {
    throw new DataKeyError(`${source}: the key id "${id}" must be 1–32 letters, digits, '_' or '-'`);
  }
  let raw: Buffer;
  if (/^[0-9a-fA-F]{64}$/.test(material)) raw = Buffer.from(material, "hex");
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(material)) raw = Buffer.from(material, "base64");
  else {
    throw new DataKeyError(
      `${source}: a data key is 32 bytes as base64 (44 characters) or hex (64 digits), optionally after "<id>:"; ` +
        `make one with: npx yidi admin generate-key`,
    );
  }
  if (raw.length !== 32) throw new DataKeyError(`${source}: the key is ${raw.length} bytes, not 32`);
  return {
    id: id ?? `k${createHash("sha256").update(raw).digest("hex").slice(0, 10)}`,
    enc: derive(raw, "yidi data key v1: aes-256-gcm"),
    mac: derive(raw, "yidi data key v1: hmac-sha256 look-up"),
  };
}

/** A new key's text, `<id>:<base64>`, for YIDI_DATA_KEY or the generated key file. */
export function generateKeyText(id?: string): string {
  const raw = randomBytes(32).toString("base64");
  return `${id ?? parseKey(raw, "generated").id}:${raw}`;
}

const NONCES = Buffer.alloc(12 * 512);
let nextNonce = NONCES.length;

/**
 * A fresh random 96-bit GCM nonce. Taken from a pool filled 512 at a time by the system's CSPRNG:
 * one `randomBytes(12)` per sealed field was ~5 % of the server's time under load (issue #11);
 * each nonce is still used once, and the pool is never refilled in place while a nonce is held
 * (every nonce is copied out).
 */
function nonce12(): Buffer {
  if (nextNonce + 12 > NONCES.length) {
    randomFillSync(NONCES);
    nextNonce = 0;
  }
  const n = Buffer.from(NONCES.subarray(nextNonce, nextNonce + 12));
  nextNonce += 12;
  return n;
}

/**
 * The keys data is sealed and opened with: the primary one seals (and computes look-up hashes);
 * every key opens what it sealed. Keys are told apart by id, which every envelope names.
 */
export class Keyring {
  readonly primary: DataKey;
  readonly previous: readonly DataKey[];
  private readonly byId: Map<string, DataKey>;

  constructor(primary: DataKey, previous: readonly DataKey[] = []) {
    this.primary = primary;
    this.previous = previous.filter((k) => k.id !== primary.id);
    this.byId = new Map([...this.previous, primary].map((k) => [k.id, k]));
    for (const k of this.previous) {
      const same = this.byId.get(k.id);
      if (same && same !== k && !timingSafeEqual(same.enc, k.enc)) {
        throw new DataKeyError(`two different previous keys have the id "${k.id}"`);
      }
    }
  }

  /** From key texts: the primary, and the previous ones separated by commas or white space. */
  static parse(primary: string, previous = "", source = "YIDI_DATA_KEY"): Keyring {
    const p = parseKey(primary, source);
    const prev = parsePrevious(previous, `${source}_PREVIOUS`);
    if (prev.some((k) => k.id === p.id && !timingSafeEqual(k.enc, p.enc))) {
      throw new DataKeyError(`${source} and a previous key have the same id "${p.id}" but differ`);
    }
    return new Keyring(p, prev);
  }

  /** A random key that lives as long as the process (in-memory databases, tests). */
  static ephemeral(): Keyring {
    return Keyring.parse(generateKeyText("ephemeral"));
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The ring with `other`'s keys added as previous keys (the primary stays). */
  with(others: readonly DataKey[]): Keyring {
    return new Keyring(this.primary, [...this.previous, ...others.filter((k) => !this.byId.has(k.id))]);
  }

  seal(plain: string): string {
    const k = this.primary;
    const header = `enc:v1:${k.id}`;
    const nonce = nonce12();
    const c = createCipheriv("aes-256-gcm", k.enc, nonce);
    c.setAAD(Buffer.from(header));
    const body = Buffer.concat([nonce, c.update(plain, "utf8"), c.final(), c.getAuthTag()]);
    return `${header}:${body.toString("base64url")}`;
  }

  /** The plaintext of an envelope; a DataKeyError when its key is not here or it does not authenticate. */
  open(envelope: string): string {
    const m = ENVELOPE.exec(envelope);
    if (!m) throw new DataKeyError("not an encrypted value");
    const id = m[1] as string;
    const k = this.byId.get(id);
    if (!k) {
      throw new DataKeyError(
        `a value is encrypted with data key "${id}", which is neither YIDI_DATA_KEY nor in YIDI_DATA_KEY_PREVIOUS`,
      );
    }
    const body = Buffer.from(m[2] as string, "base64url");
    if (body.length < 28) throw new DataKeyError("an encrypted value is truncated");
    try {
      const d = createDecipheriv("aes-256-gcm", k.enc, body.subarray(0, 12));
      d.setAAD(Buffer.from(`enc:v1:${id}`));
      d.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]).toString("utf8");
    } catch {
      throw new DataKeyError(
        `a value encrypted with data key "${id}" does not decrypt with the key of that id: the key is wrong or the value was altered`,
      );
    }
  }

  /** The keyed hash a value is looked up by, under the primary key (or under `key`). */
  lookupHash(value: string, key: DataKey = this.primary): string {
    return createHmac("sha256", key.mac).update(`yidi look-up v1\0${value}`).digest("base64url");
  }

  /** The value's look-up hash under every key (rows not yet rotated carry an older key's). */
  lookupHashes(value: string): string[] {
    return [...this.byId.values()].map((k) => this.lookupHash(value, k));
  }

  /** The id of the key an envelope was sealed with (undefined: not an envelope). */
  static keyIdOf(value: string): string | undefined {
    return ENVELOPE.exec(value)?.[1];
  }
}

export type KeySource =
  | { kind: "env"; keyring: Keyring }
  | { kind: "file"; keyring: Keyring; path: string; generated: boolean }
  | { kind: "ephemeral"; keyring: Keyring };

/**
 * The data keys a server or CLI command runs with:
 * - YIDI_DATA_KEY (and YIDI_DATA_KEY_PREVIOUS) when set; a key file left in the PGlite data folder
 *   is then kept as a previous key, so a database started without a key can be rotated onto it;
 * - otherwise, on the embedded database, the key file in its data folder (`yidi-data.key`,
 *   mode 0600), generated at first start — so `npm start` works on a fresh clone;
 * - an in-memory database: a key for this process only;
 * - PostgreSQL without YIDI_DATA_KEY: an error. The key must not live beside a shared server's data.
 */
export function resolveKeys(
  env: NodeJS.ProcessEnv,
  target: { kind: "postgres" } | { kind: "pglite"; dataDir: string | null },
  log: (line: string) => void = () => {},
): KeySource {
  const previous = env.YIDI_DATA_KEY_PREVIOUS ?? "";
  const file = target.kind === "pglite" && target.dataDir ? join(target.dataDir, KEY_FILE) : undefined;
  const fileKey = () => {
    if (!file || !existsSync(file)) return undefined;
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) {
      log(`yidi: warning: ${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
    }
    return parseKey(readFileSync(file, "utf8"), file);
  };
  if (env.YIDI_DATA_KEY) {
    const keyring = Keyring.parse(env.YIDI_DATA_KEY, previous);
    const old = fileKey();
    return { kind: "env", keyring: old ? keyring.with([old]) : keyring };
  }
  if (target.kind === "postgres") {
    throw new DataKeyError(
      "YIDI_DATA_KEY is not set: on PostgreSQL the data key must come from the environment " +
        "(ID numbers and contact data are encrypted with it). Make one with `npx yidi admin generate-key`, " +
        "keep it in your secret store and set YIDI_DATA_KEY to it",
    );
  }
  if (!file) return { kind: "ephemeral", keyring: Keyring.ephemeral() };
  const existing = fileKey();
  const prev = parsePrevious(previous);
  if (existing) return { kind: "file", keyring: new Keyring(existing, prev), path: file, generated: false };
  const text = generateKeyText();
  mkdirSync(join(file, ".."), { recursive: true });
  try {
    writeFileSync(file, `${text}\n`, { mode: 0o600, flag: "wx" });
  } catch (e) {
    // Another process made it first: use that one.
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    const theirs = fileKey() as DataKey;
    return { kind: "file", keyring: new Keyring(theirs, prev), path: file, generated: false };
  }
  const key = parseKey(text, file);
  log(
    `yidi: generated a data key (id ${key.id}) in ${file} (mode 0600): ID numbers and contact data are ` +
      "encrypted with it. Back it up with the data folder, or set YIDI_DATA_KEY (see docs/deploy.md)",
  );
  return { kind: "file", keyring: new Keyring(key, prev), path: file, generated: true };
}

/** The keys of a store opened without explicit ones: YIDI_DATA_KEY, else one per process. */
let processKeys: Keyring | undefined;
export function defaultKeys(env: NodeJS.ProcessEnv = process.env): Keyring {
  if (env.YIDI_DATA_KEY) return Keyring.parse(env.YIDI_DATA_KEY, env.YIDI_DATA_KEY_PREVIOUS ?? "");
  processKeys ??= Keyring.ephemeral();
  return processKeys;
}
