import type { Case, Category, Material, Outcome } from "../engine/index.ts";

/**
 * Panzhihua's filing decision (攀医保〔2017〕10号 over national@2016-12-13, the chain in force
 * 2017-04-12 … 2019-05-31, with domain.md §7: off-site only outside the city, the benefit period,
 * in-service employees of age to a person, referrals only to a higher level or 3A → 3A) written by
 * hand as plain TypeScript: the benchmark's floor for what the whole decision costs. No reasons,
 * no trace: outcome, missing materials, validity and settlement mode. A fact the case does not
 * give makes its condition unknown, as in the engine (`undefined` below), which makes the case
 * incomplete unless something else rejects it.
 */
export type HandDecision = {
  outcome: Outcome;
  missingMaterials: string[];
  validity: {
    from: string;
    until: string | null;
    singleUse: boolean;
    changeLockedUntil: string | null;
    extensions?: number;
  } | null;
  settlementMode: "direct" | "reimbursement" | "none" | null;
};

type Tri = boolean | undefined;

const LEVEL_RANK: Record<string, number> = { unrated: 0, "1": 1, "2": 2, "3": 3, "3A": 4 };
/** Change lock after approval, in years (四(一)2(1)); referral and emergency have none. */
const CHANGE_LOCK_YEARS: Partial<Record<Category, number>> = {
  retired_resettled: 2,
  long_term_resident: 2,
  resident_worker: 1,
};
/** National paper filing form (人社厅函〔2016〕478号 附件1): required fields. */
const PAPER_FORM = [
  "name",
  "sex",
  "scheme",
  "category",
  "registrationType",
  "ssNumber",
  "insuredPlace",
  "homeAddress",
  "contactAddress",
  "phone1",
  "destinationProvince",
  "destinationCity",
  "destinationCounty",
  "hospitalName",
  "hospitalLevel",
] as const;

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `iso` plus years and months, the day clamped to the month's end (29 Feb + 1 year = 28 Feb). */
function add(iso: string, years: number, months = 0): string {
  const total = Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1 + years * 12 + months;
  const y = Math.floor(total / 12);
  const m = (total % 12) + 1;
  const d = Math.min(Number(iso.slice(8, 10)), new Date(Date.UTC(y, m, 0)).getUTCDate());
  return `${y}-${pad(m)}-${pad(d)}`;
}

/** The day before `iso`. */
function dayBefore(iso: string): string {
  const t = new Date(
    Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)) - 1),
  );
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Same city (first 4 digits), or the same municipality (Beijing, Tianjin, Shanghai, Chongqing). */
function sameCity(insured: string, destination: string): boolean {
  const p = insured.slice(0, 2);
  if (p === "11" || p === "12" || p === "31" || p === "50") return destination.slice(0, 2) === p;
  return destination.slice(0, 4) === insured.slice(0, 4);
}
const isLevel = (l: string | undefined): l is string => l !== undefined && l in LEVEL_RANK;

