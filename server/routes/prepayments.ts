import { Decimal } from "decimal.js";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { vocabulary } from "../../engine/index.ts";
import { requireRoles } from "../auth.ts";
import type { Store } from "../store/index.ts";
import type { PrepaymentRecord } from "../store/prepayments.ts";

/** What the prepayment routes need (given by `build`, typed). */
export type PrepaymentRouteOptions = {
  store: Store;
  /** Called at named points inside transactions (fault-injection tests). */
  faults?: ((point: string) => void | Promise<void>) | undefined;
};

// 40 significant digits: amounts have at most 18, so comparisons are exact and the quotient is
// far closer than 1e-23 to the true ratio — rounding it to 4 places cannot round twice.
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

const DOCUMENT = "人社部发〔2016〕120号";
export const YELLOW = "0.70";
export const RED = "0.90";

const citationSchema = z.object({ document: z.string(), clause: z.string() });
const levelSchema = z.enum(["normal", "yellow", "red"]);
export type UsageLevel = z.infer<typeof levelSchema>;

const province = z
  .string()
  .regex(
    /^[1-9]\d$/,
    "a 2-digit province code: the first two digits of its region code (四川省 510000 → 51)",
  );
const MONEY = /^(0|[1-9]\d{0,15})(\.\d{1,2})?$/;
const money = z.string().regex(MONEY, 'yuan as a decimal string with at most 2 places, e.g. "1000000.00"');

const bodySchema = z
  .strictObject({
    insuredProvince: province.describe("参保地省级经办机构 (pays the prepayment)"),
    treatmentProvince: province.describe("就医地省级经办机构 (receives it)"),
    year: z.number().int().min(2016).max(2100),
    month: z.number().int().min(1).max(12),
    prepayment: money
      .refine((v) => !MONEY.test(v) || new D(v).gt(0), "the prepayment must be more than 0")
      .describe("预付金"),
    clearing: money.describe("月度清算资金"),
  })
  .refine((b) => b.insuredProvince !== b.treatmentProvince, {
    path: ["treatmentProvince"],
    message: "a cross-province pair: the treatment province must differ from the insured province",
  });

const rowSchema = z.object({
  insuredProvince: z.string(),
  insuredProvinceName: z.string().nullable(),
  treatmentProvince: z.string(),
  treatmentProvinceName: z.string().nullable(),
  year: z.number(),
  month: z.number(),
  prepayment: z.string(),
  clearing: z.string(),
  usageRatio: z.string().describe("clearing ÷ prepayment, 4 places, half-up"),
  level: levelSchema,
  warning: z.string().nullable(),
  citation: citationSchema,
  emergencyTopUp: z
    .object({ due: z.literal(true), message: z.string(), citation: citationSchema })
    .nullable()
    .describe("red warnings only: the emergency top-up (紧急调增) that is due"),
  recordedBy: z.string(),
  recordedAt: z.string(),
});
export type PrepaymentRow = z.infer<typeof rowSchema>;

const chartSchema = z.object({
  months: z.array(z.string()).describe("the x axis: YYYY-MM"),
  series: z.array(
    z.object({
      insuredProvince: z.string(),
      treatmentProvince: z.string(),
      name: z.string().describe("四川省 → 海南省"),
      usagePercent: z.array(z.number().nullable()).describe("per month, 2 places; null: no figures"),
      levels: z.array(levelSchema.nullable()),
    }),
  ),
  thresholds: z.array(z.object({ name: z.string(), level: levelSchema, percent: z.number() })),
});

const provinceName = (code: string) => vocabulary.REGION_NAMES[`${code}0000`] ?? null;

/**
 * The usage ratio (预付金使用率 = 月度清算资金 ÷ 预付金) and its warning level (120号 经办规程
 * 第二十条): yellow when it reaches 70 %, red at 90 % and above. The level compares the exact
 * ratio, so 699 950.00 of 1 000 000.00 is still normal though it prints as "0.7000".
 *
 * @example usage("1000000.00", "900000.00") // { usageRatio: "0.9000", level: "red" }
 */
export function usage(prepayment: string, clearing: string): { usageRatio: string; level: UsageLevel } {
  const ratio = new D(clearing).div(new D(prepayment));
  const level = ratio.gte(RED) ? "red" : ratio.gte(YELLOW) ? "yellow" : "normal";
  return { usageRatio: ratio.toDecimalPlaces(4, D.ROUND_HALF_UP).toFixed(4), level };
}

/** A stored month with its ratio, level, citation and, when red, the emergency top-up that is due. */
export function reportRow(r: PrepaymentRecord): PrepaymentRow {
  const { usageRatio, level } = usage(r.prepayment, r.clearing);
  const insuredName = provinceName(r.insuredProvince);
  const treatmentName = provinceName(r.treatmentProvince);
  const percent = new D(usageRatio).mul(100).toFixed(2);
  return {
    insuredProvince: r.insuredProvince,
    insuredProvinceName: insuredName,
    treatmentProvince: r.treatmentProvince,
    treatmentProvinceName: treatmentName,
    year: r.year,
    month: r.month,
    prepayment: r.prepayment,
    clearing: r.clearing,
    usageRatio,
    level,
    warning:
      level === "red"
        ? `预付金使用率 ${percent}%，达到90%及以上：红色预警，启动预付金紧急调增流程`
        : level === "yellow"
          ? `预付金使用率 ${percent}%，达到70%：黄色预警`
          : null,
    citation: { document: DOCUMENT, clause: "经办规程第二十条" },
    emergencyTopUp:
      level === "red"
        ? {
            due: true,
            message:
              `紧急调增：${treatmentName ?? r.treatmentProvince}省级经办机构向部级经办机构报送预付金额度调增申请；` +
              `部级审核确认后向${insuredName ?? r.insuredProvince}省级经办机构下达紧急调增通知书（附件5）`,
            citation: { document: DOCUMENT, clause: "经办规程第二十一条" },
          }
        : null,
    recordedBy: r.recordedBy,
    recordedAt: r.recordedAt,
  };
}

