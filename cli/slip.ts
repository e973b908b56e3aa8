import { ageOn, type Case, type Decision, vocabulary } from "../engine/index.ts";
import { terminalSafeDeep } from "./render.ts";

const { maskIdNumber, regionName, SCHEMES, SETTLEMENT_MODES } = vocabulary;

/**
 * The inpatient settlement slip, laid out like 人社部发〔2016〕120号 附件6
 * 《跨省异地就医住院结算单》: header, stay, costs, then one line per fund as the insured
 * place returns them, and the patient's cash payment.
 */
type SlipRow = [string, string][];
export type Slip = {
  title: string;
  unit: string;
  header: SlipRow[];
  stay: SlipRow;
  costs: SlipRow[];
  funds: { label: string; amount: string; explain: string }[];
  totals: SlipRow;
  notes: string[];
};

const dash = "—";

/** Where a table's figures come from, as the slip says it (domain.md §7.13). */
const PROVENANCE = { official: "官方", secondary: "来源：二手摘要", illustrative: "示例，非官方" } as const;

/** The notes' labels; the slip itself is the Chinese form of 附件6 whatever the language. */
const NOTE_LABELS = {
  zh: { mode: "结算方式", table: "待遇标准", rounding: "舍入", warning: "提示" },
  en: { mode: "Settlement mode", table: "Benefit table", rounding: "Rounding", warning: "Note" },
} as const;

/** The rounding rule in words (domain.md §5): the Chinese slip says it in Chinese. */
const ROUNDING_ZH = "四舍五入到分，基金支付与先行自付部分各舍入一次";

export function buildSlip(
  c: Case,
  d: Decision,
  opts: { fullId?: boolean; lang?: vocabulary.Lang } = {},
): Slip {
  const b = d.benefits;
  const s = c.settlement;
  if (!b || !s) throw new Error(`case ${c.id} is not a settlement`);
  const lang = opts.lang ?? "zh";
  const L = NOTE_LABELS[lang];
  const colon = lang === "zh" ? "：" : ": ";
  const sex = c.applicant.sex === "male" ? "男" : "女";
  const age = String(ageOn(c.applicant.birthDate, s.admission));
  const dest = c.filing.destination;
  const hospital = dest?.hospital;
  const province = dest ? regionName(`${dest.region.slice(0, 2)}0000`) : "______";
  const cross = dest ? dest.region.slice(0, 2) !== c.insured.region.slice(0, 2) : true;
  const fundLines = b.calculated ? b.lines.filter((l) => l.id.startsWith("fund.")) : [];
  // 120号 附件6: 入院方式、住院号、出院科室 and 主要诊断、次要诊断, printed when the case gives them.
  const stayDetails: SlipRow[] = [];
  if (s.admissionMode ?? s.inpatientNumber ?? s.dischargeDepartment) {
    stayDetails.push([
      ["入院方式", s.admissionMode ?? dash],
      ["住院号", s.inpatientNumber ?? dash],
      ["出院科室", s.dischargeDepartment ?? dash],
    ]);
  }
  if (s.primaryDiagnosis ?? s.secondaryDiagnosis) {
    stayDetails.push([
      ["主要诊断", s.primaryDiagnosis ?? dash],
      ["次要诊断", s.secondaryDiagnosis ?? dash],
    ]);
  }
  const mode = `${L.mode}${colon}${d.settlementMode ? SETTLEMENT_MODES.labels[d.settlementMode][lang] : lang === "zh" ? "规则未规定" : "not set by the rules"}`;
  const tableNote = b.calculated
    ? `${L.table}${colon}${b.table.ruleSet} ${b.table.key}（${PROVENANCE[b.provenance]}），支付比例 ${b.ratio}，年度限额 ${b.annualCap}，本年剩余 ${b.capRemaining}`
    : `${L.table}${colon}未计算（${b.reason}）`;
  return {
    title: `${province}${cross ? "跨省" : "省内"}异地就医住院结算单`,
    unit: "单位：元（保留两位小数）",
    header: [
      [
        ["患者姓名", c.applicant.name ?? dash],
        ["性别", sex],
        ["年龄", age],
        ["社会保障号码", opts.fullId ? c.applicant.idNumber : maskIdNumber(c.applicant.idNumber)],
        ["社会保障卡卡号", dash],
      ],
      [
        ["参保地", `${regionName(c.insured.region)}（${c.insured.region}）`],
        ["险种类型", SCHEMES.labels[c.insured.scheme].zh],
      ],
      [
        ["就医地", dest ? `${regionName(dest.region)}（${dest.region}）` : dash],
        ["医院名称", hospital?.name ?? dash],
        ["医院等级", s.hospitalLevel],
      ],
      ...stayDetails,
    ],
    stay: [
      ["入院日期", s.admission],
      ["出院日期", s.discharge],
      ["共", `${b.days} 天`],
    ],
    costs: [
      [
        ["总费用", b.totalCost],
        ["统筹内费用", b.eligibleCost],
        ["自费费用", b.selfPayCost],
        ["乙类先行自付", b.partialSelfPayCost],
        ["本次起付标准", b.calculated ? b.deductible : "未计算"],
      ],
    ],
    funds: b.calculated
      ? fundLines.map((l, i) => ({
          label: `#参保地基金${i + 1} ${l.label}`,
          amount: l.amount,
          explain: l.explain,
        }))
      : [{ label: "#参保地基金1 基本医疗保险统筹基金", amount: "未计算", explain: b.reason }],
    totals: [
      [
        "基金支付合计",
        b.calculated ? (fundLines.length === 1 ? (fundLines[0]?.amount ?? "0.00") : b.fundPay) : "未计算",
      ],
      ["个人现金支付", b.calculated ? b.personalPay : "未计算"],
    ],
    notes: [
      mode,
      tableNote,
      ...(b.calculated ? [`${L.rounding}${colon}${lang === "zh" ? ROUNDING_ZH : b.rounding}`] : []),
      ...d.warnings.map((w) => `${L.warning}${colon}${w.message}`),
      "注：参保地基金按照参保地返回的基金款项名称打印。",
    ],
  };
}

