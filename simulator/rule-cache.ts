import { createHash } from "node:crypto";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Set by scripts/build.mjs in the compiled JavaScript (dist/): the build's id. */
declare const __YIDI_BUILD__: string | undefined;
const BUILD = typeof __YIDI_BUILD__ === "string" ? __YIDI_BUILD__ : undefined;

const CACHE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", ".cache", "yidi");
/** Rule folders remembered at once; the least recently written go first. */
const MAX_ENTRIES = 8;

/**
 * Reading the rule sets — YAML with positions, zod, the library lint — is most of a CLI
 * command's start (~0.5 s of CPU). The compiled CLI remembers the result on disk, keyed by the
 * build and by every file's name and text, so a changed file, a new file or a new build is read
 * afresh; sources run through tsx never use it. At most 8 entries are kept.
 *
 * @example cachedRuleFiles(["rules"], files, () => readAll(["rules"]))
 */
export function cachedRuleFiles<T>(paths: readonly string[], files: readonly string[], compute: () => T): T {
  if (!BUILD) return compute();
  let key: string;
  try {
    const h = createHash("sha256").update(BUILD).update(JSON.stringify(paths));
    for (const f of files) h.update(`\0${f}\0`).update(readFileSync(f));
    key = h.digest("hex").slice(0, 32);
  } catch {
    return compute();
  }
  const file = join(CACHE_DIR, `rules-${key}.json`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {}
  const value = compute();
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(value));
    renameSync(tmp, file);
    const entries = readdirSync(CACHE_DIR)
      .filter((f) => f.startsWith("rules-") && f.endsWith(".json"))
      .map((f) => ({ f, t: statSync(join(CACHE_DIR, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const e of entries.slice(MAX_ENTRIES)) unlinkSync(join(CACHE_DIR, e.f));
  } catch {}
  return value;
}
