import { parse } from "yaml";
import { z } from "zod";
import { caseFields, type Problem } from "../engine/index.ts";

/**
 * A CSV column-mapping file (YAML): which column is which case field, with value maps for the
 * codes a spreadsheet uses (docs/csv-mapping.md).
 *
 * ```yaml
 * columns:
 *   id: 编号
 *   asOf: 申请日期
 *   applicant.idNumber: 身份证号
 *   insured.scheme: { column: 险种, map: { 职工: employee, 城乡居民: urban_rural_resident } }
 *   filing.materials: { column: 材料, split: "、" }
 *   filing.hukouMoved: { column: 户籍已迁入, map: { 是: true, 否: false } }
 *   expected.outcome: 预期结果
 * constants:
 *   kind: filing
 * ```
 */
export type CsvMapping = {
  delimiter: string;
  columns: {
    field: string[];
    column: string;
    map?: Record<string, unknown>;
    split?: string;
    type: FieldType;
  }[];
  constants: { field: string[]; value: unknown }[];
};

type FieldType = "string" | "number" | "boolean" | "list";

const columnSpec = z.union([
  z.string().min(1),
  z.strictObject({
    column: z.string().min(1),
    map: z.record(z.string(), z.unknown()).optional(),
    split: z.string().min(1).optional(),
    type: z.enum(["string", "number", "boolean", "list"]).optional(),
  }),
]);

const mappingSchema = z.strictObject({
  delimiter: z.string().length(1).default(","),
  columns: z.record(z.string(), columnSpec),
  constants: z.record(z.string(), z.unknown()).default({}),
});

/** Unwraps optional/default/nullable/pipe wrappers of a zod schema, to reach its shape. */
function inner(s: z.ZodType): z.ZodType {
  let cur = s as z.ZodType & { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } };
  for (let i = 0; i < 10; i++) {
    const d = cur.def;
    if (d.innerType) cur = d.innerType as typeof cur;
    else if (d.type === "pipe" && d.in) cur = d.in as typeof cur;
    else break;
  }
  return cur;
}

/** The type of a case field by its path, or an error message when the case has no such field. */
function fieldType(path: string[]): FieldType | string {
  if (path[0] === "expected") return path.length > 1 ? "string" : "the whole `expected` cannot be one column";
  let s: z.ZodType = caseFields;
  for (const [i, key] of path.entries()) {
    const obj = inner(s) as z.ZodType & { shape?: Record<string, z.ZodType> };
    const next = obj.shape?.[key];
    if (!next) return `a case has no field ${path.slice(0, i + 1).join(".")}`;
    s = next;
  }
  const leaf = inner(s) as z.ZodType & { def: { type: string } };
  const t = leaf.def.type;
  if (t === "object") return `${path.join(".")} is a group of fields; map its fields one by one`;
  if (t === "boolean") return "boolean";
  if (t === "number" || t === "int") return "number";
  if (t === "array") return "list";
  return "string";
}

/**
 * Reads and checks a mapping file's text. Every problem at once, each naming the entry; a bad
 * mapping stops the run before it starts.
 */
export function parseMapping(text: string, file: string): { mapping?: CsvMapping; problems: Problem[] } {
  const fail = (message: string, path: (string | number)[] = []): Problem => ({
    code: "mapping",
    path,
    file,
    message,
  });
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    return { problems: [fail(`YAML: ${(e as Error).message.split("\n")[0]}`)] };
  }
  const r = mappingSchema.safeParse(raw);
  if (!r.success)
    return {
      problems: r.error.issues.map((i) =>
        fail(
          i.message,
          i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
        ),
      ),
    };
  const problems: Problem[] = [];
  const columns: CsvMapping["columns"] = [];
  for (const [field, spec] of Object.entries(r.data.columns)) {
    const path = field.split(".");
    const t = fieldType(path);
    const s = typeof spec === "string" ? { column: spec } : spec;
    if (t !== "string" && t !== "number" && t !== "boolean" && t !== "list") {
      problems.push(fail(t, ["columns", field]));
      continue;
    }
    columns.push({
      field: path,
      column: s.column,
      type: s.type ?? t,
      ...(s.map && { map: s.map }),
      ...(s.split && { split: s.split }),
    });
  }
  if (!columns.some((c) => c.field.join(".") === "id"))
    problems.push(fail("no column is mapped to the case's id", ["columns"]));
  const constants: CsvMapping["constants"] = [];
  for (const [field, value] of Object.entries(r.data.constants)) {
    const t = fieldType(field.split("."));
    if (!["string", "number", "boolean", "list"].includes(t)) problems.push(fail(t, ["constants", field]));
    else constants.push({ field: field.split("."), value });
  }
  if (problems.length) return { problems };
  return { mapping: { delimiter: r.data.delimiter, columns, constants }, problems: [] };
}

/** The mapped columns a CSV header lacks (checked before the run). */
export function missingColumns(mapping: CsvMapping, header: readonly string[]): string[] {
  const have = new Set(header.map((h) => h.trim()));
  return mapping.columns.filter((c) => !have.has(c.column)).map((c) => c.column);
}

const TRUE = new Set(["true", "1", "yes", "y", "是", "有", "✓"]);
const FALSE = new Set(["false", "0", "no", "n", "否", "无", ""]);

/**
 * One CSV record as a raw case (not yet validated), and the problems of its cells: a code with
 * no entry in the value map, a number or a yes/no that is not one. An empty cell leaves the
 * field out.
 */
export function mapRecord(
  mapping: CsvMapping,
  index: Map<string, number>,
  record: readonly string[],
): { raw: Record<string, unknown>; problems: { column: string; field: string; message: string }[] } {
  const raw: Record<string, unknown> = {};
  const problems: { column: string; field: string; message: string }[] = [];
  const set = (path: string[], v: unknown) => {
    let o = raw;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i] as string;
      const next = (o[k] ?? {}) as Record<string, unknown>;
      o[k] = next;
      o = next;
    }
    o[path[path.length - 1] as string] = v;
  };
  for (const c of mapping.constants) set(c.field, c.value);
  for (const c of mapping.columns) {
    const cell = (record[index.get(c.column) ?? -1] ?? "").trim();
    if (cell === "") continue;
    const field = c.field.join(".");
    const one = (s: string): unknown => {
      if (c.map) {
        if (!(s in c.map)) {
          problems.push({
            column: c.column,
            field,
            message: `${JSON.stringify(s)} is not in the mapping's values (${Object.keys(c.map).join(", ")})`,
          });
          return undefined;
        }
        return c.map[s];
      }
      if (c.type === "number") {
        const n = Number(s);
        if (!Number.isFinite(n))
          problems.push({ column: c.column, field, message: `${JSON.stringify(s)} is not a number` });
        return n;
      }
      if (c.type === "boolean") {
        const l = s.toLowerCase();
        if (TRUE.has(l)) return true;
        if (FALSE.has(l)) return false;
        problems.push({ column: c.column, field, message: `${JSON.stringify(s)} is not yes or no` });
        return undefined;
      }
      return s;
    };
    if (c.type === "list") {
      const parts = cell
        .split(c.split ?? /[;；、,，|]/)
        .map((s) => s.trim())
        .filter(Boolean);
      set(c.field, parts.map(one));
    } else {
      const v = one(cell);
      if (v !== undefined) set(c.field, v);
    }
  }
  return { raw, problems };
}
