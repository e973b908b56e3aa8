import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  api,
  launchChromium,
  login,
  type RunningServer,
  screenshot,
  startServer,
  token,
} from "./harness.ts";

/**
 * A clerk at the service window, in Chromium, on the real server: a Panzhihua retiree moving to
 * Sanya with two materials missing gets the one-time notice listing both with their citations;
 * with the materials handed in, the filing is approved, registered and found in the registry.
 */
const CLERK = { username: "zhao.clerk", password: "clerk-pass-12", roles: ["clerk"] };
const REVIEWER = { username: "sun.reviewer", password: "reviewer-pass-12", roles: ["approver"] };

let server: RunningServer;
let browser: Browser;
let page: Page;

/** The input of a desk field (antd gives a Form.Item's control the field's name as id). */
const field = (id: string) => page.locator(`[id="${id}"]`);

/** Picks an option of an antd Select by typing and pressing Enter. */
async function choose(id: string, text: string) {
  await field(id).click();
  await field(id).fill(text);
  await page.locator(".ant-select-item-option-active:visible").first().waitFor();
  await page.keyboard.press("Enter");
}

async function setDate(id: string, date: string) {
  await field(id).click();
  await field(id).fill(date);
  await page.keyboard.press("Enter");
}

/** Answers a yes/no question of the visible step, if the rules ask it. */
async function yes(id: string) {
  const item = page.locator(`[id="${id}"]`);
  if ((await item.count()) > 0) await item.getByText("是", { exact: true }).click();
}

const next = () => page.getByRole("button", { name: /下一步/ }).click();

/** The pages of a PDF Chromium printed (its page objects). */
const pdfPages = (pdf: Buffer) => pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;

