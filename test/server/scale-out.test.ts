import { type ChildProcess, spawn } from "node:child_process";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { generateCases, sampleCases } from "../../bench/cases.ts";
import { DIALECTS, type FreshTarget, freshTarget } from "./harness.ts";

/**
 * Servers are stateless over one PostgreSQL database (docs/deploy.md): two `yidi serve`
 * processes on one database, a session opened on one used on the other, decisions posted to
 * both at once — every acknowledged decision is in the log exactly once.
 */
const ROOT = new URL("../..", import.meta.url).pathname;
const ADMIN = { username: "admin", password: "a long enough passphrase for two servers" };
const children: ChildProcess[] = [];
let db: FreshTarget | undefined;

function serve(url: string): Promise<{ base: string; child: ChildProcess }> {
  const { YIDI_DATA_DIR: _, ...env } = process.env;
  const child = spawn(process.execPath, ["bin/yidi.js", "serve"], {
    cwd: ROOT,
    env: {
      ...env,
      DATABASE_URL: url,
      PORT: "0",
      HOST: "127.0.0.1",
      YIDI_ADMIN_USER: ADMIN.username,
      YIDI_ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: "silent",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr?.on("data", (d) => {
      err += d;
    });
    child.stdout?.on("data", (d) => {
      out += d;
      const m = out.match(/serving on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m?.[1]) resolve({ base: m[1], child });
    });
    child.on("exit", (code) => reject(new Error(`the server exited (${code}): ${out}${err}`)));
  });
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : undefined)),
  );
  await db?.drop();
});

describe.runIf(DIALECTS.some((d) => d.name === "postgres"))("two servers on one PostgreSQL database", () => {
  it("share sessions and log every acknowledged decision once", async () => {
    db = await freshTarget("postgres");
    const url = (db.target as { url: string }).url;
    const a = await serve(url); // migrates, imports the rule sets, creates the admin
    const b = await serve(url); // finds all of it done
    const login = await fetch(`${a.base}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    const { token } = (await login.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

    const cases = generateCases(sampleCases(), 400, { seed: 5 });
    const acked: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const i = next++;
        const base = i % 2 === 0 ? a.base : b.base; // the session opened on a, used on b too
        const r = await fetch(`${base}/api/decisions`, {
          method: "POST",
          headers,
          body: JSON.stringify(cases[i]),
        });
        expect(r.status).toBe(200);
        acked.push(((await r.json()) as { decisionId: string }).decisionId);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const rows = (await client.query<{ id: string }>("select id from decisions")).rows.map((r) => r.id);
      expect(rows.length).toBe(acked.length);
      expect(new Set(rows)).toEqual(new Set(acked));
      expect(new Set(acked).size).toBe(cases.length);
    } finally {
      await client.end();
    }
  }, 400_000);
});
