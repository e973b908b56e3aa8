import { Button, Space, Timeline, Typography } from "antd";
import type { VersionSummary } from "../api/types.ts";
import { useLang } from "../i18n.tsx";
import { sortVersions } from "../versions.ts";
import { StatusTag } from "./status-tag.tsx";

type Props = {
  versions: VersionSummary[];
  onOpen: (v: VersionSummary) => void;
  /** absent when the user may not draft */
  onNewDraft?: ((v: VersionSummary) => void) | undefined;
};

const COLOR = { draft: "gray", in_review: "blue", published: "green", superseded: "gray", rejected: "red" };

/** A rule set's versions, newest first: effective date, status (已失效 once a later one is in force, as the server says), and who wrote, reviewed, published. */
export function VersionTimeline({ versions, onOpen, onNewDraft }: Props) {
  const { t } = useLang();
  const items = sortVersions(versions).map((v) => {
    const status = v.lifecycle;
    return {
      key: v.id,
      color: COLOR[status],
      content: (
        <div data-testid={`version-${v.version}`} data-status={status}>
          <Space wrap>
            <Typography.Link strong onClick={() => onOpen(v)}>
              {v.version}
            </Typography.Link>
            <StatusTag status={status} />
            <Typography.Text type="secondary">
              {t("effectiveFrom")}: {v.effectiveFrom ?? t("notSet")}
            </Typography.Text>
          </Space>
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {[
                `${t("author")}: ${v.author}`,
                v.submittedBy && `${t("submittedBy")}: ${v.submittedBy}`,
                v.reviewedBy && `${t("reviewedBy")}: ${v.reviewedBy}`,
                v.publishedBy &&
                  `${t("publishedBy")}: ${v.publishedBy}${v.publishedAt ? ` (${v.publishedAt.slice(0, 10)})` : ""}`,
              ]
                .filter(Boolean)
                .join(" · ")}
            </Typography.Text>
          </div>
          {v.reviewComment && (
            <Typography.Text type={v.status === "rejected" ? "danger" : "secondary"} style={{ fontSize: 12 }}>
              {t("comment")}: {v.reviewComment}
            </Typography.Text>
          )}
          <Space style={{ marginTop: 4 }}>
            <Button size="small" onClick={() => onOpen(v)}>
              {t("open")}
            </Button>
            {onNewDraft && (
              <Button size="small" onClick={() => onNewDraft(v)}>
                {t("newDraft")}
              </Button>
            )}
          </Space>
        </div>
      ),
    };
  });
  return <Timeline items={items} />;
}