beforeAll(async () => {
  server = await startServer();
  const adminToken = await token(server.url, ADMIN.username, ADMIN.password);
  await api(server.url, "POST", "/api/users", adminToken, CLERK);
  await api(server.url, "POST", "/api/users", adminToken, REVIEWER);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: "zh-CN" });
  page = await context.newPage();
  page.on("response", async (r) => {
    if (r.status() >= 400 && r.url().includes("/api/"))
      console.log(
        `${r.request().method()} ${new URL(r.url()).pathname} → ${r.status()} ${(await r.text()).slice(0, 300)}`,
      );
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("a clerk at the desk", () => {
  it("lands on the desk and fills the form in steps; the ID number gives birth date, sex and age", async () => {
    await login(page, server.url, CLERK.username, CLERK.password);
    await page.waitForURL(/\/desk$/);
    await choose("insured.region", "510402");
    await setDate("asOf", "2017-06-01");
    await next();
    await page.getByText("异地安置退休人员", { exact: true }).click();
    await expect
      .poll(() => page.getByTestId("chain").textContent())
      .toContain("sichuan/panzhihua@2017-04-12");
    await next();
    await field("applicant.idNumber").fill("510402195001011236");
    await expect.poll(() => page.getByTestId("id-info").textContent()).toContain("1950-01-01");
    expect(await page.getByTestId("id-info").textContent()).toMatch(/男.*年龄 67/);
    await field("applicant.name").fill("王德明");
    await choose("insured.scheme", "职工");
    if ((await field("insured.status").count()) > 0) await choose("insured.status", "退休");
    await next();
    await choose("filing.destination.region", "460200");
    await field("filing.destination.hospital.name").fill("三亚市人民医院");
    if ((await field("filing.destination.hospital.level").count()) > 0)
      await choose("filing.destination.hospital.level", "三级甲等");
    await yes("filing.destination.hospital.networked");
    await next();
    await yes("filing.hukouMoved");
    // the retiree brought only the filing form: the social security card and the hukou proof are missing
    await page.getByTestId("materials").getByText("备案表/登记备案申请表").click();
    await screenshot(page, "desk");
  });

  it("decides: incomplete, both missing materials with their citations, in plain words", async () => {
    await page.getByTestId("decide").click();
    const card = page.getByTestId("decision-card");
    await expect.poll(() => card.getAttribute("data-outcome")).toBe("incomplete");
    const text = (await card.textContent()) ?? "";
    expect(text).toContain("本人社会保障卡");
    expect(text).toContain("户籍证明");
    expect(text).toContain("攀医保〔2017〕10号");
    expect(text).not.toContain("{");
    await screenshot(page, "desk-decision");
  });

  it("prints the one-time notice: every missing item with its citation, on A4", async () => {
    const [notice] = await Promise.all([
      page.waitForEvent("popup"),
      page.getByTestId("print-notice").click(),
    ]);
    await notice.waitForLoadState();
    const text = (await notice.locator("body").textContent()) ?? "";
    expect(text).toContain("一次性告知");
    expect(text).toContain("本人社会保障卡");
    expect(text).toContain("户籍证明");
    expect(text).toContain("攀医保〔2017〕10号");
    // a print button on screen opens the print dialog (Save as PDF); on paper it is hidden
    expect(await notice.getByRole("button", { name: "打印 / 另存为 PDF" }).isVisible()).toBe(true);
    await notice.emulateMedia({ media: "print" });
    expect(await notice.getByRole("button", { name: "打印 / 另存为 PDF" }).isVisible()).toBe(false);
    await notice.emulateMedia({ media: "screen" });
    const pdf = await notice.pdf({ format: "A4", preferCSSPageSize: true });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pdfPages(pdf)).toBe(1);
    await notice.setViewportSize({ width: 820, height: 1160 });
    await screenshot(notice, "desk-notice");
    await notice.close();
  });

  it("with the materials handed in, the filing is approved, registered and found in the registry", async () => {
    const materials = page.getByTestId("materials");
    await materials.getByText("本人社会保障卡（或复印件）").click();
    await materials.getByText("户籍证明（户口本首页、常住人口登记卡）").click();
    await page.getByTestId("decide").click();
    await expect.poll(() => page.getByTestId("decision-card").getAttribute("data-outcome")).toBe("approved");
    expect(await page.getByTestId("change-lock").textContent()).toContain("2019-05-31");
    await page.getByTestId("register").click();
    await page.getByTestId("filing-link").click();
    await page.waitForURL(/\/registry\/[^/]+$/);
    await expect.poll(() => page.getByTestId("filing-status").textContent()).toBe("有效");
    expect(await page.getByTestId("history").textContent()).toContain("备案");
    // the 备案凭证 names the filing and fits one A4 page
    const certificate = await page.context().newPage();
    await certificate.goto(`${page.url().replace("/registry/", "/api/filings/")}/certificate.html`);
    expect(await certificate.locator("body").textContent()).toContain("备案凭证");
    expect(pdfPages(await certificate.pdf({ format: "A4", preferCSSPageSize: true }))).toBe(1);
    await certificate.close();
    await page.goto(`${server.url}/registry`);
    const table = page.getByTestId("filings");
    await expect.poll(() => table.textContent()).toContain("510402********1236");
    expect(await table.textContent()).toContain("异地安置退休人员");
    await screenshot(page, "desk-registry");
    // the 附件2 summary table downloads as CSV (UTF-8 with a BOM, the Chinese header) and as XLSX
    const [csv] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("exports").getByRole("link", { name: /CSV/ }).first().click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);
    const body = await (await csv.createReadStream()).toArray();
    const text = Buffer.concat(body).toString("utf8");
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain("王德明");
    expect(text).toContain("异地安置退休人员");
    const [xlsx] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("exports").getByRole("link", { name: /XLSX/ }).first().click(),
    ]);
    expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
    const zip = Buffer.concat(await (await xlsx.createReadStream()).toArray());
    expect(zip.subarray(0, 2).toString()).toBe("PK");
  });

  it("a change inside the change lock with a special reason goes to the manual review queue", async () => {
    await page.getByTestId("filings").getByRole("link", { name: "王德明" }).click();
    await page.waitForURL(/\/registry\/[^/]+$/);
    await page.getByTestId("action-change").click();
    await setDate("asOf", "2018-03-01");
    await choose("destination", "440106");
    await page.locator('[id="specialReason"]').getByText("是", { exact: true }).click();
    const boxes = page.locator(".ant-modal").getByRole("checkbox");
    await expect.poll(() => boxes.count()).toBeGreaterThan(0);
    for (const box of await boxes.all()) await box.check();
    // the rules' decision is shown before anything is done
    await page.getByTestId("action-preview").click();
    const preview = page.getByTestId("action-preview-result");
    await expect.poll(() => preview.textContent()).toContain("人工审核");
    expect(await preview.textContent()).toContain("攀医保〔2017〕10号");
    expect(await page.getByTestId("action-confirm").textContent()).toContain("确认转人工审核");
    await page.getByTestId("action-confirm").click();
    const outcome = page.getByTestId("action-outcome");
    await expect.poll(() => outcome.textContent()).toContain("已转人工审核");
    await page.getByTestId("action-close").click();
  });

  it("an approver finds the queued change with the reason the rules gave and its citation", async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
    const reviewer = await context.newPage();
    reviewer.on("response", async (r) => {
      if (r.status() >= 400 && r.url().includes("/api/"))
        console.log(
          `reviewer: ${new URL(r.url()).pathname} → ${r.status()} ${(await r.text()).slice(0, 300)}`,
        );
    });
    await login(reviewer, server.url, REVIEWER.username, REVIEWER.password);
    await reviewer.goto(`${server.url}/reviews`);
    const queue = reviewer.getByTestId("reviews");
    await expect.poll(() => queue.textContent()).toContain("510402********1236");
    expect(await reviewer.getByTestId("review-reasons").first().textContent()).toMatch(/〔.+〕/);
    await screenshot(reviewer, "desk-reviews");
    // the approver decides it with a written reason; the change is applied to the filing
    await reviewer.getByTestId("review-decide").first().click();
    const modal = reviewer.locator(".ant-modal");
    await modal.getByRole("radio", { name: "准予" }).check();
    await reviewer.getByTestId("review-reason").fill("子女在广州工作，特殊原因属实");
    await reviewer.getByTestId("review-confirm").click();
    await expect.poll(() => queue.textContent()).not.toContain("510402********1236");
    await reviewer.locator(".ant-segmented").getByText("准予", { exact: true }).click();
    await expect.poll(() => queue.textContent()).toContain("子女在广州工作，特殊原因属实");
    await context.close();
    // the clerk sees the change applied, with the reviewer's approval in the history
    await page.reload();
    await expect.poll(() => page.getByTestId("filing").textContent()).toContain("广州");
    expect(await page.getByTestId("history").textContent()).toContain("变更");
  });
});

