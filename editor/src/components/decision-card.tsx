import { Card, Descriptions, List, Tag, Typography } from "antd";
import { CATEGORIES, fieldLabel, MATERIALS, OUTCOMES, SETTLEMENT_MODES } from "../../../engine/vocabulary.ts";
import type { Decision } from "../api/types.ts";
import { useLang } from "../i18n.tsx";

const OUTCOME_COLOR = {
  approved: "success",
  rejected: "error",
  incomplete: "warning",
  manual_review: "processing",
};
const label = (table: Record<string, { zh: string; en: string }>, id: string | null, lang: "zh" | "en") =>
  id == null ? "—" : (table[id]?.[lang] ?? id);

/** A decision as a clerk reads it: outcome, reasons with citations, what is missing, validity, settlement, processing. */
export function DecisionCard({ decision }: { decision: Decision }) {
  const { t, lang } = useLang();
  const d = decision;
  const v = d.validity;
  return (
    <Card
      size="small"
      data-testid="decision-card"
      data-outcome={d.outcome}
      title={
        <span>
          <Tag color={OUTCOME_COLOR[d.outcome]}>{label(OUTCOMES.labels, d.outcome, lang)}</Tag>
          {d.caseId} · {label(CATEGORIES.labels, d.category, lang)} · {d.asOf}
        </span>
      }
      extra={
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {d.ruleSets.map((r) => `${r.id}@${r.version}`).join(" → ")}
        </Typography.Text>
      }
    >
      <Descriptions size="small" column={2} bordered>
        <Descriptions.Item label={t("validity")} span={2}>
          {v ? (
            <span data-testid="validity">
              {v.from} {t("until")} {v.until ?? t("noEnd")}
              {v.singleUse && <Tag style={{ marginLeft: 8 }}>{t("singleUse")}</Tag>}
              {v.changeLockedUntil && (
                <span data-testid="change-lock">
                  {" "}
                  · {t("changeLock")} <Typography.Text strong>{v.changeLockedUntil}</Typography.Text>
                </span>
              )}
            </span>
          ) : (
            "—"
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t("settlementMode")}>
          {label(SETTLEMENT_MODES.labels, d.settlementMode, lang)}
        </Descriptions.Item>
        <Descriptions.Item label={t("processing")}>
          {d.processing.immediate ? t("immediate") : (d.processing.dueDate ?? "—")}
          {d.processing.workingDays != null && ` (${d.processing.workingDays})`}
        </Descriptions.Item>
      </Descriptions>
      {d.benefits && <BenefitsTable benefits={d.benefits} />}
      <List
        size="small"
        header={<Typography.Text strong>{t("reasons")}</Typography.Text>}
        dataSource={d.reasons}
        renderItem={(r) => (
          <List.Item>
            <span>
              {r.effect === "pass" ? "✓" : r.effect === "unknown" ? "?" : "✗"} {r.message}{" "}
              <Typography.Text type="secondary">
                〔{r.citation.document} {r.citation.clause}〕
              </Typography.Text>
            </span>
          </List.Item>
        )}
      />
      {d.missingMaterials.length > 0 && (
        <List
          size="small"
          header={<Typography.Text strong>{t("missingMaterials")}</Typography.Text>}
          dataSource={d.missingMaterials}
          renderItem={(m, i) => (
            <List.Item>
              <span>
                {i + 1}. {m.label}{" "}
                <Typography.Text type="secondary">
                  [{"id" in m ? m.id : m.anyOf.map((x) => MATERIALS.labels[x][lang]).join(" / ")}] 〔
                  {m.citation.document} {m.citation.clause}〕
                </Typography.Text>
              </span>
            </List.Item>
          )}
        />
      )}
      {d.missingFields.length > 0 && (
        <Typography.Paragraph style={{ marginTop: 8 }}>
          {t("missingFields")}:{" "}
          {d.missingFields.map((f) => (
            <Tag key={f}>{fieldLabel(f, lang)}</Tag>
          ))}
        </Typography.Paragraph>
      )}
      {d.warnings.length > 0 && (
        <List
          size="small"
          header={<Typography.Text strong>{t("warnings")}</Typography.Text>}
          dataSource={d.warnings}
          renderItem={(w) => (
            <List.Item>
              <Typography.Text type="warning">
                {w.message}
                {w.citation && ` 〔${w.citation.document} ${w.citation.clause}〕`}
              </Typography.Text>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

type Benefits = NonNullable<Decision["benefits"]>;

/** A settlement's money as the decision gives it: decimal strings, shown as they are (never parsed). */
function BenefitsTable({ benefits: b }: { benefits: Benefits }) {
  const { t } = useLang();
  const yuan = (x: string | undefined | null) => (x == null ? "—" : `${x} ${t("yuan")}`);
  return (
    <Descriptions
      size="small"
      column={2}
      bordered
      style={{ marginTop: 8 }}
      data-testid="benefits"
      title={
        <span>
          {t("benefits")}{" "}
          {b.provenance !== "official" && (
            <Tag color="orange" data-testid="benefits-provenance">
              {t(b.provenance === "illustrative" ? "illustrativeFigures" : "secondaryFigures")}
            </Tag>
          )}
        </span>
      }
    >
      <Descriptions.Item label={t("eligibleCost")}>{yuan(b.eligibleCost)}</Descriptions.Item>
      <Descriptions.Item label={t("deductible")}>{yuan(b.deductible)}</Descriptions.Item>
      <Descriptions.Item label={t("ratio")}>{b.ratio}</Descriptions.Item>
      <Descriptions.Item label={t("fundPay")}>
        <Typography.Text strong data-testid="fund-pay">
          {yuan(b.fundPay)}
        </Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label={t("personalPay")} span={2}>
        {yuan(b.personalPay)}
      </Descriptions.Item>
    </Descriptions>
  );
}
