// Loaded into the server under soak with `node --import`: once a second it appends one JSON line
// to the file YIDI_SOAK_PROBE names — the process's RSS and heap, and the event-loop delay seen in
// that second (p50, p99, max in ms, from perf_hooks.monitorEventLoopDelay at 10 ms resolution).
// The server's own code is not changed or asked for anything.
import { appendFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

const file = process.env.YIDI_SOAK_PROBE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const ms = (ns) => Math.round((ns / 1e6) * 10) / 10;
  setInterval(() => {
    const m = process.memoryUsage();
    const line = {
      t: Date.now(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      p50: ms(h.percentile(50)),
      p99: ms(h.percentile(99)),
      max: ms(h.max),
    };
    h.reset();
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, 1000).unref();
}
