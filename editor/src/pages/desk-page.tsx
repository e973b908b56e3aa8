import { PrinterOutlined, SaveOutlined } from "@ant-design/icons";
import { useMutation, useQuery } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Descriptions,
  Divider,
  Empty,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Space,
  Steps,
  Typography,
} from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { Link } from "react-router";
import { CATEGORIES, KINDS, REGION_NAMES } from "../../../engine/vocabulary.ts";
import { client, unwrap } from "../api/client.ts";
import type { ApiError, Decision } from "../api/types.ts";
import { DecisionCard } from "../components/decision-card.tsx";
import {
  caseOf,
  fieldsOfStep,
  formFieldsOf,
  idInfo,
  inputOf,
  materialGroups,
  REQUIRED,
  type RequiredField,
  type Requirements,
  STEPS,
  type Step,
  stepOf,
} from "../desk/desk-model.ts";
import { useLang } from "../i18n.tsx";

type FormValues = Record<string, unknown> & { asOf?: Dayjs; kind?: string; materials?: string[] };
type DeskDecision = Decision & { decisionId: string; review?: { status: string } };

const DESK_KINDS = ["filing", "change", "revoke", "extend", "settlement"] as const;

/** A money amount as the case takes it: a decimal string, at most 2 places (never a JS number). */
const MONEY = /^\d{1,15}(\.\d{1,2})?$/;

export const regionOptions = () =>
  Object.entries(REGION_NAMES)
    .filter(([code]) => code !== "000000")
    .map(([value, name]) => ({ value, label: `${name} (${value})` }));

