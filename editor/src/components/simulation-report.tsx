import { Card, Col, Collapse, Empty, Row, Space, Statistic, Table, Tabs, Tag, Typography } from "antd";
import { CATEGORIES, OUTCOMES, regionName, SCHEMES } from "../../../engine/vocabulary.ts";
import type { paths } from "../api/schema.d.ts";
import { type MessageKey, useLang } from "../i18n.tsx";
import { DeltaChart } from "./delta-chart.tsx";

/** The simulator's report as the API answers it (`yidi simulate --json`'s shape). */
export type SimulationReport =
  paths["/api/simulations"]["post"]["responses"][200]["content"]["application/json"];
type Slice = SimulationReport["byRegion"][string];
type ChangedCase = SimulationReport["changedCases"][number];

const OUTCOME_ORDER = ["approved", "incomplete", "manual_review", "rejected"];
const OUTCOME_COLOR: Record<string, string> = {
  approved: "success",
  rejected: "error",
  incomplete: "warning",
  manual_review: "processing",
};
const CHANGE_KEYS = [
  "outcome",
  "validity",
  "lock",
  "settlementMode",
  "dueDate",
  "missing",
  "fundPay",
] as const;

/**
 * A simulation's report: the summary, the outcome transitions (with two sources), what changed,
 * fund-pay deltas (a chart of the distribution), breakdowns by region, category and scheme, the
 * changed cases with the rule that made the difference, coverage, invalid cases and failures.
 */
