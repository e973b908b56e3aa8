import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
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
 * An officer and an approver at work, in Chromium, on the real server: a Panzhihua draft with a
 * typo, fixed; the change lock changed and tried on a sample case; submitted; refused to its own
 * author as approver; approved by a colleague with an effective date; then used by decisions.
 */
const OFFICER = { username: "li.officer", password: "officer-pass-1", roles: ["officer", "approver"] };
const APPROVER = { username: "wang.approver", password: "approver-pass-1", roles: ["approver"] };
const NEW_VERSION = "2025-01-01";

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let adminToken: string;
let draftId = 0;
const requested: string[] = [];

/** The line of the first `needle` in the text, 1-based. */
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

/** Puts monaco's cursor at a line (Ctrl+G) at its first non-blank character. */
async function goToLine(line: number) {
  await page.getByTestId("yaml-editor").locator(".view-lines").click();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+G");
  await page.keyboard.type(String(line));
  await page.keyboard.press("Enter");
  await page.keyboard.press("Home");
}

async function save() {
  await page.keyboard.press("Control+S");
  await expect
    .poll(() => page.getByTestId("save-status").textContent(), { timeout: 20_000 })
    .toMatch(/已保存|Saved/);
  await expect.poll(() => page.locator(".ant-btn-loading").count()).toBe(0);
}

