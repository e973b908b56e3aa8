import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import { parse } from "yaml";
import { checkCharacter } from "../engine/id-number.ts";
import { DEFAULT_CASES_DIR } from "../simulator/replay.ts";

/** A raw case as a user sends it (before `caseSchema.parse`). */
export type RawCase = Record<string, unknown> & {
  id: string;
  kind?: string;
  asOf: string;
  applicant: { idNumber: string; name?: string };
  insured: Record<string, unknown> & { region: string };
  filing?: Record<string, unknown>;
  previous?: Record<string, unknown>;
  settlement?: Record<string, unknown>;
};

/** The project's hand-written sample cases (simulator/cases), as raw objects, `expected` dropped. */
export function sampleCases(dir = DEFAULT_CASES_DIR): RawCase[] {
  const out: RawCase[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith(".yaml")) continue;
    const doc = parse(readFileSync(join(dir, f), "utf8")) as RawCase[] | { cases: RawCase[] };
    for (const c of Array.isArray(doc) ? doc : doc.cases) {
      const { expected: _e, title: _t, ...rest } = c;
      out.push(rest as RawCase);
    }
  }
  return out;
}

/** mulberry32: small, fast, seeded, the same on every platform. */
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

const DAY = 86_400_000;
const toDay = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY;
const fromDay = (d: number) => new Date(d * DAY).toISOString().slice(0, 10);
const shift = (iso: string, days: number) => fromDay(toDay(iso) + days);
const LEVELS = ["1", "2", "3", "3A", "unrated"] as const;
const CHANNELS = ["window", "online", "phone"] as const;
const MATERIALS = [
  "filing_form",
  "ss_card",
  "hukou_proof",
  "residence_permit",
  "employer_certificate",
  "referral_certificate",
  "emergency_proof",
  "id_card",
  "agent_id",
] as const;

export type GenerateOptions = {
  seed: number;
  /** only samples whose insured region starts with this prefix ("5104": Panzhihua) */
  regionPrefix?: string;
  /** only these kinds */
  kinds?: readonly string[];
  /** the dates drawn from (inclusive) */
  from?: string;
  to?: string;
};

/**
 * `count` distinct cases made from the sample cases (every region, kind, category and chain is
 * among them), seeded: a new person each (a valid GB 11643 number, birth date moved, same sex), a
 * date drawn across the range (the case's other dates move with it, so cases fall under every
 * version in force), materials dropped or added, channel, agent, card status, benefit period,
 * hospital levels, networked, residence and dispatch years, special reasons and costs varied.
 * Each case's id is unique. The same seed gives the same cases.
 */
export function generateCases(samples: readonly RawCase[], count: number, opts: GenerateOptions): RawCase[] {
  const pool = samples.filter(
    (s) =>
      (!opts.regionPrefix || s.insured.region.startsWith(opts.regionPrefix)) &&
      (!opts.kinds || opts.kinds.includes(s.kind ?? "filing")),
  );
  if (!pool.length) throw new Error("no sample case fits the options");
  const rand = prng(opts.seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)] as T;
  const from = toDay(opts.from ?? "2017-01-01");
  const to = toDay(opts.to ?? "2025-12-31");
  const out: RawCase[] = [];
  for (let i = 0; i < count; i++) {
    const sample = pick(pool);
    const c = structuredClone(sample);
    c.id = `bench-${opts.seed}-${i + 1}`;
    const asOf = fromDay(from + int(to - from + 1));
    const days = toDay(asOf) - toDay(String(sample.asOf));
    c.asOf = asOf;
    const id = sample.applicant.idNumber;
    const birth = shift(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, int(3650) - 1825);
    const seq = String(int(500) * 2 + (Number(id[16]) % 2)).padStart(3, "0");
    const first17 = `${id.slice(0, 6)}${birth.replaceAll("-", "")}${seq}`;
    c.applicant = {
      idNumber: first17 + checkCharacter(first17),
      ...(sample.applicant.name && { name: sample.applicant.name }),
    };
    if (rand() < 0.1) c.insured.cardStatus = pick(["normal", "abnormal", "none"]);
    if (rand() < 0.05) c.insured.inBenefitPeriod = false;
    if (c.previous) {
      const p = c.previous;
      const back = days - int(900);
      p.approvedOn = shift(String(p.approvedOn), back);
      if (p.validUntil) {
        // Still on or after approval (the case checks say so), sometimes expired by asOf.
        const until = shift(String(p.validUntil), back + int(60) - 30);
        p.validUntil = until < String(p.approvedOn) ? p.approvedOn : until;
      }
    }
    const f = c.filing;
    if (f) {
      const materials = [...((f.materials as string[] | undefined) ?? [])];
      const r = rand();
      if (r < 0.2 && materials.length) materials.splice(int(materials.length), 1);
      else if (r < 0.3) {
        const m = pick(MATERIALS);
        if (!materials.includes(m)) materials.push(m);
      }
      f.materials = materials;
      if (rand() < 0.3) f.channel = pick(CHANNELS);
      if (rand() < 0.1) f.agent = !f.agent;
      if (c.kind === "change" && rand() < 0.3) f.specialReason = !f.specialReason;
      const dest = f.destination as { region?: string; hospital?: Record<string, unknown> } | undefined;
      const h = dest?.hospital;
      if (h && rand() < 0.3) h.level = pick(LEVELS);
      if (h && rand() < 0.1) h.networked = !h.networked;
      if (f.residenceYears !== undefined && rand() < 0.3) f.residenceYears = int(6);
      if (f.dispatchYears !== undefined && rand() < 0.3) f.dispatchYears = int(4);
      const ref = f.referral as Record<string, unknown> | undefined;
      if (ref && rand() < 0.3) ref.issuerLevel = pick(LEVELS);
    }
    const s = c.settlement;
    if (s) {
      s.admission = shift(String(s.admission), days);
      s.discharge = shift(String(s.discharge), days);
      const k = new Decimal(20 + int(280)).div(100);
      const scale = (v: unknown) => new Decimal(String(v ?? "0")).times(k).toFixed(2);
      s.totalCost = scale(s.totalCost);
      if (s.selfPayCost !== undefined) s.selfPayCost = scale(s.selfPayCost);
      if (s.partialSelfPayCost !== undefined) s.partialSelfPayCost = scale(s.partialSelfPayCost);
      const ytd = s.yearToDate as { fundPaid?: unknown } | undefined;
      if (ytd) s.yearToDate = { fundPaid: scale(ytd.fundPaid) };
    }
    out.push(c);
  }
  return out;
}