export function SimulationReportView({
  report: r,
  narrow = false,
}: {
  report: SimulationReport;
  narrow?: boolean;
}) {
  const { t, lang } = useLang();
  const two = r.sources.length > 1;
  const tt = r.totals;
  const outcome = (o: string) => (
    <Tag color={OUTCOME_COLOR[o] ?? "default"}>
      {(OUTCOMES.labels as Record<string, { zh: string; en: string }>)[o]?.[lang] ?? o}
    </Tag>
  );
  const label = (table: Record<string, { zh: string; en: string }>, k: string) => table[k]?.[lang] ?? k;
  const sliceTable = (s: Record<string, Slice>, name: (k: string) => string, testid: string) => (
    <Table
      size="small"
      data-testid={testid}
      pagination={false}
      rowKey="key"
      dataSource={Object.entries(s)
        .sort((a, b) => b[1].changed - a[1].changed || (a[0] < b[0] ? -1 : 1))
        .map(([key, v]) => ({ key, ...v }))}
      columns={[
        { title: "", dataIndex: "key", render: (k: string) => name(k) },
        { title: t("simCaseCount"), dataIndex: "cases", align: "right" },
        { title: t("simChanged"), dataIndex: "changed", align: "right" },
        { title: t("simOutcomeChanged"), dataIndex: "outcomeChanged", align: "right" },
        { title: t("simFundSum"), dataIndex: "fundPayDelta", align: "right" },
      ]}
    />
  );

  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="simulation-report">
      <Card
        size="small"
        title={t("simSummary")}
        extra={<Typography.Text type="secondary">{r.sources.join(" → ")}</Typography.Text>}
      >
        <Row gutter={[16, 8]}>
          <Col>
            <Statistic title={t("simCasesRead")} value={tt.cases} data-testid="sim-cases" />
          </Col>
          <Col>
            <Statistic title={t("simDecided")} value={tt.decided} />
          </Col>
          <Col>
            <Statistic
              title={t("simInvalid")}
              value={tt.invalid + tt.undecidable}
              valueStyle={tt.invalid + tt.undecidable ? { color: "#cf1322" } : {}}
              data-testid="sim-invalid"
            />
          </Col>
          {tt.compared > 0 && (
            <>
              <Col>
                <Statistic title={t("simMatched")} value={tt.matched} data-testid="sim-matched" />
              </Col>
              <Col>
                <Statistic
                  title={t("simMismatched")}
                  value={tt.mismatched}
                  valueStyle={tt.mismatched ? { color: "#cf1322" } : {}}
                  data-testid="sim-mismatched"
                />
              </Col>
            </>
          )}
          {tt.unchecked > 0 && (
            <Col>
              <Statistic title={t("simUnchecked")} value={tt.unchecked} />
            </Col>
          )}
          {tt.logged > 0 && (
            <>
              <Col>
                <Statistic title={t("simReproduced")} value={tt.reproduced} data-testid="sim-reproduced" />
              </Col>
              <Col>
                <Statistic
                  title={t("simDefects")}
                  value={tt.defects}
                  valueStyle={tt.defects ? { color: "#cf1322" } : {}}
                />
              </Col>
              {tt.chainChanged > 0 && (
                <Col>
                  <Statistic title={t("simChainChanged")} value={tt.chainChanged} />
                </Col>
              )}
            </>
          )}
          {two && (
            <Col>
              <Statistic
                title={t("simChanged")}
                value={tt.changed}
                suffix={`/ ${tt.comparedSources}`}
                valueStyle={tt.changed ? { color: "#d46b08" } : {}}
                data-testid="sim-changed"
              />
            </Col>
          )}
          <Col>
            <Statistic title={t("simSpeed")} value={r.casesPerSecond} />
          </Col>
          <Col>
            <Statistic title={t("simSeconds")} value={r.seconds} />
          </Col>
        </Row>
      </Card>

      {two && (
        <Row gutter={12}>
          <Col xs={24} xl={narrow ? 24 : 12}>
            <Card size="small" title={t("simTransitions")}>
              <table
                className="sim-matrix"
                data-testid="transitions"
                style={{ borderCollapse: "collapse", width: "100%" }}
              >
                <thead>
                  <tr>
                    <th />
                    {OUTCOME_ORDER.map((o) => (
                      <th key={o} style={{ padding: 4 }}>
                        {outcome(o)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {OUTCOME_ORDER.map((from) => (
                    <tr key={from}>
                      <th style={{ padding: 4, textAlign: "left" }}>{outcome(from)}</th>
                      {OUTCOME_ORDER.map((to) => {
                        const n = r.transitions[from]?.[to] ?? 0;
                        const off = from !== to && n > 0;
                        return (
                          <td
                            key={to}
                            data-cell={`${from}-${to}`}
                            style={{
                              padding: 6,
                              textAlign: "center",
                              border: "1px solid #f0f0f0",
                              background: off ? "#fff1f0" : from === to && n ? "#f6ffed" : undefined,
                              fontWeight: off ? 600 : undefined,
                            }}
                          >
                            {n}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
              <div style={{ marginTop: 8 }}>
                <Typography.Text type="secondary">{t("simWhatChanged")}：</Typography.Text>
                {CHANGE_KEYS.map((k) => (
                  <Tag key={k} color={r.changes[k] ? "orange" : "default"} data-change={k}>
                    {t(`change_${k}` as MessageKey)} {r.changes[k]}
                  </Tag>
                ))}
              </div>
            </Card>
          </Col>
          <Col xs={24} xl={narrow ? 24 : 12}>
            <Card size="small" title={t("simFundPay")}>
              <Space size="large" wrap>
                <Statistic title={t("simFundSum")} value={r.fundPay.sum} data-testid="fund-sum" />
                <Statistic title={t("simFundBefore")} value={r.fundPay.before} />
                <Statistic title={t("simFundAfter")} value={r.fundPay.after} />
                <Statistic
                  title={t("simFundChanged")}
                  value={r.fundPay.changed}
                  suffix={`/ ${r.fundPay.compared}`}
                />
              </Space>
              <DeltaChart labels={r.deltaLabels} counts={r.fundPay.buckets} />
            </Card>
          </Col>
        </Row>
      )}

      {two && (
        <Card
          size="small"
          title={`${t("simChangedCases")} (${tt.changed})`}
          extra={r.dropped.changedCases ? `+${r.dropped.changedCases} ${t("simMore")}` : null}
        >
          {r.changedCases.length === 0 ? (
            <Empty />
          ) : (
            <Table<ChangedCase>
              size="small"
              data-testid="changed-cases"
              rowKey={(c) => `${c.file}:${c.line ?? ""}:${c.caseId}`}
              dataSource={r.changedCases}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              columns={[
                {
                  title: t("simCase"),
                  render: (_, c) => (
                    <span>
                      <Typography.Text code>{c.caseId}</Typography.Text>
                      {c.line !== undefined && <Typography.Text type="secondary"> :{c.line}</Typography.Text>}
                    </span>
                  ),
                },
                { title: t("simByRegion"), dataIndex: "region", render: (k: string) => `${regionName(k)}` },
                {
                  title: t("simByCategory"),
                  dataIndex: "category",
                  render: (k: string | null) => (k ? label(CATEGORIES.labels, k) : "—"),
                },
                {
                  title: t("outcome"),
                  render: (_, c) => (
                    <span>
                      {outcome(c.from)} → {outcome(c.to)}
                    </span>
                  ),
                },
                {
                  title: t("simWhatChanged"),
                  dataIndex: "changes",
                  render: (cs: string[]) =>
                    cs.map((k) => <Tag key={k}>{t(`change_${k}` as MessageKey)}</Tag>),
                },
                {
                  title: t("change_fundPay"),
                  dataIndex: "fundPayDelta",
                  align: "right",
                  render: (d: string | null) => d ?? "—",
                },
                {
                  title: t("simRule"),
                  dataIndex: "rule",
                  render: (x: ChangedCase["rule"]) =>
                    x ? (
                      <span data-testid="changed-rule">
                        <Typography.Text code>{x.rule}</Typography.Text>{" "}
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {x.ruleSet}：{x.before} → {x.after}
                        </Typography.Text>
                      </span>
                    ) : (
                      "—"
                    ),
                },
                ...(r.changedCases.some((c) => c.decisionId)
                  ? [
                      {
                        title: t("simDecision"),
                        dataIndex: "decisionId",
                        render: (d: string | undefined) => (
                          <Typography.Text style={{ fontSize: 11 }} copyable={!!d}>
                            {d ? d.slice(0, 8) : "—"}
                          </Typography.Text>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
          )}
        </Card>
      )}

      {two && (
        <Card size="small" title={t("simBreakdown")}>
          <Tabs
            size="small"
            items={[
              {
                key: "region",
                label: t("simByRegion"),
                children: sliceTable(r.byRegion, (k) => `${regionName(k)} ${k}`, "by-region"),
              },
              {
                key: "category",
                label: t("simByCategory"),
                children: sliceTable(r.byCategory, (k) => label(CATEGORIES.labels, k), "by-category"),
              },
              {
                key: "scheme",
                label: t("simByScheme"),
                children: sliceTable(r.byScheme, (k) => label(SCHEMES.labels, k), "by-scheme"),
              },
            ]}
          />
        </Card>
      )}

      {(r.invalidRows.length > 0 || r.failures.length > 0 || r.defects.length > 0) && (
        <Card size="small">
          <Collapse
            size="small"
            defaultActiveKey={["invalid", "failures"]}
            items={[
              ...(r.invalidRows.length
                ? [
                    {
                      key: "invalid",
                      label: `${t("simInvalidRows")} (${tt.invalid + tt.undecidable})`,
                      children: (
                        <ul data-testid="invalid-rows" style={{ margin: 0, paddingLeft: 18 }}>
                          {r.invalidRows.map((row) => (
                            <li key={`${row.file}:${row.line ?? ""}:${row.caseId ?? ""}`}>
                              <Typography.Text code>
                                {row.file}
                                {row.line !== undefined ? `:${row.line}` : ""}
                              </Typography.Text>{" "}
                              {row.caseId}
                              <ul>
                                {row.problems.map((p, i) => (
                                  // biome-ignore lint/suspicious/noArrayIndexKey: problems in their order
                                  <li key={i}>
                                    {p.line !== undefined && (
                                      <Typography.Text type="secondary">
                                        {t("simLine")} {p.line} ·{" "}
                                      </Typography.Text>
                                    )}
                                    <Typography.Text code>{p.path.join(".")}</Typography.Text> {p.message}
                                  </li>
                                ))}
                              </ul>
                            </li>
                          ))}
                        </ul>
                      ),
                    },
                  ]
                : []),
              ...(r.failures.length
                ? [
                    {
                      key: "failures",
                      label: `${t("simFailures")} (${tt.mismatched})`,
                      children: (
                        <ul data-testid="failures" style={{ margin: 0, paddingLeft: 18 }}>
                          {r.failures.map((f) => (
                            <li key={`${f.file}:${f.line ?? ""}:${f.caseId}`}>
                              <Typography.Text code>{f.caseId}</Typography.Text> {f.mismatches.join("；")}
                            </li>
                          ))}
                        </ul>
                      ),
                    },
                  ]
                : []),
              ...(r.defects.length
                ? [
                    {
                      key: "defects",
                      label: `${t("simDefects")} (${tt.defects})`,
                      children: (
                        <ul style={{ margin: 0, paddingLeft: 18 }}>
                          {r.defects.map((d) => (
                            <li key={`${d.file}:${d.line ?? ""}:${d.caseId}`}>
                              <Typography.Text code>{d.caseId}</Typography.Text> {d.differences.join("；")}
                            </li>
                          ))}
                        </ul>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        </Card>
      )}

      <Card size="small" title={t("simCoverage")}>
        <Tabs
          size="small"
          items={r.coverage.map((c, i) => ({
            key: String(i),
            label: c.source,
            children: (
              <Space direction="vertical" style={{ width: "100%" }}>
                <Table
                  size="small"
                  data-testid="coverage"
                  rowKey={(e) => `${e.ruleSet} ${e.rule}`}
                  dataSource={c.rules}
                  pagination={{ pageSize: 15, hideOnSinglePage: true }}
                  columns={[
                    { title: "", dataIndex: "ruleSet" },
                    {
                      title: t("simRule"),
                      dataIndex: "rule",
                      render: (x: string) => <Typography.Text code>{x}</Typography.Text>,
                    },
                    { title: t("simEvaluated"), dataIndex: "evaluated", align: "right" },
                    { title: t("simPassed"), dataIndex: "passed", align: "right" },
                    { title: t("simFailed"), dataIndex: "failed", align: "right" },
                    { title: t("simDecisive"), dataIndex: "decided", align: "right" },
                  ]}
                />
                <Typography.Text type="secondary">
                  {t("simNeverExercised")} ({c.neverExercised.length})：
                  {c.neverExercised
                    .slice(0, 60)
                    .map((n) => `${n.ruleSet} ${n.rule}`)
                    .join("，")}
                  {c.neverExercised.length > 60 ? " …" : ""}
                </Typography.Text>
              </Space>
            ),
          }))}
        />
      </Card>
    </Space>
  );
}

/** Saves a text as a file in the browser (the HTML report). */
export function downloadText(text: string, name: string, type = "text/html") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
