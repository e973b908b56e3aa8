import { Button, Checkbox, Col, DatePicker, Form, Input, Row, Select } from "antd";
import type { Dayjs } from "dayjs";
import { CARD_STATUSES, CATEGORIES, MATERIALS, SCHEMES, STATUSES } from "../../../engine/vocabulary.ts";
import { useLang } from "../i18n.tsx";

export type CaseFormValues = {
  asOf?: Dayjs;
  idNumber?: string;
  region?: string;
  scheme?: string;
  status?: string;
  cardStatus?: string;
  category?: string;
  destination?: string;
  materials?: string[];
};

/** A filing case from the form's fields (the rest the engine reports as missing). */
export function caseFromForm(v: CaseFormValues): Record<string, unknown> {
  return {
    id: "form-case",
    kind: "filing",
    ...(v.asOf && { asOf: v.asOf.format("YYYY-MM-DD") }),
    ...(v.idNumber && { applicant: { idNumber: v.idNumber } }),
    insured: {
      ...(v.region && { region: v.region }),
      ...(v.scheme && { scheme: v.scheme }),
      ...(v.status && { status: v.status }),
      ...(v.cardStatus && { cardStatus: v.cardStatus }),
    },
    filing: {
      ...(v.category && { category: v.category }),
      ...(v.destination && { destination: { region: v.destination } }),
      materials: v.materials ?? [],
    },
  };
}

const options = (table: Record<string, { zh: string; en: string }>, lang: "zh" | "en") =>
  Object.entries(table).map(([value, l]) => ({ value, label: `${l[lang]} (${value})` }));

/** The common fields of a filing case; "build" writes the case into the case box. */
export function CaseForm({ onBuild }: { onBuild: (values: CaseFormValues) => void }) {
  const { t, lang } = useLang();
  const [form] = Form.useForm<CaseFormValues>();
  return (
    <Form form={form} layout="vertical" size="small" onFinish={onBuild}>
      <Row gutter={8}>
        <Col span={8}>
          <Form.Item name="asOf" label="asOf">
            <DatePicker style={{ width: "100%" }} />
          </Form.Item>
        </Col>
        <Col span={16}>
          <Form.Item name="idNumber" label="applicant.idNumber">
            <Input placeholder="510402195001011236" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="region" label="insured.region">
            <Input placeholder="510402" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="scheme" label="insured.scheme">
            <Select allowClear options={options(SCHEMES.labels, lang)} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="status" label="insured.status">
            <Select allowClear options={options(STATUSES.labels, lang)} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="cardStatus" label="insured.cardStatus">
            <Select allowClear options={options(CARD_STATUSES.labels, lang)} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="category" label="filing.category">
            <Select allowClear options={options(CATEGORIES.labels, lang)} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="destination" label="filing.destination.region">
            <Input placeholder="460200" />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="materials" label={t("materials")}>
        <Checkbox.Group options={options(MATERIALS.labels, lang)} />
      </Form.Item>
      <Button htmlType="submit">{t("fillFromForm")}</Button>
    </Form>
  );
}
