import chineseDays from "chinese-days";
import calendar from "chinese-days/dist/chinese-days.json" with { type: "json" };
import { BoundedCache } from "./bounded-cache.ts";

/**
 * The Chinese working-day calendar (public holidays off, make-up working days on) from the
 * maintained `chinese-days` package, which carries the State Council's yearly notices.
 */

const years = [...new Set(Object.keys(calendar.holidays).map((d) => Number(d.slice(0, 4))))];
/** First and last year the calendar package has official data for. */
export const CALENDAR_YEARS = { first: Math.min(...years), last: Math.max(...years) };

/** Due dates by (date, n): bounded, since a server lives for months of distinct dates. */
const memo = new BoundedCache<string, string>(50_000);

/**
 * The `n`th working day after `date` (the date itself not counted).
 * @example nthWorkingDayAfter("2026-09-30", 1) // "2026-10-08", after the National Day holiday
 */
export function nthWorkingDayAfter(date: string, n: number): string {
  const key = `${date}+${n}`;
  return memo.get(key) ?? memo.set(key, chineseDays.findWorkday(n, date));
}

/** True when the span reaches a year the calendar has no official holidays for yet. */
export function beyondCalendar(from: string, to: string): boolean {
  return Number(from.slice(0, 4)) < CALENDAR_YEARS.first || Number(to.slice(0, 4)) > CALENDAR_YEARS.last;
}
