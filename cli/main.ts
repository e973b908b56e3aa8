import { isAbsolute, relative } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { stringify } from "yaml";
import { type Case, Decider, type Decision, type Lang } from "../engine/index.ts";
import { DEFAULT_CASES_DIR, readCaseFiles } from "../simulator/replay.ts";
import { DEFAULT_RULES_DIR, readRuleFiles } from "../simulator/rule-files.ts";
import { registerAdmin } from "./admin.ts";
import { renderDecision, renderProblems } from "./render.ts";
import { registerSimulate } from "./simulate.ts";
import { buildSlip, slipHtml, slipText } from "./slip.ts";

/** Exit codes (case-format.md): 0 done, 1 some input invalid (or lint/simulation failed), 2 usage error. */
const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;

/**
 * One of the project's own folders as the user would type it: relative to the working
 * directory when it is inside it, else absolute (paths are printed as typed).
 */
function asTyped(folder: string): string {
  const rel = relative(process.cwd(), folder);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : folder;
}
const defaultRulesDir = asTyped(DEFAULT_RULES_DIR);

const program = new Command("yidi")
  .description("异地就医备案规则引擎 — off-site treatment filing rules: decide cases, lint rule sets")
  .option("--rules <dir>", "rule-set folder", process.env.YIDI_RULES_DIR ?? defaultRulesDir)
  .addOption(new Option("--lang <lang>", "label language").choices(["zh", "en"]).default("zh"))
  .exitOverride()
  .configureOutput({ outputError: (s, write) => write(s) });

function loadDecider(rulesDir: string): Decider {
  const { ruleSets, problems } = readRuleFiles([rulesDir]);
  if (problems.length) {
    // A folder that cannot be read is said in one line; broken rule sets get a pointer to lint.
    const unreadable = problems.every((p) => ["io", "too_large", "unknown_extension"].includes(p.code));
    const hint = unreadable ? "" : `rule sets in ${rulesDir} have errors; run \`yidi lint ${rulesDir}\`\n`;
    process.stderr.write(`${renderProblems(problems)}\n${hint}`);
    process.exit(EXIT.invalid);
  }
  return new Decider(ruleSets);
}

/**
 * Reads case files (YAML, JSON, JSON Lines; folders walked) and decides each case. A path that
 * cannot be read and an invalid case become problems (with file, line, column); the rest is
 * still decided.
 */
function decideFiles(decider: Decider, paths: readonly string[]) {
  const decided: { case: Case; decision: Decision }[] = [];
  const { files, problems } = readCaseFiles(paths);
  for (const { file, cases } of files) {
    for (const loaded of cases) {
      if (!loaded.ok) {
        problems.push(...loaded.problems);
        continue;
      }
      const r = decider.decide(loaded.case);
      if (r.ok) decided.push({ case: loaded.case, decision: r.decision });
      else problems.push(...r.problems.map((p) => ({ ...p, file })));
    }
  }
  return { decided, problems };
}

program
  .command("decide")
  .description("decide every case in the files (one decision per case, in file order)")
  .argument("<paths...>", "case files (.yaml, .yml, .json, .jsonl) or folders of them")
  .addOption(
    new Option("--format <format>", "output format").choices(["text", "json", "yaml"]).default("text"),
  )
  .option("--trace", "with --format text: list every rule evaluated")
  .action((files: string[], opts: { format: "text" | "json" | "yaml"; trace?: boolean }) => {
    const { rules, lang } = program.opts<{ rules: string; lang: Lang }>();
    const { decided, problems } = decideFiles(loadDecider(rules), files);
    const decisions = decided.map((d) => d.decision);
    if (opts.format === "json") process.stdout.write(`${JSON.stringify(decisions, null, 2)}\n`);
    else if (opts.format === "yaml") process.stdout.write(stringify(decisions));
    else if (decisions.length)
      process.stdout.write(
        `${decisions.map((d) => renderDecision(d, lang, { trace: opts.trace ?? false })).join("\n\n")}\n`,
      );
    if (problems.length) process.stderr.write(`${renderProblems(problems)}\n`);
    process.exitCode = problems.length ? EXIT.invalid : EXIT.ok;
  });

