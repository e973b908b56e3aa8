import { PrinterOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Modal,
  Radio,
  Row,
  Select,
  Space,
  Tag,
  Timeline,
  Typography,
} from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { useParams } from "react-router";
import { CATEGORIES, HOSPITAL_LEVELS, regionName } from "../../../engine/vocabulary.ts";
import { client, unwrap } from "../api/client.ts";
import type { paths } from "../api/schema.d.ts";
import type { Decision } from "../api/types.ts";
import { DecisionCard } from "../components/decision-card.tsx";
import { QueryState } from "../components/query-state.tsx";
import { type MessageKey, useLang } from "../i18n.tsx";
import { Materials, regionOptions } from "./desk-page.tsx";
import { STATUS_COLOR } from "./registry-page.tsx";

type Filing = paths["/api/filings/{id}"]["get"]["responses"][200]["content"]["application/json"];
type ActionKind = "change" | "revoke" | "extend" | "consume";
/** What the rules would decide for an action, before the clerk confirms it. */
type Preview = {
  effect: "apply" | "queue" | "refuse";
  decision: Decision | null;
  error?: string | undefined;
};
type Outcome = {
  applied: boolean;
  queued: boolean;
  decision: (Decision & { decisionId?: string }) | null;
  error?: string | undefined;
};

const EVENT_COLOR: Record<string, string> = {
  filed: "green",
  changed: "blue",
  extended: "blue",
  revoked: "red",
  consumed: "gray",
};

const PREVIEW_TITLE = {
  apply: "previewApply",
  queue: "previewQueue",
  refuse: "previewRefuse",
} as const satisfies Record<Preview["effect"], MessageKey>;
const CONFIRM_LABEL = {
  apply: "confirmApply",
  queue: "confirmQueue",
  refuse: "confirmRecordRefusal",
} as const satisfies Record<Preview["effect"], MessageKey>;

/** A value of an event's detail in plain words. */
const plain = (v: unknown): string =>
  v == null
    ? "—"
    : typeof v === "object"
      ? Object.entries(v as Record<string, unknown>)
          .map(([k, x]) => `${k} ${plain(x)}`)
          .join("，")
      : String(v);

/** One filing: its data, its history as a timeline, and the actions the rules decide. */
export function FilingPage() {
  const { id = "" } = useParams();
  const { t, lang } = useLang();
  const [action, setAction] = useState<ActionKind | null>(null);
  const filing = useQuery({
    queryKey: ["filing", id],
    queryFn: () => unwrap(client.GET("/api/filings/{id}", { params: { path: { id } } })),
  });
  return (
    <QueryState query={filing}>
      {() => {
        const f = filing.data as Filing;
        const open = f.status === "active";
        return (
          <Row gutter={16}>
            <Col xs={24} xl={15}>
              <Card
                size="small"
                data-testid="filing"
                title={
                  <Space>
                    {f.name ?? f.idMasked}
                    <Tag color={STATUS_COLOR[f.status]} data-testid="filing-status">
                      {t(`filing_${f.status}` as MessageKey)}
                    </Tag>
                  </Space>
                }
                extra={
                  <Button
                    size="small"
                    icon={<PrinterOutlined />}
                    href={`/api/decisions/${f.decisionId}/receipt.html`}
                    target="_blank"
                  >
                    {t("printCertificate")}
                  </Button>
                }
              >
                <Descriptions size="small" bordered column={2}>
                  <Descriptions.Item label={t("idNumber")}>{f.idNumber}</Descriptions.Item>
                  <Descriptions.Item label={t("insuredRegion")}>
                    {regionName(f.insuredRegion)}
                  </Descriptions.Item>
                  <Descriptions.Item label={t("category")}>
                    {CATEGORIES.labels[f.category as keyof typeof CATEGORIES.labels]?.[lang] ?? f.category}
                  </Descriptions.Item>
                  <Descriptions.Item label={t("destination")}>
                    {f.destinationRegion ? regionName(f.destinationRegion) : "—"}
                    {f.hospitalName && ` · ${f.hospitalName}`}
                  </Descriptions.Item>
                  <Descriptions.Item label={t("validity")}>
                    {f.validFrom} {t("until")} {f.validUntil ?? t("noEnd")}
                    {f.singleUse && <Tag style={{ marginLeft: 8 }}>{t("singleUse")}</Tag>}
                  </Descriptions.Item>
                  <Descriptions.Item label={t("changeLock")}>{f.changeLockedUntil ?? "—"}</Descriptions.Item>
                  <Descriptions.Item label={t("extensions")}>{f.extensions}</Descriptions.Item>
                  <Descriptions.Item label={t("endedOn")}>{f.endedOn ?? "—"}</Descriptions.Item>
                </Descriptions>
                <Space style={{ marginTop: 12 }} wrap data-testid="filing-actions">
                  {(["change", "extend", "revoke", "consume"] as const).map((k) => (
                    <Button key={k} disabled={!open} onClick={() => setAction(k)} data-testid={`action-${k}`}>
                      {t(`act_${k}` as MessageKey)}
                    </Button>
                  ))}
                </Space>
              </Card>
            </Col>
            <Col xs={24} xl={9}>
              <Card size="small" title={t("history")}>
                <Timeline
                  data-testid="history"
                  items={f.events.map((e) => ({
                    color: EVENT_COLOR[e.event] ?? "blue",
                    children: (
                      <div>
                        <Typography.Text strong>{t(`event_${e.event}` as MessageKey)}</Typography.Text>{" "}
                        <Typography.Text type="secondary">
                          {dayjs(e.at).format("YYYY-MM-DD HH:mm")} · {e.actor}
                        </Typography.Text>
                        {Object.keys(e.detail).length > 0 && (
                          <div style={{ fontSize: 12 }}>{plain(e.detail)}</div>
                        )}
                      </div>
                    ),
                  }))}
                />
              </Card>
            </Col>
            {action && <ActionModal filing={f} kind={action} onClose={() => setAction(null)} />}
          </Row>
        );
      }}
    </QueryState>
  );
}

