import { Badge, Tree } from "antd";
import type { RegionNode } from "../versions.ts";

type Props = { nodes: RegionNode[]; selected: string | null; onSelect: (ruleSetId: string) => void };

/** 全国 → 省 → 市, with a badge counting drafts and versions in review. */
export function RegionTree({ nodes, selected, onSelect }: Props) {
  const toData = (
    n: RegionNode,
  ): { key: string; title: React.ReactNode; children: unknown[]; selectable: boolean } => ({
    key: n.key,
    selectable: n.ruleSetId != null,
    title: (
      <span data-region={n.ruleSetId ?? n.code}>
        {n.name}
        {n.pending > 0 && <Badge count={n.pending} size="small" style={{ marginLeft: 6 }} color="blue" />}
      </span>
    ),
    children: n.children.map(toData),
  });
  return (
    <Tree
      defaultExpandAll
      blockNode
      selectedKeys={selected ? [selected] : []}
      treeData={nodes.map(toData) as never}
      onSelect={(keys) => {
        const k = keys[0];
        if (typeof k === "string" && !k.startsWith("region:")) onSelect(k);
      }}
    />
  );
}
