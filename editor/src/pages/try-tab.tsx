import { Alert, Button, Card, Col, Collapse, Input, List, Row, Space, Typography } from "antd";
import { useState } from "react";
import { parse, stringify } from "yaml";
import { useSamples, useTry } from "../api/queries.ts";
import type { TryResult, Version } from "../api/types.ts";
import { CaseForm, caseFromForm } from "../components/case-form.tsx";
import { DecisionCard } from "../components/decision-card.tsx";
import { QueryState } from "../components/query-state.tsx";
import { TraceView } from "../components/trace-view.tsx";
import { useLang } from "../i18n.tsx";

/** The version tried on the region's sample cases and on cases typed, pasted or built with the form. */
export function TryTab({ version }: { version: Version }) {
  const { t } = useLang();
  const samples = useSamples(version.id);
  const run = useTry(version.id);
  const [text, setText] = useState("");
  const [results, setResults] = useState<TryResult[] | null>(null);

  const runText = async (body: string) => {
    const format = /^\s*[[{]/.test(body) ? "json" : "yaml";
    setResults(await run.mutateAsync({ text: body, format }));
  };
  const runAll = async () => {
    const cases = (samples.data ?? []).map((s) => parse(s.text) as unknown);
    if (cases.length) setResults(await run.mutateAsync({ cases }));
  };

  return (
    <Row gutter={12}>
      <Col span={10}>
        <Card
          size="small"
          title={t("samples")}
          extra={
            <Button size="small" onClick={runAll} disabled={!samples.data?.length} loading={run.isPending}>
              {t("runAllSamples")}
            </Button>
          }
          styles={{ body: { maxHeight: 260, overflow: "auto", padding: 4 } }}
        >
          <QueryState query={samples}>
            {() => (
              <List
                size="small"
                dataSource={samples.data ?? []}
                renderItem={(s) => (
                  <List.Item
                    data-sample={s.id}
                    actions={[
                      <Button
                        key="run"
                        size="small"
                        type="link"
                        onClick={() => {
                          setText(s.text);
                          void runText(s.text);
                        }}
                      >
                        {t("run")}
                      </Button>,
                    ]}
                  >
                    <Typography.Link onClick={() => setText(s.text)}>
                      <Typography.Text code>{s.id}</Typography.Text> {s.title}
                    </Typography.Link>
                  </List.Item>
                )}
              />
            )}
          </QueryState>
        </Card>
        <Card size="small" title={t("caseText")} style={{ marginTop: 12 }}>
          <Input.TextArea
            rows={10}
            value={text}
            onChange={(e) => setText(e.target.value)}
            style={{ fontFamily: "ui-monospace, Menlo, Consolas, monospace", fontSize: 12 }}
            data-testid="case-text"
          />
          <Button
            type="primary"
            style={{ marginTop: 8 }}
            onClick={() => runText(text)}
            disabled={!text.trim()}
            loading={run.isPending}
            data-testid="run-case"
          >
            {t("run")}
          </Button>
        </Card>
        <Collapse
          style={{ marginTop: 12 }}
          size="small"
          items={[
            {
              key: "form",
              label: t("caseForm"),
              children: <CaseForm onBuild={(v) => setText(stringify(caseFromForm(v)))} />,
            },
          ]}
        />
      </Col>
      <Col span={14}>
        {run.isError && <Alert type="error" showIcon title={(run.error as Error).message} />}
        {results?.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: results come in the order of the cases sent
          <div key={`${i}:${r.id ?? ""}`} style={{ marginBottom: 12 }} data-testid="try-result">
            {r.ok ? (
              <Space direction="vertical" style={{ width: "100%" }}>
                <DecisionCard decision={r.decision} />
                <Collapse
                  size="small"
                  items={[
                    { key: "trace", label: t("trace"), children: <TraceView trace={r.decision.trace} /> },
                  ]}
                />
              </Space>
            ) : (
              <Alert
                type="error"
                showIcon
                title={`${t("invalidCase")} ${r.id ?? ""}`}
                description={
                  <ul style={{ margin: 0, paddingLeft: 16 }}>
                    {r.problems.map((p) => (
                      <li key={`${p.line}:${p.column}:${p.message}`}>
                        {p.line != null && `${p.line}:${p.column ?? 1} `}
                        {p.path.join(".")} {p.message}
                      </li>
                    ))}
                  </ul>
                }
              />
            )}
          </div>
        ))}
      </Col>
    </Row>
  );
}
