import { Decimal } from "decimal.js";
import { type CaseInput, type LoadedCase, regionWithin, vocabulary } from "../engine/index.ts";

const MATERIALS_IDS: readonly string[] = vocabulary.MATERIALS.ids;

/**
 * A synthetic history, seeded: each case is one of the project's hand-written sample cases
 * (every region, category, kind and outcome is among them) made into a new one — a new person
 * (a valid GB 11643 ID number with the same birth year and sex), a date drawn across the range
 * (so across the versions in force; the case's other dates move with it), materials sometimes
 * left out or added, other hospital levels, costs scaled (decimal strings, 2 places). Its
 * `expected` is the decision's outcome under the rules given (what the history decided), so a
 * replay under the same rules matches and a changed rule shows as a difference.
 */
export type GenerateOptions = {
  count: number;
  seed: number;
  /** only samples whose insured region lies within this code (e.g. 510400, 360000) */
  region?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** the outcome the history gave a case (`expected: {outcome}`); without it, no `expected` */
  outcomeOf?: ((c: unknown) => string | undefined) | undefined;
};

/** mulberry32: a small, fast, seeded PRNG (deterministic across platforms). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** The GB 11643 check character of the first 17 digits. */
export function checkDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] as number);
  return "10X98765432"[sum % 11] as string;
}

const DAY = 86_400_000;
const toDay = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY;
const fromDay = (d: number) => new Date(d * DAY).toISOString().slice(0, 10);
const shift = (iso: string, days: number) => fromDay(toDay(iso) + days);

const HOSPITAL_LEVELS = ["1", "2", "3"] as const;

/** The samples a history is made from: the valid sample cases, those within `region` if given. */
export function samplesFor(loaded: readonly LoadedCase[], region?: string): CaseInput[] {
  const out: CaseInput[] = [];
  for (const l of loaded) {
    if (!l.ok) continue;
    if (region && !regionWithin(l.case.insured.region, region)) continue;
    out.push(l.case as unknown as CaseInput);
  }
  return out;
}

/** Generates `count` cases as JSON Lines text, handed out in chunks to `write`. */
export function* generate(samples: readonly CaseInput[], opts: GenerateOptions): Generator<string> {
  if (samples.length === 0) throw new Error(`no sample case has an insured region within ${opts.region}`);
  const rand = prng(opts.seed);
  const int = (n: number) => Math.floor(rand() * n);
  const from = toDay(opts.from ?? "2017-01-01");
  const to = toDay(opts.to ?? "2025-12-31");
  if (!(to >= from)) throw new Error(`--to ${opts.to} is before --from ${opts.from}`);
  let chunk: string[] = [];
  for (let i = 0; i < opts.count; i++) {
    const sample = samples[int(samples.length)] as CaseInput;
    const c = structuredClone(sample) as CaseInput & Record<string, unknown>;
    c.id = `gen-${opts.seed}-${i + 1}`;
    delete c.title;
    delete c.expected;
    const asOf = fromDay(from + int(to - from + 1));
    const days = toDay(asOf) - toDay(String(sample.asOf));
    c.asOf = asOf;
    // A new person: same region of issue, birth date within a year, same sex, new sequence.
    const id = sample.applicant.idNumber;
    const birth = shift(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, int(300) - 150);
    const sexOdd = Number(id[16]) % 2;
    const seq = String(int(50) * 2 + sexOdd + 100 * int(10)).padStart(3, "0");
    const first17 = `${id.slice(0, 6)}${birth.replaceAll("-", "")}${seq}`;
    c.applicant = {
      idNumber: first17 + checkDigit(first17),
      ...(sample.applicant.name && { name: sample.applicant.name }),
    };
    if (c.previous) {
      c.previous.approvedOn = shift(String(c.previous.approvedOn), days);
      if (c.previous.validUntil) c.previous.validUntil = shift(String(c.previous.validUntil), days);
    }
    const f = c.filing;
    if (f) {
      const materials = [...(f.materials ?? [])];
      const r = rand();
      if (r < 0.15 && materials.length) materials.splice(int(materials.length), 1);
      else if (r < 0.2) {
        const m = MATERIALS_IDS[int(MATERIALS_IDS.length)] as string;
        if (!materials.includes(m as never)) materials.push(m as never);
      }
      f.materials = materials;
      const h = f.destination?.hospital;
      if (h?.level !== undefined && rand() < 0.2) h.level = HOSPITAL_LEVELS[int(3)];
      if (f.residenceYears !== undefined && rand() < 0.3) f.residenceYears = int(6);
    }
    const s = c.settlement;
    if (s) {
      s.admission = shift(String(s.admission), days);
      s.discharge = shift(String(s.discharge), days);
      const k = new Decimal(20 + int(280)).div(100);
      const scale = (v: unknown) => new Decimal(String(v ?? "0")).times(k).toDecimalPlaces(2).toFixed(2);
      s.totalCost = scale(s.totalCost);
      if (s.selfPayCost !== undefined) s.selfPayCost = scale(s.selfPayCost);
      if (s.partialSelfPayCost !== undefined) s.partialSelfPayCost = scale(s.partialSelfPayCost);
      if (s.yearToDate) s.yearToDate = { fundPaid: scale(s.yearToDate.fundPaid) };
      if (rand() < 0.2) s.hospitalLevel = HOSPITAL_LEVELS[int(3)];
    }
    const outcome = opts.outcomeOf?.(c);
    if (outcome) c.expected = { outcome };
    chunk.push(JSON.stringify(c));
    if (chunk.length === 1000) {
      yield `${chunk.join("\n")}\n`;
      chunk = [];
    }
  }
  if (chunk.length) yield `${chunk.join("\n")}\n`;
}
