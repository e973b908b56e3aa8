import { REGION_NAMES } from "../../engine/vocabulary.ts";
import type { RuleSetGroup, VersionSummary } from "./api/types.ts";

/** What a user calls a version's state; the server says when a published version is superseded. */
export type DisplayStatus = VersionSummary["lifecycle"];

/** Newest first: by effective date (drafts without one on top), then by creation. */
export function sortVersions(versions: VersionSummary[]): VersionSummary[] {
  return [...versions].sort(
    (a, b) =>
      (b.effectiveFrom ?? "9999").localeCompare(a.effectiveFrom ?? "9999") ||
      b.createdAt.localeCompare(a.createdAt),
  );
}

export const regionLabel = (code: string | null | undefined) => (code ? (REGION_NAMES[code] ?? code) : "");

export type RegionNode = {
  key: string;
  /** the rule set at this node, if any (a province may have none of its own) */
  ruleSetId: string | null;
  code: string;
  name: string;
  pending: number;
  children: RegionNode[];
};

const regionOf = (g: RuleSetGroup) =>
  g.id === "national" ? "000000" : (g.versions.find((v) => v.region)?.region ?? g.id);

/** 全国 → 省 → 市: each rule set under its province (from the GB/T 2260 code), the nation at the root. */
export function buildRegionTree(groups: RuleSetGroup[]): RegionNode[] {
  const node = (g: RuleSetGroup | null, code: string): RegionNode => ({
    key: g?.id ?? `region:${code}`,
    ruleSetId: g?.id ?? null,
    code,
    name: REGION_NAMES[code] ?? g?.id ?? code,
    pending: g ? g.versions.filter((v) => v.status === "draft" || v.status === "in_review").length : 0,
    children: [],
  });
  const national = groups.find((g) => g.id === "national");
  const root = node(national ?? null, "000000");
  const provinces = new Map<string, RegionNode>();
  const rest = groups.filter((g) => g !== national);
  const province = (code: string) => {
    const p = `${code.slice(0, 2)}0000`;
    let n = provinces.get(p);
    if (!n) {
      n = node(null, p);
      provinces.set(p, n);
      root.children.push(n);
    }
    return n;
  };
  for (const g of rest) {
    const code = regionOf(g);
    if (/^\d{2}0000$/.test(code)) {
      const p = province(code);
      p.key = g.id;
      p.ruleSetId = g.id;
      p.pending = node(g, code).pending;
    }
  }
  for (const g of rest) {
    const code = regionOf(g);
    if (!/^\d{2}0000$/.test(code)) province(code).children.push(node(g, code));
  }
  for (const p of root.children) p.children.sort((a, b) => a.code.localeCompare(b.code));
  root.children.sort((a, b) => a.code.localeCompare(b.code));
  return [root];
}

/** The date today in the browser's time zone, YYYY-MM-DD. */
export const todayIso = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
