import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

/** Who holds a PGlite data folder: written to its lock file. */
export type LockHolder = { pid: number; host: string; startedAt: string };

export const LOCK_FILE = "yidi.lock";

/** The error of a second process started on a folder another live process holds. */
export class FolderLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder
        ? `the data folder ${dir} is in use by process ${holder.pid} on ${holder.host}, started ${holder.startedAt}; ` +
            `stop it first (or use DATABASE_URL to share a PostgreSQL database between servers)`
        : `the data folder ${dir} is locked (${join(dir, LOCK_FILE)} cannot be read); if no yidi process uses it, delete that file`,
    );
    this.name = "FolderLockedError";
  }
}

/** Whether a process of this host is alive (EPERM: alive, someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as Partial<LockHolder>;
    return typeof h.pid === "number" && typeof h.host === "string"
      ? { pid: h.pid, host: h.host, startedAt: String(h.startedAt ?? "?") }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock on a PGlite data folder: a lock file created with O_EXCL holding this process's
 * pid, host and start time. PGlite is one process's database — two processes writing one folder
 * lose acknowledged writes — so a second process refuses to start, naming the holder. A lock left
 * by a process that died (same host, pid no longer alive) is taken over, and `onStale` is told.
 * A lock from another host cannot be checked and is never taken over. Returns the release
 * function (idempotent; also run at process exit).
 */
export function lockFolder(dir: string, onStale: (holder: LockHolder) => void = () => {}): () => void {
  const file = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      try {
        writeSync(fd, `${JSON.stringify(me)}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 2) throw e;
      const holder = readHolder(file);
      if (!holder) {
        // Being written this very moment by another starter, or garbage: look once more, then refuse.
        if (attempt === 0) continue;
        throw new FolderLockedError(dir, undefined);
      }
      if (holder.host !== me.host || alive(holder.pid)) throw new FolderLockedError(dir, holder);
      onStale(holder);
      rmSync(file, { force: true });
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off("exit", release);
    // Only our own lock: never a file another process took over in the meantime.
    if (readHolder(file)?.pid === me.pid) rmSync(file, { force: true });
  };
  process.on("exit", release);
  return release;
}
