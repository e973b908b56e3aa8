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

/**
 * Due dates by n, then by date: bounded, since a server lives for months of distinct dates. No
 * key is built from the two (a string made per call had to be hashed afresh, see dates.ts); n
 * comes from rule sets, a handful of values.
 */
const memo = new BoundedCache<number, BoundedCache<string, string>>(32);

/**
 * The `n`th working day after `date` (the date itself not counted).
 * @example nthWorkingDayAfter("2026-09-30", 1) // "2026-10-08", after the National Day holiday
 */
export function nthWorkingDayAfter(date: string, n: number): string {
  const byDate = memo.get(n) ?? memo.set(n, new BoundedCache<string, string>(10_000));
  return byDate.get(date) ?? byDate.set(date, chineseDays.findWorkday(n, date));
}

/** True when the span reaches a year the calendar has no official holidays for yet. */
export function beyondCalendar(from: string, to: string): boolean {
  return Number(from.slice(0, 4)) < CALENDAR_YEARS.first || Number(to.slice(0, 4)) > CALENDAR_YEARS.last;
}
