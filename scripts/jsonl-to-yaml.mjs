// Writes a JSON Lines file of cases (`yidi generate`) as YAML case files of N cases each — a
// case file may hold at most 10 MiB and 200,000 values — to measure `yidi simulate` on YAML:
//   node scripts/jsonl-to-yaml.mjs /tmp/h100k.jsonl /tmp/y100k 1000
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dump } from "js-yaml";

const [input, outDir, per = "1000"] = process.argv.slice(2);
if (!input || !outDir)
  throw new Error("usage: node scripts/jsonl-to-yaml.mjs IN.jsonl OUT_DIR [CASES_PER_FILE]");
const n = Number(per);
const lines = readFileSync(input, "utf8").trim().split("\n");
mkdirSync(outDir, { recursive: true });
for (let i = 0; i < lines.length; i += n) {
  const cases = lines.slice(i, i + n).map((l) => JSON.parse(l));
  writeFileSync(join(outDir, `cases-${String(i / n).padStart(4, "0")}.yaml`), dump(cases, { lineWidth: -1 }));
}
