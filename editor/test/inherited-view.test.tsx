// @vitest-environment happy-dom
import "./setup.ts";
import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Inherited } from "../src/api/types.ts";
import { InheritedView } from "../src/components/inherited-view.tsx";
import { renderIn } from "./render.tsx";

const inherited: Inherited = {
  chain: [
    { id: "national", version: "2016-12-13" },
    { id: "sichuan/panzhihua", version: "2025-01-01" },
  ],
  entries: [
    {
      section: "rules",
      key: "off-site",
      status: "inherited",
      origin: "national@2016-12-13",
      value: { onFail: "reject" },
    },
    {
      section: "rules",
      key: "card-authenticated",
      status: "overridden",
      origin: "sichuan/panzhihua@2025-01-01",
      overrides: "national@2016-12-13",
      value: { onFail: "reject" },
    },
    {
      section: "materials",
      key: "ss-card",
      status: "added",
      origin: "sichuan/panzhihua@2025-01-01",
      value: { requires: ["ss_card"] },
    },
    {
      section: "materials",
      key: "id-card",
      status: "removed",
      origin: "sichuan/panzhihua@2025-01-01",
      overrides: "national@2016-12-13",
      value: null,
    },
  ],
};
const levelName = (id: string) => ({ national: "全国", "sichuan/panzhihua": "攀枝花市" })[id] ?? id;

const row = (key: string) => screen.getByText(key).closest("tr");

describe("the inherited view", () => {
  it("shows the chain from the nation down", () => {
    renderIn(<InheritedView inherited={inherited} levelName={levelName} />);
    expect(screen.getByText("全国 2016-12-13")).toBeTruthy();
    expect(screen.getByText("攀枝花市 2025-01-01")).toBeTruthy();
  });

  it("groups the entries by section and tags each 继承 / 覆盖 / 新增 / 删除 with where it comes from", () => {
    renderIn(<InheritedView inherited={inherited} levelName={levelName} />);
    const sections = [...document.querySelectorAll("[data-section]")].map((e) =>
      e.getAttribute("data-section"),
    );
    expect(sections).toEqual(["rules", "materials"]);
    expect(row("off-site")?.textContent).toMatch(/继承.*全国 2016-12-13/);
    expect(row("card-authenticated")?.textContent).toMatch(
      /覆盖.*攀枝花市 2025-01-01.*覆盖: 全国 2016-12-13/,
    );
    expect(row("ss-card")?.textContent).toMatch(/新增.*攀枝花市/);
    expect(row("id-card")?.textContent).toMatch(/删除.*攀枝花市/);
    expect(row("ss-card")?.textContent).toContain("requires:\n  - ss_card");
  });

  it("narrows to what this version itself changes", () => {
    renderIn(<InheritedView inherited={inherited} levelName={levelName} />);
    fireEvent.click(screen.getByText("仅本版本的覆盖、新增、删除"));
    expect(screen.queryByText("off-site")).toBeNull();
    expect(screen.getByText("card-authenticated")).toBeTruthy();
    expect(document.querySelectorAll("[data-entry-status]").length).toBe(3);
  });
});