beforeAll(async () => {
  server = await startServer();
  adminToken = await token(server.url, ADMIN.username, ADMIN.password);
  for (const u of [OFFICER, APPROVER]) await api(server.url, "POST", "/api/users", adminToken, u);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
  page = await context.newPage();
  page.on("request", (r) => requested.push(r.url()));
  // refusals are part of the walk (a typo's 422), but a failing step is easier to read with them
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

describe("an officer drafts, an approver publishes", () => {
  it("an officer opens Panzhihua and starts a draft from the version in force", async () => {
    await login(page, server.url, OFFICER.username, OFFICER.password);
    await page.goto(`${server.url}/rules`);
    await page.locator('[data-region="sichuan/panzhihua"]').click();
    await expect.poll(() => page.url()).toContain("/rules/sichuan/panzhihua");
    const published = page.getByTestId("version-2017-04-12");
    await expect.poll(() => published.getAttribute("data-status")).toBe("published");
    await published.getByRole("button", { name: /以此版本新建草稿/ }).click();
    await page.getByTestId("new-version-name").fill(NEW_VERSION);
    await page.getByRole("button", { name: /创\s*建/ }).click();
    await page.waitForURL(/\/versions\/\d+\/edit$/);
    draftId = Number(page.url().match(/versions\/(\d+)/)?.[1]);
    expect(draftId).toBeGreaterThan(0);
    await page.getByTestId("yaml-editor").locator(".view-lines").waitFor();
  });

  it("a typo is marked at its line, in the editor and in the problems panel; fixing it clears both", async () => {
    const draft = await api<{ content: string }>(
      server.url,
      "GET",
      `/api/rule-sets/versions/${draftId}`,
      adminToken,
    );
    const line = lineOf(draft.content, "changeLock: P2Y");
    expect(line).toBeGreaterThan(0);
    await goToLine(line);
    await page.keyboard.press("Control+Shift+ArrowRight");
    await page.keyboard.type("changeLok");
    await save();
    const problem = page.locator(`[data-testid="problems-panel"] [data-line="${line}"]`);
    await expect.poll(() => problem.count()).toBeGreaterThan(0);
    expect(await problem.first().textContent()).toContain("changeLok");
    await expect.poll(() => page.locator(".monaco-editor .squiggly-error").count()).toBeGreaterThan(0);
    await problem.first().click();
    await page.keyboard.press("Escape");
    await screenshot(page, "editor-marker");

    await goToLine(line);
    await page.keyboard.press("Control+Shift+ArrowRight");
    await page.keyboard.type("changeLock");
    await save();
    await expect.poll(() => page.getByTestId("problems-panel").textContent()).toMatch(/没有问题/);
    await expect.poll(() => page.locator(".monaco-editor .squiggly-error").count()).toBe(0);
    // the entry under the cursor shows the clause it encodes
    await expect
      .poll(() => page.getByTestId("entry-at-cursor").textContent())
      .toBe("validity › retired_resettled 〔攀医保〔2017〕10号 四(一)2(1)〕");
  });

  it("hover over a rule shows the field's meaning and the clause the rule encodes, in Chinese or English", async () => {
    const draft = await api<{ content: string }>(
      server.url,
      "GET",
      `/api/rule-sets/versions/${draftId}`,
      adminToken,
    );
    const hoverText = async () => {
      await goToLine(lineOf(draft.content, "message: 参保人员不在待遇享受期内"));
      await page.keyboard.press("Control+K");
      await page.keyboard.press("Control+I");
      const hover = page.locator(".monaco-editor .monaco-hover-content");
      await expect
        .poll(async () => (await hover.allTextContents()).join(" "))
        .toMatch(/攀医保〔2017〕10号 三/);
      const text = (await hover.allTextContents()).join(" ");
      await page.keyboard.press("Escape");
      return text;
    };
    const zh = await hoverText();
    expect(zh).toContain("shown when the conditions do not hold"); // monaco-yaml, from the schema
    expect(zh).toContain("rules › insurance-in-force");
    expect(zh).toContain("依据: 〔攀医保〔2017〕10号 三〕");
    expect(zh).toContain("说明: 鉴权时");

    await page.getByText("English", { exact: true }).click();
    await expect.poll(() => page.getByRole("tab", { name: "Diff & review" }).count()).toBe(1);
    for (const tab of ["Edit", "Inherited", "Try"])
      expect(await page.getByRole("tab", { name: tab, exact: true }).count()).toBe(1);
    expect(await page.getByTestId("save").textContent()).toMatch(/^Save \(Ctrl\+S\)$/);
    expect(await page.getByRole("menuitem", { name: /Rules/ }).count()).toBe(1);
    expect(await page.getByRole("button", { name: /Log out/ }).count()).toBe(1);
    expect(await hoverText()).toContain("Citation: 〔攀医保〔2017〕10号 三〕");

    await page.getByText("中文", { exact: true }).click();
    await expect.poll(() => page.getByTestId("save").textContent()).toMatch(/^保存/);
  });

  it("text typed and not saved is offered back after a reload", async () => {
    await goToLine(1);
    await page.keyboard.press("End");
    await page.keyboard.type("  # 未保存的备注");
    await page.reload();
    await page.getByTestId("restore-banner").waitFor();
    await page.getByRole("button", { name: /恢\s*复/ }).click();
    await expect
      .poll(() => page.getByTestId("yaml-editor").locator(".view-line").first().textContent())
      .toContain("未保存的备注");
    // put back as saved, so the draft stays as the walk-through expects it
    await page.keyboard.press("Control+Z");
  });

  it("a save on a revision someone changed meanwhile is refused in words, and the text is kept", async () => {
    // the same draft saved from another tab: the revision moves on
    const officer = await token(server.url, OFFICER.username, OFFICER.password);
    const draft = await api<{ content: string; revision: number }>(
      server.url,
      "GET",
      `/api/rule-sets/versions/${draftId}`,
      officer,
    );
    await api(server.url, "PUT", `/api/rule-sets/drafts/${draftId}`, officer, {
      content: draft.content,
      revision: draft.revision,
    });
    await goToLine(1);
    await page.keyboard.press("End");
    await page.keyboard.type("  # 另一处修改");
    await page.keyboard.press("Control+S");
    await expect.poll(() => page.getByTestId("save-status").textContent()).toMatch(/别人已修改/);
    expect(await page.getByTestId("yaml-editor").locator(".view-line").first().textContent()).toContain(
      "另一处修改",
    );
    await page.reload();
    const banner = page.getByTestId("restore-banner");
    await expect.poll(() => banner.textContent()).toMatch(/较早的修订/);
    await banner.getByRole("button", { name: /丢\s*弃/ }).click();
    expect(await page.getByTestId("yaml-editor").locator(".view-line").first().textContent()).not.toContain(
      "另一处修改",
    );
  });

  it("the change lock goes from two years to three, and a sample case shows the new lock date", async () => {
    const draft = await api<{ content: string }>(
      server.url,
      "GET",
      `/api/rule-sets/versions/${draftId}`,
      adminToken,
    );
    await goToLine(lineOf(draft.content, "changeLock: P2Y"));
    await page.keyboard.press("End");
    for (let i = 0; i < 3; i++) await page.keyboard.press("Backspace");
    await page.keyboard.type("P3Y");
    await save();
    await expect.poll(() => page.getByTestId("problems-panel").textContent()).toMatch(/没有问题/);

    await page.getByRole("tab", { name: "试算" }).click();
    const sample = page.locator('[data-sample="pzh-resettled-approved"]');
    await sample.getByRole("button", { name: /试\s*算/ }).click();
    const card = page.getByTestId("decision-card").first();
    await expect.poll(() => card.getAttribute("data-outcome"), { timeout: 20_000 }).toBe("approved");
    // asOf 2017-06-01 with a three-year lock: changes refused until 2020-05-31 (it was 2019-05-31)
    expect(await card.getByTestId("change-lock").textContent()).toContain("2020-05-31");
    await page
      .getByText(/规则轨迹/)
      .first()
      .click();
    await page.getByTestId("trace-view").waitFor();
    await screenshot(page, "try-panel");
  });

  it("the officer submits; as an approver too, four eyes keep the approve button disabled, with the reason", async () => {
    await page.getByRole("tab", { name: "差异与审核" }).click();
    const submit = page.getByTestId("submit");
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await submit.click();
    await expect
      .poll(() => page.locator('[data-action="approve"]').getAttribute("data-allowed"))
      .toBe("false");
    const why = await page.getByTestId("why-not-approve").textContent();
    expect(why).toMatch(/批准发布/);
    expect(why?.length).toBeGreaterThan(10);
    expect(await page.getByTestId("approve").isDisabled()).toBe(true);
  });

  it("the inherited view marks what the draft overrides", async () => {
    await page.getByRole("tab", { name: "继承视图" }).click();
    const view = page.getByTestId("inherited-view");
    await view.waitFor();
    await expect.poll(() => view.locator('[data-entry-status="inherited"]').count()).toBeGreaterThan(0);
    await expect
      .poll(() => view.locator('[data-entry-status="added"], [data-entry-status="overridden"]').count())
      .toBeGreaterThan(0);
    await expect.poll(() => page.locator(".ant-message-notice").count(), { timeout: 10_000 }).toBe(0);
    await screenshot(page, "inherited-view");
  });

  it("a second user approves with an effective date, after a warning that it is in the past", async () => {
    await page.getByRole("button", { name: /退出登录/ }).click();
    await login(page, server.url, APPROVER.username, APPROVER.password);
    await page.goto(`${server.url}/review`);
    await page
      .getByRole("button", { name: /审阅差异/ })
      .first()
      .click();
    await page.waitForURL(new RegExp(`/versions/${draftId}/diff$`));
    const summary = page.getByTestId("change-summary");
    await expect.poll(() => summary.textContent(), { timeout: 20_000 }).toMatch(/P3Y|3 ?年/);
    await expect
      .poll(() =>
        page
          .locator('[data-testid="diff-editor"] .line-insert, [data-testid="diff-editor"] .char-insert')
          .count(),
      )
      .toBeGreaterThan(0);
    await screenshot(page, "diff-review");

    const date = page.getByTestId("approve-date");
    await date.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.type(NEW_VERSION);
    await page.keyboard.press("Enter");
    await page.getByTestId("approve").click();
    await page.getByText(/生效日期早于今天/).waitFor();
    await page
      .locator(".ant-modal-confirm")
      .getByRole("button", { name: /确\s*定/ })
      .click();
    await expect
      .poll(
        async () =>
          (await api<{ status: string }>(server.url, "GET", `/api/rule-sets/versions/${draftId}`, adminToken))
            .status,
      )
      .toBe("published");
  });

  it("a decision dated after the effective date uses the new version and its three-year lock", async () => {
    const files = await api<{ id: string; text: string }[]>(
      server.url,
      "GET",
      `/api/rule-sets/versions/${draftId}/samples`,
      adminToken,
    );
    const text = files.find((s) => s.id === "pzh-resettled-approved")?.text;
    expect(text).toBeTruthy();
    const c = parse(text as string) as Record<string, unknown>;
    delete c.expected;
    const decision = await api<{
      ruleSets: { id: string; version: string }[];
      validity: { changeLockedUntil: string };
    }>(server.url, "POST", "/api/decisions", adminToken, { ...c, asOf: "2025-06-02" });
    expect(decision.ruleSets.map((r) => `${r.id}@${r.version}`)).toContain(
      `sichuan/panzhihua@${NEW_VERSION}`,
    );
    expect(decision.validity.changeLockedUntil).toBe("2028-06-01");
  });

  it("no request left 127.0.0.1", () => {
    const origin = new URL(server.url).origin;
    const outside = requested.filter(
      (u) => !u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:"),
    );
    expect(requested.length).toBeGreaterThan(10);
    expect(outside).toEqual([]);
  });
});
