import { type Decision, vocabulary } from "../../engine/index.ts";
import { agencyOf, chineseDate, citeText, esc, printPage } from "./layout.ts";
import { type Person, personTable } from "./notice.ts";

/** The registry entry a receipt names, when the approved decision has been recorded. */
export type ReceiptFiling = {
  id: string;
  destinationRegion: string | null;
  hospitalName: string | null;
  validFrom: string;
  validUntil: string | null;
  status: string;
};

const date = (d: string | null | undefined, open = "长期有效") => (d ? chineseDate(d) : open);

/**
 * 受理回执 (an approved decision not yet in the registry) or 备案凭证 (a recorded filing): what was
 * granted — validity, single use, change lock, settlement mode, processing — and every requirement
 * met, each with its citation.
 */
export function receiptHtml(d: Decision, p: Person, printedOn: string, filing?: ReceiptFiling): string {
  const v = d.validity;
  const mode = d.settlementMode ? vocabulary.SETTLEMENT_MODES.labels[d.settlementMode].zh : "规则未规定";
  const dest = filing?.destinationRegion;
  const met = d.reasons
    .filter((r) => r.effect === "pass")
    .map((r) => `<li>${esc(r.message)}<div class="cite">${esc(citeText(r.citation))}</div></li>`);
  const warnings = d.warnings.map(
    (w) =>
      `<li>${esc(w.message)}${w.citation ? `<div class="cite">${esc(citeText(w.citation))}</div>` : ""}</li>`,
  );
  const title = filing ? "异地就医备案凭证" : "异地就医备案受理回执";
  const body = `${personTable(p, d)}
<table>
${filing ? `<tr><th>备案编号</th><td colspan="3">${esc(filing.id)}</td></tr>` : ""}
${dest ? `<tr><th>就医地</th><td>${esc(vocabulary.regionName(dest))}（${esc(dest)}）</td><th>定点医院</th><td>${esc(filing?.hospitalName ?? "—")}</td></tr>` : ""}
<tr><th>有效期</th><td colspan="3">${v ? `${esc(date(v.from))} 至 ${esc(date(v.until))}${v.singleUse ? "（一次有效）" : ""}` : "—"}</td></tr>
${v?.changeLockedUntil ? `<tr><th>变更限制</th><td colspan="3">${esc(date(v.changeLockedUntil))}前原则上不予变更</td></tr>` : ""}
<tr><th>结算方式</th><td>${esc(mode)}</td><th>办理时限</th><td>${d.processing.immediate ? "即时办结" : esc(`${date(d.processing.dueDate, "—")}前办结`)}</td></tr>
</table>
<h2>审核依据</h2><ol>${met.join("\n")}</ol>
${warnings.length ? `<h2>提示</h2><ul>${warnings.join("\n")}</ul>` : ""}
<p class="cite">适用规则：${esc(d.ruleSets.map((r) => `${r.id}@${r.version}`).join(" → "))}</p>
<div class="sign"><div>经办人：</div><div>申请人签收：</div></div>
<p class="stamp">${esc(agencyOf(p.insuredRegion))}（盖章）<br>${esc(chineseDate(printedOn))}</p>`;
  return printPage({ title, agency: agencyOf(p.insuredRegion), docNo: `案例编号：${d.caseId}`, body });
}
