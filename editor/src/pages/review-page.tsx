import { Button, Card, Empty, Table, Typography } from "antd";
import { useNavigate } from "react-router";
import { useRuleSets } from "../api/queries.ts";
import type { VersionSummary } from "../api/types.ts";
import { QueryState } from "../components/query-state.tsx";
import { useLang } from "../i18n.tsx";
import { regionLabel } from "../versions.ts";

/** /review: the versions waiting for an approver, each opening its diff & review tab. */
export function ReviewPage() {
  const { t } = useLang();
  const navigate = useNavigate();
  const waiting = useRuleSets("in_review");
  const rows = (waiting.data ?? []).flatMap((g) => g.versions);
  return (
    <Card size="small" title={t("reviewQueue")}>
      <QueryState query={waiting}>
        {() =>
          rows.length === 0 ? (
            <Empty description={t("nothingToReview")} />
          ) : (
            <Table<VersionSummary>
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={rows}
              columns={[
                {
                  title: t("regions"),
                  render: (_, v) => (
                    <span>
                      {regionLabel(v.region)}{" "}
                      <Typography.Text type="secondary">{v.ruleSetId}</Typography.Text>
                    </span>
                  ),
                },
                { title: t("versions"), dataIndex: "version" },
                { title: t("effectiveFrom"), render: (_, v) => v.effectiveFrom ?? t("notSet") },
                { title: t("author"), dataIndex: "author" },
                { title: t("submittedBy"), render: (_, v) => v.submittedBy ?? "" },
                { title: t("revision"), dataIndex: "revision" },
                {
                  title: "",
                  render: (_, v) => (
                    <Button type="primary" size="small" onClick={() => navigate(`/versions/${v.id}/diff`)}>
                      {t("openReview")}
                    </Button>
                  ),
                },
              ]}
            />
          )
        }
      </QueryState>
    </Card>
  );
}
