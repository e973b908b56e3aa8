import { vocabulary } from "../../engine/index.ts";

/** HTML-escapes text for the printed documents. */
export const esc = (s: string | number | null | undefined) =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );

/**
 * The fonts of every printed page: the CJK fonts of the machine (Noto Serif/Sans CJK SC on Debian,
 * 宋体/黑体 on Windows, Songti/Heiti on macOS). Nothing is fetched from elsewhere.
 */
export const SERIF = `"Noto Serif CJK SC", "Noto Serif SC", "Source Han Serif SC", "Songti SC", SimSun, serif`;
export const SANS = `"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Heiti SC", SimHei, sans-serif`;

/** A4 portrait, government-form look: centred title, ruled tables, black on white. */
export const PRINT_CSS = `
@page { size: A4 portrait; margin: 18mm 16mm 16mm; }
* { box-sizing: border-box; }
html { background: #fff; }
body { font-family: ${SERIF}; font-size: 11pt; line-height: 1.55; color: #000; margin: 0; }
.page { width: 100%; }
h1 { font-family: ${SANS}; text-align: center; font-size: 18pt; font-weight: 700; letter-spacing: .15em; margin: 0 0 4pt; }
.agency { text-align: center; font-size: 12pt; margin: 0 0 10pt; }
.docno { text-align: right; font-size: 10pt; margin: 0 0 6pt; }
table { border-collapse: collapse; width: 100%; margin: 0 0 10pt; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 0.75pt solid #000; padding: 3pt 5pt; text-align: left; vertical-align: top; font-weight: normal; }
th { background: #f2f2f2; white-space: nowrap; width: 1%; }
h2 { font-family: ${SANS}; font-size: 12pt; margin: 10pt 0 4pt; }
.cite { font-size: 9pt; color: #333; }
ol, ul { margin: 0 0 8pt 1.4em; padding: 0; }
li { margin: 0 0 3pt; page-break-inside: avoid; }
.sign { margin-top: 18pt; display: flex; justify-content: space-between; }
.sign div { width: 45%; }
.stamp { text-align: right; margin-top: 10pt; }
.footnote { font-size: 9pt; color: #333; margin-top: 12pt; border-top: 0.5pt solid #000; padding-top: 4pt; }
.toolbar { text-align: center; margin: 0 0 12pt; font-family: ${SANS}; }
.toolbar button { font: inherit; font-size: 11pt; padding: 4pt 14pt; cursor: pointer; }
.toolbar span { font-size: 9pt; color: #555; margin-left: 8pt; }
@media print { .toolbar { display: none; } }
@media screen { html { background: #eee; } body { width: 210mm; min-height: 297mm; margin: 1rem auto; padding: 18mm 16mm; background: #fff; box-shadow: 0 0 6px #999; } }
`;

/** The agency that issues a document for an insured region: the pooling city's (or province's) insurance agency. */
export function agencyOf(insuredRegion: string): string {
  const city = insuredRegion.endsWith("0000") ? insuredRegion : `${insuredRegion.slice(0, 4)}00`;
  const name = vocabulary.REGION_NAMES[city] ?? vocabulary.REGION_NAMES[insuredRegion] ?? insuredRegion;
  return `${name}医疗保险经办机构`;
}

/** 2017-06-01 → 2017年6月1日, as on a Chinese form. */
export const chineseDate = (iso: string) => {
  const [y, m, d] = iso.split("-");
  return `${y}年${Number(m)}月${Number(d)}日`;
};

/** A whole printable page. */
export function printPage(p: { title: string; agency: string; body: string; docNo?: string }): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(p.title)}</title>
<style>${PRINT_CSS}</style></head>
<body><main class="page">
<h1>${esc(p.title)}</h1>
<p class="agency">${esc(p.agency)}</p>
${p.docNo ? `<p class="docno">${esc(p.docNo)}</p>` : ""}
${p.body}
</main></body></html>
`;
}

/** The script of the print button (served by the server, so the page's CSP allows it: script-src 'self'). */
export const PRINT_SCRIPT = `document.getElementById("print")?.addEventListener("click", () => window.print());\n`;

/**
 * A page as the server serves it: a print button above it (hidden on paper) that opens the
 * browser's print dialog, where "Save as PDF" gives the PDF of the same page. The CLI writes the
 * page without it (a file opened offline has no server to load the script from).
 */
export const withPrintButton = (html: string) =>
  html.replace(
    "<body>",
    `<body><div class="toolbar"><button id="print" type="button">打印 / 另存为 PDF</button><span>A4 纵向</span></div>` +
      `<script src="/api/documents/print.js" defer></script>`,
  );

/** A citation as printed: 〔攀医保〔2017〕10号 四(一)1〕. */
export const citeText = (c: { document: string; clause: string } | undefined) =>
  c ? `依据：${c.document} ${c.clause}` : "";
