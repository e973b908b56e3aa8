import pc from "picocolors";
import { type Decision, formatProblem, type Lang, type Problem, vocabulary } from "../engine/index.ts";
import type { Replayed } from "../simulator/replay.ts";

const { CATEGORIES, fieldLabel, KINDS, MATERIALS, OUTCOMES, SETTLEMENT_MODES } = vocabulary;

const T = {
  zh: {
    case: "案例",
    outcome: "结论",
    category: "人员类别",
    kind: "申请类型",
    rules: "适用规则",
    reasons: "理由",
    missingMaterials: "缺少材料（一次性告知）",
    missingFields: "缺少信息",
    validity: "有效期",
    from: "自",
    until: "至",
    openEnded: "长期有效（至变更或撤销）",
    singleUse: "限结算一次",
    lock: "变更限制至",
    settlement: "结算方式",
    processing: "办理时限",
    immediate: "即时办结",
    due: "办结期限",
    workingDays: "个工作日",
    warnings: "提示",
    trace: "规则评估",
    anyOf: "任选其一",
    none: "无",
    silent: "规则未规定",
    listSeparator: "、",
  },
  en: {
    case: "Case",
    outcome: "Outcome",
    category: "Category",
    kind: "Request",
    rules: "Rule sets",
    reasons: "Reasons",
    missingMaterials: "Missing materials (all at once)",
    missingFields: "Missing information",
    validity: "Validity",
    from: "from",
    until: "until",
    openEnded: "open-ended (until changed or revoked)",
    singleUse: "single use",
    lock: "no change until",
    settlement: "Settlement",
    processing: "Processing",
    immediate: "immediate",
    due: "due",
    workingDays: "working days",
    warnings: "Warnings",
    trace: "Rules evaluated",
    anyOf: "any one of",
    none: "none",
    silent: "not set by the rules",
    listSeparator: ", ",
  },
} as const;

const outcomeColour = { approved: pc.green, rejected: pc.red, incomplete: pc.yellow, manual_review: pc.cyan };
const effectMark = {
  pass: pc.green("✓"),
  reject: pc.red("✗"),
  manual_review: pc.cyan("?"),
  unknown: pc.yellow("…"),
};

/**
 * Text from a file, safe on a terminal: control characters (ANSI escapes, carriage returns, the
 * C1 range, bidi overrides) shown as visible `\u{…}` escapes, never sent to the terminal. Newlines
 * and tabs inside a value are escaped too: one value never spans lines.
 *
 * @example terminalSafe("a\u001b[2Jb") // "a\u{1b}[2Jb"
 */
