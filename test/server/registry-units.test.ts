import { describe, expect, it } from "vitest";
import { caseSchema, type Decision } from "../../engine/index.ts";
import { errorLang } from "../../server/errors.ts";
import {
  contentDisposition,
  SUMMARY_COLUMNS,
  summaryCsv,
  tableRow,
} from "../../server/exports/summary-tables.ts";
import { actionCase, newFiling, patchFor, periodsOverlap } from "../../server/registry/lifecycle.ts";
import { caseAsSeen, maskName } from "../../server/registry/privacy.ts";
import { checkRevision } from "../../server/registry/registry.ts";
import { filingSummary } from "../../server/registry/views.ts";
import { type Filing, stateOn } from "../../server/store/filings.ts";
import { APPROVED_CASE } from "./harness.ts";

const c = caseSchema.parse(APPROVED_CASE);
const decision = {
  outcome: "approved",
  category: "retired_resettled",
  settlementMode: "direct",
  validity: { from: "2017-06-01", until: null, singleUse: false, changeLockedUntil: "2019-05-31" },
} as unknown as Decision;
const filing: Filing = {
  ...newFiling(c, decision, "d-1", "clerk"),
  id: "f-1",
  status: "active",
  extensions: 0,
  endedOn: null,
  revision: 1,
  createdAt: "2017-06-01T00:00:00.000Z",
  updatedAt: "2017-06-01T00:00:00.000Z",
};

describe("the registry without HTTP", () => {
  it("records an approved case as a filing with its validity, facts and contact data", () => {
    expect(filing).toMatchObject({
      idMasked: "510402********1236",
      category: "retired_resettled",
      destinationRegion: "460200",
      validFrom: "2017-06-01",
      changeLockedUntil: "2019-05-31",
      details: { facts: { hukouMoved: true }, settlementMode: "direct" },
    });
  });

  it("computes expiry against the day it is asked, not when it was stored", () => {
    const referral = { status: "active" as const, validUntil: "2017-06-30" };
    expect(stateOn(referral, "2017-06-30")).toBe("active");
    expect(stateOn(referral, "2017-07-01")).toBe("expired");
    expect(stateOn({ status: "revoked", validUntil: "2017-06-30" }, "2018-01-01")).toBe("revoked");
    expect(filingSummary({ ...filing, validUntil: "2017-06-30" }, "2017-07-01", false)).toMatchObject({
      status: "expired",
      endedOn: "2017-06-30",
      name: "张*",
    });
  });

  it("builds a revocation as a case from the registry and ends the filing on its date", () => {
    const input = actionCase("revoke", filing, {
      asOf: "2018-01-02",
      revision: 1,
      filing: { materials: ["ss_card"] },
    });
    expect(input).toMatchObject({
      kind: "revoke",
      previous: { category: "retired_resettled", approvedOn: "2017-06-01" },
    });
    const rc = caseSchema.parse(input);
    expect(patchFor("revoke", rc, decision, filing)).toEqual({ status: "revoked", endedOn: "2018-01-02" });
  });

  it("finds overlapping periods, open-ended ones included", () => {
    const open = { validFrom: "2017-06-01", validUntil: null };
    expect(periodsOverlap(open, { validFrom: "2030-01-01", validUntil: "2030-01-31" })).toBe(true);
    expect(
      periodsOverlap(
        { validFrom: "2017-06-01", validUntil: "2017-06-30" },
        { validFrom: "2017-07-01", validUntil: "2017-07-31" },
      ),
    ).toBe(false);
  });

  it("tells a stale revision from one ahead of the stored one", () => {
    expect(() => checkRevision(3, 3)).not.toThrow();
    expect(() => checkRevision(3, 2)).toThrow(expect.objectContaining({ code: "STALE_REVISION" }));
    expect(() => checkRevision(3, 4)).toThrow(expect.objectContaining({ code: "REVISION_AHEAD" }));
  });

  it("masks names and ID numbers of a logged case alike for roles that do not handle files", () => {
    expect(maskName("欧阳娜娜")).toBe("欧***");
    expect(caseAsSeen({ applicant: { idNumber: "510402195001011236", name: "张三" } }, false)).toEqual({
      applicant: { idNumber: "510402********1236", name: "张*" },
    });
  });
});

describe("the summary tables without HTTP", () => {
  it("writes 附件2's columns, then the state today, as CSV with a BOM", () => {
    const row = tableRow({ ...filing, validUntil: "2017-06-30" }, 1, "2017-07-01");
    expect(row).toHaveLength(SUMMARY_COLUMNS.length + 1);
    expect(row.at(-1)).toBe("已过期");
    const file = summaryCsv("summary", [row]);
    expect(String(file.body).startsWith("\uFEFF序号,")).toBe(true);
    expect(file.filename.utf8).toBe("附件2-基本医疗保险跨省异地安置退休等人员备案信息汇总表.csv");
  });

  it("names a download in Chinese per RFC 5987 with an ASCII fallback", () => {
    expect(contentDisposition("a.csv", "附件2 (跨省)'s.csv")).toBe(
      "attachment; filename=\"a.csv\"; filename*=UTF-8''%E9%99%84%E4%BB%B62%20%28%E8%B7%A8%E7%9C%81%29%27s.csv",
    );
  });
});

describe("the language of error messages", () => {
  it.each([
    ["zh-CN,zh;q=0.9,en;q=0.8", "zh"],
    ["zh", "zh"],
    ["en-US,en;q=0.9,zh-CN;q=0.8", "en"],
    ["fr, zh;q=0.5", "en"],
    ["en;q=0.1, zh-TW;q=0.2", "zh"],
    [undefined, "en"],
    ["", "en"],
  ])("Accept-Language %j → %s", (header, lang) => {
    expect(errorLang(header)).toBe(lang);
  });
});
