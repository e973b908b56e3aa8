import { DownloadOutlined, PlayCircleOutlined } from "@ant-design/icons";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Alert, Button, InputNumber, Space, Typography } from "antd";
import { useState } from "react";
import { client, unwrap } from "../api/client.ts";
import type { Version } from "../api/types.ts";
import { QueryState } from "../components/query-state.tsx";
import { downloadText, SimulationReportView } from "../components/simulation-report.tsx";
import { useLang } from "../i18n.tsx";

const DEFAULT_LAST = 10_000;

/**
 * The impact of a version before it is approved: the last N logged decisions of its region
 * decided again under the published rules and with this version in its rule set's place
 * (GET /api/rule-sets/versions/{id}/impact). Run when the tab opens, again on request.
 */
export function ImpactTab({ version }: { version: Version }) {
  const { t } = useLang();
  const [last, setLast] = useState(DEFAULT_LAST);
  const [asked, setAsked] = useState(DEFAULT_LAST);
  const params = { path: { id: version.id }, query: { last: asked } };
  const impact = useQuery({
    queryKey: ["impact", version.id, version.revision, asked],
    queryFn: () => unwrap(client.GET("/api/rule-sets/versions/{id}/impact", { params })),
    staleTime: 60_000,
  });
  const html = useMutation({
    mutationFn: async () => {
      const page = await unwrap(
        client.GET("/api/rule-sets/versions/{id}/impact", {
          params: { ...params, query: { ...params.query, format: "html" } },
          parseAs: "text",
        }),
      );
      downloadText(
        page as unknown as string,
        `impact-${version.ruleSetId.replaceAll("/", "-")}-${version.version}.html`,
      );
    },
  });
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="impact-tab">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t("impactIntro")}
      </Typography.Paragraph>
      <Space wrap>
        <Typography.Text>{t("impactLast")}</Typography.Text>
        <InputNumber
          min={1}
          max={50_000}
          step={1000}
          value={last}
          onChange={(v) => setLast(v ?? DEFAULT_LAST)}
          data-testid="impact-last"
        />
        <Button
          type="primary"
          icon={<PlayCircleOutlined />}
          loading={impact.isFetching}
          onClick={() => (last === asked ? impact.refetch() : setAsked(last))}
          data-testid="impact-run"
        >
          {t("impactRun")}
        </Button>
        <Button icon={<DownloadOutlined />} loading={html.isPending} onClick={() => html.mutate()}>
          {t("simDownload")}
        </Button>
        <Typography.Text type="secondary">{t("impactRegion")}</Typography.Text>
      </Space>
      {html.isError && <Alert type="error" showIcon title={(html.error as Error).message} />}
      <QueryState query={impact}>
        {() =>
          impact.data ? (
            <>
              {impact.data.totals.changed === 0 && (
                <Alert type="success" showIcon title={t("impactNone")} data-testid="impact-none" />
              )}
              <SimulationReportView report={impact.data} />
            </>
          ) : null
        }
      </QueryState>
    </Space>
  );
}
