/**
 * API load test (`npm run bench:api`): starts the server as `yidi serve` in its own process, on a
 * free loopback port with a fresh PGlite data folder — and, when the PostgreSQL server answers, a
 * second time on a fresh database there — logs in as a clerk, and drives it with autocannon:
 *  - GET /api/health, the baseline: routing, serialisation, no database;
 *  - POST /api/decisions with distinct generated cases (bench/cases.ts: every region, kind,
 *    category and chain, settlements too) in turn: zod parsing, the session lookup, the decision,
 *    and the decision log row written with its input, chain and output (batched: the answer
 *    waits for its row's commit).
 * Every 2xx answer's decisionId is collected; afterwards the decision log's ids are read and
 * every acknowledged decision must be among them (warm-up and checks included). Rows beyond those
 * are the requests in flight when autocannon stopped listening (at most one per connection per
 * run), committed but never acknowledged.
 * Prints requests per second, p50 and p99 latency, and errors / non-2xx for each database and
 * endpoint. Bounded: a fixed time per endpoint, the server stopped and the database dropped at the end.
 *
 * Environment: BENCH_DURATION (seconds per endpoint, default 10), BENCH_WARMUP (seconds, default 2),
 * BENCH_CONNECTIONS (default 50), BENCH_CASES (distinct cases, default 2000), BENCH_LOG_LEVEL (the server's, default warn: pino writing a line
 * per request would be measured too), YIDI_BENCH_DATABASE_URL (a PostgreSQL server to create the
 * throwaway database on; default YIDI_TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test),
 * BENCH_POSTGRES=0 to skip PostgreSQL, BENCH_PGLITE=0 to skip PGlite, BENCH_HEALTH=0 to skip the health baseline, BENCH_NODE_ARGS (flags for the
 * server's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it under load).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import autocannon from "autocannon";
import pg from "pg";
import { generateKeyText } from "../server/data-keys.ts";
import { generateCases, sampleCases } from "./cases.ts";

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CASES = Number(process.env.BENCH_CASES ?? 2000);
/** BENCH_TRACE=false: the answer without the trace (`?trace=false`), as a desk or a batch would ask. */
const NO_TRACE = process.env.BENCH_TRACE === "false";
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? "warn";
const PG_URL =
  process.env.YIDI_BENCH_DATABASE_URL ??
  process.env.YIDI_TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";
const ROOT = new URL("..", import.meta.url).pathname;

// Never outlive a hung server or database: the whole run has a ceiling.
const CEILING_MS = (2 * (DURATION + WARMUP) * 2 + 240) * 1000;
const children = new Set<ChildProcess>();
setTimeout(() => {
  console.error(`bench:api: gave up after ${CEILING_MS / 1000} s`);
  for (const c of children) c.kill("SIGKILL");
  process.exit(1);
}, CEILING_MS).unref();

function fail(message: string): never {
  console.error(`bench:api: ${message}`);
  for (const c of children) c.kill("SIGKILL");
  process.exit(1);
}

// ---- the sample cases, as JSON bodies ----------------------------------------------------------

function sampleBodies(): { file: string; id: string; body: string }[] {
  return generateCases(sampleCases(), CASES, { seed: 7 }).map((c) => ({
    file: "generated",
    id: c.id,
    body: JSON.stringify(c),
  }));
}

// ---- the server --------------------------------------------------------------------------------

type Database = {
  name: string;
  env: Record<string, string>;
  /** The ids in the decision log (the server stopped). */
  logged(): Promise<Set<string>>;
  cleanup(): Promise<void>;
};

