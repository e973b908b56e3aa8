/**
 * Region codes (GB/T 2260, six digits: province · city · county) and the two questions every
 * part of the project asks of them — is one region inside another, and is a journey
 * cross-province — answered once, here (style.md, last section).
 */

/**
 * The prefix a region code stands for: 510400 (a city) → "5104", 510000 (a province) → "51",
 * 510411 (a county) → "510411", 000000 (the nation) → "". Every code under it starts with it.
 *
 * @example regionPrefix("510400") // "5104"
 */
export function regionPrefix(code: string): string {
  if (code === "000000") return "";
  if (code.endsWith("0000")) return code.slice(0, 2);
  if (code.endsWith("00")) return code.slice(0, 4);
  return code;
}

/**
 * Region `code` lies within region `area` (510411 is within 510400, 510000 and 000000).
 *
 * @example regionWithin("510411", "510400") // true
 */
export function regionWithin(code: string, area: string): boolean {
  return code.startsWith(regionPrefix(area));
}

/** The province a region code belongs to, as its 2-digit code: 510411 → "51". */
export const provinceOf = (code: string): string => code.slice(0, 2);

/**
 * The destination is in another province than the insured place (跨省): the first two digits
 * differ. Beijing, Tianjin, Shanghai and Chongqing are provinces of their own in this sense.
 *
 * @example crossProvince("510402", "460200") // true
 */
export function crossProvince(insured: string, destination: string): boolean {
  return provinceOf(insured) !== provinceOf(destination);
}
