import { App as AntApp, ConfigProvider, Result, Spin } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { lazy, Suspense } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router";
import { useMe } from "./api/queries.ts";
import { useLang } from "./i18n.tsx";
import { DeskPage } from "./pages/desk-page.tsx";
import { FilingPage } from "./pages/filing-page.tsx";
import { LoginPage } from "./pages/login-page.tsx";
import { RegistryPage } from "./pages/registry-page.tsx";
import { ReviewPage } from "./pages/review-page.tsx";
import { ReviewsPage } from "./pages/reviews-page.tsx";
import { RulesPage } from "./pages/rules-page.tsx";
import { Shell } from "./shell/shell.tsx";

/** The version page carries monaco (the bulk of the bundle): loaded when first opened. */
/** The prepayment monitor carries echarts: loaded when first opened. */
const PrepaymentsPage = lazy(() =>
  import("./pages/prepayments-page.tsx").then((m) => ({ default: m.PrepaymentsPage })),
);
const VersionPage = lazy(() => import("./pages/version-page.tsx").then((m) => ({ default: m.VersionPage })));
/** The simulator carries echarts too: loaded when first opened. */
const SimulatorPage = lazy(() =>
  import("./pages/simulator-page.tsx").then((m) => ({ default: m.SimulatorPage })),
);

/** Routes: every screen has a URL that can be sent to a colleague. */
export function App() {
  const { lang } = useLang();
  return (
    <ConfigProvider locale={lang === "zh" ? zhCN : enUS} theme={{ token: { colorPrimary: "#1668dc" } }}>
      <AntApp>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="*" element={<Authenticated />} />
        </Routes>
      </AntApp>
    </ConfigProvider>
  );
}

function Authenticated() {
  const me = useMe();
  const location = useLocation();
  const { t } = useLang();
  if (me.isPending) return <Spin fullscreen tip={t("loading")} />;
  if (me.isError || !me.data) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  const user = me.data;
  const roles = user.roles as string[];
  const home =
    roles.includes("clerk") && !roles.includes("officer")
      ? "/desk"
      : roles.includes("approver") && !roles.includes("officer")
        ? "/review"
        : "/rules";
  return (
    <Shell user={user}>
      <Suspense fallback={<Spin tip={t("loading")} />}>
        <Routes>
          <Route path="/" element={<Navigate to={home} replace />} />
          <Route path="/rules/*" element={<RulesPage />} />
          <Route path="/versions/:id" element={<VersionPage />} />
          <Route path="/versions/:id/:tab" element={<VersionPage />} />
          <Route path="/review" element={<ReviewPage />} />
          <Route path="/desk" element={<DeskPage />} />
          <Route path="/registry" element={<RegistryPage />} />
          <Route path="/registry/:id" element={<FilingPage />} />
          <Route path="/reviews" element={<ReviewsPage />} />
          <Route path="/prepayments" element={<PrepaymentsPage />} />
          <Route path="/simulator" element={<SimulatorPage />} />
          <Route path="*" element={<Result status="404" title="404" />} />
        </Routes>
      </Suspense>
    </Shell>
  );
}
