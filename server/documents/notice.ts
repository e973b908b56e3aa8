import { type Decision, vocabulary } from "../../engine/index.ts";
import { agencyOf, chineseDate, citeText, esc, printPage } from "./layout.ts";

/** Who the document is about, as the reader's role may see it. */
export type Person = { name: string | null; idNumber: string; insuredRegion: string };

const categoryLabel = (c: string | null) =>
  c ? (vocabulary.CATEGORIES.labels[c as vocabulary.Category]?.zh ?? c) : "—";
const kindLabel = (k: string) => vocabulary.KINDS.labels[k as vocabulary.Kind]?.zh ?? k;

/** The citation of a missing field: the form requirement (or rule) that asked for it. */
function fieldCitation(d: Decision, field: string) {
  const entry = d.trace.find(
    (t) =>
      t.effect === "missing_fields" &&
      Array.isArray((t.detail as { missing?: unknown })?.missing) &&
      ((t.detail as { missing: string[] }).missing ?? []).includes(field),
  );
  return entry?.citation ?? d.reasons.find((r) => r.effect === "unknown")?.citation;
}

export function personTable(p: Person, d: Decision): string {
  return `<table>
<tr><th>申请人</th><td>${esc(p.name ?? "—")}</td><th>身份证号</th><td>${esc(p.idNumber)}</td></tr>
<tr><th>参保地</th><td>${esc(vocabulary.regionName(p.insuredRegion))}（${esc(p.insuredRegion)}）</td><th>申请类型</th><td>${esc(kindLabel(d.kind))}</td></tr>
<tr><th>人员类别</th><td>${esc(categoryLabel(d.category))}</td><th>申请日期</th><td>${esc(chineseDate(d.asOf))}</td></tr>
</table>`;
}

/**
 * 一次性告知书 (赣人社发〔2017〕57号 第五条: everything missing told at once): every missing
 * material — a one-of group once, "任选其一" — and every missing field, each with its citation.
 */
export function noticeHtml(d: Decision, p: Person, printedOn: string): string {
  const materials = d.missingMaterials.map((m) => {
    const choice =
      "anyOf" in m
        ? `（以下任选其一：${m.anyOf.map((id) => vocabulary.MATERIALS.labels[id].zh).join("；")}）`
        : "";
    return `<li>${esc(m.label)}${esc(choice)}<div class="cite">${esc(citeText(m.citation))}</div></li>`;
  });
  const fields = d.missingFields.map((f) => {
    const c = fieldCitation(d, f);
    return `<li>${esc(vocabulary.fieldLabel(f, "zh"))}<div class="cite">${esc(citeText(c))}</div></li>`;
  });
  const nothing = materials.length === 0 && fields.length === 0;
  const body = `${personTable(p, d)}
<p>经审核，您的${esc(kindLabel(d.kind))}申请${nothing ? "材料齐全，无需补正。" : "尚需补正以下材料和信息。现一次性告知如下，请补齐后一并提交："}</p>
${materials.length ? `<h2>一、需补交的材料</h2><ol>${materials.join("\n")}</ol>` : ""}
${fields.length ? `<h2>${materials.length ? "二" : "一"}、需补填的信息</h2><ol>${fields.join("\n")}</ol>` : ""}
<p class="cite">适用规则：${esc(d.ruleSets.map((r) => `${r.id}@${r.version}`).join(" → "))}</p>
<div class="sign"><div>经办人：</div><div>申请人签收：</div></div>
<p class="stamp">${esc(agencyOf(p.insuredRegion))}（盖章）<br>${esc(chineseDate(printedOn))}</p>
<p class="footnote">${p.insuredRegion.startsWith("36") ? "依据赣人社发〔2017〕57号第五条：" : ""}申请材料不全的，一次性告知需要补正的全部内容。本告知书一式两份，申请人与经办机构各执一份。</p>`;
  return printPage({
    title: "一次性告知书",
    agency: agencyOf(p.insuredRegion),
    docNo: `案例编号：${d.caseId}`,
    body,
  });
}
