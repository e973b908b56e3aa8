import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";

/** 中文 by default, English on request; the choice is remembered in localStorage. */
export type Lang = "zh" | "en";
export type Bilingual = { zh: string; en: string };

const DICT = {
  product: { zh: "异地就医备案规则平台", en: "Off-site Treatment Filing Rules" },
  login: { zh: "登录", en: "Log in" },
  logout: { zh: "退出登录", en: "Log out" },
  username: { zh: "用户名", en: "Username" },
  password: { zh: "密码", en: "Password" },
  badCredentials: { zh: "用户名或密码错误", en: "Wrong username or password" },
  rules: { zh: "规则", en: "Rules" },
  review: { zh: "审核", en: "Review" },
  apiDocs: { zh: "接口文档", en: "API docs" },
  loading: { zh: "加载中…", en: "Loading…" },
  loadFailed: { zh: "加载失败", en: "Could not load" },
  retry: { zh: "重试", en: "Retry" },
  regions: { zh: "地区", en: "Regions" },
  versions: { zh: "版本", en: "Versions" },
  pickRegion: { zh: "请在左侧选择地区", en: "Pick a region on the left" },
  draft: { zh: "草稿", en: "Draft" },
  in_review: { zh: "待审核", en: "In review" },
  published: { zh: "已发布", en: "Published" },
  superseded: { zh: "已失效", en: "Superseded" },
  rejected: { zh: "已退回", en: "Sent back" },
  effectiveFrom: { zh: "生效日期", en: "Effective from" },
  notSet: { zh: "未定", en: "not set" },
  author: { zh: "起草", en: "Author" },
  submittedBy: { zh: "提交", en: "Submitted by" },
  reviewedBy: { zh: "审核", en: "Reviewed by" },
  publishedBy: { zh: "发布", en: "Published by" },
  open: { zh: "打开", en: "Open" },
  newDraft: { zh: "以此版本新建草稿", en: "New draft from this version" },
  newVersionName: { zh: "新版本名称", en: "New version name" },
  create: { zh: "创建", en: "Create" },
  cancel: { zh: "取消", en: "Cancel" },
  tabEdit: { zh: "编辑", en: "Edit" },
  tabInherited: { zh: "继承视图", en: "Inherited" },
  tabDiff: { zh: "差异与审核", en: "Diff & review" },
  tabTry: { zh: "试算", en: "Try" },
  save: { zh: "保存", en: "Save" },
  saved: { zh: "已保存", en: "Saved" },
  format: { zh: "格式化", en: "Format" },
  problems: { zh: "问题", en: "Problems" },
  noProblems: { zh: "没有问题", en: "No problems" },
  readOnly: { zh: "只读", en: "Read-only" },
  unsavedFound: {
    zh: "本机保存着此版本未保存的修改，是否恢复？",
    en: "This browser kept unsaved changes to this version. Restore them?",
  },
  restore: { zh: "恢复", en: "Restore" },
  unsavedOlder: {
    zh: "这些修改是在较早的修订上做的，此后版本已被修改；恢复后请对照差异再保存。修订",
    en: "They were made on an earlier revision and the version has changed since; after restoring, compare before saving. Revision",
  },
  discard: { zh: "丢弃", en: "Discard" },
  saveFailed: {
    zh: "保存失败，编辑器中的内容未丢失（也已暂存在本机）",
    en: "Save failed; the text is still in the editor (and kept in this browser)",
  },
  stale: {
    zh: "保存被拒绝：您打开此版本后，别人已修改或提交了它。您的内容仍在编辑器中并暂存在本机；请复制后重新加载，再合并您的修改。",
    en: "Save refused: someone changed or submitted this version after you opened it. Your text is still in the editor and kept in this browser; copy it, reload, and merge your changes.",
  },
  reload: { zh: "重新加载", en: "Reload" },
  section: { zh: "部分", en: "Section" },
  key: { zh: "条目", en: "Entry" },
  origin: { zh: "来源", en: "From" },
  value: { zh: "值", en: "Value" },
  inherited: { zh: "继承", en: "Inherited" },
  overridden: { zh: "覆盖", en: "Overrides" },
  added: { zh: "新增", en: "Added" },
  removed: { zh: "删除", en: "Removed" },
  changed: { zh: "修改", en: "Changed" },
  allEntries: { zh: "全部条目", en: "All entries" },
  ownEntries: { zh: "仅本版本的覆盖、新增、删除", en: "Only what this version overrides, adds, removes" },
  chain: { zh: "规则链", en: "Chain" },
  compareWith: { zh: "对比版本", en: "Compare with" },
  changeSummary: { zh: "变更摘要", en: "Change summary" },
  noChanges: { zh: "没有变更", en: "No changes" },
  submit: { zh: "提交审核", en: "Submit for review" },
  withdraw: { zh: "撤回", en: "Withdraw" },
  approve: { zh: "批准发布", en: "Approve and publish" },
  reject: { zh: "退回", en: "Send back" },
  comment: { zh: "意见", en: "Comment" },
  pastDate: {
    zh: "生效日期早于今天：发布后，该日期之后的决定将按此版本作出（包括已作出的决定重算时）。确定发布吗？",
    en: "The effective date is in the past: decisions dated after it will use this version (including recomputed ones). Publish anyway?",
  },
  confirm: { zh: "确定", en: "Confirm" },
  done: { zh: "已完成", en: "Done" },
  samples: { zh: "样例案例", en: "Sample cases" },
  caseText: { zh: "案例（YAML 或 JSON）", en: "Case (YAML or JSON)" },
  caseForm: { zh: "常用字段", en: "Common fields" },
  fillFromForm: { zh: "由表单生成案例", en: "Build the case from the form" },
  run: { zh: "试算", en: "Run" },
  runAllSamples: { zh: "试算全部样例", en: "Run all samples" },
  outcome: { zh: "结果", en: "Outcome" },
  reasons: { zh: "理由", en: "Reasons" },
  missingMaterials: { zh: "缺少材料（一次性告知）", en: "Missing materials (told at once)" },
  missingFields: { zh: "缺少信息", en: "Missing fields" },
  validity: { zh: "有效期", en: "Validity" },
  changeLock: { zh: "变更限制至", en: "Change locked until" },
  singleUse: { zh: "限用一次", en: "single use" },
  settlementMode: { zh: "结算方式", en: "Settlement" },
  processing: { zh: "办理时限", en: "Processing" },
  immediate: { zh: "即时办结", en: "immediately" },
  warnings: { zh: "提示", en: "Warnings" },
  trace: { zh: "规则轨迹", en: "Trace" },
  unknown: { zh: "未知", en: "unknown" },
  invalidCase: { zh: "案例无效", en: "Invalid case" },
  reviewQueue: { zh: "待审核的版本", en: "Versions waiting for review" },
  nothingToReview: { zh: "没有待审核的版本", en: "Nothing waiting for review" },
  openReview: { zh: "审阅差异", en: "Review the diff" },
  revision: { zh: "修订", en: "Revision" },
  until: { zh: "至", en: "until" },
  noEnd: { zh: "长期", en: "no end" },
  materials: { zh: "已交材料", en: "Materials given" },
  noCitation: { zh: "（此条目未注明依据）", en: "(no citation on this entry)" },
  citedClause: { zh: "依据", en: "Citation" },
  citationNote: { zh: "说明", en: "Note" },
  desk: { zh: "受理", en: "Desk" },
  registry: { zh: "备案登记", en: "Registry" },
  manualReviews: { zh: "人工审核", en: "Manual reviews" },
  prepayments: { zh: "预付金", en: "Prepayments" },
  stepRegion: { zh: "参保地与日期", en: "Region and date" },
  stepCategory: { zh: "类别与事项", en: "Category and kind" },
  stepPerson: { zh: "参保人", en: "The person" },
  stepDestination: { zh: "就医地与医院", en: "Destination and hospital" },
  stepFacts: { zh: "情况与材料", en: "Facts and materials" },
  insuredRegion: { zh: "参保地", en: "Insured region" },
  applicationDate: { zh: "申请日期", en: "Application date" },
  category: { zh: "人员类别", en: "Category" },
  kind: { zh: "事项", en: "Kind" },
  rulesInForce: { zh: "适用规则", en: "Rules in force" },
  birthDate: { zh: "出生日期", en: "Born" },
  male: { zh: "男", en: "male" },
  female: { zh: "女", en: "female" },
  age: { zh: "年龄", en: "age" },
  badIdNumber: { zh: "身份证号码无效", en: "Not a valid ID number" },
  yes: { zh: "是", en: "yes" },
  no: { zh: "否", en: "no" },
  materialsNeeded: { zh: "所需材料（勾选已提交的）", en: "Materials needed (tick those handed in)" },
  oneOf: { zh: "任选其一", en: "One of" },
  conditional: { zh: "视情况", en: "when it applies" },
  previous: { zh: "上一步", en: "Back" },
  next: { zh: "下一步", en: "Next" },
  decide: { zh: "作出决定", en: "Decide" },
  printNotice: { zh: "打印一次性告知书", en: "Print the one-time notice" },
  printReceipt: { zh: "打印受理回执", en: "Print the receipt" },
  printCertificate: { zh: "打印备案凭证", en: "Print the filing certificate" },
  register: { zh: "登记备案", en: "Register the filing" },
  registered: { zh: "已登记备案", en: "Filing registered" },
  openFiling: { zh: "查看备案", en: "Open the filing" },
  queuedForReview: { zh: "已转人工审核", en: "Sent to manual review" },
  fillAndDecide: { zh: "填写表单后点击“作出决定”", en: "Fill in the form, then Decide" },
} satisfies Record<string, Bilingual>;

export type MessageKey = keyof typeof DICT;

type LangContextValue = { lang: Lang; setLang: (l: Lang) => void; t: (k: MessageKey) => string };
const LangContext = createContext<LangContextValue>({
  lang: "zh",
  setLang: () => {},
  t: (k) => DICT[k].zh,
});

const STORAGE_KEY = "yidi:lang";

export function LangProvider({ children, initial }: { children: ReactNode; initial?: Lang }) {
  const [lang, setLangState] = useState<Lang>(
    () => initial ?? (globalThis.localStorage?.getItem(STORAGE_KEY) === "en" ? "en" : "zh"),
  );
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    globalThis.localStorage?.setItem(STORAGE_KEY, l);
    document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
  }, []);
  const value = useMemo(() => ({ lang, setLang, t: (k: MessageKey) => DICT[k][lang] }), [lang, setLang]);
  return <LangContext.Provider value={value}>{children}</LangContext.Provider>;
}

/** `const { t, lang } = useLang(); t("save")` */
export const useLang = () => useContext(LangContext);

/** A server message in both languages, in the user's. */
export const pick = (m: Bilingual | string | undefined, lang: Lang) =>
  m === undefined ? "" : typeof m === "string" ? m : m[lang];
