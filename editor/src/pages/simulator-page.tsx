import { DownloadOutlined, PlayCircleOutlined, UploadOutlined } from "@ant-design/icons";
import { useMutation } from "@tanstack/react-query";
import { Alert, Button, Card, Col, Form, Input, Row, Select, Space, Typography, Upload } from "antd";
import { useState } from "react";
import { client, unwrap } from "../api/client.ts";
import { useRuleSets } from "../api/queries.ts";
import type { paths } from "../api/schema.d.ts";
import { ApiError } from "../api/types.ts";
import { downloadText, SimulationReportView } from "../components/simulation-report.tsx";
import { type MessageKey, useLang } from "../i18n.tsx";

type Body = paths["/api/simulations"]["post"]["requestBody"]["content"]["application/json"];
type Source = NonNullable<Body["source"]>;
type Format = NonNullable<Body["format"]>;

/** Texts above this size are kept, not shown, in the text box (a 100,000-line file would freeze it). */
const SHOWN_CHARS = 200_000;

const toSource = (v: string): Source =>
  v === "published" ? { type: "published" } : { type: "version", id: Number(v.slice(2)) };

/**
 * /simulator — a tester pastes or uploads cases (YAML, JSON, JSON Lines, an exported decision log,
 * CSV with a column mapping), picks the rule source and optionally a second one to compare, runs
 * it on the server and reads the report; the same report as one HTML file to download.
 */
export function SimulatorPage() {
  const { t } = useLang();
  const ruleSets = useRuleSets();
  const [text, setText] = useState("");
  const [name, setName] = useState<string | undefined>();
  const [format, setFormat] = useState<Format | "auto">("auto");
  const [mapping, setMapping] = useState("");
  const [source, setSource] = useState("published");
  const [against, setAgainst] = useState("none");

  const body = (): Body => ({
    text,
    ...(name && { name }),
    ...(format !== "auto" && { format }),
    ...(mapping.trim() && { mapping }),
    source: toSource(source),
    ...(against !== "none" && { against: toSource(against) }),
  });
  const run = useMutation({
    mutationFn: () => unwrap(client.POST("/api/simulations", { body: body() })),
  });
  const html = useMutation({
    mutationFn: async () => {
      const page = await unwrap(
        client.POST("/api/simulations", {
          params: { query: { format: "html" } },
          body: body(),
          parseAs: "text",
        }),
      );
      downloadText(page as unknown as string, "simulation.html");
    },
  });

  const versionOptions = (ruleSets.data ?? []).map((g) => ({
    label: g.id,
    options: g.versions.map((v) => ({
      value: `v:${v.id}`,
      label: `${g.id}@${v.version} · ${t(v.status as MessageKey)} #${v.id}`,
    })),
  }));
  const sources = [{ value: "published", label: t("simPublished") }, ...versionOptions];
  const big = text.length > SHOWN_CHARS;
  const error = (run.error ?? html.error) as Error | null;

  return (
    <Row gutter={16}>
      <Col xs={24} xl={8}>
        <Card size="small" title={t("simulator")}>
          <Form layout="vertical" size="small">
            <Form.Item label={t("simCases")}>
              <Space direction="vertical" style={{ width: "100%" }}>
                <Upload
                  accept=".yaml,.yml,.json,.jsonl,.ndjson,.csv"
                  showUploadList={false}
                  beforeUpload={async (file) => {
                    setText(await file.text());
                    setName(file.name);
                    if (/\.csv$/i.test(file.name)) setFormat("csv");
                    return false;
                  }}
                >
                  <Button icon={<UploadOutlined />} data-testid="sim-upload">
                    {t("simUpload")}
                  </Button>
                </Upload>
                {name && <Typography.Text type="secondary">{name}</Typography.Text>}
                <Input.TextArea
                  rows={14}
                  value={big ? `${text.slice(0, 2000)}\n…（${text.length.toLocaleString()}）` : text}
                  readOnly={big}
                  onChange={(e) => {
                    setText(e.target.value);
                    setName(undefined);
                  }}
                  style={{ fontFamily: "ui-monospace, Menlo, Consolas, monospace", fontSize: 12 }}
                  data-testid="sim-text"
                />
              </Space>
            </Form.Item>
            <Form.Item label={t("simFormat")}>
              <Select
                value={format}
                onChange={setFormat}
                id="sim-format"
                options={[
                  { value: "auto", label: t("simFormatAuto") },
                  { value: "yaml", label: "YAML" },
                  { value: "json", label: "JSON" },
                  { value: "jsonl", label: "JSON Lines" },
                  { value: "csv", label: "CSV" },
                ]}
              />
            </Form.Item>
            {format === "csv" && (
              <Form.Item label={t("simMapping")}>
                <Input.TextArea
                  rows={6}
                  value={mapping}
                  onChange={(e) => setMapping(e.target.value)}
                  style={{ fontFamily: "ui-monospace, Menlo, Consolas, monospace", fontSize: 12 }}
                  data-testid="sim-mapping"
                />
              </Form.Item>
            )}
            <Form.Item label={t("simSource")}>
              <Select
                value={source}
                onChange={setSource}
                options={sources}
                showSearch
                optionFilterProp="label"
                id="sim-source"
              />
            </Form.Item>
            <Form.Item label={t("simAgainst")}>
              <Select
                value={against}
                onChange={setAgainst}
                options={[{ value: "none", label: t("simNone") }, ...sources]}
                showSearch
                optionFilterProp="label"
                id="sim-against"
              />
            </Form.Item>
            <Space wrap>
              <Button
                type="primary"
                icon={<PlayCircleOutlined />}
                onClick={() => run.mutate()}
                loading={run.isPending}
                disabled={!text.trim()}
                data-testid="sim-run"
              >
                {t("simRun")}
              </Button>
              <Button
                icon={<DownloadOutlined />}
                onClick={() => html.mutate()}
                loading={html.isPending}
                disabled={!text.trim()}
                data-testid="sim-download"
              >
                {t("simDownload")}
              </Button>
            </Space>
          </Form>
        </Card>
      </Col>
      <Col xs={24} xl={16}>
        {error && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 12 }}
            title={error.message}
            data-testid="sim-error"
            description={
              error instanceof ApiError && error.problems?.length ? (
                <ul style={{ margin: 0, paddingLeft: 18 }}>
                  {error.problems.slice(0, 20).map((p, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: problems in their order
                    <li key={i}>
                      {p.line !== undefined && `${t("simLine")} ${p.line} · `}
                      <Typography.Text code>{p.path.join(".")}</Typography.Text> {p.message}
                    </li>
                  ))}
                </ul>
              ) : undefined
            }
          />
        )}
        {run.data && !run.isPending && <SimulationReportView report={run.data} narrow />}
      </Col>
    </Row>
  );
}
