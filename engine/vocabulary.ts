/**
 * Stable identifiers of `shared/spec/vocabulary.md`, with the labels shown to people
 * (Chinese first, English second). Identifiers never change; labels may.
 */

export type Label = { readonly zh: string; readonly en: string };
export type Lang = keyof Label;

function vocab<const T extends Record<string, Label>>(table: T) {
  const ids = Object.keys(table) as [keyof T & string, ...(keyof T & string)[]];
  return { ids, labels: table as Record<keyof T & string, Label> };
}

export const SCHEMES = vocab({
  employee: { zh: "职工基本医疗保险", en: "employee basic medical insurance" },
  urban_rural_resident: { zh: "城乡居民基本医疗保险", en: "urban-rural resident medical insurance" },
  urban_resident: { zh: "城镇居民基本医疗保险", en: "urban resident medical insurance" },
  ncms: { zh: "新型农村合作医疗", en: "new rural cooperative medical scheme" },
});

export const STATUSES = vocab({
  in_service: { zh: "在职", en: "in service" },
  retired: { zh: "退休", en: "retired" },
});

export const CARD_STATUSES = vocab({
  normal: { zh: "正常", en: "normal" },
  abnormal: { zh: "异常（挂失、冻结、注销等）", en: "abnormal (lost, frozen, cancelled …)" },
  none: { zh: "未办卡", en: "no card issued" },
});

export const CATEGORIES = vocab({
  retired_resettled: { zh: "异地安置退休人员", en: "retiree resettled elsewhere" },
  long_term_resident: { zh: "异地长期居住人员", en: "long-term resident elsewhere" },
  resident_worker: { zh: "常驻异地工作人员", en: "worker posted elsewhere" },
  referral: { zh: "异地转诊转院人员", en: "referred patient" },
  emergency: { zh: "异地急诊/急症人员", en: "emergency patient" },
});

export const MATERIALS = vocab({
  filing_form: { zh: "备案表/登记备案申请表", en: "filing form" },
  id_card: { zh: "本人身份证（或复印件）", en: "applicant's ID card (or copy)" },
  ss_card: { zh: "本人社会保障卡（或复印件）", en: "applicant's social security card (or copy)" },
  agent_id: { zh: "代理人身份证复印件", en: "agent's ID card copy" },
  hukou_proof: { zh: "户籍证明（户口本首页、常住人口登记卡）", en: "household registration proof" },
  relative_hukou: {
    zh: "配偶、子女或其他亲属在当地的户籍证明",
    en: "relative's local household registration",
  },
  property_certificate: { zh: "房产证/不动产权证", en: "property certificate" },
  residence_permit: { zh: "居住证/暂住证", en: "residence permit" },
  employer_certificate: {
    zh: "单位出具的异地工作（学习）证明/派驻说明",
    en: "employer's posting certificate",
  },
  work_contract: { zh: "异地工作合同", en: "work contract elsewhere" },
  commitment_letter: { zh: "个人承诺书", en: "personal commitment letter" },
  referral_certificate: { zh: "转诊转院证明", en: "referral certificate" },
  emergency_proof: {
    zh: "急诊证明（抢救记录、病危通知书、急诊证明、入院诊断、门诊抢救病历）",
    en: "emergency proof",
  },
  change_form: { zh: "备案信息变更表", en: "change form" },
  revocation_form: { zh: "撤销登记备案申请表", en: "revocation form" },
  extension_application: { zh: "转诊延期申请", en: "referral extension application" },
});

export const CHANNELS = vocab({
  window: { zh: "窗口", en: "window" },
  online: { zh: "网上", en: "online" },
  phone: { zh: "电话", en: "phone" },
  fax: { zh: "传真", en: "fax" },
  email: { zh: "电子邮件", en: "e-mail" },
  hospital: { zh: "医院报送", en: "submitted by hospital" },
});

export const HOSPITAL_LEVELS = vocab({
  unrated: { zh: "未定级", en: "unrated" },
  "1": { zh: "一级", en: "level 1" },
  "2": { zh: "二级", en: "level 2" },
  "3": { zh: "三级", en: "level 3" },
  "3A": { zh: "三级甲等", en: "level 3A" },
});

/** Rank of each hospital level, for "at or above" comparisons (unrated lowest). */
export const HOSPITAL_LEVEL_RANK: Record<string, number> = { unrated: 0, "1": 1, "2": 2, "3": 3, "3A": 4 };

export const OUTCOMES = vocab({
  approved: { zh: "准予备案", en: "approved" },
  rejected: { zh: "不予备案", en: "rejected" },
  incomplete: { zh: "材料不全（一次性告知）", en: "incomplete" },
  manual_review: { zh: "转人工审核", en: "manual review" },
});

