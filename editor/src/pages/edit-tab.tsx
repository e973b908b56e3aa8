import { Alert, Button, Space, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { client, unwrap } from "../api/client.ts";
import { useInvalidateVersion, useValidation } from "../api/queries.ts";
import { ApiError, type Problem, type Version } from "../api/types.ts";
import { ProblemsPanel } from "../components/problems-panel.tsx";
import { YamlEditor, type YamlEditorHandle } from "../components/yaml-editor.tsx";
import { citationHover, type EntryAt, entryAt } from "../entry-at.ts";
import { useLang } from "../i18n.tsx";
import { forgetUnsaved, keepUnsaved, readUnsaved, type Unsaved } from "../unsaved.ts";

/**
 * The YAML of one version. Saving sends the revision loaded (optimistic locking); every problem
 * the server returns becomes a marker. Unsaved text is kept in localStorage under the version
 * and revision, and offered back after a reload; a failed save leaves the text in the editor.
 */
export function EditTab({
  version,
  editable,
  documents,
}: {
  version: Version;
  editable: boolean;
  documents: string[];
}) {
  const { t } = useLang();
  const editor = useRef<YamlEditorHandle>(null);
  const validation = useValidation(version.id);
  const invalidate = useInvalidateVersion();
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState<{ type: "success" | "error" | "warning"; text: string } | null>(null);
  const [restorable, setRestorable] = useState<Unsaved | null>(null);
  const base = useRef(version);
  const [entry, setEntry] = useState<EntryAt | null>(null);
  const cursorTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const onCursor = (text: string, offset: number) => {
    clearTimeout(cursorTimer.current);
    cursorTimer.current = setTimeout(() => setEntry(entryAt(text, offset)), 150);
  };

  const hover = (text: string, offset: number) => {
    const at = entryAt(text, offset);
    return at
      ? citationHover(at, {
          citation: t("citedClause"),
          noCitation: t("noCitation"),
          note: t("citationNote"),
        })
      : null;
  };

  useEffect(() => {
    const kept = readUnsaved(version.id);
    if (kept && kept.text !== version.content) setRestorable(kept);
  }, [version]);

  const shown = problems ?? validation.data?.problems ?? [];

  const onChange = (text: string) => {
    if (text === base.current.content) forgetUnsaved(version.id);
    else keepUnsaved(version.id, base.current.revision, text);
  };

  const save = async (text: string) => {
    if (!editable || saving) return;
    setSaving(true);
    setStatus(null);
    try {
      const saved = await unwrap(
        client.PUT("/api/rule-sets/drafts/{id}", {
          params: { path: { id: version.id } },
          body: { content: text, revision: base.current.revision },
        }),
      );
      forgetUnsaved(version.id);
      base.current = saved;
      setProblems(saved.problems);
      setStatus({
        type: saved.problems.length ? "warning" : "success",
        text: `${t("saved")} · ${t("revision")} ${saved.revision} · ${t("problems")}: ${saved.problems.length}`,
      });
      await invalidate(version.id);
    } catch (e) {
      keepUnsaved(version.id, base.current.revision, text);
      if (e instanceof ApiError && e.code === "STALE_REVISION")
        setStatus({ type: "error", text: t("stale") });
      else {
        if (e instanceof ApiError && e.problems.length) setProblems(e.problems);
        setStatus({ type: "error", text: `${t("saveFailed")}: ${(e as Error).message}` });
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <div>
      {restorable != null && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 8 }}
          title={t("unsavedFound")}
          description={
            restorable.revision !== version.revision
              ? `${t("unsavedOlder")} ${restorable.revision} → ${version.revision}`
              : undefined
          }
          data-testid="restore-banner"
          action={
            <Space>
              <Button
                size="small"
                type="primary"
                onClick={() => {
                  editor.current?.setValue(restorable.text);
                  setRestorable(null);
                }}
              >
                {t("restore")}
              </Button>
              <Button
                size="small"
                onClick={() => {
                  forgetUnsaved(version.id);
                  setRestorable(null);
                }}
              >
                {t("discard")}
              </Button>
            </Space>
          }
        />
      )}
      <Space style={{ marginBottom: 8 }} wrap>
        <Button
          type="primary"
          onClick={() => save(editor.current?.getValue() ?? "")}
          loading={saving}
          disabled={!editable}
          data-testid="save"
        >
          {t("save")} (Ctrl+S)
        </Button>
        <Button onClick={() => editor.current?.format()} disabled={!editable}>
          {t("format")} (Shift+Alt+F)
        </Button>
        {!editable && <Typography.Text type="secondary">{t("readOnly")}</Typography.Text>}
        {status && (
          <Typography.Text
            type={status.type === "success" ? "success" : status.type === "warning" ? "warning" : "danger"}
            data-testid="save-status"
          >
            {status.text}
          </Typography.Text>
        )}
      </Space>
      <YamlEditor
        ref={editor}
        path={version.file}
        initialValue={version.content}
        readOnly={!editable}
        problems={shown}
        documents={documents}
        onChange={onChange}
        onSave={save}
        onCursor={onCursor}
        hover={hover}
      />
      <div style={{ minHeight: 22, marginTop: 4 }} data-testid="entry-at-cursor">
        {entry && (
          <Typography.Text type="secondary">
            {entry.section} › <Typography.Text code>{entry.key}</Typography.Text>{" "}
            {entry.citation ? (
              <Typography.Text>
                〔{entry.citation.document} {entry.citation.clause}〕
                {entry.citation.note ? ` ${entry.citation.note}` : ""}
              </Typography.Text>
            ) : (
              t("noCitation")
            )}
          </Typography.Text>
        )}
      </div>
      <div>
        <ProblemsPanel problems={shown} onJump={(p) => editor.current?.reveal(p.line ?? 1, p.column ?? 1)} />
      </div>
    </div>
  );
}
