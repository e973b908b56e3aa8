import { isDeepStrictEqual } from "node:util";
import { vocabulary } from "../../engine/index.ts";

type Label = { zh: string; en: string };
export type FieldChange = { path: string; before: unknown; after: unknown };
export type Change = {
  section: string;
  key: string;
  change: "added" | "removed" | "changed";
  message: Label;
  fields?: FieldChange[];
};

const SECTION_LABELS: Record<string, Label> = {
  meta: { zh: "版本信息", en: "version" },
  sources: { zh: "依据文件", en: "source document" },
  categories: { zh: "人员类别", en: "category" },
  rules: { zh: "规则", en: "rule" },
  materials: { zh: "材料要求", en: "material requirement" },
  validity: { zh: "有效期", en: "validity" },
  settlement: { zh: "结算方式", en: "settlement" },
  processing: { zh: "办理时限", en: "processing" },
  formFields: { zh: "表单字段", en: "form fields" },
  emergencyCriteria: { zh: "急诊认定", en: "emergency criteria" },
  advice: { zh: "提示", en: "advice" },
  benefits: { zh: "待遇标准", en: "benefit table" },
  benefitAdjustments: { zh: "待遇调整", en: "benefit adjustment" },
};
const SECTION_ORDER = Object.keys(SECTION_LABELS);

const FIELD_LABELS: Record<string, Label> = {
  "effective.from": { zh: "生效日期", en: "effective from" },
  "effective.to": { zh: "失效日期", en: "effective until" },
  extends: { zh: "上级规则", en: "extends" },
  title: { zh: "标题", en: "title" },
  duration: { zh: "有效期限", en: "validity period" },
  extension: { zh: "延期期限", en: "extension" },
  changeLock: { zh: "变更限制期", en: "change lock" },
  lockAppliesTo: { zh: "变更限制适用于", en: "change lock applies to" },
  singleUse: { zh: "一次性使用", en: "single use" },
  deductible: { zh: "起付标准", en: "deductible" },
  ratio: { zh: "支付比例", en: "payment ratio" },
  annualCap: { zh: "年度最高支付限额", en: "annual cap" },
  seriousIllnessCap: { zh: "大病保险限额", en: "serious-illness cap" },
  ratioPoints: { zh: "支付比例降低（百分点）", en: "ratio lowered by (points)" },
  payFirstShare: { zh: "先行自付比例", en: "pay-first share" },
  workingDays: { zh: "办理时限（工作日）", en: "working days" },
  immediate: { zh: "即时办结", en: "immediate" },
  inProvince: { zh: "省内结算方式", en: "in-province settlement" },
  crossProvince: { zh: "跨省结算方式", en: "cross-province settlement" },
  unfiled: { zh: "未备案结算方式", en: "settlement without a filing" },
  conditions: { zh: "条件", en: "conditions" },
  when: { zh: "适用条件", en: "applies when" },
  onFail: { zh: "不符合时", en: "on failure" },
  message: { zh: "提示语", en: "message" },
  passMessage: { zh: "通过时说明", en: "pass message" },
  require: { zh: "所需材料", en: "material" },
  anyOf: { zh: "任一材料", en: "any one of" },
  label: { zh: "告知表述", en: "label" },
  kinds: { zh: "申请类型", en: "request kinds" },
  categories: { zh: "人员类别", en: "categories" },
  required: { zh: "必填字段", en: "required fields" },
  channels: { zh: "渠道", en: "channels" },
  icd10: { zh: "ICD-10 编码", en: "ICD-10 codes" },
  provenance: { zh: "来源性质", en: "provenance" },
  scheme: { zh: "险种", en: "scheme" },
  statuses: { zh: "人员状态", en: "insured statuses" },
  citation: { zh: "依据", en: "citation" },
  "citation.document": { zh: "依据文件", en: "cited document" },
  "citation.clause": { zh: "依据条款", en: "cited clause" },
  note: { zh: "说明", en: "note" },
  description: { zh: "说明", en: "description" },
};
const LEVELS: Record<string, Label> = {
  "1": { zh: "一级医院", en: "level-1 hospital" },
  "2": { zh: "二级医院", en: "level-2 hospital" },
  "3": { zh: "三级医院", en: "level-3 hospital" },
};
const PERIOD_FIELDS = new Set(["duration", "extension", "changeLock"]);
const MONEY_FIELDS = new Set(["deductible", "annualCap", "seriousIllnessCap"]);
const RATIO_FIELDS = new Set(["ratio", "payFirstShare"]);

