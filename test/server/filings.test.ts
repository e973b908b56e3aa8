import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../server/app.ts";
import { bootstrap } from "../../server/bootstrap.ts";
import { type DatabaseTarget, openDatabase } from "../../server/store/database.ts";
import { createStore } from "../../server/store/index.ts";
import { APPROVED_CASE, DIALECTS, freshTarget, startServer, type TestServer } from "./harness.ts";

const RESETTLED_ID = "510402195001011236";
const REFERRAL_ID = "510411199207075037";

/** APPROVED_CASE with the filing form's contact data (for the export columns). */
const RESETTLED = {
  ...APPROVED_CASE,
  id: "flg-resettled",
  filing: {
    ...APPROVED_CASE.filing,
    form: {
      phone1: "13800000000",
      homeAddress: "攀枝花市东区",
      contactAddress: "三亚市吉阳区",
      ssCardNumber: "A12345678",
    },
  },
};

/** A Panzhihua in-province referral: valid one month, single use (攀医保〔2017〕10号 四(二)2). */
const REFERRAL = {
  id: "flg-referral",
  asOf: "2017-06-01",
  applicant: { idNumber: REFERRAL_ID, name: "周杰" },
  insured: { region: "510411", scheme: "urban_rural_resident" },
  filing: {
    category: "referral",
    destination: { region: "510107", hospital: { name: "四川大学华西医院", level: "3A", networked: true } },
    referral: { issuerLevel: "3A", issuerRegion: "510402" },
    materials: ["filing_form", "ss_card", "referral_certificate"],
  },
};

const NEW_DESTINATION = {
  region: "460100",
  hospital: { name: "海南省人民医院", level: "3A", networked: true },
};
const UNKNOWN = "00000000-0000-0000-0000-000000000000";

// biome-ignore lint/suspicious/noExplicitAny: response bodies, checked by the assertions
type Json = Record<string, any>;

