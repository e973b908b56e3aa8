/**
 * Run by filings.test.ts as a separate process: opens the database named in YIDI_KILL_TARGET,
 * asks for a filing change, and kills itself with SIGKILL at the point between the filing's
 * update and its event/audit inserts — the process dies with the transaction open.
 */
import { build } from "../../server/app.ts";
import { type DatabaseTarget, openDatabase } from "../../server/store/database.ts";
import { createStore } from "../../server/store/index.ts";

const target = JSON.parse(process.env.YIDI_KILL_TARGET ?? "") as DatabaseTarget;
const store = createStore(openDatabase(target));
const app = await build({
  store,
  faults: (point) => {
    if (point === "filing:after-update") process.kill(process.pid, "SIGKILL");
  },
});
const r = await app.inject({
  method: "POST",
  url: `/api/filings/${process.env.YIDI_KILL_FILING}/change`,
  headers: { authorization: `Bearer ${process.env.YIDI_KILL_TOKEN}` },
  payload: JSON.parse(process.env.YIDI_KILL_PAYLOAD ?? "{}"),
});
// Reaching this line means the fault point was never hit.
console.error(`not killed: ${r.statusCode} ${r.body}`);
process.exit(3);