/** The clerk's desk: a filing decided from a form in steps, in plain words, with its printed documents. */
export function DeskPage() {
  const { t, lang } = useLang();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [step, setStep] = useState(0);
  const [decision, setDecision] = useState<DeskDecision | null>(null);
  const [filingId, setFilingId] = useState<string | null>(null);
  const region = Form.useWatch("insured.region", form) as string | undefined;
  const category = Form.useWatch("filing.category", form) as string | undefined;
  const kind = (Form.useWatch("kind", form) as string | undefined) ?? "filing";
  const asOfDay = Form.useWatch("asOf", form) as Dayjs | undefined;
  const asOf = (asOfDay ?? dayjs()).format("YYYY-MM-DD");
  const idNumber = Form.useWatch("applicant.idNumber", form) as string | undefined;
  const channel = Form.useWatch("filing.channel", form) as string | undefined;
  const materials = (Form.useWatch("materials", form) as string[] | undefined) ?? [];

  const req = useQuery({
    queryKey: ["requirements", region, category, kind, asOf],
    enabled: Boolean(region),
    queryFn: () =>
      unwrap(
        client.GET("/api/requirements", {
          params: {
            query: {
              region: region as string,
              kind: kind as (typeof DESK_KINDS)[number],
              asOf,
              ...(category && { category: category as keyof typeof CATEGORIES.labels }),
            },
          },
        }),
      ),
  });

  const decide = useMutation({
    mutationFn: (body: Record<string, unknown>) => unwrap(client.POST("/api/decisions", { body })),
    onSuccess: (d) => {
      setDecision(d as unknown as DeskDecision);
      setFilingId(null);
    },
    onError: (e) => {
      const problems = (e as ApiError).problems ?? [];
      message.error([(e as Error).message, ...problems.map((p) => p.message)].join("；"));
    },
  });
  const register = useMutation({
    mutationFn: (decisionId: string) => unwrap(client.POST("/api/filings", { body: { decisionId } })),
    onSuccess: (f) => {
      setFilingId(f.id);
      message.success(t("registered"));
    },
    onError: (e) => message.error((e as Error).message),
  });

  const submit = () => {
    const v = form.getFieldsValue(true) as FormValues;
    const fields: Record<string, unknown> = {};
    for (const [k, value] of Object.entries(v)) {
      if (k === "asOf" || k === "kind" || k === "materials") continue;
      fields[k] = dayjs.isDayjs(value) ? value.format("YYYY-MM-DD") : value;
    }
    if (typeof fields["filing.emergency.diagnoses"] === "string")
      fields["filing.emergency.diagnoses"] = (fields["filing.emergency.diagnoses"] as string)
        .split(/[\s,，、]+/)
        .filter(Boolean);
    decide.mutate(caseOf({ asOf, kind, fields, materials: v.materials ?? [] }));
  };

  const id = idNumber ? idInfo(idNumber, asOf) : null;
  const stepTitles: Record<Step, string> = {
    region: t("stepRegion"),
    category: t("stepCategory"),
    person: t("stepPerson"),
    destination: t("stepDestination"),
    facts: t("stepFacts"),
  };
  const show = (s: Step) => ({ display: STEPS[step] === s ? "block" : "none" });

  return (
    <Row gutter={16}>
      <Col xs={24} xl={13}>
        <Card size="small" title={t("desk")} data-testid="desk-form">
          <Steps
            size="small"
            current={step}
            onChange={setStep}
            items={STEPS.map((s) => ({ title: stepTitles[s] }))}
            style={{ marginBottom: 16 }}
          />
          <Form
            form={form}
            layout="vertical"
            initialValues={{ kind: "filing", asOf: dayjs(), materials: [] }}
            onFinish={submit}
            onFinishFailed={({ errorFields }) => {
              const first = errorFields[0]?.name[0];
              if (typeof first === "string") setStep(Math.max(0, STEPS.indexOf(stepOf(first))));
            }}
          >
            <div style={show("region")}>
              <Form.Item name="insured.region" label={t("insuredRegion")} rules={[{ required: true }]}>
                <Select showSearch optionFilterProp="label" options={regionOptions()} data-testid="region" />
              </Form.Item>
              <Form.Item name="asOf" label={t("applicationDate")}>
                <DatePicker allowClear={false} />
              </Form.Item>
            </div>
            <div style={show("category")}>
              <Form.Item name="filing.category" label={t("category")}>
                <Radio.Group
                  options={Object.entries(CATEGORIES.labels).map(([value, l]) => ({ value, label: l[lang] }))}
                />
              </Form.Item>
              <Form.Item name="kind" label={t("kind")}>
                <Radio.Group options={DESK_KINDS.map((k) => ({ value: k, label: KINDS.labels[k][lang] }))} />
              </Form.Item>
              {req.data && (
                <Typography.Text type="secondary" data-testid="chain">
                  {t("rulesInForce")}: {req.data.chain.map((c) => `${c.id}@${c.version}`).join(" → ")}
                </Typography.Text>
              )}
            </div>
            <div style={show("person")}>
              <FieldItems req={req.data} step="person" />
              {id && (
                <Alert
                  data-testid="id-info"
                  type={id.valid ? "success" : "error"}
                  showIcon
                  style={{ marginBottom: 12 }}
                  title={
                    id.valid
                      ? `${t("birthDate")} ${id.birthDate} · ${id.sex === "male" ? t("male") : t("female")} · ${t("age")} ${id.age} · ${REGION_NAMES[id.region] ?? id.region}`
                      : `${t("badIdNumber")} (${id.problem})`
                  }
                />
              )}
            </div>
            <div style={show("destination")}>
              <FieldItems req={req.data} step="destination" />
            </div>
            <div style={show("facts")}>
              {kind === "settlement" && <SettlementFields />}
              <FieldItems req={req.data} step="facts" />
              <Materials req={req.data} />
              {materials.includes("filing_form") && formFieldsOf(req.data, channel).length > 0 && (
                <Divider titlePlacement="start" plain>
                  {t("formFields")}
                </Divider>
              )}
              {materials.includes("filing_form") &&
                formFieldsOf(req.data, channel).map((f) => (
                  <Form.Item key={f.id} name={f.id} label={f.label[lang]}>
                    <Input />
                  </Form.Item>
                ))}
            </div>
            <Space>
              <Button disabled={step === 0} onClick={() => setStep(step - 1)}>
                {t("previous")}
              </Button>
              <Button disabled={step === STEPS.length - 1} onClick={() => setStep(step + 1)}>
                {t("next")}
              </Button>
              <Button
                type="primary"
                onClick={() => form.submit()}
                loading={decide.isPending}
                data-testid="decide"
              >
                {t("decide")}
              </Button>
            </Space>
          </Form>
        </Card>
      </Col>
      <Col xs={24} xl={11}>
        {decision ? (
          <Space direction="vertical" style={{ width: "100%" }}>
            <DecisionCard decision={decision} />
            <Space wrap>
              {decision.outcome !== "approved" && (
                <Button
                  icon={<PrinterOutlined />}
                  href={`/api/decisions/${decision.decisionId}/notice.html`}
                  target="_blank"
                  data-testid="print-notice"
                >
                  {t("printNotice")}
                </Button>
              )}
              {decision.outcome === "approved" && kind !== "settlement" && (
                <Button
                  icon={<PrinterOutlined />}
                  href={`/api/decisions/${decision.decisionId}/receipt.html`}
                  target="_blank"
                  data-testid="print-receipt"
                >
                  {filingId ? t("printCertificate") : t("printReceipt")}
                </Button>
              )}
              {decision.outcome === "approved" && decision.benefits && (
                <Button
                  icon={<PrinterOutlined />}
                  href={`/api/decisions/${decision.decisionId}/slip.html`}
                  target="_blank"
                  data-testid="print-slip"
                >
                  {t("printSlip")}
                </Button>
              )}
              {decision.outcome === "approved" && kind === "filing" && !filingId && (
                <Button
                  type="primary"
                  icon={<SaveOutlined />}
                  loading={register.isPending}
                  onClick={() => register.mutate(decision.decisionId)}
                  data-testid="register"
                >
                  {t("register")}
                </Button>
              )}
              {filingId && (
                <Link to={`/registry/${filingId}`} data-testid="filing-link">
                  {t("openFiling")}
                </Link>
              )}
              {decision.outcome === "manual_review" && <Alert type="info" title={t("queuedForReview")} />}
            </Space>
          </Space>
        ) : (
          <Card size="small">
            <Empty description={t("fillAndDecide")} />
          </Card>
        )}
      </Col>
    </Row>
  );
}