describe.each(DIALECTS)("filing registry on $name", (dialect) => {
  let s: TestServer;
  // The registry's "today" (filings past their validUntil show as expired), fixed for these tests.
  const today = "2017-07-15";
  beforeAll(async () => {
    s = await startServer(dialect, { today: () => today });
  }, 60_000);
  afterAll(async () => s?.close());

  const decide = async (c: object, user = "clerk"): Promise<Json> => {
    const r = await s.as(user, { method: "POST", url: "/api/decisions", payload: c });
    expect(r.statusCode).toBe(200);
    return r.json();
  };
  const record = (decisionId: string, user = "clerk") =>
    s.as(user, { method: "POST", url: "/api/filings", payload: { decisionId } });
  const fileCase = async (c: object): Promise<Json> => {
    const r = await record((await decide(c)).decisionId);
    expect(r.statusCode, r.body).toBe(201);
    return r.json();
  };
  const act = (id: string, kind: string, payload: object, user = "clerk") =>
    s.as(user, { method: "POST", url: `/api/filings/${id}/${kind}`, payload });
  const get = async (id: string, user = "clerk"): Promise<Json> =>
    (await s.as(user, { method: "GET", url: `/api/filings/${id}` })).json();
  const audit = async (id: string): Promise<Json[]> =>
    (await s.as("admin", { method: "GET", url: `/api/audit?entity=filing&entityId=${id}` })).json();

  describe("the lifecycle of a resettled retiree's filing (Panzhihua, 2-year change lock)", () => {
    let filing: Json;

    it("records an approved filing decision as an active filing with its validity", async () => {
      filing = await fileCase(RESETTLED);
      expect(filing).toMatchObject({
        status: "active",
        category: "retired_resettled",
        insuredRegion: "510402",
        scheme: "employee",
        sex: "male",
        name: "张三",
        idNumber: RESETTLED_ID,
        idMasked: "510402********1236",
        destinationRegion: "460200",
        hospitalName: "三亚市人民医院",
        validFrom: "2017-06-01",
        validUntil: null,
        singleUse: false,
        changeLockedUntil: "2019-05-31",
        approvedOn: "2017-06-01",
        extensions: 0,
        revision: 1,
        createdBy: "clerk",
        settlementMode: "direct",
        contact: { phone1: "13800000000", ssCardNumber: "A12345678" },
      });
      expect(filing.events.map((e: Json) => e.event)).toEqual(["filed"]);
    });

    it("refuses to record the same decision twice (409 DUPLICATE)", async () => {
      const r = await record(filing.decisionId);
      expect(r.statusCode).toBe(409);
      expect(r.json().error.code).toBe("DUPLICATE");
    });

    it("refuses a decision that is not an approved filing (422 NOT_ELIGIBLE)", async () => {
      const incomplete = await decide({
        ...RESETTLED,
        id: "flg-incomplete",
        filing: { ...RESETTLED.filing, materials: [] },
      });
      expect(incomplete.outcome).toBe("incomplete");
      const r = await record(incomplete.decisionId);
      expect(r.statusCode).toBe(422);
      expect(r.json().error.code).toBe("NOT_ELIGIBLE");
      const change = await decide({
        ...RESETTLED,
        id: "flg-change-decision",
        asOf: "2019-06-01",
        kind: "change",
        filing: { ...RESETTLED.filing, destination: NEW_DESTINATION, materials: ["ss_card", "hukou_proof"] },
        previous: { category: "retired_resettled", approvedOn: "2017-06-01" },
      });
      expect(change.outcome).toBe("approved");
      expect((await record(change.decisionId)).statusCode).toBe(422);
    });

    it("lists filings with ID numbers masked", async () => {
      for (const user of ["clerk", "tester", "officer", "approver", "admin"]) {
        const r = await s.as(user, { method: "GET", url: "/api/filings" });
        expect(r.statusCode).toBe(200);
        expect(r.body).not.toContain(RESETTLED_ID);
        expect(r.body).not.toContain("13800000000");
        const row = r.json().find((f: Json) => f.id === filing.id);
        expect(row).toMatchObject({ idMasked: "510402********1236", status: "active" });
        expect(row.idNumber).toBeUndefined();
      }
    });

    it("refuses a change within the 2-year lock, with the decision's reasons, and leaves the filing as it was", async () => {
      const r = await act(filing.id, "change", {
        asOf: "2018-10-01",
        revision: 1,
        filing: { destination: NEW_DESTINATION, materials: ["ss_card", "hukou_proof"] },
      });
      expect(r.statusCode).toBe(422);
      const err = r.json().error;
      expect(err.code).toBe("NOT_ELIGIBLE");
      expect(err.decision.outcome).toBe("rejected");
      expect(err.decision.reasons).toEqual(
        expect.arrayContaining([expect.objectContaining({ code: "change-lock", effect: "reject" })]),
      );
      expect(err.decision.trace).toBeUndefined();
      // The refused request is in the decision log, as a change decision.
      const logged = await s.as("clerk", { method: "GET", url: `/api/decisions/${err.decision.decisionId}` });
      expect(logged.json()).toMatchObject({ kind: "change", outcome: "rejected" });
      expect(logged.json().input.previous).toMatchObject({
        category: "retired_resettled",
        approvedOn: "2017-06-01",
      });
      const after = await get(filing.id);
      expect(after).toMatchObject({ revision: 1, destinationRegion: "460200" });
      expect(after.events).toHaveLength(1);
    });

    it("queues a change with a special reason within the lock for manual review (202), not applied", async () => {
      const r = await act(filing.id, "change", {
        asOf: "2018-10-01",
        revision: 1,
        filing: { destination: NEW_DESTINATION, materials: ["ss_card", "hukou_proof"], specialReason: true },
      });
      expect(r.statusCode).toBe(202);
      expect(r.json().decision.outcome).toBe("manual_review");
      expect(r.json().review).toMatchObject({ status: "pending", filingId: filing.id, filingRevision: 1 });
      const queue = (await s.as("approver", { method: "GET", url: "/api/reviews?status=pending" })).json();
      expect(queue.map((q: Json) => q.decisionId)).toContain(r.json().decision.decisionId);
      // The reviewer sends it back, so the lifecycle below goes on from revision 1.
      const rejected = await s.as("approver", {
        method: "POST",
        url: `/api/reviews/${r.json().decision.decisionId}`,
        payload: { outcome: "rejected", reason: "特殊原因证明不足" },
      });
      expect(rejected.statusCode).toBe(200);
      expect(await get(filing.id)).toMatchObject({ revision: 1, destinationRegion: "460200" });
    });

    it("tells every missing material at once for a change after the lock", async () => {
      const r = await act(filing.id, "change", {
        asOf: "2019-06-01",
        revision: 1,
        filing: { destination: NEW_DESTINATION, materials: ["ss_card"] },
      });
      expect(r.statusCode).toBe(422);
      expect(r.json().error.decision.outcome).toBe("incomplete");
      expect(r.json().error.decision.missingMaterials).toEqual([
        expect.objectContaining({ anyOf: ["hukou_proof", "residence_permit"] }),
      ]);
    });

    it("refuses a stale revision (409 STALE_REVISION) without deciding", async () => {
      const r = await act(filing.id, "change", {
        asOf: "2019-06-01",
        revision: 0,
        filing: { destination: NEW_DESTINATION, materials: ["ss_card", "hukou_proof"] },
      });
      expect(r.statusCode).toBe(409);
      expect(r.json().error).toMatchObject({ code: "STALE_REVISION", revision: 1 });
    });

    it("applies a change after the lock: new destination, validity from the change, the lock restarted", async () => {
      const r = await act(filing.id, "change", {
        asOf: "2019-06-01",
        revision: 1,
        filing: { destination: NEW_DESTINATION, materials: ["ss_card", "hukou_proof"] },
      });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({
        status: "active",
        destinationRegion: "460100",
        hospitalName: "海南省人民医院",
        validFrom: "2019-06-01",
        approvedOn: "2019-06-01",
        changeLockedUntil: "2021-05-31",
        revision: 2,
        decision: { outcome: "approved", kind: "change" },
      });
      // The facts of the original case carry over (hukouMoved), the contact data too.
      expect(r.json().facts).toMatchObject({ hukouMoved: true, destination: NEW_DESTINATION });
      expect(r.json().contact).toMatchObject({ phone1: "13800000000" });
    });

    it("the same revision cannot be applied twice", async () => {
      const r = await act(filing.id, "change", {
        asOf: "2021-06-01",
        revision: 1,
        filing: { destination: NEW_DESTINATION, materials: ["ss_card", "hukou_proof"] },
      });
      expect(r.statusCode).toBe(409);
      expect(r.json().error.code).toBe("STALE_REVISION");
    });

    it("a settlement does not use up a long-term filing: only an event", async () => {
      const r = await act(filing.id, "consume", { admission: "2019-07-01", discharge: "2019-07-10" });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ status: "active", revision: 2 });
      const before = await act(filing.id, "consume", { admission: "2019-05-01", discharge: "2019-05-10" });
      expect(before.statusCode).toBe(422);
      expect(before.json().error.code).toBe("NOT_ELIGIBLE");
    });

    it("revokes the filing (returning home) and then refuses every change (409 INVALID_STATE)", async () => {
      const missing = await act(filing.id, "revoke", {
        asOf: "2019-08-01",
        revision: 2,
        filing: { materials: ["ss_card"] },
      });
      expect(missing.statusCode).toBe(422);
      expect(missing.json().error.decision.missingMaterials).toEqual([
        expect.objectContaining({ id: "revocation_form" }),
      ]);
      const r = await act(filing.id, "revoke", {
        asOf: "2019-08-01",
        revision: 2,
        filing: { materials: ["revocation_form", "ss_card"] },
      });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ status: "revoked", revision: 3 });
      for (const kind of ["change", "revoke", "extend"]) {
        const again = await act(filing.id, kind, {
          asOf: "2021-08-01",
          revision: 3,
          filing: { materials: ["ss_card"] },
        });
        expect(again.statusCode).toBe(409);
        expect(again.json().error.code).toBe("INVALID_STATE");
      }
      const consume = await act(filing.id, "consume", { admission: "2019-09-01", discharge: "2019-09-02" });
      expect(consume.statusCode).toBe(409);
    });

    it("keeps the history in order, each change with its decision", async () => {
      const f = await get(filing.id);
      expect(f.events.map((e: Json) => e.event)).toEqual(["filed", "changed", "consumed", "revoked"]);
      expect(f.events.map((e: Json) => e.actor)).toEqual(["clerk", "clerk", "clerk", "clerk"]);
      const changed = f.events[1];
      expect(changed.decisionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(changed.detail).toMatchObject({
        asOf: "2019-06-01",
        before: { destinationRegion: "460200", changeLockedUntil: "2019-05-31" },
        after: { destinationRegion: "460100", changeLockedUntil: "2021-05-31" },
      });
      expect(f.events[3].detail).toMatchObject({
        before: { status: "active" },
        after: { status: "revoked" },
      });
    });

    it("audits every change, with no full ID number", async () => {
      const entries = await audit(filing.id);
      expect(entries.map((e) => e.action)).toEqual([
        "filing.revoke",
        "filing.consume",
        "filing.change",
        "filing.create",
      ]);
      expect(entries.every((e) => e.actor === "clerk")).toBe(true);
      expect(JSON.stringify(entries)).not.toContain(RESETTLED_ID);
    });

    it("shows the full ID number and contact data to clerks and admins only", async () => {
      expect((await get(filing.id, "admin")).idNumber).toBe(RESETTLED_ID);
      for (const user of ["officer", "approver", "tester"]) {
        const r = await s.as(user, { method: "GET", url: `/api/filings/${filing.id}` });
        expect(r.statusCode).toBe(200);
        expect(r.body).not.toContain(RESETTLED_ID);
        expect(r.body).not.toContain("13800000000");
        expect(r.json()).toMatchObject({ idNumber: "510402********1236", contact: null, name: "张*" });
      }
    });
  });

  describe("a referral: extension, single use", () => {
    let referral: Json;

    it("records a referral valid one month, single use", async () => {
      referral = await fileCase(REFERRAL);
      expect(referral).toMatchObject({
        category: "referral",
        validFrom: "2017-06-01",
        validUntil: "2017-06-30",
        singleUse: true,
        changeLockedUntil: null,
      });
    });

    it("a revocation or extension cannot change the destination (400)", async () => {
      const r = await act(referral.id, "extend", {
        asOf: "2017-06-25",
        revision: 1,
        filing: { destination: NEW_DESTINATION, materials: ["ss_card", "extension_application"] },
      });
      expect(r.statusCode).toBe(400);
    });

    it("previews an extension: the decision shown, nothing applied, logged or queued", async () => {
      const logged = async () =>
        (await s.as("admin", { method: "GET", url: "/api/decisions?limit=500" })).json().length;
      const before = await logged();
      const incomplete = await act(referral.id, "extend/preview", {
        asOf: "2017-06-25",
        revision: 1,
        filing: { materials: ["ss_card"] },
      });
      expect(incomplete.statusCode, incomplete.body).toBe(200);
      expect(incomplete.json().effect).toBe("refuse");
      expect(incomplete.json().decision.outcome).toBe("incomplete");
      expect(incomplete.json().decision.missingMaterials).toEqual([
        expect.objectContaining({ id: "extension_application" }),
      ]);
      const ok = await act(referral.id, "extend/preview", {
        asOf: "2017-06-25",
        revision: 1,
        filing: { materials: ["ss_card", "extension_application"] },
      });
      expect(ok.json()).toMatchObject({
        effect: "apply",
        decision: { outcome: "approved", validity: { until: "2017-07-30", extensions: 1 } },
      });
      expect(ok.json().decision.trace).toBeUndefined();
      const late = await act(referral.id, "extend/preview", {
        asOf: "2017-07-05",
        revision: 1,
        filing: { materials: ["ss_card", "extension_application"] },
      });
      expect(late.json()).toMatchObject({ effect: "queue", decision: { outcome: "manual_review" } });
      expect(await get(referral.id)).toMatchObject({ revision: 1, validUntil: "2017-06-30", extensions: 0 });
      expect((await get(referral.id)).events).toHaveLength(1);
      expect(await logged()).toBe(before);
      const pending = (await s.as("approver", { method: "GET", url: "/api/reviews?status=pending" })).json();
      expect(pending.filter((q: Json) => q.filingId === referral.id)).toEqual([]);
      // a stale revision is refused by the preview as by the action
      expect((await act(referral.id, "extend/preview", { asOf: "2017-06-25", revision: 0 })).statusCode).toBe(
        409,
      );
      expect(
        (await act(referral.id, "extend/preview", { asOf: "2017-06-25", revision: 1 }, "tester")).statusCode,
      ).toBe(403);
    });

    it("extends by one month (validUntil + 1 month, extensions + 1)", async () => {
      const r = await act(referral.id, "extend", {
        asOf: "2017-06-25",
        revision: 1,
        filing: { materials: ["ss_card", "extension_application"] },
      });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({
        validUntil: "2017-07-30",
        extensions: 1,
        revision: 2,
        validFrom: "2017-06-01",
      });
      expect(r.json().decision.validity).toMatchObject({ until: "2017-07-30", extensions: 1 });
      expect(r.json().events.at(-1)).toMatchObject({
        event: "extended",
        detail: {
          before: { validUntil: "2017-06-30", extensions: 0 },
          after: { validUntil: "2017-07-30", extensions: 1 },
        },
      });
    });

    it("refuses a settlement outside the validity (422) and leaves the filing active", async () => {
      const r = await act(referral.id, "consume", { admission: "2017-07-25", discharge: "2017-08-05" });
      expect(r.statusCode).toBe(422);
      expect(r.json().error).toMatchObject({
        code: "NOT_ELIGIBLE",
        validity: { from: "2017-06-01", until: "2017-07-30" },
      });
      expect((await get(referral.id)).status).toBe("active");
      const early = await act(referral.id, "consume", { admission: "2017-05-25", discharge: "2017-06-05" });
      expect(early.statusCode).toBe(422);
    });

    it("a settlement uses it up; a second settlement is refused (409 INVALID_STATE)", async () => {
      const r = await act(referral.id, "consume", {
        admission: "2017-07-01",
        discharge: "2017-07-10",
        revision: 2,
      });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ status: "consumed", revision: 3 });
      const again = await act(referral.id, "consume", { admission: "2017-07-01", discharge: "2017-07-10" });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe("INVALID_STATE");
      const extend = await act(referral.id, "extend", {
        asOf: "2017-07-20",
        revision: 3,
        filing: { materials: ["ss_card", "extension_application"] },
      });
      expect(extend.statusCode).toBe(409);
      expect((await get(referral.id)).events.map((e: Json) => e.event)).toEqual([
        "filed",
        "extended",
        "consumed",
      ]);
      expect((await audit(referral.id)).map((e) => e.action)).toEqual([
        "filing.consume",
        "filing.extend",
        "filing.create",
      ]);
    });

    it("rejects a bad consumption body with 400 and field paths", async () => {
      const r = await act(referral.id, "consume", { admission: "2017-07-10", discharge: "2017-07-01" });
      expect(r.statusCode).toBe(400);
      const bad = await act(referral.id, "consume", { admission: "2017-02-30", discharge: "2017-07-01" });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.problems[0].path).toContain("admission");
    });
  });

  describe("search", () => {
    beforeAll(async () => {
      // A worker in Panzhihua and a resettled retiree insured in Jiangxi (Nanchang).
      await fileCase({
        id: "flg-worker",
        asOf: "2018-03-01",
        applicant: { idNumber: "510402198503013016", name: "刘伟" },
        insured: { region: "510402", scheme: "employee", status: "in_service" },
        filing: {
          category: "resident_worker",
          destination: {
            region: "440106",
            hospital: { name: "广东省人民医院", level: "3A", networked: true },
          },
          dispatchYears: 2,
          materials: ["filing_form", "ss_card", "employer_certificate"],
        },
      });
    });

    const search = async (qs: string, user = "tester"): Promise<Json[]> => {
      const r = await s.as(user, { method: "GET", url: `/api/filings?${qs}` });
      expect(r.statusCode).toBe(200);
      return r.json();
    };

    it("filters by region (by prefix), category, status and date", async () => {
      const all = await search("region=510400");
      expect(all.map((f) => f.category).sort()).toEqual(["referral", "resident_worker", "retired_resettled"]);
      expect((await search("region=510411")).map((f) => f.category)).toEqual(["referral"]);
      expect((await search("region=510000")).length).toBe(3);
      expect(await search("region=360000")).toEqual([]);
      expect((await search("category=resident_worker")).map((f) => f.name)).toEqual(["刘*"]);
      expect((await search("status=revoked")).map((f) => f.category)).toEqual(["retired_resettled"]);
      expect((await search("status=consumed")).map((f) => f.category)).toEqual(["referral"]);
      expect((await search("status=active")).map((f) => f.category)).toEqual(["resident_worker"]);
      expect((await search("from=2018-01-01&to=2018-12-31")).map((f) => f.category)).toEqual([
        "resident_worker",
      ]);
      expect((await search("to=2017-12-31")).map((f) => f.category)).toEqual(["referral"]);
      expect((await search("destination=440000")).map((f) => f.category)).toEqual(["resident_worker"]);
      expect((await search("crossProvince=true")).map((f) => f.category).sort()).toEqual([
        "resident_worker",
        "retired_resettled",
      ]);
      expect((await search("limit=1&offset=1")).length).toBe(1);
    });

    it("lets only clerks and admins search by ID number", async () => {
      expect((await search(`idNumber=${REFERRAL_ID}`, "clerk")).map((f) => f.category)).toEqual(["referral"]);
      const r = await s.as("tester", { method: "GET", url: `/api/filings?idNumber=${REFERRAL_ID}` });
      expect(r.statusCode).toBe(403);
    });

    it("answers bad filters with 400", async () => {
      for (const qs of ["region=5104", "status=gone", "category=tourist", "from=2018-13-01", "limit=0"]) {
        const r = await s.as("clerk", { method: "GET", url: `/api/filings?${qs}` });
        expect(r.statusCode, qs).toBe(400);
      }
    });
  });

  describe("exports (478号 附件2; 攀医保〔2017〕10号 附件3–5)", () => {
    const HEADER =
      "序号,参保地行政区划代码,姓名,性别,险种,类型,社会保障号码,社会保障卡卡号,地址,联系电话,就医地统筹地区行政区划代码,备案医院名称,备案医院编码,备案状态";

    it("exports the summary table as CSV with a BOM and the Chinese header row, and audits it", async () => {
      const r = await s.as("clerk", {
        method: "GET",
        url: "/api/filings/export?format=csv&table=summary&status=all&includeInProvince=true",
      });
      expect(r.statusCode).toBe(200);
      expect(r.headers["content-type"]).toMatch(/^text\/csv; charset=utf-8/);
      expect(r.headers["content-disposition"]).toMatch(
        /^attachment; filename="filings-summary.csv"; filename\*=UTF-8''/,
      );
      expect(r.body.startsWith("\uFEFF")).toBe(true);
      const lines = r.body.slice(1).trim().split("\r\n");
      expect(lines[0]).toBe(HEADER);
      expect(lines).toHaveLength(4);
      // Oldest valid_from first: the referral (2017-06-01), the worker (2018-03-01), the changed resettlement (2019-06-01).
      expect(lines[1]).toBe(
        // Codes, ID numbers and phones after a tab: Excel reads them as text (csv-export-safety.test.ts).
        `1,\t510411,周杰,男,城乡居民基本医疗保险,异地转诊转院人员,\t${REFERRAL_ID},,,,\t510107,四川大学华西医院,,已使用`,
      );
      expect(lines[3]).toBe(
        `3,\t510402,张三,男,职工基本医疗保险,异地安置退休人员,\t${RESETTLED_ID},A12345678,三亚市吉阳区,\t13800000000,\t460100,海南省人民医院,,已撤销`,
      );
      const entries = (await s.as("admin", { method: "GET", url: "/api/audit?entity=filing" })).json();
      expect(entries[0]).toMatchObject({
        action: "filing.export",
        actor: "clerk",
        detail: { table: "summary", rows: 3 },
      });
    });

    it("exports 附件2 with cross-province filings only unless in-province ones are asked for", async () => {
      const r = await s.as("clerk", { method: "GET", url: "/api/filings/export?status=all" });
      const lines = r.body.slice(1).trim().split("\r\n");
      expect(lines.slice(1).map((l) => l.split(",")[5])).toEqual(["常驻异地工作人员", "异地安置退休人员"]);
      expect(r.body).not.toContain(REFERRAL_ID);
    });

    it("exports only active filings by default", async () => {
      const r = await s.as("clerk", { method: "GET", url: "/api/filings/export" });
      const lines = r.body.slice(1).trim().split("\r\n");
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain("常驻异地工作人员");
    });

    it("exports a Panzhihua per-category table (附件5) with a note on its columns", async () => {
      const r = await s.as("admin", { method: "GET", url: "/api/filings/export?table=worker" });
      expect(r.statusCode).toBe(200);
      expect(r.headers["x-yidi-note"]).toMatch(/annex 5 does not list its columns/);
      const lines = r.body.slice(1).trim().split("\r\n");
      expect(lines[0]).toBe(HEADER);
      expect(lines.slice(1).map((l) => l.split(",")[5])).toEqual(["常驻异地工作人员"]);
      const resettled = await s.as("admin", {
        method: "GET",
        url: "/api/filings/export?table=resettled&status=all",
      });
      expect(
        resettled.body
          .slice(1)
          .trim()
          .split("\r\n")
          .slice(1)
          .map((l) => l.split(",")[5]),
      ).toEqual(["异地安置退休人员"]);
      const outside = await s.as("admin", {
        method: "GET",
        url: "/api/filings/export?table=worker&region=360000",
      });
      expect(outside.statusCode).toBe(400);
    });

    it("exports XLSX that reads back with the header, a row and the note sheet", async () => {
      const r = await s.as("clerk", {
        method: "GET",
        url: "/api/filings/export?format=xlsx&table=summary&status=all&includeInProvince=true",
      });
      expect(r.statusCode).toBe(200);
      expect(r.headers["content-type"]).toBe(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      );
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
      const ws = wb.getWorksheet("附件2");
      if (!ws) throw new Error("no sheet 附件2");
      const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
      expect(values(1).join(",")).toBe(HEADER);
      expect(ws.rowCount).toBe(4);
      const rows = [2, 3, 4].map(values);
      const resettled = rows.find((row) => row[6] === RESETTLED_ID);
      expect(resettled?.slice(0, 8)).toEqual([
        expect.any(Number),
        "510402",
        "张三",
        "男",
        "职工基本医疗保险",
        "异地安置退休人员",
        RESETTLED_ID,
        "A12345678",
      ]);
      const about = wb.getWorksheet("说明");
      expect(about?.getRow(1).getCell(2).value).toBe("基本医疗保险跨省异地安置退休等人员备案信息汇总表");
    });
  });

  describe("roles and unknown ids", () => {
    let id: string;
    beforeAll(async () => {
      id = (
        await fileCase({
          ...RESETTLED,
          id: "flg-roles",
          applicant: { idNumber: "510422195203181212", name: "郑永年" },
        })
      ).id;
    });

    it("lets only clerks and admins record, change, revoke, extend, consume and export (403)", async () => {
      const d = await decide({ ...RESETTLED, id: "flg-roles-2" });
      for (const user of ["officer", "approver", "tester"]) {
        expect((await record(d.decisionId, user)).statusCode).toBe(403);
        for (const kind of ["change", "revoke", "extend"]) {
          expect((await act(id, kind, { asOf: "2019-08-01", revision: 1 }, user)).statusCode).toBe(403);
        }
        expect(
          (await act(id, "consume", { admission: "2019-07-01", discharge: "2019-07-02" }, user)).statusCode,
        ).toBe(403);
        expect((await s.as(user, { method: "GET", url: "/api/filings/export" })).statusCode).toBe(403);
      }
      const admin = await record(d.decisionId, "admin");
      expect(admin.statusCode).toBe(201);
      expect(admin.json().createdBy).toBe("admin");
    });

    it("refuses requests without a session (401)", async () => {
      for (const [method, url] of [
        ["GET", "/api/filings"],
        ["GET", `/api/filings/${id}`],
        ["GET", "/api/filings/export"],
        ["POST", "/api/filings"],
        ["POST", `/api/filings/${id}/consume`],
      ] as const) {
        expect((await s.app.inject({ method, url, payload: {} })).statusCode).toBe(401);
      }
    });

    it("answers unknown filings and decisions with 404", async () => {
      for (const fid of [UNKNOWN, "not-a-uuid"]) {
        expect((await s.as("clerk", { method: "GET", url: `/api/filings/${fid}` })).statusCode).toBe(404);
        expect((await act(fid, "change", { asOf: "2019-08-01", revision: 1 })).statusCode).toBe(404);
        expect(
          (await act(fid, "consume", { admission: "2019-07-01", discharge: "2019-07-02" })).statusCode,
        ).toBe(404);
        expect((await record(fid)).statusCode).toBe(404);
      }
    });

    it("answers bad bodies with 400 and field paths", async () => {
      const r = await act(id, "change", {
        asOf: "2019-08-01",
        revision: 1,
        filing: { materials: ["a_banana"] },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.problems[0].path.slice(0, 2)).toEqual(["body", "filing"]);
      expect((await act(id, "revoke", { asOf: "2019-08-01" })).statusCode).toBe(400);
      expect((await act(id, "revoke", { asOf: "2019-08-01", revision: 1, extra: true })).statusCode).toBe(
        400,
      );
      // A request dated before the filing was approved is not a valid case.
      const early = await act(id, "revoke", {
        asOf: "2016-01-01",
        revision: 1,
        filing: { materials: ["ss_card"] },
      });
      expect(early.statusCode).toBe(400);
      expect(early.json().error.code).toBe("CASE_INVALID");
    });
  });

  describe("concurrent requests", () => {
    it("two settlements of one single-use filing at once: exactly one succeeds", async () => {
      const f = await fileCase({ ...REFERRAL, id: "flg-race" });
      const body = { admission: "2017-06-10", discharge: "2017-06-20" };
      const results = await Promise.all([act(f.id, "consume", body), act(f.id, "consume", body)]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      expect((await get(f.id)).events.map((e: Json) => e.event)).toEqual(["filed", "consumed"]);
    });

    it("two changes from the same revision at once: one applied, the other 409", async () => {
      const f = await fileCase({
        ...RESETTLED,
        id: "flg-race-2",
        applicant: { idNumber: "510402194803051016", name: "王强" },
      });
      const change = (region: string) =>
        act(f.id, "change", {
          asOf: "2019-06-01",
          revision: 1,
          filing: { destination: { ...NEW_DESTINATION, region }, materials: ["ss_card", "hukou_proof"] },
        });
      const results = await Promise.all([change("460100"), change("460200")]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      expect(results.find((r) => r.statusCode === 409)?.json().error.code).toBe("STALE_REVISION");
      const after = await get(f.id);
      expect(after.revision).toBe(2);
      expect(after.events.map((e: Json) => e.event)).toEqual(["filed", "changed"]);
    });
  });

  it("documents the routes in the OpenAPI document", async () => {
    const spec = (await s.app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        "/api/filings",
        "/api/filings/export",
        "/api/filings/{id}",
        "/api/filings/{id}/change",
        "/api/filings/{id}/revoke",
        "/api/filings/{id}/extend",
        "/api/filings/{id}/consume",
      ]),
    );
    expect(spec.paths["/api/filings"].get.tags).toEqual(["filings"]);
  });
});