describe("a referral extended at the window; an old one flagged expired", () => {
  const REFERRAL = (id: string, name: string, asOf: string) => ({
    id,
    asOf,
    applicant: { idNumber: "510411199207075037", name },
    insured: { region: "510411", scheme: "urban_rural_resident" },
    filing: {
      category: "referral",
      destination: { region: "510107", hospital: { name: "四川大学华西医院", level: "3A", networked: true } },
      referral: { issuerLevel: "3A", issuerRegion: "510402" },
      materials: ["filing_form", "ss_card", "referral_certificate"],
    },
  });
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    const clerk = await token(server.url, CLERK.username, CLERK.password);
    for (const c of [
      REFERRAL("old-referral", "周杰", "2018-03-01"),
      REFERRAL("new-referral", "李娜", today),
    ]) {
      const d = await api<{ decisionId: string; outcome: string }>(
        server.url,
        "POST",
        "/api/decisions",
        clerk,
        c,
      );
      expect(d.outcome).toBe("approved");
      await api(server.url, "POST", "/api/filings", clerk, { decisionId: d.decisionId });
    }
  });

  it("sees the 2018 referral flagged expired in the registry, with its actions closed", async () => {
    await page.goto(`${server.url}/registry`);
    const table = page.getByTestId("filings");
    await expect.poll(() => table.textContent()).toContain("周杰");
    const row = table.locator("tr", { hasText: "周杰" });
    expect(await row.textContent()).toContain("已过期");
    await row.getByRole("link", { name: "周杰" }).click();
    await expect.poll(() => page.getByTestId("filing-status").textContent()).toBe("已过期");
    expect(await page.getByTestId("action-extend").isDisabled()).toBe(true);
  });

  it("extends a running referral by a month: the decision previewed, then applied", async () => {
    await page.goto(`${server.url}/registry`);
    await page.getByTestId("filings").getByRole("link", { name: "李娜" }).click();
    await page.waitForURL(/\/registry\/[^/]+$/);
    const until = (await page.getByTestId("filing").textContent()) ?? "";
    await page.getByTestId("action-extend").click();
    const boxes = page.locator(".ant-modal").getByRole("checkbox");
    await expect.poll(() => boxes.count()).toBeGreaterThan(0);
    // without the extension application the preview says what is missing, and nothing is done
    await page.locator(".ant-modal").getByRole("checkbox", { name: "本人社会保障卡" }).check();
    await page.getByTestId("action-preview").click();
    const preview = page.getByTestId("action-preview-result");
    await expect.poll(() => preview.textContent()).toContain("转诊延期申请");
    expect(await preview.textContent()).toContain("规则不准予");
    // handed in: the preview shows the new validity; confirming applies it
    await page.locator(".ant-modal").getByRole("checkbox", { name: "转诊延期申请" }).check();
    await page.getByTestId("action-preview").click();
    await expect.poll(() => preview.textContent()).toContain("规则准予");
    await screenshot(page, "desk-extend");
    await page.getByTestId("action-confirm").click();
    await expect.poll(() => page.getByTestId("action-outcome").textContent()).toContain("已办理");
    await page.getByTestId("action-close").click();
    await expect.poll(() => page.getByTestId("filing").textContent()).not.toBe(until);
    expect(await page.getByTestId("filing").textContent()).toMatch(/已延期次数\s*1/);
    expect(await page.getByTestId("history").textContent()).toContain("延期");
  });
});

