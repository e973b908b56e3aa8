import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/**
 * `yidi decide` starts without loading what it does not use (issue #11, start ≤ 300 ms): the
 * simulator's HTML report and its charts (echarts, ~3 MB of JavaScript to compile) load only when
 * `yidi simulate --report` asks for them. A module hook records every module the CLI loads.
 */
const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "yidi.js");

/** Runs the CLI from its sources, returning the modules it loaded under node_modules/echarts. */
async function loadedCharts(...args: string[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "yidi-start-"));
  const log = join(dir, "loaded.txt");
  writeFileSync(log, "");
  const hooks = join(dir, "hooks.mjs");
  writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  if (r.url.includes("/node_modules/echarts/")) appendFileSync(${JSON.stringify(log)}, r.url + "\\n");
  return r;
}\n`,
  );
  const register = join(dir, "register.mjs");
  writeFileSync(
    register,
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  await run("node", ["--import", pathToFileURL(register).href, BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", YIDI_FROM_SOURCE: "1" },
  });
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

const CASE = `id: start-1
asOf: 2017-06-01
applicant: { idNumber: "510402195001011236" }
insured: { region: "510402", scheme: employee, status: retired }
filing:
  category: retired_resettled
  destination: { region: "460200" }
  hukouMoved: true
  materials: [filing_form, ss_card, hukou_proof]
`;

describe("what the CLI loads at start", { timeout: 60_000 }, () => {
  it("decides a case without loading the report's charts; simulate --report still draws them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "yidi-start-case-"));
    const file = join(dir, "case.yaml");
    writeFileSync(file, CASE);
    expect(await loadedCharts("decide", file)).toEqual([]);

    const report = join(dir, "report.html");
    expect((await loadedCharts("simulate", file, "--report", report)).length).toBeGreaterThan(0);
    const html = readFileSync(report, "utf8");
    expect(html).toContain("<svg");
  });
});
