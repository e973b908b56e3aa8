import { CheckCircleOutlined, CloseCircleOutlined } from "@ant-design/icons";
import { Card, Typography } from "antd";
import type { Problem } from "../api/types.ts";
import { useLang } from "../i18n.tsx";

/** Like VS Code's problems panel: one line per problem; a click jumps to it in the editor. */
export function ProblemsPanel({ problems, onJump }: { problems: Problem[]; onJump: (p: Problem) => void }) {
  const { t } = useLang();
  return (
    <Card
      size="small"
      title={`${t("problems")} (${problems.length})`}
      styles={{ body: { padding: 4, maxHeight: 180, overflow: "auto" } }}
      data-testid="problems-panel"
    >
      {problems.length === 0 ? (
        <Typography.Text type="success" style={{ padding: 8, display: "block" }}>
          <CheckCircleOutlined /> {t("noProblems")}
        </Typography.Text>
      ) : (
        problems.map((p) => (
          // biome-ignore lint/a11y/useSemanticElements: a row of a list, keyboard-reachable
          <div
            key={`${p.line}:${p.column}:${p.path.join(".")}:${p.message}`}
            className="yidi-problem"
            role="button"
            tabIndex={0}
            data-line={p.line}
            onClick={() => onJump(p)}
            onKeyDown={(e) => e.key === "Enter" && onJump(p)}
          >
            <CloseCircleOutlined style={{ color: "#cf1322" }} />{" "}
            <Typography.Text type="secondary">
              {p.line ?? "?"}:{p.column ?? "?"}
            </Typography.Text>{" "}
            {p.path.length > 0 && <Typography.Text code>{p.path.join(".")}</Typography.Text>} {p.message}{" "}
            <Typography.Text type="secondary">[{p.code}]</Typography.Text>
          </div>
        ))
      )}
    </Card>
  );
}
