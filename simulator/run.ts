import { createReadStream, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Readable } from "node:stream";
import { Worker } from "node:worker_threads";
import { parse as csvParse } from "csv-parse";
import { type CaseFormat, caseFormatOf, type Problem } from "../engine/index.ts";
import { type AggregateData, Aggregator, merge } from "./aggregate.ts";
import { type CsvMapping, missingColumns } from "./csv-mapping.ts";
import { checkReadable, listFiles } from "./files.ts";
import { CASE_EXTENSIONS } from "./replay.ts";
import { type RuleSourceSpec, withLoaded } from "./rule-source.ts";
import { CaseRunner, type Task } from "./runner.ts";

/** The files a simulation reads: case files, CSV files (with a mapping) and decision logs (.jsonl). */
export const SIMULATION_EXTENSIONS = [...CASE_EXTENSIONS, ".csv"];

export type SimulationOptions = {
  paths: readonly string[];
  /** one source, or two with --against (the second is the change) */
  sources: readonly RuleSourceSpec[];
  mapping?: CsvMapping | undefined;
  /** worker threads; 0 runs in this thread */
  workers?: number;
  onProgress?: (p: { bytes: number; totalBytes: number; cases: number }) => void;
  /**
   * How much trace each decision is made with: `rules` (the default; a case that differs is
   * decided again in full, see runner.ts) or `full` (every decision with its condition trees — the
   * reference the default is tested against). The report is the same.
   */
  trace?: "full" | "rules";
};

export type Simulation = {
  data: AggregateData;
  /** paths that could not be had (missing, unreadable, not a case file) */
  fileProblems: Problem[];
  files: number;
  seconds: number;
  workers: number;
  sources: string[];
};

/** Problems found before the run (a CSV without a mapping, a header without a mapped column): nothing is decided. */
export class SetupError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => `${p.file ?? ""}: ${p.message}`).join("\n"));
  }
}

/** JSON Lines go out in chunks of about this many bytes; CSV in batches of this many records. */
const CHUNK_BYTES = 512 * 1024;
const CSV_BATCH = 2000;
/** Tasks queued per worker: enough to keep it busy, few enough to hold little. */
const IN_FLIGHT = 3;

/**
 * Replays every case of the files under `paths` under each rule source, streamed: JSON Lines and
 * CSV are read in chunks, YAML and JSON files are one task each; tasks go to worker threads
 * (each compiled its rule sources once) and only aggregates come back.
 */
export async function simulate(opts: SimulationOptions): Promise<Simulation> {
  const started = performance.now();
  const listed = listFiles(opts.paths, SIMULATION_EXTENSIONS, "a case file");
  // A file that cannot be read (or is too large to read whole) is a path problem, said before the run.
  const files = listed.files.filter((f) => {
    if (/\.mapping\.ya?ml$/i.test(f) && !opts.paths.includes(f)) return false;
    const format = caseFormatOf(f);
    if (format !== "yaml" && format !== "json") return true;
    const r = checkReadable(f);
    if (!r.ok) listed.problems.push(r.problem);
    return r.ok;
  });
  await checkCsvFiles(files, opts.mapping);
  let totalBytes = 0;
  for (const f of files) totalBytes += statSync(f).size;
  const workers = Math.max(0, opts.workers ?? defaultWorkers());
  const local = new Aggregator(opts.sources.length);
  const data = await runTasks(tasks(files, opts.mapping, local), local, {
    sources: opts.sources,
    mapping: opts.mapping,
    workers,
    trace: opts.trace,
    totalBytes,
    onProgress: opts.onProgress,
  });
  return {
    data,
    fileProblems: listed.problems,
    files: files.length,
    seconds: (performance.now() - started) / 1000,
    workers,
    sources: opts.sources.map((s) => s.label),
  };
}

/** Cases given as text (the server's `POST /api/simulations`): a file's name, its format and its text. */
export type TextInput = { file: string; format: CaseFormat | "csv"; text: string };

/**
 * Replays cases given as one text — YAML, JSON, JSON Lines or CSV (with a mapping) — as
 * `simulate` replays files: JSON Lines in chunks, CSV in batches, on `workers` threads (0: in
 * this thread). Throws a SetupError for a CSV text without a mapping or without a mapped column.
 */
