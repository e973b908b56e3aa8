import { App as AntApp, Card, Col, Empty, Row, Select, Space, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { client, unwrap } from "../api/client.ts";
import { useActions, useInvalidateVersion, useRuleSets, useSummary, useVersionYaml } from "../api/queries.ts";
import type { Version } from "../api/types.ts";
import { ChangeSummary } from "../components/change-summary.tsx";
import { QueryState } from "../components/query-state.tsx";
import { ReviewActions } from "../components/review-actions.tsx";
import { StatusTag } from "../components/status-tag.tsx";
import { useLang } from "../i18n.tsx";
import { monaco } from "../monaco/setup.ts";
import { sortVersions, todayIso } from "../versions.ts";

/** Monaco's diff editor between another version (default: the one this is based on) and this one. */
function DiffEditor({ original, modified }: { original: string; modified: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const a = monaco.editor.createModel(original, "yaml");
    const b = monaco.editor.createModel(modified, "yaml");
    const editor = monaco.editor.createDiffEditor(host.current, {
      automaticLayout: true,
      readOnly: true,
      renderSideBySide: true,
      minimap: { enabled: false },
      fontSize: 12,
      wordWrap: "on",
      unicodeHighlight: { ambiguousCharacters: false },
      hideUnchangedRegions: { enabled: true, contextLineCount: 3 },
    });
    editor.setModel({ original: a, modified: b });
    return () => {
      editor.dispose();
      a.dispose();
      b.dispose();
    };
  }, [original, modified]);
  return <div ref={host} className="yidi-diff" data-testid="diff-editor" />;
}

export function DiffTab({ version }: { version: Version }) {
  const { t } = useLang();
  const { message } = AntApp.useApp();
  const ruleSets = useRuleSets();
  const siblings = sortVersions(
    ruleSets.data?.find((g) => g.id === version.ruleSetId)?.versions ?? [],
  ).filter((v) => v.id !== version.id);
  const [against, setAgainst] = useState<number | null>(version.basedOn ?? siblings[0]?.id ?? null);
  useEffect(() => {
    if (against == null && siblings[0]) setAgainst(siblings[0].id);
  }, [against, siblings]);
  const original = useVersionYaml(against);
  const summary = useSummary(version.id, against);
  const actions = useActions(version.id);
  const invalidate = useInvalidateVersion();
  const [busy, setBusy] = useState(false);

  const path = { params: { path: { id: version.id } } };
  const act = async (call: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await call();
      message.success(t("done"));
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
      await invalidate(version.id);
    }
  };

  return (
    <Row gutter={12}>
      <Col span={15}>
        <Space style={{ marginBottom: 8 }}>
          <Typography.Text>{t("compareWith")}:</Typography.Text>
          <Select
            style={{ minWidth: 260 }}
            value={against}
            onChange={setAgainst}
            data-testid="compare-with"
            options={siblings.map((s) => ({
              value: s.id,
              label: (
                <span>
                  {s.version} <StatusTag status={s.lifecycle} />
                </span>
              ),
            }))}
          />
        </Space>
        {against == null ? (
          <Empty />
        ) : (
          <QueryState query={original}>
            {() => <DiffEditor original={original.data ?? ""} modified={version.content} />}
          </QueryState>
        )}
      </Col>
      <Col span={9}>
        <Card size="small" title={t("tabDiff")} style={{ marginBottom: 12 }}>
          <QueryState query={actions}>
            {() =>
              actions.data && (
                <ReviewActions
                  actions={actions.data}
                  today={todayIso()}
                  proposedDate={version.effectiveFrom}
                  busy={busy}
                  onSubmit={() =>
                    act(() =>
                      unwrap(
                        client.POST("/api/rule-sets/versions/{id}/submit", {
                          ...path,
                          body: { revision: version.revision },
                        }),
                      ),
                    )
                  }
                  onWithdraw={() =>
                    act(() =>
                      unwrap(client.POST("/api/rule-sets/versions/{id}/withdraw", { ...path, body: {} })),
                    )
                  }
                  onApprove={(effectiveFrom, comment) =>
                    act(() =>
                      unwrap(
                        client.POST("/api/rule-sets/versions/{id}/approve", {
                          ...path,
                          body: {
                            effectiveFrom,
                            revision: version.revision,
                            ...(comment ? { comment } : {}),
                          },
                        }),
                      ),
                    )
                  }
                  onReject={(comment) =>
                    act(() =>
                      unwrap(
                        client.POST("/api/rule-sets/versions/{id}/reject", {
                          ...path,
                          body: { comment, revision: version.revision },
                        }),
                      ),
                    )
                  }
                />
              )
            }
          </QueryState>
        </Card>
        <Card
          size="small"
          title={t("changeSummary")}
          styles={{ body: { maxHeight: "55vh", overflow: "auto" } }}
        >
          {against == null ? (
            <Empty />
          ) : (
            <QueryState query={summary}>
              {() => <ChangeSummary changes={summary.data?.changes ?? []} />}
            </QueryState>
          )}
        </Card>
      </Col>
    </Row>
  );
}
