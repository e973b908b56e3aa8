import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Form,
  Input,
  Modal,
  Radio,
  Segmented,
  Space,
  Table,
  Tag,
  Typography,
} from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { Link } from "react-router";
import { CATEGORIES, KINDS, regionName } from "../../../engine/vocabulary.ts";
import { client, unwrap } from "../api/client.ts";
import type { paths } from "../api/schema.d.ts";
import { QueryState } from "../components/query-state.tsx";
import { type MessageKey, useLang } from "../i18n.tsx";

type Entry = paths["/api/reviews"]["get"]["responses"][200]["content"]["application/json"][number];
type Status = Entry["status"];
type Reason = { message?: string; citation?: { document?: string; clause?: string }; effect?: string };

const STATUS_COLOR: Record<Status, string> = {
  pending: "processing",
  approved: "success",
  rejected: "error",
};

/** The reasons the rules gave for a manual review, with their citations, in plain words. */
export function ReviewReasons({ reasons }: { reasons: Reason[] }) {
  const shown = reasons.filter((r) => r.effect === undefined || r.effect === "manual_review");
  return (
    <ul style={{ margin: 0, paddingLeft: 18 }} data-testid="review-reasons">
      {(shown.length > 0 ? shown : reasons).map((r) => (
        <li key={`${r.citation?.document}${r.citation?.clause}${r.message}`}>
          {r.message}
          {r.citation && (
            <Typography.Text type="secondary">
              {" "}
              〔{r.citation.document} {r.citation.clause}〕
            </Typography.Text>
          )}
        </li>
      ))}
    </ul>
  );
}

/** The manual review queue: decisions the rules sent to a person, decided with a written reason. */
export function ReviewsPage() {
  const { t, lang } = useLang();
  const [status, setStatus] = useState<Status>("pending");
  const [open, setOpen] = useState<Entry | null>(null);
  const queue = useQuery({
    queryKey: ["reviews", status],
    queryFn: () => unwrap(client.GET("/api/reviews", { params: { query: { status, limit: 200 } } })),
  });
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Segmented
        value={status}
        onChange={(v) => setStatus(v as Status)}
        options={(["pending", "approved", "rejected"] as const).map((s) => ({
          value: s,
          label: t(`review_${s}` as MessageKey),
        }))}
      />
      <QueryState query={queue}>
        {() => (
          <Table<Entry>
            size="small"
            rowKey="decisionId"
            data-testid="reviews"
            dataSource={queue.data ?? []}
            locale={{ emptyText: t("queueEmpty") }}
            columns={[
              {
                title: t("requestedAt"),
                dataIndex: "requestedAt",
                render: (d: string) => dayjs(d).format("YYYY-MM-DD HH:mm"),
              },
              { title: t("requestedBy"), dataIndex: "requestedBy" },
              {
                title: t("kind"),
                render: (_, e) =>
                  KINDS.labels[e.decision.kind as keyof typeof KINDS.labels]?.[lang] ?? e.decision.kind,
              },
              {
                title: t("category"),
                render: (_, e) =>
                  CATEGORIES.labels[e.decision.category as keyof typeof CATEGORIES.labels]?.[lang] ??
                  e.decision.category ??
                  "—",
              },
              { title: t("idNumber"), render: (_, e) => e.decision.idMasked },
              { title: t("insuredRegion"), render: (_, e) => regionName(e.decision.insuredRegion) },
              {
                title: t("reviewReason"),
                render: (_, e) => <ReviewReasons reasons={e.decision.reasons as Reason[]} />,
              },
              {
                title: t("status"),
                render: (_, e) => (
                  <Space direction="vertical" size={0}>
                    <Tag color={STATUS_COLOR[e.status]}>{t(`review_${e.status}` as MessageKey)}</Tag>
                    {e.reason && <Typography.Text type="secondary">{e.reason}</Typography.Text>}
                    {e.filingId && <Link to={`/registry/${e.filingId}`}>{t("openFiling")}</Link>}
                    {e.status === "approved" && e.decision.kind === "filing" && !e.filingId && (
                      <RegisterButton decisionId={e.decisionId} />
                    )}
                  </Space>
                ),
              },
              {
                title: "",
                render: (_, e) =>
                  e.status === "pending" && (
                    <Button
                      size="small"
                      type="primary"
                      onClick={() => setOpen(e)}
                      data-testid="review-decide"
                    >
                      {t("decideReview")}
                    </Button>
                  ),
              },
            ]}
          />
        )}
      </QueryState>
      {open && <DecideModal entry={open} onClose={() => setOpen(null)} />}
    </Space>
  );
}

/** A filing decision approved by a reviewer becomes a filing (clerks and admins). */
function RegisterButton({ decisionId }: { decisionId: string }) {
  const { t } = useLang();
  const { message } = App.useApp();
  const [filingId, setFilingId] = useState<string | null>(null);
  const register = useMutation({
    mutationFn: () => unwrap(client.POST("/api/filings", { body: { decisionId } })),
    onSuccess: (f) => setFilingId(f.id),
    onError: (e) => message.error((e as Error).message),
  });
  if (filingId) return <Link to={`/registry/${filingId}`}>{t("openFiling")}</Link>;
  return (
    <Button size="small" loading={register.isPending} onClick={() => register.mutate()}>
      {t("register")}
    </Button>
  );
}

function DecideModal({ entry, onClose }: { entry: Entry; onClose: () => void }) {
  const { t } = useLang();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ outcome: "approved" | "rejected"; reason: string }>();
  const decide = useMutation({
    mutationFn: (body: { outcome: "approved" | "rejected"; reason: string }) =>
      unwrap(
        client.POST("/api/reviews/{decisionId}", {
          params: { path: { decisionId: entry.decisionId } },
          body,
        }),
      ),
    onSuccess: async () => {
      message.success(t("done"));
      await qc.invalidateQueries({ queryKey: ["reviews"] });
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t("decideReview")}
      onCancel={onClose}
      footer={
        <Space>
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button
            type="primary"
            loading={decide.isPending}
            onClick={() => form.submit()}
            data-testid="review-confirm"
          >
            {t("confirm")}
          </Button>
        </Space>
      }
    >
      <ReviewReasons reasons={entry.decision.reasons as Reason[]} />
      {entry.decision.kind === "filing" && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          {t("approvedFilingNext")}
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical" onFinish={(v) => decide.mutate(v)} style={{ marginTop: 12 }}>
        <Form.Item name="outcome" label={t("outcome")} rules={[{ required: true }]}>
          <Radio.Group
            options={[
              { value: "approved", label: t("review_approved") },
              { value: "rejected", label: t("review_rejected") },
            ]}
          />
        </Form.Item>
        <Form.Item name="reason" label={t("writtenReason")} rules={[{ required: true, whitespace: true }]}>
          <Input.TextArea rows={3} data-testid="review-reason" />
        </Form.Item>
      </Form>
      {decide.isError && <Alert type="error" showIcon title={(decide.error as Error).message} />}
    </Modal>
  );
}