describe.each(DIALECTS)("filing changes under a crash on $name", (dialect) => {
  let s: TestServer;
  let crash = false;
  beforeAll(async () => {
    s = await startServer(dialect, {
      faults: (p) => {
        if (crash && p === "filing:after-update") throw new Error("crash");
      },
    });
  }, 60_000);
  afterAll(async () => s?.close());

  const snapshot = async (id: string) => ({
    filing: (await s.as("admin", { method: "GET", url: `/api/filings/${id}` })).json(),
    audit: (await s.as("admin", { method: "GET", url: `/api/audit?entity=filing&entityId=${id}` })).json(),
  });

  it("a crash between the filing's update and its event rolls back everything", async () => {
    const d = (await s.as("clerk", { method: "POST", url: "/api/decisions", payload: APPROVED_CASE })).json();
    const created = await s.as("clerk", {
      method: "POST",
      url: "/api/filings",
      payload: { decisionId: d.decisionId },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const before = await snapshot(id);
    expect(before.audit).toHaveLength(1);

    crash = true;
    const attempts = [
      {
        kind: "change",
        payload: {
          asOf: "2019-06-01",
          revision: 1,
          filing: { destination: NEW_DESTINATION, materials: ["ss_card", "hukou_proof"] },
        },
      },
      {
        kind: "revoke",
        payload: { asOf: "2019-06-01", revision: 1, filing: { materials: ["revocation_form", "ss_card"] } },
      },
      { kind: "consume", payload: { admission: "2019-07-01", discharge: "2019-07-10" } },
    ];
    for (const a of attempts) {
      const r = await s.as("clerk", {
        method: "POST",
        url: `/api/filings/${id}/${a.kind}`,
        payload: a.payload,
      });
      expect(r.statusCode, a.kind).toBe(500);
      expect(r.json().error.code).toBe("INTERNAL");
      expect(await snapshot(id)).toEqual(before);
    }
    // The approved change decision was rolled back with the change: the log has no orphan.
    const log = (await s.as("admin", { method: "GET", url: "/api/decisions?kind=change" })).json();
    expect(log).toEqual([]);

    // Recording a filing crashes the same way: no filing, no audit entry.
    const d2 = (await s.as("clerk", { method: "POST", url: "/api/decisions", payload: REFERRAL })).json();
    const r = await s.as("clerk", {
      method: "POST",
      url: "/api/filings",
      payload: { decisionId: d2.decisionId },
    });
    expect(r.statusCode).toBe(500);
    expect(
      (await s.as("clerk", { method: "GET", url: `/api/filings?idNumber=${REFERRAL_ID}` })).json(),
    ).toEqual([]);

    crash = false;
    const ok = await s.as("clerk", {
      method: "POST",
      url: `/api/filings/${id}/change`,
      payload: attempts[0]?.payload,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().revision).toBe(2);
    expect(
      (await s.as("clerk", { method: "POST", url: "/api/filings", payload: { decisionId: d2.decisionId } }))
        .statusCode,
    ).toBe(201);
  });
});

/**
 * A killed process: a child process opens the same database, starts a filing change and is
 * SIGKILLed between the filing's update and its event/audit inserts, with the transaction open.
 * Reopened, the database holds the filing as it was, no event, no audit entry, no change decision,
 * and the change can then be made.
 */
describe.each(DIALECTS)("a process killed in the middle of a filing change on $name", (dialect) => {
  let target: DatabaseTarget;
  let cleanup: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const fresh = await freshTarget(dialect.name, { onDisk: true });
    target = fresh.target;
    cleanup = fresh.drop;
  }, 60_000);
  afterAll(async () => cleanup());

  const open = async () => {
    const store = createStore(openDatabase(target));
    await bootstrap(store, { adminUser: "root", adminPassword: "correct horse battery" });
    return { store, app: await build({ store }) };
  };

  it("leaves the database consistent", async () => {
    const CHANGE = {
      asOf: "2019-06-01",
      revision: 1,
      filing: { destination: NEW_DESTINATION, materials: ["ss_card", "hukou_proof"] },
    };
    let { store, app } = await open();
    const clerk = await store.users.create({
      username: "clerk",
      password: "correct horse battery",
      roles: ["clerk"],
    });
    const token = (await store.users.startSession(clerk.id)).token;
    const headers = { authorization: `Bearer ${token}` };
    const d = (
      await app.inject({ method: "POST", url: "/api/decisions", headers, payload: APPROVED_CASE })
    ).json();
    const created = await app.inject({
      method: "POST",
      url: "/api/filings",
      headers,
      payload: { decisionId: d.decisionId },
    });
    expect(created.statusCode).toBe(201);
    const id: string = created.json().id;
    await app.close();
    await store.close();

    const child = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL("./filing-kill-child.ts", import.meta.url))],
      {
        env: {
          ...process.env,
          YIDI_KILL_TARGET: JSON.stringify(target),
          YIDI_KILL_FILING: id,
          YIDI_KILL_TOKEN: token,
          YIDI_KILL_PAYLOAD: JSON.stringify(CHANGE),
        },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (b) => {
      stderr += String(b);
    });
    const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
    expect({ code, signal, stderr: stderr.slice(0, 500) }).toMatchObject({ signal: "SIGKILL" });

    ({ store, app } = await open());
    try {
      const f = await store.filings.get(id);
      expect(f).toMatchObject({
        revision: 1,
        destinationRegion: "460200",
        status: "active",
        changeLockedUntil: "2019-05-31",
      });
      expect((await store.filings.events(id)).map((e) => e.event)).toEqual(["filed"]);
      expect((await store.audit.list({ entity: "filing", entityId: id })).map((e) => e.action)).toEqual([
        "filing.create",
      ]);
      expect(await store.decisions.list({ kind: "change" })).toEqual([]);
      const again = await app.inject({
        method: "POST",
        url: `/api/filings/${id}/change`,
        headers,
        payload: CHANGE,
      });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ revision: 2, destinationRegion: "460100" });
    } finally {
      await app.close();
      await store.close();
    }
  }, 120_000);
});