type ActionValues = {
  asOf?: Dayjs;
  admission?: Dayjs;
  discharge?: Dayjs;
  materials?: string[];
  category?: string;
  destination?: string;
  hospitalName?: string;
  hospitalLevel?: string;
  specialReason?: boolean;
};

/** A change, extension, revocation or settlement of a filing, decided by the rules; the decision is shown. */
function ActionModal({
  filing: f,
  kind,
  onClose,
}: {
  filing: Filing;
  kind: ActionKind;
  onClose: () => void;
}) {
  const { t, lang } = useLang();
  const qc = useQueryClient();
  const [form] = Form.useForm<ActionValues>();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState(false);
  const asOf = ((Form.useWatch("asOf", form) as Dayjs | undefined) ?? dayjs()).format("YYYY-MM-DD");
  const req = useQuery({
    queryKey: ["requirements", f.insuredRegion, f.category, kind, asOf],
    enabled: kind !== "consume",
    queryFn: () =>
      unwrap(
        client.GET("/api/requirements", {
          params: {
            query: {
              region: f.insuredRegion,
              category: f.category as keyof typeof CATEGORIES.labels,
              kind: kind as "change",
              asOf,
            },
          },
        }),
      ),
  });

  const day = (d: Dayjs | undefined) => (d ?? dayjs()).format("YYYY-MM-DD");
  /** The request body of a change, extension or revocation, from the form. */
  const actionBody = (v: ActionValues) => {
    const filing: Record<string, unknown> = { materials: v.materials ?? [] };
    if (kind === "change") {
      if (v.category) filing.category = v.category;
      if (v.destination)
        filing.destination = {
          region: v.destination,
          ...(v.hospitalName && {
            hospital: { name: v.hospitalName, ...(v.hospitalLevel && { level: v.hospitalLevel }) },
          }),
        };
      if (v.specialReason !== undefined) filing.specialReason = v.specialReason;
    }
    return { asOf: day(v.asOf), revision: f.revision, filing: filing as never };
  };

  /** Step 1: what the rules would decide, applying nothing. */
  const showPreview = async (v: ActionValues) => {
    setBusy(true);
    try {
      const res = await client.POST(
        `/api/filings/{id}/${kind}/preview` as "/api/filings/{id}/extend/preview",
        {
          params: { path: { id: f.id } },
          body: actionBody(v),
        },
      );
      const err = (res.error as { error?: { message?: string } } | undefined)?.error;
      setPreview(
        res.data
          ? { effect: res.data.effect, decision: res.data.decision as unknown as Decision }
          : { effect: "refuse", decision: null, error: err?.message ?? res.response.statusText },
      );
    } finally {
      setBusy(false);
    }
  };

  /** Step 2: the clerk confirms what the preview showed. */
  const run = async (v: ActionValues) => {
    setBusy(true);
    try {
      let res: { data?: unknown; error?: unknown; response: Response };
      if (kind === "consume") {
        res = await client.POST("/api/filings/{id}/consume", {
          params: { path: { id: f.id } },
          body: { admission: day(v.admission), discharge: day(v.discharge), revision: f.revision },
        });
      } else {
        res = await client.POST(`/api/filings/{id}/${kind}` as "/api/filings/{id}/extend", {
          params: { path: { id: f.id } },
          body: actionBody(v),
        });
      }
      const data = res.data as { decision?: Decision; review?: unknown } | undefined;
      const err = (res.error as { error?: { message?: string; decision?: Decision } } | undefined)?.error;
      if (res.response.ok) {
        setOutcome({
          applied: res.response.status === 200,
          queued: res.response.status === 202,
          decision: data?.decision ?? null,
        });
        await qc.invalidateQueries({ queryKey: ["filing", f.id] });
        await qc.invalidateQueries({ queryKey: ["filings"] });
      } else {
        setOutcome({ applied: false, queued: false, decision: err?.decision ?? null, error: err?.message });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      width={760}
      title={t(`act_${kind}` as MessageKey)}
      onCancel={onClose}
      footer={
        outcome ? (
          <Button onClick={onClose} data-testid="action-close">
            {t("close")}
          </Button>
        ) : kind === "consume" || preview ? (
          <Space>
            <Button onClick={onClose}>{t("cancel")}</Button>
            <Button
              type="primary"
              loading={busy}
              danger={preview?.effect === "refuse"}
              disabled={preview !== null && preview.decision === null}
              onClick={() => form.validateFields().then(run)}
              data-testid="action-confirm"
            >
              {kind === "consume" ? t("decideAndApply") : t(CONFIRM_LABEL[preview?.effect ?? "apply"])}
            </Button>
          </Space>
        ) : (
          <Space>
            <Button onClick={onClose}>{t("cancel")}</Button>
            <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="action-preview">
              {t("previewDecision")}
            </Button>
          </Space>
        )
      }
    >
      {outcome ? (
        <Space direction="vertical" style={{ width: "100%" }} data-testid="action-outcome">
          <Alert
            type={outcome.applied ? "success" : outcome.queued ? "info" : "warning"}
            showIcon
            title={
              outcome.applied
                ? t("applied")
                : outcome.queued
                  ? t("queuedForReview")
                  : (outcome.error ?? t("notApplied"))
            }
          />
          {outcome.decision && <DecisionCard decision={outcome.decision} />}
          {outcome.decision?.decisionId && !outcome.applied && !outcome.queued && (
            <Button
              icon={<PrinterOutlined />}
              href={`/api/decisions/${outcome.decision.decisionId}/notice.html`}
              target="_blank"
            >
              {t("printNotice")}
            </Button>
          )}
        </Space>
      ) : (
        <>
          <Form
            form={form}
            layout="vertical"
            onFinish={kind === "consume" ? run : showPreview}
            onValuesChange={() => setPreview(null)}
            initialValues={{ asOf: dayjs(), materials: [] }}
          >
            {kind === "consume" ? (
              <Space>
                <Form.Item name="admission" label={t("admission")} rules={[{ required: true }]}>
                  <DatePicker />
                </Form.Item>
                <Form.Item name="discharge" label={t("discharge")} rules={[{ required: true }]}>
                  <DatePicker />
                </Form.Item>
              </Space>
            ) : (
              <>
                <Form.Item name="asOf" label={t("applicationDate")}>
                  <DatePicker allowClear={false} />
                </Form.Item>
                {kind === "change" && (
                  <>
                    <Form.Item name="category" label={t("category")}>
                      <Select
                        allowClear
                        options={Object.entries(CATEGORIES.labels).map(([value, l]) => ({
                          value,
                          label: l[lang],
                        }))}
                      />
                    </Form.Item>
                    <Form.Item name="destination" label={t("destination")}>
                      <Select allowClear showSearch optionFilterProp="label" options={regionOptions()} />
                    </Form.Item>
                    <Space>
                      <Form.Item name="hospitalName" label={t("hospital")}>
                        <Input />
                      </Form.Item>
                      <Form.Item name="hospitalLevel" label={t("hospitalLevel")}>
                        <Select
                          allowClear
                          style={{ width: 120 }}
                          options={Object.entries(HOSPITAL_LEVELS.labels).map(([value, l]) => ({
                            value,
                            label: l[lang],
                          }))}
                        />
                      </Form.Item>
                    </Space>
                    <Form.Item name="specialReason" label={t("specialReason")}>
                      <Radio.Group
                        options={[
                          { value: true, label: t("yes") },
                          { value: false, label: t("no") },
                        ]}
                      />
                    </Form.Item>
                  </>
                )}
                <Materials req={req.data} />
                {req.data && req.data.rules.length > 0 && (
                  <Typography.Paragraph type="secondary" style={{ fontSize: 12 }} data-testid="action-rules">
                    {t("rulesApplied")}:{" "}
                    {req.data.rules
                      .map((r) => `${r.message}〔${r.citation.document} ${r.citation.clause}〕`)
                      .join("；")}
                  </Typography.Paragraph>
                )}
              </>
            )}
          </Form>
          {preview && (
            <Space direction="vertical" style={{ width: "100%" }} data-testid="action-preview-result">
              <Alert
                type={
                  preview.effect === "apply" ? "success" : preview.effect === "queue" ? "info" : "warning"
                }
                showIcon
                title={preview.error ?? t(PREVIEW_TITLE[preview.effect])}
              />
              {preview.decision && <DecisionCard decision={preview.decision} />}
            </Space>
          )}
        </>
      )}
    </Modal>
  );
}