/** Decides a validated Panzhihua case (kinds filing, change, revoke, extend). */
export function panzhihuaByHand(c: Case): HandDecision {
  const { kind, filing: f, insured, previous: prev } = c;
  const category = f.category ?? prev?.category;
  const materials = f.materials;
  const missingMaterials: string[] = [];
  let rejected = false;
  let manual = false;
  let unknown = false;
  const reject = (ok: Tri) => {
    if (ok === undefined) unknown = true;
    else if (!ok) rejected = true;
  };
  const review = (ok: Tri) => {
    if (ok === undefined) unknown = true;
    else if (!ok) manual = true;
  };
  const need = (m: Material) => {
    if (!materials.includes(m)) missingMaterials.push(m);
  };

  const id = c.applicant.idNumber;
  const male = Number(id[16]) % 2 === 1;
  const age =
    Number(c.asOf.slice(0, 4)) -
    Number(id.slice(6, 10)) -
    (c.asOf.slice(5) < `${id.slice(10, 12)}-${id.slice(12, 14)}` ? 1 : 0);
  const scheme = insured.scheme;
  const status = insured.status;
  const filing = kind === "filing";
  const actsOnFiling = filing || kind === "change" || kind === "revoke" || kind === "extend";
  const dest = f.destination;
  const ageReached = male ? age >= 60 : age >= 50;

  // Eligibility (一、三、四; domain.md §7.1, §7.5, §7.6, §7.8).
  if (kind !== "revoke") {
    reject(dest ? !sameCity(insured.region, dest.region) : undefined);
    reject(insured.inBenefitPeriod);
  }
  if (actsOnFiling) reject(insured.cardStatus === "normal");
  if (filing && category === "retired_resettled") {
    reject(status === undefined ? undefined : status === "retired");
    reject(f.hukouMoved === undefined ? undefined : f.hukouMoved);
    reject(scheme === "employee");
  }
  if (filing && category === "long_term_resident") {
    const retiredEmployee: Tri =
      scheme !== "employee" ? false : status === undefined ? undefined : status === "retired";
    reject(retiredEmployee === true || ageReached ? true : retiredEmployee);
    // An employee in service of age goes to a person: the statutory age depends on the post.
    if (scheme === "employee" && ageReached && status !== "retired") {
      if (status === undefined) unknown = true;
      else if (status === "in_service") manual = true;
    }
    reject(f.residenceYears === undefined ? undefined : f.residenceYears >= 2);
  }
  if (filing && category === "resident_worker") {
    reject(f.dispatchYears === undefined ? undefined : f.dispatchYears >= 1);
    reject(scheme === "employee");
  }
  if (filing && category === "referral") {
    const to = f.destination?.hospital?.level;
    const from = f.referral?.issuerLevel;
    const region = f.referral?.issuerRegion;
    const issuer3A: Tri = from === undefined ? undefined : from === "3A";
    reject(scheme === "employee" || scheme === "urban_rural_resident");
    // A higher level, or 3A to 3A (domain.md §7.6).
    const above: Tri =
      to === undefined || from === undefined
        ? undefined
        : isLevel(to) && isLevel(from) && (LEVEL_RANK[to] ?? 0) > (LEVEL_RANK[from] ?? 0);
    const both3A: Tri =
      from === "3A" && to === "3A"
        ? true
        : from === undefined || to === undefined
          ? (from !== undefined && from !== "3A") || (to !== undefined && to !== "3A")
            ? false
            : undefined
          : false;
    reject(
      above === true || both3A === true
        ? true
        : above === undefined || both3A === undefined
          ? undefined
          : false,
    );
    const inCity = region === undefined ? undefined : region.startsWith("5104");
    if (inCity !== false) reject(issuer3A);
    if (inCity !== true) review(issuer3A);
  }
  if (filing && category === "emergency") {
    reject(scheme === "employee" || scheme === "urban_rural_resident");
    const setting = f.emergency?.setting;
    reject(setting === undefined ? undefined : setting === "inpatient");
  }
  if (kind === "change" && prev) {
    const years = CHANGE_LOCK_YEARS[prev.category];
    const outsideLock = years === undefined || c.asOf >= add(prev.approvedOn, years);
    if (f.specialReason) review(outsideLock);
    else reject(outsideLock);
  }
  if (kind === "extend" && category === "referral") {
    const until = prev?.validUntil ?? undefined;
    review(until === undefined ? undefined : c.asOf <= until);
  }

  // Materials (三、四).
  if (filing && category !== undefined && category !== "emergency") need("filing_form");
  if (actsOnFiling) need("ss_card");
  if (filing && category === "retired_resettled") need("hukou_proof");
  if (filing && category === "long_term_resident") need("residence_permit");
  if (filing && category === "resident_worker") need("employer_certificate");
  if (filing && category === "referral") need("referral_certificate");
  if (filing && category === "emergency") need("emergency_proof");
  if (actsOnFiling && f.agent) {
    need("id_card");
    need("agent_id");
  }
  if (kind === "change" && (category === "retired_resettled" || category === "long_term_resident")) {
    if (!materials.includes("hukou_proof") && !materials.includes("residence_permit")) {
      missingMaterials.push("hukou_proof|residence_permit");
    }
  }
  if (kind === "change" && category === "resident_worker") need("employer_certificate");
  if (kind === "revoke" && category !== undefined && category !== "referral" && category !== "emergency") {
    need("revocation_form");
  }
  if (kind === "extend" && category === "referral") need("extension_application");

  // Extension (四(二)2(1)): only a referral filing may be extended.
  if (kind === "extend" && category !== "referral") rejected = true;

  // The national paper form, when one is handed in: every required field filled.
  const form = f.form;
  if (form && (filing || kind === "change")) {
    const dest = f.destination;
    for (const field of PAPER_FORM) {
      const given: unknown =
        form[field] ??
        (field === "name"
          ? c.applicant.name
          : field === "category"
            ? category
            : field.startsWith("destination")
              ? dest?.region
              : field === "hospitalName"
                ? dest?.hospital?.name
                : field === "hospitalLevel"
                  ? dest?.hospital?.level
                  : field === "homeAddress" || field === "contactAddress" || field === "phone1"
                    ? undefined
                    : true);
      if (given === undefined || given === null || given === "") unknown = true;
    }
  }

  const outcome: Outcome = rejected
    ? "rejected"
    : missingMaterials.length > 0 || unknown
      ? "incomplete"
      : manual
        ? "manual_review"
        : "approved";

  // Validity (四(一)2(1), 四(二)2(1), 四(三)2(1)) of an approved request.
  let validity: HandDecision["validity"] = null;
  if (outcome === "approved" && kind === "extend" && prev) {
    const until = prev.validUntil ? add(prev.validUntil, 0, 1) : (prev.validUntil ?? null);
    validity = {
      from: prev.approvedOn,
      until,
      singleUse: true,
      changeLockedUntil: null,
      extensions: prev.extensions + 1,
    };
  } else if (outcome === "approved" && kind !== "revoke") {
    const years = category ? CHANGE_LOCK_YEARS[category] : undefined;
    validity = {
      from: c.asOf,
      until: category === "referral" ? dayBefore(add(c.asOf, 0, 1)) : null,
      singleUse: category === "referral" || category === "emergency",
      changeLockedUntil: years ? dayBefore(add(c.asOf, years)) : null,
    };
  }

  // Settlement mode (四(二)2(2)(3), 四(三)2(2), 五): referral and emergency out of the province
  // are paid back, not settled directly (referrals direct from 2018, §7.3); a rejected request
  // leaves the care unfiled, which the fund does not pay; direct needs a networked hospital.
  let settlementMode: HandDecision["settlementMode"] = null;
  if (kind !== "revoke") {
    const cross = dest ? dest.region.slice(0, 2) !== insured.region.slice(0, 2) : undefined;
    if (outcome === "rejected") settlementMode = "none";
    else if (cross !== undefined) {
      settlementMode =
        cross && (category === "emergency" || (category === "referral" && c.asOf < "2018-01-01"))
          ? "reimbursement"
          : "direct";
      if (settlementMode === "direct" && dest?.hospital?.networked === false)
        settlementMode = "reimbursement";
    } else if (category !== "referral" && category !== "emergency") settlementMode = "direct";
  }
  return { outcome, missingMaterials, validity, settlementMode };
}
