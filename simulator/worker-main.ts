import { parentPort, workerData } from "node:worker_threads";
import type { CsvMapping } from "./csv-mapping.ts";
import type { RuleSourceSpec } from "./rule-source.ts";
import { CaseRunner, type Task } from "./runner.ts";

/**
 * One simulation worker: its rule sources compiled once, tasks taken one by one, each
 * acknowledged with the bytes it covered (the progress bar) and the cases so far; at `finish`
 * its aggregate goes back (never the cases' results one by one).
 */
const port = parentPort;
if (!port) throw new Error("worker-main runs in a worker thread");
const init = workerData as { sources: RuleSourceSpec[]; mapping?: CsvMapping; trace?: "full" | "rules" };
const runner = new CaseRunner(init.sources, init.mapping, init.trace);
port.on("message", (m: Task | { type: "finish" }) => {
  try {
    if (m.type === "finish") {
      port.postMessage({ type: "result", data: runner.data() });
      return;
    }
    runner.run(m);
    port.postMessage({ type: "done", bytes: m.bytes, cases: runner.agg.d.totals.cases });
  } catch (e) {
    port.postMessage({ type: "error", message: (e as Error).message });
  }
});
port.postMessage({ type: "ready" });
