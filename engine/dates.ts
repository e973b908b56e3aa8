import { UTCDate } from "@date-fns/utc";
import { add, subDays } from "date-fns";
import { BoundedCache } from "./bounded-cache.ts";

/**
 * Calendar dates are ISO strings (YYYY-MM-DD). Arithmetic is date-fns on UTC dates, so the
 * server's time zone never shifts a day (China's daylight-saving years of 1919 and 1940–1949
 * moved local midnights in Asia/Shanghai).
 */

const toDate = (iso: string) =>
  new UTCDate(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
const pad = (n: number, w = 2) => String(n).padStart(w, "0");
export const toIso = (d: Date) =>
  `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

function parsePeriod(period: string): { years: number; months: number; days: number } {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$/.exec(period);
  if (!m) throw new Error(`not a period: ${period}`);
  return { years: Number(m[1] ?? 0), months: Number(m[2] ?? 0), days: Number(m[3] ?? 0) };
}

/**
 * Results by period, then by date: no key is built from the two (a string made per call had to
 * be hashed afresh each time; with working-days.ts the two-level look-up saved ~0.4 µs a
 * decision). Periods come from rule sets (four in all today): at most 32 × 10,000 are remembered.
 */
const PERIODS = 32;
const DATES = 10_000;
const added = new BoundedCache<string, BoundedCache<string, string>>(PERIODS);
const lastDays = new BoundedCache<string, BoundedCache<string, string>>(PERIODS);
function remember(
  memo: BoundedCache<string, BoundedCache<string, string>>,
  date: string,
  period: string,
  compute: () => string,
): string {
  const byDate = memo.get(period) ?? memo.set(period, new BoundedCache<string, string>(DATES));
  return byDate.get(date) ?? byDate.set(date, compute());
}

/**
 * Adds a period by calendar, the day clamped to the month's end.
 * @example addPeriod("2017-01-31", "P1M") // "2017-02-28"
 */
export function addPeriod(date: string, period: string): string {
  return remember(added, date, period, () => toIso(add(toDate(date), parsePeriod(period))));
}

/**
 * The last valid day of a period starting on `from`, inclusive: from + period − 1 day
 * (domain.md §6).
 * @example lastDayOf("2017-06-01", "P2Y") // "2019-05-31"
 */
export function lastDayOf(from: string, period: string): string {
  return remember(lastDays, from, period, () => toIso(subDays(add(toDate(from), parsePeriod(period)), 1)));
}

/**
 * Completed years of age on `on`: the difference of the years, less one while the birthday
 * (month-day) has not come yet — read straight off the ISO strings, in no time zone. Someone
 * born on 29 February completes a year on 1 March in common years, as date-fns counts it.
 * @example ageOn("1957-06-02", "2017-06-01") // 59
 */
export function ageOn(birthDate: string, on: string): number {
  const years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return on.slice(5) < birthDate.slice(5) ? years - 1 : years;
}
