import type { Case, Category, Material, Outcome } from "../engine/index.ts";

/**
 * Panzhihua's filing rules (攀医保〔2017〕10号 over national@2016-12-13, the chain in force in
 * 2017–2022) written by hand as plain TypeScript: the benchmark's floor for what deciding
 * eligibility and materials costs. No reasons, no trace, no validity: outcome and missing
 * materials only. A fact the case does not give makes its condition unknown, as in the engine
 * (`undefined` below), which makes the case incomplete unless something else rejects it.
 */
export type HandDecision = { outcome: Outcome; missingMaterials: string[] };

type Tri = boolean | undefined;

const RESIDENT_SCHEMES = new Set(["urban_rural_resident", "urban_resident", "ncms"]);
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

/** `iso` plus `years`, the day clamped to the month's end (29 Feb + 1 year = 28 Feb). */
function addYears(iso: string, years: number): string {
  const y = Number(iso.slice(0, 4)) + years;
  const m = Number(iso.slice(5, 7));
  const d = Math.min(Number(iso.slice(8, 10)), new Date(Date.UTC(y, m, 0)).getUTCDate());
  return `${y}-${iso.slice(5, 7)}-${String(d).padStart(2, "0")}`;
}

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

  // Eligibility (一、三、四).
  if (actsOnFiling) reject(insured.cardStatus === "normal");
  if (filing && category === "retired_resettled") {
    reject(status === undefined ? undefined : status === "retired");
    reject(f.hukouMoved === undefined ? undefined : f.hukouMoved);
    reject(scheme === "employee");
  }
  if (filing && category === "long_term_resident") {
    const retiredEmployee: Tri =
      scheme !== "employee" ? false : status === undefined ? undefined : status === "retired";
    const residentOfAge = RESIDENT_SCHEMES.has(scheme) && (male ? age >= 60 : age >= 50);
    reject(retiredEmployee === true || residentOfAge ? true : retiredEmployee);
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
    reject(
      to === undefined || from === undefined ? undefined : (LEVEL_RANK[to] ?? 0) >= (LEVEL_RANK[from] ?? 0),
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
    const outsideLock = years === undefined || c.asOf >= addYears(prev.approvedOn, years);
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
  return { outcome, missingMaterials };
}