export async function simulateText(
  input: TextInput,
  opts: Omit<SimulationOptions, "paths" | "onProgress">,
): Promise<Simulation> {
  const started = performance.now();
  const { file, format, text } = input;
  const workers = Math.max(0, opts.workers ?? 0);
  const local = new Aggregator(opts.sources.length);
  const open = () => Readable.from([text.replace(/^\uFEFF/, "")]);
  let list: AsyncIterable<Task> | Iterable<Task>;
  if (format === "csv") {
    await checkCsv(file, opts.mapping, () => open());
    list = csvTasks(file, opts.mapping as CsvMapping, local, open, () => Buffer.byteLength(text));
  } else if (format === "jsonl") list = textChunks(file, text);
  else list = [{ type: "text", file, format, text, bytes: Buffer.byteLength(text) }];
  const data = await runTasks(list, local, {
    sources: opts.sources,
    mapping: opts.mapping,
    workers,
    trace: opts.trace,
  });
  return {
    data,
    fileProblems: [],
    files: 1,
    seconds: (performance.now() - started) / 1000,
    workers,
    sources: opts.sources.map((s) => s.label),
  };
}

/** A JSON Lines text in tasks of about CHUNK_BYTES, cut at line ends. */
function* textChunks(file: string, text: string): Generator<Task> {
  let start = 0;
  let line = 1;
  while (start < text.length) {
    let end = text.indexOf("\n", Math.min(text.length, start + CHUNK_BYTES));
    end = end < 0 ? text.length : end + 1;
    const part = text.slice(start, end);
    yield { type: "jsonl", file, firstLine: line, text: part, bytes: Buffer.byteLength(part) };
    for (let i = part.indexOf("\n"); i >= 0; i = part.indexOf("\n", i + 1)) line++;
    start = end;
  }
  if (text.trim() === "") yield { type: "text", file, format: "jsonl", text, bytes: 0 };
}

/**
 * Decides the tasks in this thread (`workers` 0) or on worker threads, and merges the
 * aggregates with `local` (the problems found while reading).
 */
export async function runTasks(
  list: AsyncIterable<Task> | Iterable<Task>,
  local: Aggregator,
  opts: {
    sources: readonly RuleSourceSpec[];
    mapping?: CsvMapping | undefined;
    workers: number;
    trace?: "full" | "rules" | undefined;
    totalBytes?: number;
    onProgress?: SimulationOptions["onProgress"];
  },
): Promise<AggregateData> {
  const totalBytes = opts.totalBytes ?? 0;
  let bytes = 0;
  let cases = 0;
  const progress = () => opts.onProgress?.({ bytes, totalBytes, cases });
  let parts: AggregateData[];
  if (opts.workers === 0) {
    const runner = new CaseRunner(opts.sources, opts.mapping, opts.trace);
    for await (const task of list) {
      runner.run(task);
      bytes += task.bytes;
      cases = runner.agg.d.totals.cases;
      progress();
    }
    parts = [runner.data()];
  } else {
    const pool = await Pool.start(opts.workers, opts.sources, opts.mapping, opts.trace, (b, c) => {
      bytes += b;
      cases += c;
      progress();
    });
    try {
      for await (const task of list) await pool.send(task);
      parts = await pool.finish();
    } finally {
      await pool.close();
    }
  }
  return merge([...parts, local.data()], opts.sources.length);
}

/** Two workers on two cores; one where there is one. */
export const defaultWorkers = () => Math.min(2, availableParallelism());

/** Each CSV file has a mapping, and its header every mapped column: checked before the run. */
async function checkCsvFiles(files: readonly string[], mapping: CsvMapping | undefined): Promise<void> {
  const problems: Problem[] = [];
  for (const file of files.filter((f) => f.toLowerCase().endsWith(".csv"))) {
    if (!mapping) {
      problems.push({
        code: "mapping",
        path: [],
        file,
        message: "a CSV file needs a column mapping: --mapping FILE",
      });
      continue;
    }
    problems.push(...(await headerProblems(file, mapping, () => createReadStream(file))));
  }
  if (problems.length) throw new SetupError(problems);
}

/** One CSV text's setup: a mapping, and every mapped column in its header. */
async function checkCsv(file: string, mapping: CsvMapping | undefined, open: () => Readable): Promise<void> {
  if (!mapping)
    throw new SetupError([{ code: "mapping", path: [], file, message: "a CSV file needs a column mapping" }]);
  const problems = await headerProblems(file, mapping, open);
  if (problems.length) throw new SetupError(problems);
}

