import { stringify } from "csv-stringify/sync";
import ExcelJS from "exceljs";
import { type Category, vocabulary } from "../../engine/index.ts";
import { type Filing, type FilingFilter, type FilingState, stateOn } from "../store/filings.ts";

/** 478号 附件2 columns, in order (基本医疗保险跨省异地安置退休等人员备案信息汇总表). */
export const SUMMARY_COLUMNS = [
  "序号",
  "参保地行政区划代码",
  "姓名",
  "性别",
  "险种",
  "类型",
  "社会保障号码",
  "社会保障卡卡号",
  "地址",
  "联系电话",
  "就医地统筹地区行政区划代码",
  "备案医院名称",
  "备案医院编码",
] as const;
/** Added after 附件2's columns, so an expired or ended filing is never read as in force. */
export const STATE_COLUMN = "备案状态";
export const STATE_LABELS: Record<FilingState, string> = {
  active: "有效",
  expired: "已过期",
  revoked: "已撤销",
  consumed: "已使用",
};

export type SummaryTable = {
  sheet: string;
  title: string;
  source: string;
  category: Category | undefined;
  region: string | undefined;
  /** Only cross-province filings unless the request asks for in-province ones too (478号 附件2 is 跨省). */
  crossProvinceOnly: boolean;
  note: string;
  /** The note in ASCII, for the x-yidi-note response header. */
  header: string;
};

/**
 * The summary tables. 478号 附件2 gives its columns and is about cross-province filings
 * (跨省异地安置退休等人员). 攀医保〔2017〕10号 六 names 附件3–5 (one per long-term category) but the
 * seed does not reproduce their columns, so they use 附件2's columns, filtered by category and
 * restricted to persons insured in Panzhihua (510400), in and out of the province; every export
 * of them says so (x-yidi-note header; the XLSX "说明" sheet).
 */
export const TABLES = {
  summary: {
    sheet: "附件2",
    title: "基本医疗保险跨省异地安置退休等人员备案信息汇总表",
    source: "人社厅发〔2016〕478号 附件2",
    category: undefined,
    region: undefined,
    crossProvinceOnly: true,
    note: "",
    header: "columns of 478 annex 2 (cross-province filings); hospital codes are not recorded (left empty)",
  },
  resettled: {
    sheet: "附件3",
    title: "攀枝花市基本医疗保险异地安置退休人员备案信息汇总表",
    source: "攀医保〔2017〕10号 附件3",
    category: "retired_resettled",
    region: "510400",
    crossProvinceOnly: false,
    note: "攀医保〔2017〕10号未载附件3的栏目，沿用478号附件2的栏目，仅含异地安置退休人员",
    header:
      "Panzhihua 2017 No.10 annex 3 does not list its columns: the columns of 478 annex 2 are used, rows of category retired_resettled insured in 510400",
  },
  long_term: {
    sheet: "附件4",
    title: "攀枝花市基本医疗保险异地长期居住人员备案信息汇总表",
    source: "攀医保〔2017〕10号 附件4",
    category: "long_term_resident",
    region: "510400",
    crossProvinceOnly: false,
    note: "攀医保〔2017〕10号未载附件4的栏目，沿用478号附件2的栏目，仅含异地长期居住人员",
    header:
      "Panzhihua 2017 No.10 annex 4 does not list its columns: the columns of 478 annex 2 are used, rows of category long_term_resident insured in 510400",
  },
  worker: {
    sheet: "附件5",
    title: "攀枝花市基本医疗保险常驻异地工作人员备案信息汇总表",
    source: "攀医保〔2017〕10号 附件5",
    category: "resident_worker",
    region: "510400",
    crossProvinceOnly: false,
    note: "攀医保〔2017〕10号未载附件5的栏目，沿用478号附件2的栏目，仅含常驻异地工作人员",
    header:
      "Panzhihua 2017 No.10 annex 5 does not list its columns: the columns of 478 annex 2 are used, rows of category resident_worker insured in 510400",
  },
} as const satisfies Record<string, SummaryTable>;
export type TableId = keyof typeof TABLES;
export const TABLE_IDS = Object.keys(TABLES) as [TableId, ...TableId[]];

/** One row of the summary tables, in SUMMARY_COLUMNS order, then the state on `today`. */
export function tableRow(f: Filing, n: number, today: string): (string | number)[] {
  const c = f.details.contact ?? {};
  return [
    n,
    f.insuredRegion,
    f.name ?? "",
    f.sex === "male" ? "男" : f.sex === "female" ? "女" : f.sex,
    vocabulary.SCHEMES.labels[f.scheme as keyof typeof vocabulary.SCHEMES.labels]?.zh ?? f.scheme,
    vocabulary.CATEGORIES.labels[f.category as Category]?.zh ?? f.category,
    f.idNumber, // 社会保障号码 is the resident ID number
    c.ssCardNumber ?? "",
    c.contactAddress ?? c.homeAddress ?? "",
    c.phone1 ?? "",
    // Recorded as the destination region of the filing (may be a district code under the pooling city).
    f.destinationRegion ?? "",
    f.hospitalName ?? "",
    "", // 备案医院编码: hospital codes are not recorded by the registry
    STATE_LABELS[stateOn(f, today)],
  ];
}

