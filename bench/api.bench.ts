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
 * BENCH_RATE (requests per second in all, to hold a load instead of saturating; autocannon's
 * overallRate, which lets each connection send its share at the start of each second — bursts
 * that queue, so its p99 is the bursts' and not the server's),
 * BENCH_POSTGRES=0 to skip PostgreSQL, BENCH_PGLITE=0 to skip PGlite, BENCH_HEALTH=0 to skip the health baseline, BENCH_NODE_ARGS (flags for the
 * server's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it under load).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
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
/** BENCH_RATE: requests per second in all (autocannon's overallRate), for a held load; default: as fast as it answers. */
const RATE = process.env.BENCH_RATE ? Number(process.env.BENCH_RATE) : undefined;
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

/**
 * A process's CPU time so far (user + system), in µs, from /proc (Linux); undefined elsewhere.
 * Per request, it is the server's own cost, which a machine shared with the load generator and
 * the database blurs less than requests per second.
 */
function cpuTime(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / CLOCK_TICKS : undefined;
  } catch {
    return undefined;
  }
}
/**
 * The CPU time of every PostgreSQL process on this machine (by pid), in µs: the database's share
 * of a run, when it runs here (its backends come and go, hence per pid). Undefined off Linux.
 */
function postgresCpuTime(): Map<number, number> | undefined {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  const out = new Map<number, number>();
  for (const p of pids) {
    try {
      if (!readFileSync(`/proc/${p}/cmdline`, "utf8").startsWith("postgres")) continue;
      const t = cpuTime(Number(p));
      if (t !== undefined) out.set(Number(p), t);
    } catch {
      // gone in between
    }
  }
  return out;
}
const cpuDelta = (before: Map<number, number>, after: Map<number, number>) =>
  [...after].reduce((sum, [pid, t]) => sum + t - (before.get(pid) ?? 0), 0);
/** The server's resident memory (VmRSS), sampled each second until `stop` (Linux; nothing elsewhere). */
function rssSampler(pid: number | undefined): { stop(): number[] } {
  const out: number[] = [];
  const sample = () => {
    try {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
      if (kb) out.push(Number(kb) * 1024);
    } catch {
      // not Linux, or the server is gone
    }
  };
  sample();
  const timer = setInterval(sample, 1000);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return out;
    },
  };
}
const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

// ---- one database: start, log in, check the cases, load ---------------------------------------

type Row = {
  database: string;
  endpoint: string;
  result: autocannon.Result;
  /** The server process's CPU time (user + system) per request, in µs (Linux; undefined elsewhere). */
  cpuPerRequest: number | undefined;
  /** The same for this process (autocannon, the load generator) and for every PostgreSQL process. */
  loadCpuPerRequest: number;
  databaseCpuPerRequest: number | undefined;
  /** The server's RSS each second of the run, in bytes (Linux). */
  memory: number[];
  /** acknowledged decisions, how many of them are in the log, and the log's rows */
  log?: { acked: number; found: number; rows: number };
};

async function run(db: Database, cases: ReturnType<typeof sampleBodies>): Promise<Row[]> {
  const rows: Row[] = [];
  /** The ids of the decisions answered 2xx. */
  const acked = new Set<string>();
  const ack = (status: number, body: string) => {
    const id = status === 200 ? /"decisionId":"([0-9a-f-]{36})"/.exec(body)?.[1] : undefined;
    // A copy, not the match: V8 keeps a substring as a slice of its whole answer (~2 KB), and a
    // 10-minute run ran out of heap at 4 GB holding 1.8 million answers through their ids.
    if (id) acked.add(Buffer.from(id, "latin1").toString("latin1"));
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
      const cpuBefore = cpuTime(child.pid);
      const loadBefore = process.cpuUsage();
      const dbBefore = db.name === "PostgreSQL" ? postgresCpuTime() : undefined;
      const rss = rssSampler(child.pid);
      const result = await autocannon({
        ...opts,
        connections: CONNECTIONS,
        duration: DURATION,
        ...(RATE !== undefined && { overallRate: RATE }),
      });
      const memory = rss.stop();
      const cpuAfter = cpuTime(child.pid);
      const load = process.cpuUsage(loadBefore);
      const dbAfter = db.name === "PostgreSQL" ? postgresCpuTime() : undefined;
      const n = Math.max(1, result.requests.total);
      const cpuPerRequest =
        cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / n : undefined;
      const loadCpuPerRequest = (load.user + load.system) / n;
      const databaseCpuPerRequest =
        dbBefore !== undefined && dbAfter !== undefined ? cpuDelta(dbBefore, dbAfter) / n : undefined;
      console.log(`  ${endpoint}: ${Math.round(result.requests.average)} req/s`);
      rows.push({
        database: db.name,
        endpoint,
        result,
        cpuPerRequest,
        loadCpuPerRequest,
        databaseCpuPerRequest,
        memory,
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
  [
    "database",
    "endpoint",
    "req/s",
    "p50 ms",
    "p99 ms",
    "requests",
    "errors",
    "non-2xx",
    "CPU µs/req: server",
    "autocannon",
    "PostgreSQL",
  ],
  ...rows.map(
    ({ database, endpoint, result: r, cpuPerRequest, loadCpuPerRequest, databaseCpuPerRequest }) => [
      database,
      endpoint,
      r.requests.average.toFixed(0),
      r.latency.p50.toFixed(1),
      r.latency.p99.toFixed(1),
      String(r.requests.total),
      String(r.errors),
      String(r.non2xx),
      cpuPerRequest === undefined ? "–" : cpuPerRequest.toFixed(0),
      loadCpuPerRequest.toFixed(0),
      databaseCpuPerRequest === undefined ? "–" : databaseCpuPerRequest.toFixed(0),
    ],
  ),
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
  if (r.cpuPerRequest !== undefined) {
    const total = r.cpuPerRequest + r.loadCpuPerRequest + (r.databaseCpuPerRequest ?? 0);
    const cores = availableParallelism();
    console.log(
      `  CPU per decision: server ${r.cpuPerRequest.toFixed(0)} µs + autocannon ${r.loadCpuPerRequest.toFixed(0)} µs` +
        (r.databaseCpuPerRequest === undefined
          ? ""
          : ` + PostgreSQL ${r.databaseCpuPerRequest.toFixed(0)} µs`) +
        ` = ${total.toFixed(0)} µs on ${cores} cores: at most ~${Math.round((cores * 1e6) / total)}/s on this machine ` +
        `with the load generator here; the server alone (one process, one core) ~${Math.round(1e6 / r.cpuPerRequest)}/s`,
    );
  }
  const m = r.memory;
  if (m.length >= 4) {
    // Flat memory: the last quarter's median against the second quarter's (the first is warm-up).
    const q = Math.floor(m.length / 4);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    console.log(
      `  server RSS: ${mb(m[0] ?? 0)} at the start, ${mb(Math.max(...m))} at most, ${mb(m[m.length - 1] ?? 0)} at the end; ` +
        `median ${mb(median(m.slice(q, 2 * q)))} in the second quarter, ${mb(median(m.slice(3 * q)))} in the last`,
    );
  }
}
const bad = rows.filter((r) => r.result.errors > 0 || r.result.non2xx > 0);
if (bad.length) {
  console.log(`\nerrors or non-2xx answers in: ${bad.map((r) => `${r.database} ${r.endpoint}`).join(", ")}`);
  process.exitCode = 1;
}