/** East Asian wide characters take two terminal columns. */
const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
const padEnd = (s: string, w: number) => s + " ".repeat(Math.max(0, w - width(s)));
const padStart = (s: string, w: number) => " ".repeat(Math.max(0, w - width(s))) + s;

export function slipText(raw: Slip): string {
  const slip = terminalSafeDeep(raw);
  const rule = "─".repeat(78);
  const row = (cells: [string, string][]) => cells.map(([k, v]) => `${k}：${v}`).join("    ");
  const out = [padStart(slip.title, 39 + Math.floor(width(slip.title) / 2)), padStart(slip.unit, 78), rule];
  for (const r of slip.header) out.push(row(r));
  out.push(row(slip.stay), rule);
  for (const r of slip.costs) out.push(row(r));
  out.push(rule, `${padEnd("", 44)}${padStart("基金支付金额", 16)}`);
  for (const f of slip.funds) {
    out.push(`${padEnd(f.label, 44)}${padStart(f.amount, 16)}`, `    ${f.explain}`);
  }
  out.push(rule, slip.totals.map(([k, v]) => `${k}：${v}`).join("    "), rule, ...slip.notes);
  return out.join("\n");
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch] ?? ch);

export function slipHtml(slips: readonly Slip[]): string {
  // Every row spans the table's 10 columns: the last value cell takes what is left.
  const cells = (r: [string, string][]) =>
    r
      .map(([k, v], i) => {
        const span = i === r.length - 1 ? 10 - 2 * i - 1 : 1;
        return `<th>${esc(k)}</th><td${span > 1 ? ` colspan="${span}"` : ""}>${esc(v)}</td>`;
      })
      .join("");
  const one = (s: Slip) => `<section class="slip">
<h1>${esc(s.title)}</h1>
<p class="unit">${esc(s.unit)}</p>
<table>
${s.header.map((r) => `<tr>${cells(r)}</tr>`).join("\n")}
<tr>${cells(s.stay)}</tr>
${s.costs.map((r) => `<tr>${cells(r)}</tr>`).join("\n")}
</table>
<table class="funds">
<tr><th>基金支付合计</th><th>基金支付金额</th><th>个人现金支付</th></tr>
<tr><td>${esc(s.totals[0]?.[1] ?? "")}</td><td></td><td>${esc(s.totals[1]?.[1] ?? "")}</td></tr>
${s.funds.map((f) => `<tr><td>${esc(f.label)}<div class="explain">${esc(f.explain)}</div></td><td class="money">${esc(f.amount)}</td><td></td></tr>`).join("\n")}
</table>
<ul class="notes">${s.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>
</section>`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>跨省异地就医住院结算单</title>
<style>
body{font-family:"Noto Serif CJK SC","Songti SC",serif;margin:2rem;color:#111}
.slip{max-width:60rem;margin:0 auto 3rem;page-break-after:always}
h1{text-align:center;font-size:1.4rem;margin:0}
.unit{text-align:right;margin:.2rem 0 .6rem}
table{border-collapse:collapse;width:100%;margin-bottom:.8rem}
th,td{border:1px solid #333;padding:.3rem .4rem;text-align:left;font-size:.95rem}
th{background:#f3f3f3;font-weight:normal}
.money{text-align:right;font-variant-numeric:tabular-nums}
.explain{color:#555;font-size:.8rem}
.notes{font-size:.85rem;color:#333}
@media print{body{margin:0}.notes li{break-inside:avoid}}
</style></head><body>
${slips.map(one).join("\n")}
</body></html>
`;
}