function pglite(): Database {
  const dir = mkdtempSync(join(tmpdir(), "yidi-bench-"));
  return {
    name: "PGlite",
    env: { YIDI_DATA_DIR: dir },
    logged: async () => {
      const db = new PGlite(dir);
      try {
        const r = await db.query<{ id: string }>("select id from decisions");
        return new Set(r.rows.map((x) => x.id));
      } finally {
        await db.close();
      }
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgres(): Promise<Database | undefined> {
  if (process.env.BENCH_POSTGRES === "0") return undefined;
  const name = `yidi_bench_${randomBytes(6).toString("hex")}`;
  const admin = async (query: string, on = PG_URL) => {
    const c = new pg.Client({ connectionString: on, connectionTimeoutMillis: 1500 });
    await c.connect();
    try {
      return await c.query(query);
    } finally {
      await c.end();
    }
  };
  try {
    await admin(`create database ${name}`);
  } catch (e) {
    console.log(
      `PostgreSQL not reachable at ${PG_URL.replace(/\/\/[^@]*@/, "//***@")} (${(e as Error).message}): PGlite only`,
    );
    return undefined;
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    name: "PostgreSQL",
    // PostgreSQL needs a data key from the environment (server/data-keys.ts): a throwaway one.
    env: { DATABASE_URL: url.toString(), YIDI_DATA_KEY: generateKeyText("bench") },
    logged: async () =>
      new Set(
        (await admin("select id from decisions", url.toString())).rows.map((x: { id: string }) => x.id),
      ),
    cleanup: async () => {
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

/** `yidi serve` on port 0 (the system picks a free one); resolves with the URL it prints. */
function startServer(
  db: Database,
  admin: { user: string; password: string },
): Promise<{ url: string; child: ChildProcess }> {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, "bin/yidi.js"), "serve"], {
    cwd: ROOT,
    env: {
      ...env,
      ...db.env,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL,
      YIDI_ADMIN_USER: admin.user,
      YIDI_ADMIN_PASSWORD: admin.password,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(
      () => reject(new Error(`the server did not start in 120 s:\n${out}${err}`)),
      120_000,
    );
    // Keep draining both pipes for the whole run, so the server never blocks on a full pipe.
    child.stderr?.on("data", (d) => {
      err = (err + d).slice(-4000);
    });
    child.stdout?.on("data", (d) => {
      out = (out + d).slice(-4000);
      const m = out.match(/serving on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ url: m[1], child });
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${signal ?? code}) before it served:\n${out}${err}`));
    });
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

async function call(url: string, path: string, init: { method: string; token?: string; body?: unknown }) {
  const res = await fetch(`${url}${path}`, {
    method: init.method,
    headers: {
      ...(init.body !== undefined && { "content-type": "application/json" }),
      ...(init.token && { authorization: `Bearer ${init.token}` }),
    },
    ...(init.body !== undefined && {
      body: typeof init.body === "string" ? init.body : JSON.stringify(init.body),
    }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

// ---- one database: start, log in, check the cases, load ---------------------------------------

type Row = {
  database: string;
  endpoint: string;
  result: autocannon.Result;
  /** acknowledged decisions, how many of them are in the log, and the log's rows */
  log?: { acked: number; found: number; rows: number };
};

async function run(db: Database, cases: ReturnType<typeof sampleBodies>): Promise<Row[]> {
  const rows: Row[] = [];
  /** The ids of the decisions answered 2xx. */
  const acked = new Set<string>();
  const ack = (status: number, body: string) => {
    const id = status === 200 ? /"decisionId":"([0-9a-f-]{36})"/.exec(body)?.[1] : undefined;
    if (id) acked.add(id);
  };
  const admin = { user: "bench-admin", password: randomBytes(12).toString("base64url") };
  const started = performance.now();
  const { url, child } = await startServer(db, admin);
  const startup = ((performance.now() - started) / 1000).toFixed(1);
  try {
    const adminToken = (
      await call(url, "/api/login", {
        method: "POST",
        body: { username: admin.user, password: admin.password },
      })
    ).json.token as string;
    const clerk = { username: "bench-clerk", password: randomBytes(12).toString("base64url") };
    const created = await call(url, "/api/users", {
      method: "POST",
      token: adminToken,
      body: { ...clerk, roles: ["clerk"] },
    });
    if (created.status !== 201) fail(`could not create the clerk: ${JSON.stringify(created.json)}`);
    const login = await call(url, "/api/login", { method: "POST", body: clerk });
    const token = login.json.token;
    if (typeof token !== "string") fail(`login failed: ${JSON.stringify(login.json)}`);

    // Every sample case must be decided (200) before it is measured; a case that is not is left
    // out and said so, not counted as an error.
    const bodies: string[] = [];
    const left: string[] = [];
    for (const c of cases) {
      const r = await call(url, "/api/decisions", { method: "POST", token, body: c.body });
      if (r.status === 200) {
        bodies.push(c.body);
        acked.add(String(r.json.decisionId));
      } else
        left.push(
          `${c.file}#${c.id} → ${r.status} ${(r.json.error as { code?: string } | undefined)?.code ?? ""}`,
        );
    }
    if (!bodies.length) fail("no sample case was decided");
    console.log(
      `${db.name}: serving at ${url} (started in ${startup} s); ${bodies.length} of ${cases.length} generated cases decided` +
        (left.length ? `; left out: ${left.join(", ")}` : ""),
    );

    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const endpoints = [
      ...(process.env.BENCH_HEALTH === "0"
        ? []
        : [{ endpoint: "GET /api/health", opts: { url: `${url}/api/health` } as autocannon.Options }]),
      {
        endpoint: `POST /api/decisions${NO_TRACE ? "?trace=false" : ""}`,
        opts: {
          url: `${url}/api/decisions${NO_TRACE ? "?trace=false" : ""}`,
          method: "POST" as const,
          headers,
          requests: bodies.map((body) => ({ body, onResponse: ack })),
        },
      },
    ];
    for (const { endpoint, opts } of endpoints) {
      const logs = endpoint.startsWith("POST");
      if (WARMUP > 0) {
        await autocannon({ ...opts, connections: CONNECTIONS, duration: WARMUP });
      }
      const result = await autocannon({ ...opts, connections: CONNECTIONS, duration: DURATION });
      console.log(`  ${endpoint}: ${Math.round(result.requests.average)} req/s`);
      rows.push({
        database: db.name,
        endpoint,
        result,
        ...(logs && { log: { acked: 0, found: 0, rows: 0 } }),
      });
    }
  } finally {
    await stopServer(child);
  }
  const post = rows.find((r) => r.log);
  if (post) {
    const ids = await db.logged();
    let found = 0;
    for (const id of acked) if (ids.has(id)) found++;
    post.log = { acked: acked.size, found, rows: ids.size };
    console.log(
      `  decision log: ${ids.size} rows; ${found} of the ${acked.size} acknowledged decisions in it` +
        ` (${ids.size - found} more: answered after autocannon stopped listening)`,
    );
  }
  return rows;
}

// ---- main --------------------------------------------------------------------------------------

const cases = sampleBodies();
if (!cases.length) fail("no case generated");
console.log(
  `bench:api — ${CONNECTIONS} connections, ${DURATION} s per endpoint after ${WARMUP} s warm-up; server log level ${LOG_LEVEL}; ` +
    `node ${process.version}`,
);

const rows: Row[] = [];
const makers = [async () => (process.env.BENCH_PGLITE === "0" ? undefined : pglite()), postgres];
for (const make of makers) {
  const db = await make();
  if (!db) continue;
  try {
    rows.push(...(await run(db, cases)));
  } finally {
    await db.cleanup();
  }
}

const table = [
  ["database", "endpoint", "req/s", "p50 ms", "p99 ms", "requests", "errors", "non-2xx"],
  ...rows.map(({ database, endpoint, result: r }) => [
    database,
    endpoint,
    r.requests.average.toFixed(0),
    r.latency.p50.toFixed(1),
    r.latency.p99.toFixed(1),
    String(r.requests.total),
    String(r.errors),
    String(r.non2xx),
  ]),
];
const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? "").length))) ?? [];
const line = (row: string[]) =>
  row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
