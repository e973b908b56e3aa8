import { Button, DatePicker, Input, Modal, Space, Tooltip, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { type ReactNode, useState } from "react";
import type { Action, Actions } from "../api/types.ts";
import { type MessageKey, pick, useLang } from "../i18n.tsx";

type Props = {
  actions: Actions;
  today: string;
  /** the date proposed for approval (the version's own effective date, if it has one) */
  proposedDate: string | null;
  busy: boolean;
  onSubmit: () => void;
  onWithdraw: () => void;
  onApprove: (effectiveFrom: string, comment: string) => void;
  onReject: (comment: string) => void;
};

/**
 * Submit, withdraw, approve (with an effective date), send back: each button says why it is
 * disabled, as the server's four-eyes and state checks answer, before anyone clicks.
 */
export function ReviewActions({
  actions,
  today,
  proposedDate,
  busy,
  onSubmit,
  onWithdraw,
  onApprove,
  onReject,
}: Props) {
  const { t, lang } = useLang();
  const [date, setDate] = useState<Dayjs | null>(proposedDate ? dayjs(proposedDate) : null);
  const [comment, setComment] = useState("");

  const gated = (name: keyof Actions, label: MessageKey, button: (disabled: boolean) => ReactNode) => {
    const a: Action = actions[name];
    const reason = a.allowed ? "" : pick(a.reason, lang);
    return (
      <div data-action={name} data-allowed={String(a.allowed)}>
        <Tooltip title={reason}>
          <span>{button(!a.allowed || busy)}</span>
        </Tooltip>
        {!a.allowed && reason && (
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`why-not-${name}`}>
              {t(label)}: {reason}
            </Typography.Text>
          </div>
        )}
      </div>
    );
  };

  const approve = () => {
    if (!date) return;
    const iso = date.format("YYYY-MM-DD");
    if (iso < today) {
      Modal.confirm({
        title: t("approve"),
        content: t("pastDate"),
        okText: t("confirm"),
        cancelText: t("cancel"),
        okButtonProps: { danger: true },
        onOk: () => onApprove(iso, comment),
      });
    } else onApprove(iso, comment);
  };

  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="review-actions">
      <Space wrap align="start">
        {gated("submit", "submit", (d) => (
          <Button type="primary" disabled={d} onClick={onSubmit} data-testid="submit">
            {t("submit")}
          </Button>
        ))}
        {gated("withdraw", "withdraw", (d) => (
          <Button disabled={d} onClick={onWithdraw} data-testid="withdraw">
            {t("withdraw")}
          </Button>
        ))}
      </Space>
      <Input.TextArea
        rows={2}
        placeholder={t("comment")}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        disabled={!actions.approve.allowed && !actions.reject.allowed}
        data-testid="review-comment"
      />
      <Space wrap align="start">
        <DatePicker
          value={date}
          onChange={setDate}
          placeholder={t("effectiveFrom")}
          disabled={!actions.approve.allowed}
          data-testid="approve-date"
        />
        {gated("approve", "approve", (d) => (
          <Button type="primary" disabled={d || !date} onClick={approve} data-testid="approve">
            {t("approve")}
          </Button>
        ))}
        {gated("reject", "reject", (d) => (
          <Button
            danger
            disabled={d || !comment.trim()}
            onClick={() => onReject(comment)}
            data-testid="reject"
          >
            {t("reject")}
          </Button>
        ))}
      </Space>
    </Space>
  );
}