/** A settlement's stay and costs (case-format.md `settlement`): money typed as decimal strings. */
function SettlementFields() {
  const { t } = useLang();
  const money = [{ pattern: MONEY, message: t("moneyFormat") }];
  const moneyInput = (name: string, label: string, required = false) => (
    <Form.Item
      name={name}
      label={label}
      rules={required ? [{ required: true }, ...money] : money}
      style={{ width: 200 }}
    >
      <Input inputMode="decimal" suffix={t("yuan")} placeholder="0.00" />
    </Form.Item>
  );
  return (
    <>
      <Divider titlePlacement="start" plain>
        {t("settlementCosts")}
      </Divider>
      <Space wrap>
        <Form.Item name="settlement.admission" label={t("admissionDate")} rules={[{ required: true }]}>
          <DatePicker />
        </Form.Item>
        <Form.Item name="settlement.discharge" label={t("dischargeDate")} rules={[{ required: true }]}>
          <DatePicker />
        </Form.Item>
        <Form.Item name="settlement.hospitalLevel" label={t("benefitLevel")} rules={[{ required: true }]}>
          <Radio.Group options={["1", "2", "3"].map((v) => ({ value: v, label: v }))} />
        </Form.Item>
        <Form.Item name="settlement.filed" label={t("stayFiled")} initialValue={true}>
          <Radio.Group
            options={[
              { value: true, label: t("yes") },
              { value: false, label: t("no") },
            ]}
          />
        </Form.Item>
      </Space>
      <Space wrap>
        {moneyInput("settlement.totalCost", t("totalCost"), true)}
        {moneyInput("settlement.selfPayCost", t("selfPayCost"))}
        {moneyInput("settlement.partialSelfPayCost", t("partialSelfPayCost"))}
        {moneyInput("settlement.yearToDate.fundPaid", t("fundPaidThisYear"))}
      </Space>
      <Space wrap>
        {(["inpatientNumber", "admissionMode", "dischargeDepartment", "primaryDiagnosis"] as const).map(
          (k) => (
            <Form.Item key={k} name={`settlement.${k}`} label={t(k)} style={{ width: 200 }}>
              <Input />
            </Form.Item>
          ),
        )}
      </Space>
    </>
  );
}

