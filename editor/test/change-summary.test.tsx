// @vitest-environment happy-dom
import "./setup.ts";
import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Change } from "../src/api/types.ts";
import { ChangeSummary } from "../src/components/change-summary.tsx";
import { renderIn } from "./render.tsx";

const changes: Change[] = [
  {
    section: "validity",
    key: "retired_resettled",
    change: "changed",
    message: {
      zh: "有效期「异地安置退休人员」：变更限制期 2 年 → 3 年",
      en: "validity (retiree): change lock 2 years → 3 years",
    },
    fields: [{ path: "changeLock", before: "P2Y", after: "P3Y" }],
  },
  {
    section: "rules",
    key: "card-authenticated",
    change: "removed",
    message: { zh: "删除规则 card-authenticated", en: "rule card-authenticated removed" },
  },
  {
    section: "materials",
    key: "ss-card",
    change: "added",
    message: { zh: "新增材料要求 ss-card", en: "material requirement ss-card added" },
    fields: [{ path: "requires", before: undefined, after: ["ss_card"] }],
  },
];

describe("the change summary", () => {
  it("lists each change in the officer's words, grouped by section, tagged added / removed / changed", () => {
    renderIn(<ChangeSummary changes={changes} />);
    expect(screen.getByText("有效期「异地安置退休人员」：变更限制期 2 年 → 3 年")).toBeTruthy();
    const row = (key: string) => document.querySelector(`[data-change="${key}"]`)?.textContent ?? "";
    expect(row("validity/retired_resettled")).toMatch(/^修改/);
    expect(row("rules/card-authenticated")).toMatch(/^删除/);
    expect(row("materials/ss-card")).toMatch(/^新增/);
    expect(screen.getByText("validity")).toBeTruthy();
    expect(screen.getByText("rules")).toBeTruthy();
  });

  it("shows each changed field before and after, a missing value as a dash", () => {
    renderIn(<ChangeSummary changes={changes} />);
    expect(document.querySelector('[data-change="validity/retired_resettled"] li')?.textContent).toBe(
      "changeLock P2Y → P3Y",
    );
    expect(document.querySelector('[data-change="materials/ss-card"] li')?.textContent).toBe(
      'requires — → ["ss_card"]',
    );
  });

  it("speaks English when the user switched", () => {
    renderIn(<ChangeSummary changes={changes} />, "en");
    expect(screen.getByText("validity (retiree): change lock 2 years → 3 years")).toBeTruthy();
    expect(document.querySelector('[data-change="rules/card-authenticated"]')?.textContent).toMatch(
      /^Removed/,
    );
  });

  it("says so when nothing changed", () => {
    renderIn(<ChangeSummary changes={[]} />);
    expect(screen.getByText("没有变更")).toBeTruthy();
  });
});