/** An ISO period in words: P2Y → 2 年 / 2 years, P6M → 6 个月 / 6 months. */
export function periodWords(p: string): Label | undefined {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$/.exec(p);
  if (!m || p === "P") return undefined;
  const parts: [string | undefined, string, string][] = [
    [m[1], "年", "year"],
    [m[2], "个月", "month"],
    [m[3], "天", "day"],
  ];
  const used = parts.filter(([n]) => n !== undefined);
  return {
    zh: used.map(([n, zh]) => `${n} ${zh}`).join(" "),
    en: used.map(([n, , en]) => `${n} ${en}${n === "1" ? "" : "s"}`).join(" "),
  };
}

function fieldLabel(path: string): Label {
  const exact = FIELD_LABELS[path];
  if (exact) return exact;
  const parts = path.split(".");
  const level = parts[0] === "levels" && parts[1] ? LEVELS[parts[1]] : undefined;
  const last = FIELD_LABELS[parts.slice(-2).join(".")] ?? FIELD_LABELS[parts.at(-1) ?? ""];
  if (level && last) return { zh: `${level.zh}${last.zh}`, en: `${level.en} ${last.en}` };
  return last ?? { zh: path, en: path };
}

function valueWords(path: string, v: unknown): Label {
  const field = path.split(".").at(-1) ?? "";
  if (v === undefined) return { zh: "（无）", en: "(none)" };
  if (v === null)
    return PERIOD_FIELDS.has(field) ? { zh: "不限", en: "none" } : { zh: "（无）", en: "(none)" };
  if (typeof v === "boolean") return v ? { zh: "是", en: "yes" } : { zh: "否", en: "no" };
  if (typeof v === "string") {
    if (PERIOD_FIELDS.has(field)) return periodWords(v) ?? { zh: v, en: v };
    if (MONEY_FIELDS.has(field)) return { zh: `${v} 元`, en: `${v} yuan` };
    if (RATIO_FIELDS.has(field) && /^\d+(\.\d+)?$/.test(v)) {
      const pct = `${Number((Number(v) * 100).toFixed(2))}%`;
      return { zh: pct, en: pct };
    }
    const material = (vocabulary.MATERIALS.labels as Record<string, Label>)[v];
    if (material) return { zh: material.zh, en: material.en };
    return { zh: v, en: v };
  }
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) {
    const words = v.map((x) => valueWords(path, x));
    return { zh: words.map((w) => w.zh).join("、"), en: words.map((w) => w.en).join(", ") };
  }
  const json = JSON.stringify(v);
  return { zh: json, en: json };
}

/** Leaf differences of two values, as dotted paths (arrays compared whole). */
function leafChanges(before: unknown, after: unknown, path = ""): FieldChange[] {
  if (isDeepStrictEqual(before, after)) return [];
  const plain = (x: unknown): x is Record<string, unknown> =>
    !!x && typeof x === "object" && !Array.isArray(x);
  // Conditions are trees: told as one change of the whole tree.
  const tree = /(^|\.)(conditions|when)$/.test(path);
  if (plain(before) && plain(after) && !tree) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => leafChanges(before[k], after[k], path ? `${path}.${k}` : k));
  }
  return [{ path, before: before ?? null, after: after ?? null }];
}

