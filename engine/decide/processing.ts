import type { Policy } from "../policy.ts";
import type { Case } from "../schema/case.ts";
import type { Decision } from "../schema/decision.ts";
import type { Category } from "../vocabulary.ts";
import { beyondCalendar, CALENDAR_YEARS, nthWorkingDayAfter } from "../working-days.ts";
import { lookupTrace, NONE, only, type Step } from "./step.ts";

/** When the agency must finish: at once, or the Nth working day on the Chinese calendar. */
export function processing(
  c: Case,
  policy: Policy,
  category: Category | undefined,
): Step<Decision["processing"]> {
  const p = (category && policy.processing.get(category)) || policy.processing.get("default");
  if (!p) return only({ immediate: false, dueDate: null });
  if (p.workingDays === undefined) {
    const trace = [lookupTrace("processing", `processing.${p.key}`, p, { immediate: true })];
    return { value: { immediate: true, dueDate: null }, reasons: NONE, warnings: NONE, trace };
  }
  const dueDate = nthWorkingDayAfter(c.asOf, p.workingDays);
  const warnings = beyondCalendar(c.asOf, dueDate)
    ? [
        {
          code: "calendar.beyond",
          message: `节假日历仅收录 ${CALENDAR_YEARS.first}–${CALENDAR_YEARS.last} 年的官方安排；超出部分只按周末计算`,
        },
      ]
    : NONE;
  const trace = [
    lookupTrace("processing", `processing.${p.key}`, p, { workingDays: p.workingDays, dueDate }),
  ];
  return { value: { immediate: false, dueDate, workingDays: p.workingDays }, reasons: NONE, warnings, trace };
}
