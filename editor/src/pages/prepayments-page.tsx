import { useQuery } from "@tanstack/react-query";
import { Card, Col, DatePicker, Empty, Row, Space, Statistic, Table, Tag, Typography } from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { client, unwrap } from "../api/client.ts";
import type { paths } from "../api/schema.d.ts";
import { QueryState } from "../components/query-state.tsx";
import { UsageChart } from "../components/usage-chart.tsx";
import { type MessageKey, useLang } from "../i18n.tsx";

type Report = paths["/api/prepayments/report"]["get"]["responses"][200]["content"]["application/json"];
type ReportRow = Report["rows"][number];

const LEVEL_COLOR: Record<ReportRow["level"], string> = { normal: "green", yellow: "gold", red: "red" };

/** The prepayment monitor: monthly usage per province pair with the 70 % and 90 % lines, and the figures. */
export function PrepaymentsPage() {
  const { t } = useLang();
  const [year, setYear] = useState(dayjs().year());
  const report = useQuery({
    queryKey: ["prepayments", year],
    queryFn: () => unwrap(client.GET("/api/prepayments/report", { params: { query: { year } } })),
  });
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Space>
        <Typography.Text>{t("year")}</Typography.Text>
        <DatePicker
          picker="year"
          allowClear={false}
          value={dayjs(`${year}-01-01`)}
          onChange={(d) => d && setYear(d.year())}
          data-testid="year"
        />
      </Space>
      <QueryState query={report}>
        {() => {
          const r = report.data as Report;
          if (r.chart.series.length === 0) return <Empty description={t("noPrepayments")} />;
          return (
            <>
              <Space size="large">
                <Statistic title={t("level_normal")} value={r.counts.normal} />
                <Statistic
                  title={t("level_yellow")}
                  value={r.counts.yellow}
                  valueStyle={{ color: "#d48806" }}
                />
                <Statistic title={t("level_red")} value={r.counts.red} valueStyle={{ color: "#cf1322" }} />
              </Space>
              <Row gutter={[16, 16]}>
                {r.chart.series.map((s) => (
                  <Col xs={24} xl={12} key={s.name}>
                    <Card size="small" title={s.name} data-testid="pair-chart">
                      <UsageChart
                        data={{ months: r.chart.months, series: [s], thresholds: r.chart.thresholds }}
                      />
                    </Card>
                  </Col>
                ))}
              </Row>
              <Table<ReportRow>
                size="small"
                data-testid="prepayment-rows"
                rowKey={(x) => `${x.insuredProvince}-${x.treatmentProvince}-${x.month}`}
                dataSource={r.rows}
                pagination={false}
                columns={[
                  { title: t("month"), render: (_, x) => `${x.year}-${String(x.month).padStart(2, "0")}` },
                  {
                    title: t("provincePair"),
                    render: (_, x) =>
                      `${x.insuredProvinceName ?? x.insuredProvince} → ${x.treatmentProvinceName ?? x.treatmentProvince}`,
                  },
                  { title: t("prepayment"), dataIndex: "prepayment", align: "right" },
                  { title: t("clearing"), dataIndex: "clearing", align: "right" },
                  {
                    title: t("usage"),
                    dataIndex: "usageRatio",
                    align: "right",
                    // the ratio is a 4-place decimal string: shown as a percent by moving the point
                    render: (v: string) => `${(Number(v) * 100).toFixed(2)} %`,
                  },
                  {
                    title: t("status"),
                    render: (_, x) => (
                      <Space direction="vertical" size={0}>
                        <Tag color={LEVEL_COLOR[x.level]}>{t(`level_${x.level}` as MessageKey)}</Tag>
                        {x.warning && (
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {x.warning} 〔{x.citation.document} {x.citation.clause}〕
                          </Typography.Text>
                        )}
                        {x.emergencyTopUp && (
                          <Typography.Text type="danger" style={{ fontSize: 12 }}>
                            {x.emergencyTopUp.message}
                          </Typography.Text>
                        )}
                      </Space>
                    ),
                  },
                ]}
              />
            </>
          );
        }}
      </QueryState>
    </Space>
  );
}