export const SETTLEMENT_MODES = vocab({
  direct: { zh: "直接结算", en: "direct settlement" },
  reimbursement: { zh: "垫付后回参保地报销", en: "pay first, claim back" },
  none: { zh: "医保基金不予支付", en: "fund pays nothing" },
});

export const KINDS = vocab({
  filing: { zh: "备案", en: "filing" },
  change: { zh: "变更", en: "change" },
  revoke: { zh: "撤销", en: "revocation" },
  extend: { zh: "延期", en: "extension" },
  settlement: { zh: "结算", en: "settlement" },
});

export const EMERGENCY_SETTINGS = vocab({
  inpatient: { zh: "住院", en: "inpatient" },
  outpatient: { zh: "门急诊", en: "outpatient/emergency room" },
});

export const EMERGENCY_INDICATORS = vocab({
  acute_trauma: { zh: "急性外伤", en: "acute trauma" },
  acute_pain: { zh: "急性疼痛", en: "acute pain" },
  abnormal_vitals: { zh: "高热，呼吸、血压、心率明显异常", en: "high fever or abnormal vital signs" },
  bleeding_shock: { zh: "大失血、严重脱水、休克", en: "massive bleeding, dehydration, shock" },
  altered_consciousness: { zh: "抽搐、昏迷、神志不清", en: "convulsions, coma, confusion" },
  foreign_body: { zh: "异物需紧急处理", en: "foreign body needing urgent removal" },
  severe_vomiting_diarrhoea: { zh: "严重呕吐、腹泻", en: "severe vomiting or diarrhoea" },
  serious_infection: { zh: "烈性传染病可疑", en: "suspected serious infectious disease" },
  poisoning_accident: { zh: "中毒、淹溺、电击、烧伤等意外伤害", en: "poisoning, drowning, electric shock" },
  physician_certified: { zh: "医师认为合乎急诊抢救条件", en: "certified as emergency by a physician" },
});

/** Filing-form fields (478号 附件1, 120号 附件1; 2019 online information). */
export const FORM_FIELDS = vocab({
  name: { zh: "姓名", en: "name" },
  sex: { zh: "性别", en: "sex" },
  idNumber: { zh: "身份证号", en: "ID number" },
  scheme: { zh: "险种", en: "scheme" },
  category: { zh: "人员类别", en: "category" },
  registrationType: { zh: "登记类别", en: "registration type" },
  ssNumber: { zh: "社会保障号码", en: "social security number" },
  ssCardNumber: { zh: "社会保障卡卡号", en: "social security card number" },
  insuredPlace: { zh: "参保地", en: "insured place" },
  treatmentPlace: { zh: "就医地", en: "treatment place" },
  homeAddress: { zh: "家庭住址", en: "home address" },
  contactAddress: { zh: "异地联系地址", en: "off-site contact address" },
  contactPerson: { zh: "联系人", en: "contact person" },
  phone1: { zh: "联系电话1", en: "phone 1" },
  phone2: { zh: "联系电话2", en: "phone 2" },
  startDate: { zh: "申请备案开始时间", en: "requested start date" },
  destinationProvince: { zh: "转往省（市、区）", en: "destination province" },
  destinationCity: { zh: "地区（市、州）", en: "destination city" },
  destinationCounty: { zh: "县（区）", en: "destination county" },
  hospitalName: { zh: "医疗机构名称", en: "hospital name" },
  hospitalLevel: { zh: "医疗机构级别", en: "hospital level" },
});

/**
 * The case fields a rule may need and find missing (`missingFields` beside the form fields):
 * the case's own field paths, labelled as a clerk would ask for them.
 */
