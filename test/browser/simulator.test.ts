import type { Browser, BrowserContext, Page } from "playwright-core";
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
 * The simulator in Chromium, on the real server: a tester replays three Panzhihua cases against
 * a draft that drops the hukou proof and lengthens the change lock, and reads the numbers; an
 * approver opens the draft's impact tab and sees the logged decision it would change.
 */
const TESTER = { username: "zhao.tester", password: "tester-pass-1", roles: ["tester"] };
const OFFICER = { username: "qian.officer", password: "officer-pass-1", roles: ["officer"] };
const APPROVER = { username: "sun.approver", password: "approver-pass-1", roles: ["approver"] };

const HUKOU_PROOF = `  resettled-proof:
    categories: [retired_resettled]
    require: hukou_proof
    label: 户籍证明复印件
    citation: { document: 攀医保〔2017〕10号, clause: 四(一)1(1) }
`;

/** A Panzhihua resettled retiree with the materials given. */
const retiree = (id: string, materials: string[]) => ({
  id,
  asOf: "2017-06-01",
  applicant: { idNumber: "510402195001011236", name: "张三" },
  insured: { region: "510402", scheme: "employee", status: "retired" },
  filing: {
    category: "retired_resettled",
    destination: { region: "460200", hospital: { name: "三亚市人民医院", level: "3A" } },
    hukouMoved: true,
    materials,
  },
});

const CASES = `# 攀枝花异地安置退休人员三例
- id: pzh-sim-complete
  asOf: 2017-06-01
  applicant: { idNumber: "510402195001011236", name: 张三 }
  insured: { region: "510402", scheme: employee, status: retired }
  filing:
    category: retired_resettled
    destination: { region: "460200", hospital: { name: 三亚市人民医院, level: "3A" } }
    hukouMoved: true
    materials: [filing_form, ss_card, hukou_proof]
  expected: { outcome: approved }
- id: pzh-sim-no-hukou-proof
  asOf: 2017-06-01
  applicant: { idNumber: "510402195001011236", name: 张三 }
  insured: { region: "510402", scheme: employee, status: retired }
  filing:
    category: retired_resettled
    destination: { region: "460200", hospital: { name: 三亚市人民医院, level: "3A" } }
    hukouMoved: true
    materials: [filing_form, ss_card]
  expected: { outcome: incomplete }
- id: pzh-sim-no-card
  asOf: 2017-06-01
  applicant: { idNumber: "510402195001011236", name: 张三 }
  insured: { region: "510402", scheme: employee, status: retired }
  filing:
    category: retired_resettled
    destination: { region: "460200", hospital: { name: 三亚市人民医院, level: "3A" } }
    hukouMoved: true
    materials: [filing_form, hukou_proof]
  expected: { outcome: incomplete }
`;

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let draftId = 0;

