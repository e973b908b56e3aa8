import { Empty, List, Tag, Typography } from "antd";
import type { Change } from "../api/types.ts";
import { useLang } from "../i18n.tsx";

const COLORS = { added: "green", removed: "red", changed: "orange" } as const;
const show = (v: unknown) => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

/** What changed, in the officer's words: one line per rule, material, period or figure, with its fields. */
export function ChangeSummary({ changes }: { changes: Change[] }) {
  const { t, lang } = useLang();
  if (changes.length === 0) return <Empty description={t("noChanges")} />;
  const sections = [...new Set(changes.map((c) => c.section))];
  return (
    <div data-testid="change-summary">
      {sections.map((section) => (
        <List
          key={section}
          size="small"
          header={<Typography.Text strong>{section}</Typography.Text>}
          dataSource={changes.filter((c) => c.section === section)}
          renderItem={(c) => (
            <List.Item data-change={`${c.section}/${c.key}`}>
              <div style={{ width: "100%" }}>
                <Tag color={COLORS[c.change]}>{t(c.change)}</Tag>
                <Typography.Text>{c.message[lang]}</Typography.Text>
                {c.fields && c.fields.length > 0 && (
                  <ul style={{ margin: "4px 0 0", paddingLeft: 20, fontSize: 12 }}>
                    {c.fields.map((f) => (
                      <li key={f.path}>
                        <Typography.Text code>{f.path}</Typography.Text>{" "}
                        <Typography.Text delete type="danger">
                          {show(f.before)}
                        </Typography.Text>{" "}
                        → <Typography.Text type="success">{show(f.after)}</Typography.Text>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </List.Item>
          )}
        />
      ))}
    </div>
  );
}