export const CASE_FIELDS = vocab({
  "insured.region": { zh: "参保地", en: "insured place" },
  "insured.scheme": { zh: "险种", en: "scheme" },
  "insured.status": { zh: "人员状态（在职/退休）", en: "in service or retired" },
  "insured.cardStatus": { zh: "社会保障卡状态", en: "social security card status" },
  "insured.inBenefitPeriod": { zh: "是否在待遇享受期内", en: "within the benefit period" },
  "filing.category": { zh: "人员类别", en: "category" },
  "filing.destination.region": { zh: "就医地", en: "treatment place" },
  "filing.destination.hospital.level": { zh: "就医医院级别", en: "hospital level" },
  "filing.destination.hospital.networked": {
    zh: "就医医院是否为联网定点医疗机构",
    en: "whether the hospital is networked",
  },
  "filing.hukouMoved": { zh: "户籍是否已迁入就医地", en: "household registration moved to the destination" },
  "filing.residenceYears": { zh: "在就医地居住年限", en: "years living at the destination" },
  "filing.dispatchYears": { zh: "异地派驻工作年限", en: "length of the posting elsewhere (years)" },
  "filing.referral.issuerLevel": { zh: "转出医院级别", en: "level of the referring hospital" },
  "filing.referral.issuerRegion": { zh: "转出医院所在地", en: "region of the referring hospital" },
  "filing.emergency.setting": {
    zh: "急诊类型（住院/门急诊）",
    en: "emergency setting (inpatient or outpatient)",
  },
  "filing.emergency.diagnoses": { zh: "急诊诊断（ICD-10）", en: "emergency diagnoses (ICD-10)" },
  "filing.emergency.indicators": { zh: "急诊指征", en: "emergency indicators" },
  "filing.emergency.cardSettled": {
    zh: "是否已在医院持卡结算",
    en: "whether settled by card at the hospital",
  },
  "filing.materials": { zh: "已提交材料", en: "materials handed in" },
  "filing.channel": { zh: "申请渠道", en: "channel" },
  "filing.agent": { zh: "是否代办", en: "whether filed by an agent" },
  "filing.specialReason": { zh: "是否有特殊原因", en: "whether there is a documented special reason" },
  "previous.category": { zh: "原备案人员类别", en: "category of the filing acted on" },
  "previous.approvedOn": { zh: "原备案日期", en: "approval date of the filing acted on" },
  "previous.validUntil": { zh: "原备案有效期至", en: "last valid day of the filing acted on" },
  "previous.extensions": { zh: "已延期次数", en: "extensions already granted" },
});

/**
 * The label of a missing field — a filing-form field (478号 附件1) or a case field path — in
 * the language asked for; an id without a label is shown as it is.
 *
 * @example fieldLabel("homeAddress", "zh") // "家庭住址"; fieldLabel("filing.hukouMoved", "en") // "household registration moved to the destination"
 */
export function fieldLabel(id: string, lang: Lang): string {
  return FIELD_LABELS[id]?.[lang] ?? id;
}
/** Merged once: deciding labels missing fields per rule, per case (a spread per call cost 10 %). */
const FIELD_LABELS: Readonly<Record<string, Label | undefined>> = {
  ...FORM_FIELDS.labels,
  ...CASE_FIELDS.labels,
};

export type Scheme = (typeof SCHEMES.ids)[number];
export type Status = (typeof STATUSES.ids)[number];
export type CardStatus = (typeof CARD_STATUSES.ids)[number];
export type Category = (typeof CATEGORIES.ids)[number];
export type Material = (typeof MATERIALS.ids)[number];
export type Channel = (typeof CHANNELS.ids)[number];
export type HospitalLevel = (typeof HOSPITAL_LEVELS.ids)[number];
export type Outcome = (typeof OUTCOMES.ids)[number];
export type SettlementMode = (typeof SETTLEMENT_MODES.ids)[number];
export type Kind = (typeof KINDS.ids)[number];
export type EmergencyIndicator = (typeof EMERGENCY_INDICATORS.ids)[number];
export type FormField = (typeof FORM_FIELDS.ids)[number];

/** Names of the region codes the project's rule sets and samples use (GB/T 2260; not exhaustive). */
export const REGION_NAMES: Record<string, string> = {
  "000000": "全国",
  "110000": "北京市",
  "210000": "辽宁省",
  "210100": "沈阳市",
  "210400": "抚顺市",
  "210402": "抚顺市新抚区",
  "210411": "抚顺市顺城区",
  "210422": "新宾满族自治县",
  "210423": "清原满族自治县",
  "360000": "江西省",
  "360100": "南昌市",
  "360102": "南昌市东湖区",
  "360111": "南昌市青山湖区",
  "360700": "赣州市",
  "440000": "广东省",
  "440100": "广州市",
  "440106": "广州市天河区",
  "460000": "海南省",
  "460200": "三亚市",
  "510000": "四川省",
  "510100": "成都市",
  "510400": "攀枝花市",
  "510402": "攀枝花市东区",
  "510403": "攀枝花市西区",
  "510411": "攀枝花市仁和区",
  "510421": "米易县",
  "510422": "盐边县",
};

/** A region's name where known, else its code. */
export const regionName = (code: string) => REGION_NAMES[code] ?? code;

/** An ID number with the birth date and sequence hidden: 510402********1236. */
export const maskIdNumber = (id: string) =>
  id.length === 18 ? `${id.slice(0, 6)}********${id.slice(14)}` : "****";