beforeAll(async () => {
  server = await startServer();
  const admin = await token(server.url, ADMIN.username, ADMIN.password);
  for (const u of [TESTER, OFFICER, APPROVER]) await api(server.url, "POST", "/api/users", admin, u);
  // The decision log: two Panzhihua decisions the draft would change, one it would not.
  for (const c of [
    retiree("pzh-log-complete", ["filing_form", "ss_card", "hukou_proof"]),
    retiree("pzh-log-no-hukou-proof", ["filing_form", "ss_card"]),
    retiree("pzh-log-no-card", ["filing_form", "hukou_proof"]),
  ])
    await api(server.url, "POST", "/api/decisions", admin, c);
  // An officer's draft: no hukou proof for a resettled retiree, a three-year change lock; submitted.
  const officer = await token(server.url, OFFICER.username, OFFICER.password);
  const history = await api<{ versions: { id: number; status: string }[] }>(
    server.url,
    "GET",
    "/api/rule-sets/history?id=sichuan/panzhihua",
    officer,
  );
  const base = history.versions.find((v) => v.status === "published");
  const draft = await api<{ id: number; content: string; revision: number }>(
    server.url,
    "POST",
    "/api/rule-sets/drafts",
    officer,
    { basedOn: base?.id, version: "2040-01-01" },
  );
  draftId = draft.id;
  const content = draft.content.replace(HUKOU_PROOF, "").replace("changeLock: P2Y", "changeLock: P3Y");
  expect(content).not.toContain("resettled-proof");
  const saved = await api<{ revision: number }>(
    server.url,
    "PUT",
    `/api/rule-sets/drafts/${draftId}`,
    officer,
    {
      content,
      revision: draft.revision,
    },
  );
  await api(server.url, "POST", `/api/rule-sets/versions/${draftId}/submit`, officer, {
    revision: saved.revision,
  });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 1100 }, locale: "zh-CN" });
  page = await context.newPage();
  page.on("response", async (r) => {
    if (r.status() >= 400 && r.url().includes("/api/")) {
      console.log(
        `${r.request().method()} ${new URL(r.url()).pathname} → ${r.status()} ${(await r.text().catch(() => "")).slice(0, 300)}`,
      );
    }
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Picks an option of an antd Select (by its input's id) by typing and pressing Enter. */
async function choose(id: string, text: string) {
  const input = page.locator(`[id="${id}"]`);
  await input.click();
  await input.fill(text);
  await page.locator(".ant-select-item-option-active:visible").first().waitFor();
  await page.keyboard.press("Enter");
}

describe("the simulator", () => {
  it("a tester replays three cases against the draft and reads the numbers", async () => {
    await login(page, server.url, TESTER.username, TESTER.password);
    await page.getByRole("menuitem", { name: /模拟/ }).click();
    await page.waitForURL(/\/simulator$/);
    await page.getByTestId("sim-text").fill(CASES);
    await choose("sim-against", "2040-01-01");
    await page.getByTestId("sim-run").click();
    const report = page.getByTestId("simulation-report");
    await report.waitFor();
    // Three cases, all as expected under the published rules; under the draft two change.
    await expect.poll(() => report.locator(".ant-statistic").first().textContent()).toContain("3");
    const stat = async (title: string) =>
      (
        await report
          .locator(".ant-statistic")
          .filter({ hasText: title })
          .first()
          .locator(".ant-statistic-content")
          .textContent()
      )?.trim();
    expect(await stat("与预期一致")).toBe("3");
    expect(await stat("与预期不一致")).toBe("0");
    expect(await stat("结果有变化")).toBe("2/ 3");
    const cell = (from: string, to: string) =>
      page.locator(`[data-testid="transitions"] [data-cell="${from}-${to}"]`);
    expect(await cell("approved", "approved").textContent()).toBe("1");
    expect(await cell("incomplete", "approved").textContent()).toBe("1");
    expect(await cell("incomplete", "incomplete").textContent()).toBe("1");
    expect(await page.locator('[data-change="lock"]').textContent()).toContain("2");
    const changed = page.getByTestId("changed-cases");
    expect(await changed.textContent()).toContain("pzh-sim-no-hukou-proof");
    expect(await changed.textContent()).toContain("materials.resettled-proof");
    await page.getByTestId("delta-chart").locator("canvas").waitFor();
    await screenshot(page, "simulator");

    // The same report as one HTML file.
    const download = page.waitForEvent("download");
    await page.getByTestId("sim-download").click();
    const file = await download;
    expect(file.suggestedFilename()).toBe("simulation.html");
  });

  it("a tester's bad case is counted with its line and field, the others decided", async () => {
    await page
      .getByTestId("sim-text")
      .fill(
        CASES.replace(
          "hukouMoved: true\n    materials: [filing_form, hukou_proof]",
          "hukouMoved: maybe\n    materials: [filing_form, hukou_proof]",
        ),
      );
    await page.getByTestId("sim-run").click();
    const invalid = page.getByTestId("invalid-rows");
    await invalid.waitFor();
    expect(await invalid.textContent()).toContain("filing.hukouMoved");
    expect(await invalid.textContent()).toContain("行号 29");
  });

  it("an approver opens the draft's impact tab and sees the logged decision it would change", async () => {
    await context.clearCookies();
    await login(page, server.url, APPROVER.username, APPROVER.password);
    await page.goto(`${server.url}/versions/${draftId}/impact`);
    const tab = page.getByTestId("impact-tab");
    await tab.waitFor();
    const changed = page.getByTestId("changed-cases");
    await changed.waitFor();
    const row = changed.locator("tr").filter({ hasText: "pzh-log-no-hukou-proof" });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain("materials.resettled-proof");
    expect(await row.textContent()).toMatch(/材料不全[\s\S]*准予备案/);
    expect(
      await page.locator('[data-testid="transitions"] [data-cell="incomplete-approved"]').textContent(),
    ).toBe("1");
    const reproduced = async () =>
      (
        await tab
          .locator(".ant-statistic")
          .filter({ hasText: "日志决定重现一致" })
          .locator(".ant-statistic-content")
          .textContent()
      )?.trim();
    expect(await reproduced()).toBe("3");
    await screenshot(page, "impact");
  });
});
