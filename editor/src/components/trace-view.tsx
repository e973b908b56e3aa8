import { Collapse, Segmented, Space, Tag, Typography } from "antd";
import { useState } from "react";
import type { TraceEntry } from "../api/types.ts";
import { useLang } from "../i18n.tsx";
import { ConditionTree } from "./condition-tree.tsx";

const resultTag = (e: TraceEntry) => {
  if (e.effect === "not_applicable") return <Tag>n/a</Tag>;
  if (e.result === "unknown") return <Tag>?</Tag>;
  return e.result ? <Tag color="success">✓</Tag> : <Tag color="error">✗</Tag>;
};

/** Every rule the engine evaluated, in order, with its conditions and the facts that decided them. */
export function TraceView({ trace }: { trace: TraceEntry[] }) {
  const { t } = useLang();
  const [only, setOnly] = useState<"all" | "failed">("all");
  const shown = trace.filter((e) => only === "all" || e.result !== true);
  return (
    <div data-testid="trace-view">
      <Segmented
        size="small"
        style={{ marginBottom: 8 }}
        value={only}
        onChange={(v) => setOnly(v as "all" | "failed")}
        options={[
          { label: `${trace.length}`, value: "all" },
          { label: `✗ / ? (${trace.filter((e) => e.result !== true).length})`, value: "failed" },
        ]}
      />
      <Collapse
        size="small"
        items={shown.map((e, i) => ({
          key: `${i}:${e.rule}`,
          label: (
            <Space data-rule={e.rule} data-result={String(e.result)} wrap size={[8, 0]}>
              {resultTag(e)}
              <Typography.Text code style={{ whiteSpace: "nowrap" }}>
                {e.rule}
              </Typography.Text>
              <Typography.Text type="secondary">{e.type}</Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {e.ruleSet}
              </Typography.Text>
              {e.citation && (
                <Typography.Text style={{ fontSize: 12 }}>
                  〔{e.citation.document} {e.citation.clause}〕
                </Typography.Text>
              )}
            </Space>
          ),
          children: (
            <div>
              {e.when !== undefined && (
                <div>
                  <Typography.Text type="secondary">when</Typography.Text>
                  <ConditionTree node={e.when} />
                </div>
              )}
              {e.conditions !== undefined && (
                <div>
                  <Typography.Text type="secondary">conditions</Typography.Text>
                  <ConditionTree node={e.conditions} />
                </div>
              )}
              {e.detail !== undefined && (
                <pre className="yidi-value">{JSON.stringify(e.detail, null, 1)}</pre>
              )}
              {e.effect && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  effect: {e.effect}
                </Typography.Text>
              )}
              {e.when === undefined &&
                e.conditions === undefined &&
                e.detail === undefined &&
                !e.effect &&
                t("noChanges")}
            </div>
          ),
        }))}
      />
    </div>
  );
}