console.log(`\n${line(table[0] ?? [])}\n${widths.map((w) => "─".repeat(w)).join("  ")}`);
for (const row of table.slice(1)) console.log(line(row));
console.log("");
for (const r of rows) {
  if (!r.log) continue;
  const { requests, latency } = r.result;
  const pg = r.database === "PostgreSQL";
  const target = pg ? 5000 : 2000;
  const met = requests.average >= target && (!pg || latency.p99 <= 20);
  const all = r.log.found === r.log.acked;
  console.log(
    `${r.database}: POST /api/decisions ${requests.average.toFixed(0)}/s at ${CONNECTIONS} connections, p99 ${latency.p99} ms ` +
      `(target ≥ ${target}/s${pg ? ", p99 ≤ 20 ms" : ""}): ${met ? "met" : "MISSED"}; ` +
      `acknowledged decisions in the log: ${r.log.found} of ${r.log.acked}${all ? " (all)" : " — MISSING SOME"}`,
  );
  if (!all) process.exitCode = 1;
}
const bad = rows.filter((r) => r.result.errors > 0 || r.result.non2xx > 0);
if (bad.length) {
  console.log(`\nerrors or non-2xx answers in: ${bad.map((r) => `${r.database} ${r.endpoint}`).join(", ")}`);
  process.exitCode = 1;
}