program
  .command("settle")
  .description("print the inpatient settlement slip (结算单, 120号 附件6) of each settlement case")
  .argument("<paths...>", "case files with kind: settlement, or folders of them")
  .addOption(
    new Option("--format <format>", "output format").choices(["text", "html", "json"]).default("text"),
  )
  .option("--full-id", "print the full ID number (masked by default)")
  .action((files: string[], opts: { format: "text" | "html" | "json"; fullId?: boolean }) => {
    const { rules, lang } = program.opts<{ rules: string; lang: Lang }>();
    const { decided, problems } = decideFiles(loadDecider(rules), files);
    const slips = [];
    for (const { case: c, decision } of decided) {
      if (c.kind !== "settlement") {
        problems.push({
          code: "not_settlement",
          path: ["kind"],
          message: `case ${c.id} is a ${c.kind}, not a settlement`,
        });
        continue;
      }
      slips.push(buildSlip(c, decision, { fullId: opts.fullId ?? false, lang }));
    }
    if (opts.format === "json") process.stdout.write(`${JSON.stringify(slips, null, 2)}\n`);
    else if (opts.format === "html") process.stdout.write(slipHtml(slips));
    else if (slips.length) process.stdout.write(`${slips.map(slipText).join("\n\n")}\n`);
    if (problems.length) process.stderr.write(`${renderProblems(problems)}\n`);
    process.exitCode = problems.length ? EXIT.invalid : EXIT.ok;
  });

program
  .command("serve")
  .description("start the server (same as npm start): PORT, HOST, YIDI_DATA_DIR, DATABASE_URL")
  .action(async () => {
    const { main } = await import("../server/main.ts");
    await main();
  });

program
  .command("lint")
  .description("validate rule-set files: schema, vocabulary, citations, extends")
  .argument("[paths...]", "files or folders (default: the rule-set folder); parents are found in --rules")
  .action((paths: string[]) => {
    const { rules } = program.opts<{ rules: string }>();
    const { ruleSets, problems, files } = paths.length
      ? readRuleFiles(paths, { context: rules })
      : readRuleFiles([rules]);
    if (problems.length) {
      const summary = files.length ? `${problems.length} problem(s) in ${files.length} file(s)\n` : "";
      process.stderr.write(`${renderProblems(problems)}\n${summary}`);
      process.exitCode = EXIT.invalid;
    } else {
      process.stdout.write(`${files.length} file(s), ${ruleSets.length} rule set(s): no problems\n`);
    }
  });

program
  .command("rules")
  .description("list regions, versions, effective dates and sources")
  .action(() => {
    const { rules, lang } = program.opts<{ rules: string; lang: Lang }>();
    const decider = loadDecider(rules);
    const lib = decider.library;
    for (const id of lib.ids()) {
      const versions = lib.versions(id);
      process.stdout.write(`${id}  (${lang === "zh" ? "地区代码" : "region"} ${versions[0]?.region})\n`);
      for (const v of [...versions].reverse()) {
        const to = v.effective.to ?? (lang === "zh" ? "至今" : "open");
        process.stdout.write(
          `  ${v.version}  ${v.effective.from} → ${to}  ${v.extends ? `extends ${v.extends}` : ""}\n`,
        );
        for (const s of v.sources) {
          const status = s.status === "official" ? "" : lang === "zh" ? "  [二手摘要]" : "  [secondary]";
          process.stdout.write(`      ${s.document}  ${s.issued ?? "—"}${status}\n`);
        }
      }
    }
  });

registerSimulate(program, { casesDir: asTyped(DEFAULT_CASES_DIR) });
registerAdmin(program);

try {
  await program.parseAsync();
} catch (e) {
  if (e instanceof CommanderError) process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  else {
    // Whatever went wrong, one line, not a stack trace (YIDI_DEBUG=1 shows it).
    process.stderr.write(`error ${(e as Error)?.message ?? String(e)}\n`);
    if (process.env.YIDI_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
    process.exitCode = EXIT.invalid;
  }
}
