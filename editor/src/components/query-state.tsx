import { Alert, Button, Spin } from "antd";
import type { ReactNode } from "react";
import { useLang } from "../i18n.tsx";

type Q = { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };

/** The loading and error states of a query, so that no screen is ever blank. */
export function QueryState({ query, children }: { query: Q; children: () => ReactNode }) {
  const { t } = useLang();
  if (query.isPending)
    return (
      <div style={{ padding: 24, textAlign: "center" }}>
        <Spin /> <span style={{ marginLeft: 8 }}>{t("loading")}</span>
      </div>
    );
  if (query.isError)
    return (
      <Alert
        type="error"
        showIcon
        title={t("loadFailed")}
        description={(query.error as Error)?.message}
        action={
          <Button size="small" onClick={() => query.refetch()}>
            {t("retry")}
          </Button>
        }
      />
    );
  return <>{children()}</>;
}