export function terminalSafe(s: string): string {
  return s.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`,
  );
}

/** Every string of a value made terminal-safe (decisions and slips carry names from case files). */
export function terminalSafeDeep<T>(value: T): T {
  if (typeof value === "string") return terminalSafe(value) as T;
  if (Array.isArray(value)) return value.map(terminalSafeDeep) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [terminalSafe(k), terminalSafeDeep(v)]),
    ) as T;
  }
  return value;
}

/** A decision as a clerk reads it on a terminal (every string from the case escaped: terminalSafe). */
export function renderDecision(raw: Decision, lang: Lang, opts: { trace?: boolean } = {}): string {
  const d = terminalSafeDeep(raw);
  const t = T[lang];
  const lines: string[] = [];
  const outcome = outcomeColour[d.outcome](pc.bold(OUTCOMES.labels[d.outcome][lang]));
  lines.push(`${pc.bold(`${t.case} ${d.caseId}`)}  ${outcome}`);
  const cat = d.category ? CATEGORIES.labels[d.category][lang] : "—";
  lines.push(
    `  ${t.kind}: ${KINDS.labels[d.kind as keyof typeof KINDS.labels]?.[lang] ?? d.kind}   ${t.category}: ${cat}`,
  );
  lines.push(`  ${t.rules}: ${d.ruleSets.map((r) => `${r.id}@${r.version}`).join(" → ")}`);
  if (d.reasons.length) {
    lines.push(`  ${t.reasons}:`);
    // What stands in the way first, then what holds.
    const order = { reject: 0, manual_review: 1, unknown: 2, pass: 3 };
    for (const r of [...d.reasons].sort((a, b) => order[a.effect] - order[b.effect])) {
      lines.push(
        `    ${effectMark[r.effect]} ${r.message}  ${pc.dim(`〔${r.citation.document} ${r.citation.clause}〕`)}`,
      );
    }
  }
  if (d.missingMaterials.length) {
    lines.push(`  ${pc.yellow(t.missingMaterials)}:`);
    d.missingMaterials.forEach((m, i) => {
      const ids =
        "anyOf" in m ? `${t.anyOf}: ${m.anyOf.map((id) => MATERIALS.labels[id][lang]).join(" / ")}` : m.id;
      const label = lang === "en" && "id" in m ? MATERIALS.labels[m.id].en : m.label;
      lines.push(
        `    ${i + 1}. ${label}  ${pc.dim(`[${ids}] 〔${m.citation.document} ${m.citation.clause}〕`)}`,
      );
    });
  }
  if (d.missingFields.length) {
    const labels = d.missingFields.map((f) => fieldLabel(f, lang));
    lines.push(`  ${pc.yellow(t.missingFields)}: ${labels.join(t.listSeparator)}`);
  }
  if (d.validity) {
    const v = d.validity;
    const parts = [`${t.from} ${v.from}`, v.until ? `${t.until} ${v.until}` : t.openEnded];
    if (v.singleUse) parts.push(t.singleUse);
    if (v.changeLockedUntil) parts.push(`${t.lock} ${v.changeLockedUntil}`);
    lines.push(`  ${t.validity}: ${parts.join("，")}`);
  }
  const mode = d.settlementMode ? SETTLEMENT_MODES.labels[d.settlementMode][lang] : t.silent;
  lines.push(`  ${t.settlement}: ${mode}`);
  const p = d.processing;
  lines.push(
    `  ${t.processing}: ${p.immediate ? t.immediate : p.dueDate ? `${t.due} ${p.dueDate}（${p.workingDays} ${t.workingDays}）` : t.silent}`,
  );
  if (d.warnings.length) {
    lines.push(`  ${t.warnings}:`);
    for (const w of d.warnings) lines.push(`    ! ${w.message}`);
  }
  if (opts.trace) {
    lines.push(`  ${t.trace}:`);
    for (const e of d.trace) {
      const mark = e.result === true ? pc.green("✓") : e.result === false ? pc.red("✗") : pc.yellow("…");
      lines.push(
        `    ${mark} ${e.rule} ${pc.dim(`(${e.type}, ${e.ruleSet}${e.effect ? `, ${e.effect}` : ""})`)}`,
      );
    }
  } else {
    lines.push(pc.dim(`  ${t.trace}: ${d.trace.length}（--trace）`));
  }
  return lines.join("\n");
}

/** Problems printed at most (a file of millions of bad items prints this many, and a count). */
export const MAX_PROBLEMS_PRINTED = 100;

export function renderProblems(problems: readonly Problem[], max = MAX_PROBLEMS_PRINTED): string {
  // A file whose checking stopped at its cap says so, whatever else is cut (engine/case-loader.ts).
  const stopped = problems.filter((p) => p.code === "too_many_problems");
  const rest = stopped.length ? problems.filter((p) => p.code !== "too_many_problems") : problems;
  const line = (p: Problem) => `${pc.red("error")} ${terminalSafe(formatProblem(p))}`;
  const lines = rest.slice(0, max).map(line);
  if (rest.length > max)
    lines.push(
      `${pc.red("error")} … and ${rest.length - max} more problem(s), not shown (${rest.length}${stopped.length ? " found" : " in all"})`,
    );
  lines.push(...stopped.map(line));
  return lines.join("\n");
}

const SIM = {
  zh: {
    invalid: "无效",
    fail: "不符",
    summary: (n: {
      decided: number;
      passed: number;
      failed: number;
      unchecked: number;
      invalid: number;
      files: number;
    }) =>
      [
        `已判定 ${n.decided} 个案例：${n.passed} 个与 expected 一致，${n.failed} 个不一致`,
        n.unchecked ? `，${n.unchecked} 个没有 expected，未比对` : "",
        n.invalid ? `；${n.invalid} 个案例无效` : "",
        n.files ? `；${n.files} 个文件无法读取` : "",
      ].join(""),
  },
  en: {
    invalid: "INVALID",
    fail: "FAIL",
    summary: (n: {
      decided: number;
      passed: number;
      failed: number;
      unchecked: number;
      invalid: number;
      files: number;
    }) =>
      [
        `${n.decided} case(s) decided: ${n.passed} matched their \`expected\`, ${n.failed} did not`,
        n.unchecked ? `, ${n.unchecked} have no \`expected\` and were not compared` : "",
        n.invalid ? `; ${n.invalid} case(s) invalid` : "",
        n.files ? `; ${n.files} path(s) could not be read` : "",
      ].join(""),
  },
} as const;

/**
 * A simulation's report: each invalid case and each mismatch, then one summary line that
 * says plainly how many cases had no `expected` (they are decided, not counted as passes).
 */
export function renderSimulation(
  results: readonly Replayed[],
  fileProblems: readonly Problem[],
  lang: Lang,
): { text: string; failed: boolean } {
  const t = SIM[lang];
  const lines: string[] = [];
  if (fileProblems.length) lines.push(renderProblems(fileProblems));
  const n = { decided: 0, passed: 0, failed: 0, unchecked: 0, invalid: 0, files: fileProblems.length };
  for (const r of results) {
    if (r.problems) {
      n.invalid++;
      lines.push(`${pc.red(t.invalid)} ${r.file} ${r.caseId}`, renderProblems(r.problems));
      continue;
    }
    n.decided++;
    if (!r.expected) n.unchecked++;
    else if (r.mismatches.length) {
      n.failed++;
      lines.push(`${pc.red(t.fail)} ${r.file} ${r.caseId}`, ...r.mismatches.map((m) => `      ${m}`));
    } else n.passed++;
  }
  lines.push(t.summary(n));
  return { text: `${lines.join("\n")}\n`, failed: n.failed + n.invalid + n.files > 0 };
}
