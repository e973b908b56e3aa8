import { DownloadOutlined, SearchOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Card, DatePicker, Form, Input, Select, Space, Table, Tag } from "antd";
import type { Dayjs } from "dayjs";
import { useState } from "react";
import { Link } from "react-router";
import { CATEGORIES, regionName } from "../../../engine/vocabulary.ts";
import { client, unwrap } from "../api/client.ts";
import type { paths } from "../api/schema.d.ts";
import { QueryState } from "../components/query-state.tsx";
import { type MessageKey, useLang } from "../i18n.tsx";
import { regionOptions } from "./desk-page.tsx";

type Query = NonNullable<paths["/api/filings"]["get"]["parameters"]["query"]>;
export type FilingRow = paths["/api/filings"]["get"]["responses"][200]["content"]["application/json"][number];
type Search = {
  name?: string;
  idNumber?: string;
  region?: string;
  category?: Query["category"];
  status?: Query["status"];
  from?: Dayjs;
  to?: Dayjs;
};

export const STATUS_COLOR: Record<FilingRow["status"], string> = {
  active: "green",
  expired: "orange",
  revoked: "red",
  consumed: "default",
};

/** The search as the API's query: empty fields left out. */
function queryOf(s: Search): Query {
  return {
    ...(s.name && { name: s.name }),
    ...(s.idNumber && { idNumber: s.idNumber }),
    ...(s.region && { region: s.region }),
    ...(s.category && { category: s.category }),
    ...(s.status && { status: s.status }),
    ...(s.from && { from: s.from.format("YYYY-MM-DD") }),
    ...(s.to && { to: s.to.format("YYYY-MM-DD") }),
  };
}

/** A download link of a summary table with the search's filters. */
const exportUrl = (q: Query, table: string, format: "csv" | "xlsx") => {
  const p = new URLSearchParams({ table, format });
  for (const k of ["region", "category", "from", "to", "status"] as const) {
    const v = q[k];
    if (v) p.set(k, String(v));
  }
  return `/api/filings/export?${p}`;
};

/** The registry: filings searched by name, ID number, region, category, status and dates. */
export function RegistryPage() {
  const { t, lang } = useLang();
  const [search, setSearch] = useState<Query>({});
  const filings = useQuery({
    queryKey: ["filings", search],
    queryFn: () => unwrap(client.GET("/api/filings", { params: { query: { ...search, limit: 200 } } })),
  });
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Card size="small">
        <Form<Search> layout="inline" onFinish={(v) => setSearch(queryOf(v))} data-testid="registry-search">
          <Form.Item name="name" label={t("name")}>
            <Input allowClear style={{ width: 120 }} />
          </Form.Item>
          <Form.Item name="idNumber" label={t("idNumber")}>
            <Input allowClear style={{ width: 190 }} />
          </Form.Item>
          <Form.Item name="region" label={t("insuredRegion")}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              options={regionOptions()}
              style={{ width: 180 }}
            />
          </Form.Item>
          <Form.Item name="category" label={t("category")}>
            <Select
              allowClear
              style={{ width: 150 }}
              options={Object.entries(CATEGORIES.labels).map(([value, l]) => ({ value, label: l[lang] }))}
            />
          </Form.Item>
          <Form.Item name="status" label={t("status")}>
            <Select
              allowClear
              style={{ width: 110 }}
              options={(["active", "expired", "revoked", "consumed"] as const).map((s) => ({
                value: s,
                label: t(`filing_${s}` as MessageKey),
              }))}
            />
          </Form.Item>
          <Form.Item name="from" label={t("validFromAfter")}>
            <DatePicker />
          </Form.Item>
          <Form.Item name="to" label={t("validFromBefore")}>
            <DatePicker />
          </Form.Item>
          <Button htmlType="submit" type="primary" icon={<SearchOutlined />} data-testid="search">
            {t("search")}
          </Button>
        </Form>
      </Card>
      <Space wrap data-testid="exports">
        <Button icon={<DownloadOutlined />} href={exportUrl(search, "summary", "csv")}>
          {t("exportSummary")} CSV
        </Button>
        <Button icon={<DownloadOutlined />} href={exportUrl(search, "summary", "xlsx")}>
          {t("exportSummary")} XLSX
        </Button>
        {(["resettled", "long_term", "worker"] as const).map((table, i) => (
          <Button key={table} icon={<DownloadOutlined />} href={exportUrl(search, table, "xlsx")}>
            攀医保〔2017〕10号 附件{i + 3} XLSX
          </Button>
        ))}
      </Space>
      <QueryState query={filings}>
        {() => (
          <Table<FilingRow>
            size="small"
            rowKey="id"
            data-testid="filings"
            dataSource={filings.data ?? []}
            pagination={{ pageSize: 20 }}
            columns={[
              {
                title: t("name"),
                dataIndex: "name",
                render: (n: string | null, f) => <Link to={`/registry/${f.id}`}>{n ?? "—"}</Link>,
              },
              { title: t("idNumber"), dataIndex: "idMasked" },
              { title: t("insuredRegion"), dataIndex: "insuredRegion", render: regionName },
              {
                title: t("destination"),
                dataIndex: "destinationRegion",
                render: (r: string | null, f) =>
                  `${r ? regionName(r) : "—"}${f.hospitalName ? ` · ${f.hospitalName}` : ""}`,
              },
              {
                title: t("category"),
                dataIndex: "category",
                render: (c: string) => CATEGORIES.labels[c as keyof typeof CATEGORIES.labels]?.[lang] ?? c,
              },
              {
                title: t("status"),
                dataIndex: "status",
                render: (s: FilingRow["status"]) => (
                  <Tag color={STATUS_COLOR[s]} data-testid={`status-${s}`}>
                    {t(`filing_${s}` as MessageKey)}
                  </Tag>
                ),
              },
              { title: t("validFrom"), dataIndex: "validFrom" },
              {
                title: t("validUntil"),
                dataIndex: "validUntil",
                render: (d: string | null) => d ?? t("noEnd"),
              },
              { title: t("endedOn"), dataIndex: "endedOn", render: (d: string | null) => d ?? "" },
            ]}
          />
        )}
      </QueryState>
    </Space>
  );
}
