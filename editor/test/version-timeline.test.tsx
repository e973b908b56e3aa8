// @vitest-environment happy-dom
import "./setup.ts";
import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { VersionSummary } from "../src/api/types.ts";
import { VersionTimeline } from "../src/components/version-timeline.tsx";
import { buildRegionTree } from "../src/versions.ts";
import { renderIn } from "./render.tsx";

const version = (over: Partial<VersionSummary>): VersionSummary => ({
  id: 1,
  ruleSetId: "sichuan/panzhihua",
  version: "2017-04-12",
  status: "published",
  hash: "sha256:x",
  region: "510400",
  effectiveFrom: "2017-04-12",
  basedOn: null,
  author: "system",
  submittedBy: null,
  reviewedBy: null,
  reviewComment: null,
  publishedBy: "system",
  publishedAt: "2017-04-01T00:00:00Z",
  revision: 1,
  lifecycle: over.status ?? "published",
  submittedAt: null,
  reviewedAt: null,
  createdAt: "2017-04-01T00:00:00Z",
  updatedAt: "2017-04-01T00:00:00Z",
  ...over,
});

const versions = [
  version({ id: 1, lifecycle: "superseded" }),
  version({
    id: 2,
    version: "2024-01-01",
    effectiveFrom: "2024-01-01",
    author: "li",
    submittedBy: "li",
    reviewedBy: "wang",
    publishedBy: "wang",
    createdAt: "2023-12-01T00:00:00Z",
  }),
  version({
    id: 3,
    version: "2027-01-01",
    effectiveFrom: "2027-01-01",
    status: "published",
    publishedBy: "wang",
  }),
  version({
    id: 4,
    version: "draft-1",
    status: "draft",
    effectiveFrom: null,
    author: "zhao",
    publishedBy: null,
    createdAt: "2026-01-01T00:00:00Z",
  }),
];

describe("the version timeline", () => {
  it("shows the versions newest first, a draft without a date on top", () => {
    renderIn(<VersionTimeline versions={versions} onOpen={() => {}} />);
    const order = [...document.querySelectorAll("[data-testid^=version-]")].map((e) =>
      e.getAttribute("data-testid"),
    );
    expect(order).toEqual([
      "version-draft-1",
      "version-2027-01-01",
      "version-2024-01-01",
      "version-2017-04-12",
    ]);
  });

  it("shows each version's status as the server gives it: 已失效, 已发布 (also when scheduled), 草稿", () => {
    renderIn(<VersionTimeline versions={versions} onOpen={() => {}} />);
    const status = (v: string) => screen.getByTestId(`version-${v}`).getAttribute("data-status");
    expect(status("2017-04-12")).toBe("superseded");
    expect(within(screen.getByTestId("version-2017-04-12")).getByText("已失效")).toBeTruthy();
    expect(status("2024-01-01")).toBe("published");
    expect(status("2027-01-01")).toBe("published");
    expect(within(screen.getByTestId("version-draft-1")).getByText("草稿")).toBeTruthy();
    expect(within(screen.getByTestId("version-draft-1")).getByText(/生效日期: 未定/)).toBeTruthy();
  });

  it("says who wrote, submitted, reviewed and published each version", () => {
    renderIn(<VersionTimeline versions={versions} onOpen={() => {}} />, "en");
    const text = screen.getByTestId("version-2024-01-01").textContent;
    expect(text).toContain("Author: li");
    expect(text).toContain("Reviewed by: wang");
    expect(text).toContain("Published by: wang");
  });

  it("opens a version and starts a draft from it; no draft button for a user who may not draft", () => {
    const onOpen = vi.fn();
    const onNewDraft = vi.fn();
    const { unmount } = renderIn(
      <VersionTimeline versions={versions} onOpen={onOpen} onNewDraft={onNewDraft} />,
    );
    const row = within(screen.getByTestId("version-2024-01-01"));
    fireEvent.click(row.getByRole("button", { name: /打\s*开/ }));
    fireEvent.click(row.getByRole("button", { name: "以此版本新建草稿" }));
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ id: 2 }));
    expect(onNewDraft).toHaveBeenCalledWith(expect.objectContaining({ id: 2 }));
    unmount();
    renderIn(<VersionTimeline versions={versions} onOpen={onOpen} />);
    expect(screen.queryByRole("button", { name: "以此版本新建草稿" })).toBeNull();
  });
});

describe("the region tree", () => {
  it("puts each city under its province and the provinces under 全国, counting drafts and reviews", () => {
    const tree = buildRegionTree([
      { id: "national", versions: [version({ ruleSetId: "national", region: "000000" })] },
      { id: "sichuan/panzhihua", versions: [version({}), version({ id: 9, status: "in_review" })] },
      { id: "jiangxi", versions: [version({ ruleSetId: "jiangxi", region: "360000" })] },
      {
        id: "jiangxi/nanchang",
        versions: [version({ ruleSetId: "jiangxi/nanchang", region: "360100", status: "draft" })],
      },
    ]);
    const names = (n: (typeof tree)[number]): unknown => ({
      name: n.name,
      pending: n.pending,
      ...(n.children.length && { children: n.children.map(names) }),
    });
    expect(tree.map(names)).toEqual([
      {
        name: "全国",
        pending: 0,
        children: [
          { name: "江西省", pending: 0, children: [{ name: "南昌市", pending: 1 }] },
          { name: "四川省", pending: 0, children: [{ name: "攀枝花市", pending: 1 }] },
        ],
      },
    ]);
    expect(tree[0]?.children[1]?.ruleSetId).toBeNull();
    expect(tree[0]?.children[0]?.ruleSetId).toBe("jiangxi");
  });
});
