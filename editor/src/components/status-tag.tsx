import { Tag } from "antd";
import { useLang } from "../i18n.tsx";
import type { DisplayStatus } from "../versions.ts";

const COLORS: Record<DisplayStatus, string> = {
  draft: "default",
  in_review: "processing",
  published: "success",
  superseded: "default",
  rejected: "error",
};

export function StatusTag({ status }: { status: DisplayStatus }) {
  const { t } = useLang();
  return (
    <Tag color={COLORS[status]} data-status={status}>
      {t(status)}
    </Tag>
  );
}