function entryName(section: string, key: string): Label {
  const s = SECTION_LABELS[section] ?? { zh: section, en: section };
  const category = (vocabulary.CATEGORIES.labels as Record<string, Label>)[key];
  const k = key === "default" ? { zh: "默认", en: "default" } : (category ?? { zh: key, en: key });
  return { zh: `${s.zh}「${k.zh}」`, en: `${s.en} "${k.en}"` };
}

const fieldWords = (f: FieldChange): Label => {
  const l = fieldLabel(f.path);
  const b = valueWords(f.path, f.before);
  const a = valueWords(f.path, f.after);
  return { zh: `${l.zh}：${b.zh} → ${a.zh}`, en: `${l.en}: ${b.en} → ${a.en}` };
};

type Data = Record<string, unknown>;
const asMap = (x: unknown): Data => (x && typeof x === "object" && !Array.isArray(x) ? (x as Data) : {});

/**
 * What changed from one rule-set version to another, in the officer's words: every entry of
 * every section (rules, materials, periods, figures …) added, removed (a key set to `null`
 * removes an inherited entry) or changed, with each changed field before and after.
 * Works on the parsed YAML, valid or not.
 *
 * @example summarizeChanges(before, after)[0].message.zh // "有效期「异地安置退休人员」：变更限制期：2 年 → 6 个月"
 */
export function summarizeChanges(beforeData: unknown, afterData: unknown): Change[] {
  const before = asMap(beforeData);
  const after = asMap(afterData);
  const out: Change[] = [];
  const meta = leafChanges(
    { title: before.title, effective: before.effective, extends: before.extends },
    { title: after.title, effective: after.effective, extends: after.extends },
  );
  for (const f of meta) {
    const w = fieldWords(f);
    out.push({ section: "meta", key: f.path, change: "changed", message: w, fields: [f] });
  }
  const docs = (d: Data) =>
    new Map(
      (Array.isArray(d.sources) ? d.sources : []).map((s) => [String(asMap(s).document), asMap(s)] as const),
    );
  out.push(...compareEntries("sources", docs(before), docs(after)));
  for (const section of SECTION_ORDER.slice(2)) {
    const b = new Map(Object.entries(asMap(before[section])));
    const a = new Map(Object.entries(asMap(after[section])));
    out.push(...compareEntries(section, b, a));
  }
  return out;
}

function compareEntries(section: string, b: Map<string, unknown>, a: Map<string, unknown>): Change[] {
  const out: Change[] = [];
  for (const key of [...new Set([...b.keys(), ...a.keys()])]) {
    const was = b.get(key);
    const now = a.get(key);
    const name = entryName(section, key);
    const present = (x: unknown) => x !== undefined && x !== null;
    if (!present(was) && present(now)) {
      out.push({ section, key, change: "added", message: { zh: `新增${name.zh}`, en: `added ${name.en}` } });
    } else if (present(was) && !present(now)) {
      out.push({
        section,
        key,
        change: "removed",
        message: { zh: `删除${name.zh}`, en: `removed ${name.en}` },
      });
    } else if (was === undefined && now === null) {
      out.push({
        section,
        key,
        change: "removed",
        message: { zh: `删除继承的${name.zh}`, en: `removed the inherited ${name.en}` },
      });
    } else if (was === null && now === undefined) {
      out.push({
        section,
        key,
        change: "added",
        message: { zh: `恢复继承的${name.zh}`, en: `inherits ${name.en} again` },
      });
    } else if (present(was) && present(now)) {
      const fields = leafChanges(was, now);
      if (!fields.length) continue;
      const words = fields.map(fieldWords);
      out.push({
        section,
        key,
        change: "changed",
        message: {
          zh: `${name.zh}：${words.map((w) => w.zh).join("；")}`,
          en: `${name.en}: ${words.map((w) => w.en).join("; ")}`,
        },
        fields,
      });
    }
  }
  return out;
}