/** The inputs of a step's fields, each as the vocabulary says it is entered. */
function FieldItems({ req, step }: { req: Requirements | undefined; step: Step }) {
  return (
    <>
      {fieldsOfStep(req, step).map((f) => (
        <FieldItem key={f.id} f={f} />
      ))}
    </>
  );
}

function FieldItem({ f }: { f: RequiredField }) {
  const { lang, t } = useLang();
  const input = inputOf(f.id);
  const common = {
    name: f.id,
    label: f.label[lang],
    tooltip: f.why.join(", ") || undefined,
    ...(REQUIRED.has(f.id) && f.id !== "applicant.idNumber" && { rules: [{ required: true }] }),
  };
  if (f.id === "applicant.idNumber")
    return (
      <Form.Item
        {...common}
        rules={[
          {
            validator: (_, v: string | undefined) => {
              if (!v) return Promise.resolve();
              const info = idInfo(v, dayjs().format("YYYY-MM-DD"));
              return info.valid ? Promise.resolve() : Promise.reject(new Error(t("badIdNumber")));
            },
          },
        ]}
      >
        <Input maxLength={18} data-testid="id-number" />
      </Form.Item>
    );
  if (f.id === "filing.destination.region")
    return (
      <Form.Item {...common}>
        <Select showSearch allowClear optionFilterProp="label" options={regionOptions()} />
      </Form.Item>
    );
  switch (input.type) {
    case "select":
    case "multi":
      return (
        <Form.Item {...common}>
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            {...(input.type === "multi" && { mode: "multiple" as const })}
            options={input.options.map((o) => ({ value: o.value, label: o.label[lang] }))}
          />
        </Form.Item>
      );
    case "boolean":
      return (
        <Form.Item {...common}>
          <Radio.Group
            options={[
              { value: true, label: t("yes") },
              { value: false, label: t("no") },
            ]}
          />
        </Form.Item>
      );
    case "number":
      return (
        <Form.Item {...common}>
          <InputNumber min={0} />
        </Form.Item>
      );
    case "date":
      return (
        <Form.Item {...common}>
          <DatePicker />
        </Form.Item>
      );
    default:
      return (
        <Form.Item {...common}>
          <Input placeholder={input.type === "list" ? "I21.9, I63.9" : undefined} />
        </Form.Item>
      );
  }
}

/** The materials this category needs: single ones as checkboxes, one-of groups boxed together. */
export function Materials({ req }: { req: Pick<Requirements, "materials"> | undefined }) {
  const { t, lang } = useLang();
  const groups = materialGroups(req?.materials ?? []);
  if (groups.length === 0) return null;
  return (
    <Form.Item name="materials" label={t("materialsNeeded")}>
      <Checkbox.Group style={{ display: "block" }}>
        <Descriptions size="small" column={1} bordered data-testid="materials">
          {groups.map((g) => (
            <Descriptions.Item
              key={g.key}
              label={
                <span data-testid={g.oneOf ? "one-of" : "material"}>
                  {g.oneOf ? t("oneOf") : g.label}
                  {g.conditional && ` (${t("conditional")})`}
                </span>
              }
            >
              <Space direction="vertical" size={2}>
                {g.oneOf && <Typography.Text>{g.label}</Typography.Text>}
                <Space wrap>
                  {g.items.map((i) => (
                    <Checkbox key={i.id} value={i.id}>
                      {i.label[lang]}
                    </Checkbox>
                  ))}
                </Space>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  〔{g.citation.document} {g.citation.clause}〕
                </Typography.Text>
              </Space>
            </Descriptions.Item>
          ))}
        </Descriptions>
      </Checkbox.Group>
    </Form.Item>
  );
}
