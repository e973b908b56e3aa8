import { Card, Empty, Segmented, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { stringify } from "yaml";
import type { Inherited, InheritedEntry, InheritedStatus } from "../api/types.ts";
import { useLang } from "../i18n.tsx";

const COLORS: Record<InheritedStatus, string> = {
  inherited: "default",
  overridden: "orange",
  added: "green",
  removed: "red",
};

type Props = {
  inherited: Inherited;
  /** a rule set's level as people say it (national → 全国, sichuan/panzhihua → 攀枝花市) */
  levelName: (ruleSetId: string) => string;
};

/** Shows `a@b` as "攀枝花市 2017-04-12". */
function Origin({ origin, levelName }: { origin: string; levelName: Props["levelName"] }) {
  const at = origin.lastIndexOf("@");
  const id = at < 0 ? origin : origin.slice(0, at);
  const version = at < 0 ? "" : origin.slice(at + 1);
  return (
    <span data-origin={origin}>
      {levelName(id)} <Typography.Text type="secondary">{version}</Typography.Text>
    </span>
  );
}

const preview = (value: unknown) =>
  value === undefined ? "" : stringify(value, { lineWidth: 100, flowCollectionPadding: false }).trimEnd();

/**
 * The chain merged, section by section: each entry tagged 继承 / 覆盖 / 新增 / 删除 with the level
 * and version it comes from (and, for an override, the one it replaces).
 */
export function InheritedView({ inherited, levelName }: Props) {
  const { t } = useLang();
  const [filter, setFilter] = useState<"all" | "own">("all");
  const entries = inherited.entries.filter((e) => filter === "all" || e.status !== "inherited");
  const sections = [...new Set(entries.map((e) => e.section))];
  return (
    <div data-testid="inherited-view">
      <Space style={{ marginBottom: 12 }} wrap>
        <Typography.Text strong>{t("chain")}:</Typography.Text>
        {inherited.chain.map((c, i) => (
          <span key={`${c.id}@${c.version}`}>
            {i > 0 && " → "}
            <Tag>
              {levelName(c.id)} {c.version}
            </Tag>
          </span>
        ))}
        <Segmented
          size="small"
          value={filter}
          onChange={(v) => setFilter(v as "all" | "own")}
          options={[
            { label: t("allEntries"), value: "all" },
            { label: t("ownEntries"), value: "own" },
          ]}
        />
      </Space>
      {sections.length === 0 && <Empty />}
      {sections.map((section) => (
        <Card key={section} size="small" title={section} style={{ marginBottom: 12 }} data-section={section}>
          <Table<InheritedEntry>
            size="small"
            pagination={false}
            rowKey={(e) => `${e.section}/${e.key}`}
            dataSource={entries.filter((e) => e.section === section)}
            columns={[
              {
                title: t("key"),
                dataIndex: "key",
                width: 220,
                render: (k: string) => <Typography.Text code>{k}</Typography.Text>,
              },
              {
                title: "",
                dataIndex: "status",
                width: 90,
                render: (s: InheritedStatus) => (
                  <Tag color={COLORS[s]} data-entry-status={s}>
                    {t(s)}
                  </Tag>
                ),
              },
              {
                title: t("origin"),
                width: 260,
                render: (_: unknown, e: InheritedEntry) => (
                  <span>
                    <Origin origin={e.origin} levelName={levelName} />
                    {e.overrides && (
                      <div>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {t("overridden")}: <Origin origin={e.overrides} levelName={levelName} />
                        </Typography.Text>
                      </div>
                    )}
                  </span>
                ),
              },
              {
                title: t("value"),
                render: (_: unknown, e: InheritedEntry) => (
                  <pre className="yidi-value">{preview(e.value)}</pre>
                ),
              },
            ]}
          />
        </Card>
      ))}
    </div>
  );
}
