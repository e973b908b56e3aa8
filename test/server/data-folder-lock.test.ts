import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LOCK_FILE } from "../../server/store/folder-lock.ts";

/**
 * One PGlite data folder, one process: two servers on one folder lost acknowledged decisions
 * (issue #12). Proved with real server processes (`yidi serve`) on a temp data folder.
 */
const ROOT = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "yidi-lock-"));
const children: ChildProcess[] = [];

type Run = { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> };

function serve(): Run {
  const { DATABASE_URL: _, ...env } = process.env;
  const child = spawn(process.execPath, ["bin/yidi.js", "serve"], {
    cwd: ROOT,
    env: {
      ...env,
      YIDI_DATA_DIR: dir,
      PORT: "0",
      YIDI_ADMIN_USER: "admin",
      YIDI_ADMIN_PASSWORD: "a long enough passphrase",
      LOG_LEVEL: "silent",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

async function until(run: Run, what: () => boolean, ms = 200_000) {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end || run.child.exitCode !== null)
      throw new Error(`the server did not start: ${run.err()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("the PGlite data folder belongs to one process", () => {
  it("refuses a second server naming the holder, takes over a dead holder's lock, releases at shutdown", async () => {
    const first = serve();
    await until(first, () => first.out().includes("yidi is serving"));
    const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8"));
    expect(lock).toMatchObject({ pid: first.child.pid, host: hostname() });

    // A second server on the same folder refuses to start, and says who holds it.
    const second = serve();
    expect(await second.exited).toBe(1);
    expect(second.out()).not.toContain("yidi is serving");
    expect(second.err()).toContain(
      `in use by process ${first.child.pid} on ${hostname()}, started ${lock.startedAt}`,
    );
    // The first one still serves.
    expect(first.child.exitCode).toBeNull();

    // Killed without a chance to clean up: its lock stays, and the next server takes it over.
    first.child.kill("SIGKILL");
    await first.exited;
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const third = serve();
    await until(third, () => third.out().includes("yidi is serving"));
    expect(third.err()).toContain(`took over the lock of ${dir} left by process ${first.child.pid}`);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid).toBe(third.child.pid);

    // A clean shutdown releases the folder.
    third.child.kill("SIGTERM");
    expect(await third.exited).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  }, 500_000);
});
