import { Card, Col, DatePicker, Empty, Form, Input, Modal, message, Row, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { useMemo, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { client, unwrap } from "../api/client.ts";
import { useMe, useRuleSets } from "../api/queries.ts";
import type { Version, VersionSummary } from "../api/types.ts";
import { QueryState } from "../components/query-state.tsx";
import { RegionTree } from "../components/region-tree.tsx";
import { VersionTimeline } from "../components/version-timeline.tsx";
import { useLang } from "../i18n.tsx";
import { buildRegionTree, regionLabel } from "../versions.ts";

/** /rules/<rule-set id>: the region tree on the left, the selected region's versions on the right. */
export function RulesPage() {
  const { t } = useLang();
  const params = useParams();
  const selected = params["*"] || null;
  const navigate = useNavigate();
  const ruleSets = useRuleSets();
  const me = useMe();
  const [basedOn, setBasedOn] = useState<VersionSummary | null>(null);
  const tree = useMemo(() => buildRegionTree(ruleSets.data ?? []), [ruleSets.data]);
  const group = ruleSets.data?.find((g) => g.id === selected);
  const canDraft = me.data?.roles.includes("officer") ?? false;
  return (
    <QueryState query={ruleSets}>
      {() => (
        <Row gutter={16}>
          <Col flex="260px">
            <Card size="small" title={t("regions")}>
              <RegionTree nodes={tree} selected={selected} onSelect={(id) => navigate(`/rules/${id}`)} />
            </Card>
          </Col>
          <Col flex="auto">
            <Card
              size="small"
              title={
                group ? (
                  <span>
                    {regionLabel(group.versions[0]?.region) || group.id}{" "}
                    <Typography.Text type="secondary">{group.id}</Typography.Text>
                  </span>
                ) : (
                  t("versions")
                )
              }
            >
              {group ? (
                <VersionTimeline
                  versions={group.versions}
                  onOpen={(v) => navigate(`/versions/${v.id}/edit`)}
                  onNewDraft={canDraft ? setBasedOn : undefined}
                />
              ) : (
                <Empty description={t("pickRegion")} />
              )}
            </Card>
          </Col>
          {basedOn && (
            <NewDraftModal
              basedOn={basedOn}
              onClose={() => setBasedOn(null)}
              onCreated={(v) => navigate(`/versions/${v.id}/edit`)}
            />
          )}
        </Row>
      )}
    </QueryState>
  );
}

function NewDraftModal({
  basedOn,
  onClose,
  onCreated,
}: {
  basedOn: VersionSummary;
  onClose: () => void;
  onCreated: (v: Version) => void;
}) {
  const { t } = useLang();
  const [form] = Form.useForm<{ version: string; effectiveFrom?: Dayjs }>();
  const [busy, setBusy] = useState(false);
  const create = async () => {
    const values = await form.validateFields();
    setBusy(true);
    try {
      const effectiveFrom = values.effectiveFrom?.format("YYYY-MM-DD");
      const v = await unwrap(
        client.POST("/api/rule-sets/drafts", {
          body: { basedOn: basedOn.id, version: values.version, ...(effectiveFrom ? { effectiveFrom } : {}) },
        }),
      );
      onCreated(v);
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={`${t("newDraft")}: ${basedOn.ruleSetId}@${basedOn.version}`}
      okText={t("create")}
      cancelText={t("cancel")}
      confirmLoading={busy}
      onOk={create}
      onCancel={onClose}
    >
      <Form form={form} layout="vertical">
        <Form.Item
          name="version"
          label={t("newVersionName")}
          rules={[{ required: true, pattern: /^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/ }]}
        >
          <Input placeholder="2026-01-01" data-testid="new-version-name" />
        </Form.Item>
        <Form.Item name="effectiveFrom" label={t("effectiveFrom")}>
          <DatePicker />
        </Form.Item>
      </Form>
    </Modal>
  );
}