async function headerProblems(file: string, mapping: CsvMapping, open: () => Readable): Promise<Problem[]> {
  const header = await csvHeader(open, mapping.delimiter);
  const missing = missingColumns(mapping, header);
  return missing.length
    ? [
        {
          code: "mapping",
          path: [],
          file,
          line: 1,
          message: `the header lacks the mapped column(s) ${missing.join(", ")} (it has: ${header.join(", ")})`,
        },
      ]
    : [];
}

async function csvHeader(open: () => Readable, delimiter: string): Promise<string[]> {
  const parser = open().pipe(csvParse({ delimiter, bom: true, to_line: 1, relax_column_count: true }));
  for await (const record of parser) return (record as string[]).map((h) => h.trim());
  return [];
}

/** The tasks of the files, read as a stream. Problems found while reading go into `local`. */
async function* tasks(
  files: readonly string[],
  mapping: CsvMapping | undefined,
  local: Aggregator,
): AsyncGenerator<Task> {
  for (const file of files) {
    const lower = file.toLowerCase();
    if (lower.endsWith(".csv")) yield* csvTasks(file, mapping as CsvMapping, local);
    else if (caseFormatOf(file) === "jsonl") yield* jsonlTasks(file);
    else {
      const format = caseFormatOf(file);
      if (format) yield { type: "file", file, format, bytes: statSync(file).size };
    }
  }
}

/**
 * A JSON Lines file in tasks of about CHUNK_BYTES, cut at line ends, as bytes: each chunk is
 * read into a buffer of its own and handed (transferred, not copied) to the worker, which decodes
 * it. This thread only finds the last line end and counts lines (native searches).
 */
async function* jsonlTasks(file: string): AsyncGenerator<Task> {
  const fh = await open(file, "r");
  try {
    let carry = new Uint8Array(0);
    let line = 1;
    let sawCase = false;
    for (;;) {
      const buf = Buffer.allocUnsafeSlow(carry.length + CHUNK_BYTES);
      buf.set(carry, 0);
      const { bytesRead } = await fh.read(buf, carry.length, CHUNK_BYTES, null);
      const end = carry.length + bytesRead;
      if (bytesRead === 0) {
        // The last line, without a line end.
        if (end > 0 && !isBlank(buf, 0, end)) {
          sawCase = true;
          yield jsonlChunk(file, line, buf, end);
        }
        break;
      }
      const cut = buf.lastIndexOf(10, end - 1);
      if (cut < 0) {
        carry = buf.subarray(0, end);
        continue;
      }
      carry = new Uint8Array(end - cut - 1);
      carry.set(buf.subarray(cut + 1, end));
      if (!sawCase && !isBlank(buf, 0, cut + 1)) sawCase = true;
      const firstLine = line;
      for (let i = buf.indexOf(10); i >= 0 && i <= cut; i = buf.indexOf(10, i + 1)) line++;
      // After this the buffer may be the worker's (transferred): it is not read again here.
      yield jsonlChunk(file, firstLine, buf, cut + 1);
    }
    // An empty JSON Lines file is said, as the located loader says it.
    if (!sawCase) yield { type: "file", file, format: "jsonl", bytes: 0 };
  } finally {
    await fh.close();
  }
}

/** Bytes [0, end) of `buf`, a chunk of whole lines from `firstLine` (the file's first keeps its BOM). */
const jsonlChunk = (file: string, firstLine: number, buf: Buffer, end: number): Task => ({
  type: "jsonl-bytes",
  file,
  firstLine,
  data: buf.subarray(0, end),
  bytes: end,
});

/** Whether bytes [start, end) are only white space, as `String.prototype.trim` sees it. */
function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i] as number;
    if (b === 0x20 || (b >= 0x09 && b <= 0x0d)) continue;
    if (b < 0x80) return false;
    return buf.toString("utf8", start, end).trim() === "";
  }
  return true;
}

async function* csvTasks(
  file: string,
  mapping: CsvMapping,
  local: Aggregator,
  open: () => Readable = () => createReadStream(file),
  size: () => number = () => statSync(file).size,
): AsyncGenerator<Task> {
  const parser = open().pipe(
    csvParse({
      delimiter: mapping.delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    }),
  );
  parser.on("skip", (err: Error & { lines?: number }) => {
    local.invalid({
      file,
      ...(err.lines !== undefined && { line: err.lines }),
      problems: [
        {
          code: "csv",
          path: [],
          file,
          ...(err.lines !== undefined && { line: err.lines }),
          message: `CSV: ${err.message}`,
        },
      ],
    });
  });
  let header: string[] | undefined;
  let rows: { line: number; values: string[] }[] = [];
  let bytes = 0;
  let last = 0;
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number; bytes: number };
  }>) {
    if (!header) {
      header = record.map((h) => h.trim());
      continue;
    }
    rows.push({ line: info.lines, values: record });
    bytes = info.bytes;
    if (rows.length >= CSV_BATCH) {
      yield { type: "csv", file, header, rows, bytes: bytes - last };
      last = bytes;
      rows = [];
    }
  }
  if (header && rows.length) yield { type: "csv", file, header, rows, bytes: size() - last };
}

