import pc from "picocolors";
import type { Decision, Problem } from "../engine/index.ts";
import { formatProblem } from "../engine/index.ts";
import { CATEGORIES, KINDS, type Lang, MATERIALS, OUTCOMES, SETTLEMENT_MODES } from "../engine/vocabulary.ts";

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
  },
} as const;

const outcomeColour = { approved: pc.green, rejected: pc.red, incomplete: pc.yellow, manual_review: pc.cyan };
const effectMark = {
  pass: pc.green("✓"),
  reject: pc.red("✗"),
  manual_review: pc.cyan("?"),
  unknown: pc.yellow("…"),
};

/** A decision as a clerk reads it on a terminal. */
export function renderDecision(d: Decision, lang: Lang, opts: { trace?: boolean } = {}): string {
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
  if (d.missingFields.length) lines.push(`  ${pc.yellow(t.missingFields)}: ${d.missingFields.join(", ")}`);
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

export function renderProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${pc.red("error")} ${formatProblem(p)}`).join("\n");
}