/**
 * The prepayment monitor (预付金预警, 120号 经办规程第二十条): officers record a month's
 * prepayment and clearing per province pair (PUT, audited); the report gives each pair's usage
 * ratio and warning level.
 */
export const prepaymentRoutes: FastifyPluginAsyncZod<PrepaymentRouteOptions> = async (r, opts) => {
  const { store } = opts;

  r.put(
    "/prepayments",
    {
      schema: {
        tags: ["prepayments"],
        summary:
          "Record a month's prepayment and clearing for a province pair (replaces that month's figures)",
        body: bodySchema,
        response: { 200: rowSchema, 201: rowSchema },
      },
      onRequest: requireRoles(store, "officer", "admin"),
    },
    async (req, reply) => {
      const actor = req.user?.username ?? "";
      const { record, previous } = await store.transaction(async (tx) => {
        const result = await tx.prepayments.upsert({ ...req.body, recordedBy: actor });
        await opts.faults?.("prepayment.recorded");
        await tx.audit.record({
          actor,
          action: "prepayment.record",
          entity: "prepayment",
          entityId: result.record.id,
          detail: {
            ...req.body,
            ...(result.previous && {
              previous: { prepayment: result.previous.prepayment, clearing: result.previous.clearing },
            }),
          },
        });
        return result;
      });
      return reply.status(previous ? 200 : 201).send(reportRow(record));
    },
  );

  r.get(
    "/prepayments/report",
    {
      schema: {
        tags: ["prepayments"],
        summary:
          "Usage ratios with yellow (≥ 70 %) and red (≥ 90 %) warnings: a month, or a year month by month",
        description:
          "With `month`: that month's rows. Without: every month of the year. `chart` is the monthly usage per province " +
          "pair in the shape a line chart plots directly (ECharts: xAxis.data = months, one line per series, markLine at " +
          "each threshold); usage in percent, null for a month without figures.",
        querystring: z.object({
          year: z.coerce.number().int().min(2016).max(2100),
          month: z.coerce.number().int().min(1).max(12).optional(),
          insuredProvince: province.optional(),
          treatmentProvince: province.optional(),
        }),
        response: {
          200: z.object({
            year: z.number(),
            month: z.number().nullable(),
            thresholds: z.object({ yellow: z.string(), red: z.string() }),
            counts: z.object({ normal: z.number(), yellow: z.number(), red: z.number() }),
            rows: z.array(rowSchema),
            chart: chartSchema,
          }),
        },
      },
      onRequest: requireRoles(store, "officer", "approver", "tester", "admin"),
    },
    async (req) => {
      const rows = (await store.prepayments.list(req.query)).map(reportRow);
      const count = (l: UsageLevel) => rows.filter((x) => x.level === l).length;
      return {
        year: req.query.year,
        month: req.query.month ?? null,
        thresholds: { yellow: YELLOW, red: RED },
        counts: { normal: count("normal"), yellow: count("yellow"), red: count("red") },
        rows,
        chart: usageChart(req.query.year, req.query.month, rows),
      };
    },
  );
};

/** Monthly usage per province pair, aligned on the months, with the 70 % and 90 % lines. */
export function usageChart(
  year: number,
  month: number | undefined,
  rows: PrepaymentRow[],
): z.infer<typeof chartSchema> {
  const nums = month ? [month] : Array.from({ length: 12 }, (_, i) => i + 1);
  const months = nums.map((m) => `${year}-${String(m).padStart(2, "0")}`);
  const pairs = new Map<string, PrepaymentRow[]>();
  for (const row of rows) {
    const k = `${row.insuredProvince}>${row.treatmentProvince}`;
    pairs.set(k, [...(pairs.get(k) ?? []), row]);
  }
  const series = [...pairs.values()].map((list) => {
    const first = list[0] as PrepaymentRow;
    const at = (m: number) => list.find((x) => x.month === m);
    return {
      insuredProvince: first.insuredProvince,
      treatmentProvince: first.treatmentProvince,
      name: `${first.insuredProvinceName ?? first.insuredProvince} → ${first.treatmentProvinceName ?? first.treatmentProvince}`,
      // A ratio for the chart's axis, not money: 4 decimal places → percent with 2.
      usagePercent: nums.map((m) => {
        const x = at(m);
        return x ? Number(new D(x.usageRatio).mul(100).toFixed(2)) : null;
      }),
      levels: nums.map((m) => at(m)?.level ?? null),
    };
  });
  return {
    months,
    series,
    thresholds: [
      { name: "黄色预警 70%", level: "yellow", percent: 70 },
      { name: "红色预警 90%", level: "red", percent: 90 },
    ],
  };
}