type Reply =
  | { type: "ready" }
  | { type: "done"; bytes: number; cases: number }
  | { type: "result"; data: AggregateData }
  | { type: "error"; message: string };

/** Set by scripts/build.mjs in the compiled JavaScript (dist/): the build's id. */
declare const __YIDI_BUILD__: string | undefined;

/**
 * A worker's module: built, dist/simulate-worker.js (compiled JavaScript, as the CLI runs);
 * from the sources, worker.mjs (through tsx). Built, `import.meta.url` reads as this source
 * file's URL (scripts/build.mjs), so dist/ is found beside simulator/.
 */
const WORKER_URL =
  typeof __YIDI_BUILD__ === "string"
    ? new URL("../dist/simulate-worker.js", import.meta.url)
    : new URL("./worker.mjs", import.meta.url);

/** Worker threads, each with its rule sources compiled once; a task goes to the least busy. */
class Pool {
  private readonly busy: number[];
  private readonly lastCases: number[];
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;
  private results: (AggregateData | undefined)[];
  private finished: (() => void) | undefined;

  private constructor(
    private readonly workers: Worker[],
    private readonly onDone: (bytes: number, cases: number) => void,
  ) {
    this.busy = workers.map(() => 0);
    this.lastCases = workers.map(() => 0);
    this.results = workers.map(() => undefined);
  }

  static async start(
    n: number,
    sources: readonly RuleSourceSpec[],
    mapping: CsvMapping | undefined,
    trace: "full" | "rules" | undefined,
    onDone: (bytes: number, cases: number) => void,
  ): Promise<Pool> {
    // Rule sets loaded here once and handed over as data: a worker reads no YAML.
    const workerData = { sources: sources.map(withLoaded), mapping, trace };
    const workers = Array.from({ length: n }, () => new Worker(WORKER_URL, { workerData }));
    const pool = new Pool(workers, onDone);
    await Promise.all(
      workers.map(
        (w, i) =>
          new Promise<void>((resolve, reject) => {
            w.on("error", (e: Error) => {
              pool.fail(e);
              reject(e);
            });
            w.on("message", (m: Reply) => {
              if (m.type === "ready") resolve();
              else pool.reply(i, m);
            });
          }),
      ),
    );
    return pool;
  }

  private fail(e: Error) {
    this.failure ??= e;
    this.waiting?.();
    this.finished?.();
  }

  private reply(i: number, m: Reply) {
    if (m.type === "done") {
      this.busy[i] = (this.busy[i] ?? 1) - 1;
      this.onDone(m.bytes, m.cases - (this.lastCases[i] ?? 0));
      this.lastCases[i] = m.cases;
      const w = this.waiting;
      this.waiting = undefined;
      w?.();
    } else if (m.type === "result") {
      this.results[i] = m.data;
      if (this.results.every((r) => r !== undefined)) this.finished?.();
    } else if (m.type === "error") this.fail(new Error(m.message));
  }

  async send(task: Task): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      let best = 0;
      for (let i = 1; i < this.busy.length; i++) if ((this.busy[i] ?? 0) < (this.busy[best] ?? 0)) best = i;
      if ((this.busy[best] ?? 0) < IN_FLIGHT) {
        this.busy[best] = (this.busy[best] ?? 0) + 1;
        // A chunk's bytes move to the worker (transferred): this thread never copies or decodes them.
        (this.workers[best] as Worker).postMessage(
          task,
          task.type === "jsonl-bytes" ? [task.data.buffer as ArrayBuffer] : [],
        );
        return;
      }
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  async finish(): Promise<AggregateData[]> {
    const done = new Promise<void>((resolve) => {
      this.finished = resolve;
    });
    for (const w of this.workers) w.postMessage({ type: "finish" });
    await done;
    if (this.failure) throw this.failure;
    return this.results as AggregateData[];
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