export type ExportFile = {
  filename: { ascii: string; utf8: string };
  contentType: string;
  body: string | Buffer;
};

/** A cell a spreadsheet would run as a formula (OWASP "CSV Injection"): it starts with = + - @, a tab or a CR. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell made safe to open in a spreadsheet (OWASP "CSV Injection"): one that starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel, WPS and LibreOffice
 * show it as text instead of running it (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`).
 *
 * @example escapeFormula("=1+1") // "'=1+1"; escapeFormula("张三") // "张三"
 */
export function escapeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** Codes and numbers that must stay text: region codes, 社会保障号码 (the ID number), card number, phone. */
export const TEXT_COLUMNS = [1, 6, 7, 9, 10] as const;
/** Digits (an ID number may end in X): what Excel would read as a number. */
const DIGITS = /^\d+[Xx]?$/;

/**
 * A cell of the CSV: text escaped against formulas; in a text column, a value of digits is
 * written after a tab, the marking Excel and WPS read as text — an 18-digit ID number is not
 * rounded to 5.10402E+17 and a phone number keeps its leading 0. (`="…"` would be a formula
 * itself; the tab is followed by digits only, so it cannot start one.)
 */
export function csvCell(value: string | number, column: number): string | number {
  if (typeof value === "number") return value;
  if ((TEXT_COLUMNS as readonly number[]).includes(column) && DIGITS.test(value)) return `\t${value}`;
  return escapeFormula(value);
}

/**
 * The table as CSV: UTF-8 with a BOM (Excel opens it as UTF-8), CRLF line ends, every cell
 * quoted where RFC 4180 needs it (csv-stringify), formulas escaped and codes marked as text (`csvCell`).
 */
export function summaryCsv(tableId: TableId, rows: (string | number)[][]): ExportFile {
  const t = TABLES[tableId];
  const cells = rows.map((row) => row.map(csvCell));
  return {
    filename: { ascii: `filings-${tableId}.csv`, utf8: `${t.sheet}-${t.title}.csv` },
    contentType: "text/csv; charset=utf-8",
    body: `\uFEFF${stringify([[...SUMMARY_COLUMNS, STATE_COLUMN], ...cells], { record_delimiter: "\r\n" })}`,
  };
}

/** The table as XLSX, with a "说明" sheet naming its source, note, filter and time of export. */
export async function summaryXlsx(
  tableId: TableId,
  rows: (string | number)[][],
  filter: FilingFilter,
  exportedAt: string,
): Promise<ExportFile> {
  const t: SummaryTable = TABLES[tableId];
  const wb = new ExcelJS.Workbook();
  wb.creator = "yidi";
  const ws = wb.addWorksheet(t.sheet);
  ws.addRow([...SUMMARY_COLUMNS, STATE_COLUMN]).font = { bold: true };
  // Every value but 序号 is a string cell (ExcelJS writes a string as a string, never a formula),
  // so a name like "=HYPERLINK(…)" is shown as it is and never run.
  ws.addRows(rows);
  // Codes and ID numbers are text: as numbers Excel would round an 18-digit ID number; the text
  // format keeps them text when someone edits the cell.
  for (const col of TEXT_COLUMNS) ws.getColumn(col + 1).numFmt = "@";
  ws.columns.forEach((col, i) => {
    col.width = [6, 12, 10, 6, 20, 18, 22, 20, 30, 16, 14, 28, 14, 10][i] ?? 14;
  });
  ws.views = [{ state: "frozen", ySplit: 1 }];
  const about = wb.addWorksheet("说明");
  about.addRows([
    ["表名", t.title],
    ["依据", t.source],
    ...(t.note ? [["说明", t.note]] : []),
    ["备案医院编码", "备案信息库未登记医院编码，此栏留空"],
    [STATE_COLUMN, "附件2未设此栏，系统附加：有效、已过期（超过有效期）、已撤销、已使用"],
    ["筛选条件", JSON.stringify(filter)],
    ["行数", rows.length],
    ["导出时间", exportedAt],
  ]);
  about.getColumn(1).width = 14;
  about.getColumn(2).width = 80;
  return {
    filename: { ascii: `filings-${tableId}.xlsx`, utf8: `${t.sheet}-${t.title}.xlsx` },
    contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    body: Buffer.from(await wb.xlsx.writeBuffer()),
  };
}

/**
 * Content-Disposition for a download button: an ASCII fallback and the Chinese name encoded per
 * RFC 5987 (RFC 6266 §4.3), so every browser saves the file under its Chinese name.
 *
 * @example contentDisposition("a.csv", "附件2.csv") // attachment; filename="a.csv"; filename*=UTF-8''%E9%99%84%E4%BB%B62.csv
 */
export function contentDisposition(ascii: string, utf8: string, inline = false): string {
  // encodeURIComponent leaves ' ( ) * ! unescaped; RFC 5987's attr-char excludes them.
  const enc = encodeURIComponent(utf8).replace(
    /['()*!]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${inline ? "inline" : "attachment"}; filename="${ascii}"; filename*=UTF-8''${enc}`;
}
