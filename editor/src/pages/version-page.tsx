import { Card, Space, Tabs, Typography } from "antd";
import { useNavigate, useParams } from "react-router";
import { useActions, useInherited, useRuleSets, useVersion, useVersionYamls } from "../api/queries.ts";
import { QueryState } from "../components/query-state.tsx";
import { StatusTag } from "../components/status-tag.tsx";
import { useLang } from "../i18n.tsx";
import { regionLabel } from "../versions.ts";
import { DiffTab } from "./diff-tab.tsx";
import { EditTab } from "./edit-tab.tsx";
import { ImpactTab } from "./impact-tab.tsx";
import { InheritedTab } from "./inherited-tab.tsx";
import { TryTab } from "./try-tab.tsx";

/** `- document: 攀医保〔2017〕10号` in a sources list */
const SOURCE_DOCUMENT = /^\s*-\s*document:\s*["']?([^"'\n#]+?)["']?\s*$/gm;

const TABS = ["edit", "inherited", "diff", "try", "impact"] as const;
type Tab = (typeof TABS)[number];

/** /versions/:id/:tab — one version: edit, inherited, diff & review, try, and (before approval) impact. */
export function VersionPage() {
  const { t } = useLang();
  const params = useParams();
  const navigate = useNavigate();
  const id = Number(params.id);
  const tab: Tab = TABS.includes(params.tab as Tab) ? (params.tab as Tab) : "edit";
  const version = useVersion(id);
  const actions = useActions(id);
  const inherited = useInherited(id);
  const ruleSets = useRuleSets();
  // the chain's versions, for the names of the documents their sources list
  const chainIds = (inherited.data?.chain ?? []).flatMap((c) => {
    const found = ruleSets.data?.find((g) => g.id === c.id)?.versions.find((x) => x.version === c.version);
    return found && found.id !== id ? [found.id] : [];
  });
  const chainTexts = useVersionYamls(chainIds);
  const documents = [
    ...new Set(chainTexts.flatMap((text) => [...text.matchAll(SOURCE_DOCUMENT)].map((m) => m[1] ?? ""))),
  ].filter(Boolean);
  return (
    <QueryState query={version}>
      {() => {
        const v = version.data;
        if (!v) return null;
        const editable = v.status === "draft" && (actions.data?.edit.allowed ?? false);
        return (
          <Card size="small">
            <Space style={{ marginBottom: 4 }} wrap>
              <Typography.Title level={5} style={{ margin: 0 }}>
                {regionLabel(v.region)} {v.ruleSetId}@{v.version}
              </Typography.Title>
              <StatusTag status={v.status} />
              <Typography.Text type="secondary">
                {t("effectiveFrom")}: {v.effectiveFrom ?? t("notSet")} · {t("revision")} {v.revision} ·{" "}
                {t("author")}: {v.author}
              </Typography.Text>
            </Space>
            <Tabs
              activeKey={tab}
              onChange={(k) => navigate(`/versions/${id}/${k}`)}
              destroyOnHidden
              items={[
                {
                  key: "edit",
                  label: t("tabEdit"),
                  children: <EditTab key={v.id} version={v} editable={editable} documents={documents} />,
                },
                { key: "inherited", label: t("tabInherited"), children: <InheritedTab id={id} /> },
                { key: "diff", label: t("tabDiff"), children: <DiffTab version={v} /> },
                { key: "try", label: t("tabTry"), children: <TryTab version={v} /> },
                // What a version not yet published would change on the decisions logged so far.
                ...(v.status === "draft" || v.status === "in_review"
                  ? [{ key: "impact", label: t("tabImpact"), children: <ImpactTab version={v} /> }]
                  : []),
              ]}
            />
          </Card>
        );
      }}
    </QueryState>
  );
}
