import { closeSync, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import type { Problem } from "../engine/index.ts";

/** The largest file read (cases or rule sets); a bigger one is refused before it is read. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export type FileList = { files: string[]; problems: Problem[] };

/**
 * The files under `paths`, kept as typed (a relative path stays relative), in order: a named
 * file must exist and have one of `extensions` — it is never skipped in silence —, a folder is
 * walked (sorted, symlinked folders once) for files with those extensions.
 *
 * @example listFiles(["cases/", "extra.json"], [".yaml", ".yml", ".json", ".jsonl"], "a case file")
 */
export function listFiles(paths: readonly string[], extensions: readonly string[], what: string): FileList {
  const files: string[] = [];
  const problems: Problem[] = [];
  const seenFolders = new Set<string>();
  const known = (p: string) => extensions.includes(extname(p).toLowerCase());
  const fail = (file: string, message: string, code = "io") =>
    problems.push({ code, path: [], file, message });
  const visit = (p: string, named: boolean) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch (e) {
      fail(p, ioMessage(e));
      return;
    }
    if (st.isDirectory()) {
      let real: string;
      let entries: string[];
      try {
        real = realpathSync(p);
        entries = readdirSync(p).sort();
      } catch (e) {
        fail(p, ioMessage(e));
        return;
      }
      if (seenFolders.has(real)) return;
      seenFolders.add(real);
      for (const e of entries) visit(join(p, e), false);
    } else if (known(p)) files.push(p);
    else if (named) fail(p, `not ${what} (${listed(extensions)})`, "unknown_extension");
  };
  for (const p of paths) visit(p, true);
  return { files, problems };
}

/** A file's text (UTF-8, without a byte-order mark), or one problem saying why it cannot be had. */
export function readText(file: string): { ok: true; text: string } | { ok: false; problem: Problem } {
  const r = readBytes(file);
  return r.ok ? { ok: true, text: r.bytes.toString("utf8").replace(/^\uFEFF/, "") } : r;
}

/**
 * Whether a file can be read whole — readText's problem if not — without decoding it: a run
 * checks its YAML and JSON files before it starts, and a worker reads them again.
 */
export function checkReadable(file: string): { ok: true } | { ok: false; problem: Problem } {
  const r = readBytes(file);
  return r.ok ? { ok: true } : r;
}

function readBytes(file: string): { ok: true; bytes: Buffer } | { ok: false; problem: Problem } {
  try {
    const size = statSync(file).size;
    if (size > MAX_FILE_BYTES) {
      const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
      return {
        ok: false,
        problem: {
          code: "too_large",
          path: [],
          file,
          message: `${mib(size)}, more than the ${mib(MAX_FILE_BYTES)} a file may have: refused`,
        },
      };
    }
    // Read at most one byte past the limit, whatever stat said: a device or a pipe (/dev/zero)
    // has no size and would be read without end.
    const bytes = readBounded(file);
    if (bytes === undefined) {
      return {
        ok: false,
        problem: {
          code: "too_large",
          path: [],
          file,
          message: `more than the ${MAX_FILE_BYTES / 1024 / 1024} MiB a file may have: refused`,
        },
      };
    }
    return { ok: true, bytes };
  } catch (e) {
    return { ok: false, problem: { code: "io", path: [], file, message: ioMessage(e) } };
  }
}

/** A file's bytes, or undefined when it holds more than MAX_FILE_BYTES. */
function readBounded(file: string): Buffer | undefined {
  const fd = openSync(file, "r");
  try {
    // Sized by stat (plus one byte to see the end), grown by doubling when stat said too little.
    let buf = Buffer.allocUnsafe(Math.min(MAX_FILE_BYTES + 1, Math.max(fstatSync(fd).size + 1, 64 * 1024)));
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        const bigger = Buffer.allocUnsafe(Math.min(MAX_FILE_BYTES + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > MAX_FILE_BYTES) return undefined;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** An I/O error as a person reads it, without the stack or the path (the caller shows the path). */
function ioMessage(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const plain: Record<string, string> = {
    ENOENT: "no such file or folder",
    EACCES: "cannot be read: permission denied",
    EPERM: "cannot be read: operation not permitted",
    ELOOP: "cannot be read: too many levels of symbolic links",
    EISDIR: "is a folder, not a file",
    ENOTDIR: "a part of the path is not a folder",
    EIO: "cannot be read: input/output error",
  };
  return (code && plain[code]) ?? `cannot be read: ${(e as Error).message}`;
}

const listed = (exts: readonly string[]) =>
  exts.length === 1 ? (exts[0] ?? "") : `${exts.slice(0, -1).join(", ")} or ${exts.at(-1)}`;