describe("the prepayment monitor", () => {
  it("shows each province pair's monthly usage with the 70 % and 90 % lines and the warnings", async () => {
    const admin = await token(server.url, ADMIN.username, ADMIN.password);
    const year = new Date().getFullYear();
    for (const [month, clearing, to] of [
      [1, "500000.00", "46"],
      [2, "720000.00", "46"],
      [3, "935000.00", "46"],
      [2, "100000.00", "36"],
    ] as const) {
      await api(server.url, "PUT", "/api/prepayments", admin, {
        insuredProvince: "51",
        treatmentProvince: to,
        year,
        month,
        prepayment: "1000000.00",
        clearing,
      });
    }
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: "zh-CN" });
    const page = await context.newPage();
    await login(page, server.url, ADMIN.username, ADMIN.password);
    await page.goto(`${server.url}/prepayments`);
    await expect.poll(() => page.getByTestId("pair-chart").count()).toBe(2);
    await expect.poll(() => page.locator("[data-testid=pair-chart] canvas").count()).toBeGreaterThan(0);
    const rows = (await page.getByTestId("prepayment-rows").textContent()) ?? "";
    expect(rows).toContain("四川省 → 海南省");
    expect(rows).toContain("93.50 %");
    expect(rows).toMatch(/〔.+〕/);
    await page.waitForTimeout(1_500); // the lines' drawing animation, for the screenshot
    await screenshot(page, "prepayments");
    await context.close();
  });
});

describe("a settlement at the desk", () => {
  it("a Nanchang retiree's stay in Sanya: the fund's share in plain figures and the 附件6 slip on one A4 page", async () => {
    await page.goto(`${server.url}/desk`);
    await choose("insured.region", "360102");
    await setDate("asOf", "2025-03-10");
    await next();
    await page.getByText("异地安置退休人员", { exact: true }).click();
    await page.locator('[id="kind"]').getByText("结算", { exact: true }).click();
    await next();
    await field("applicant.idNumber").fill("360102196003011010");
    await field("applicant.name").fill("王五");
    await choose("insured.scheme", "职工");
    if ((await field("insured.status").count()) > 0) await choose("insured.status", "退休");
    await next();
    await choose("filing.destination.region", "460200");
    await field("filing.destination.hospital.name").fill("三亚市人民医院");
    if ((await field("filing.destination.hospital.level").count()) > 0)
      await choose("filing.destination.hospital.level", "三级甲等");
    await yes("filing.destination.hospital.networked");
    await next();
    await setDate("settlement.admission", "2025-03-01");
    await setDate("settlement.discharge", "2025-03-10");
    await page.locator('[id="settlement.hospitalLevel"]').getByText("3", { exact: true }).click();
    await field("settlement.totalCost").fill("30000.00");
    await field("settlement.selfPayCost").fill("2000.00");
    await field("settlement.partialSelfPayCost").fill("1000.00");
    await field("settlement.inpatientNumber").fill("ZY2025030188");
    await field("settlement.primaryDiagnosis").fill("冠状动脉粥样硬化性心脏病");
    await page.getByTestId("decide").click();
    const card = page.getByTestId("decision-card");
    await expect.poll(() => card.getAttribute("data-outcome")).toBe("approved");
    // 30000 − 2000 − 1000 = 27000; (27000 − 800) × 0.85 = 22270.00 (simulator/cases/settlement.yaml)
    expect(await page.getByTestId("fund-pay").textContent()).toBe("22270.00 元");
    expect(await page.getByTestId("benefits").textContent()).toContain("7730.00 元");
    expect(await card.textContent()).toContain("直接结算");
    await screenshot(page, "desk-settlement");
    const [slip] = await Promise.all([page.waitForEvent("popup"), page.getByTestId("print-slip").click()]);
    await slip.waitForLoadState();
    const text = (await slip.locator("body").textContent()) ?? "";
    expect(text).toContain("住院结算单");
    expect(text).toContain("22270.00");
    expect(text).toContain("ZY2025030188");
    expect(text).toContain("冠状动脉粥样硬化性心脏病");
    expect(text).toContain("360102196003011010"); // a clerk handles files: the slip names the person in full
    const pdf = await slip.pdf({ format: "A4", preferCSSPageSize: true });
    expect(pdfPages(pdf)).toBe(1);
    await slip.close();
  });
});
