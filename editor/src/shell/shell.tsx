import {
  AuditOutlined,
  ExperimentOutlined,
  FileTextOutlined,
  FormOutlined,
  LineChartOutlined,
  LogoutOutlined,
  SolutionOutlined,
  TableOutlined,
  UserOutlined,
} from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Breadcrumb, Button, Layout, Menu, Segmented, Space, Typography } from "antd";
import type { ReactNode } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { client } from "../api/client.ts";
import type { User } from "../api/types.ts";
import { type Lang, useLang } from "../i18n.tsx";

/** The frame of every screen: top bar, the role's menu, a breadcrumb from the URL. */
export function Shell({ user, children }: { user: User; children: ReactNode }) {
  const { t, lang, setLang } = useLang();
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const roles = new Set(user.roles);
  const items = [
    ...(roles.has("clerk") || roles.has("admin")
      ? [{ key: "/desk", icon: <FormOutlined />, label: <Link to="/desk">{t("desk")}</Link> }]
      : []),
    ...(roles.has("clerk") || roles.has("admin") || roles.has("approver") || roles.has("tester")
      ? [{ key: "/registry", icon: <TableOutlined />, label: <Link to="/registry">{t("registry")}</Link> }]
      : []),
    ...(roles.has("officer") || roles.has("approver") || roles.has("tester") || roles.has("admin")
      ? [{ key: "/rules", icon: <FileTextOutlined />, label: <Link to="/rules">{t("rules")}</Link> }]
      : []),
    ...(roles.has("clerk") || roles.has("approver") || roles.has("admin")
      ? [
          {
            key: "/reviews",
            icon: <SolutionOutlined />,
            label: <Link to="/reviews">{t("manualReviews")}</Link>,
          },
        ]
      : []),
    ...(roles.has("officer") || roles.has("approver") || roles.has("tester") || roles.has("admin")
      ? [
          {
            key: "/prepayments",
            icon: <LineChartOutlined />,
            label: <Link to="/prepayments">{t("prepayments")}</Link>,
          },
        ]
      : []),
    ...(roles.has("tester") || roles.has("approver") || roles.has("officer") || roles.has("admin")
      ? [
          {
            key: "/simulator",
            icon: <ExperimentOutlined />,
            label: <Link to="/simulator">{t("simulator")}</Link>,
          },
        ]
      : []),
    ...(roles.has("approver") || roles.has("officer")
      ? [{ key: "/review", icon: <AuditOutlined />, label: <Link to="/review">{t("review")}</Link> }]
      : []),
  ];
  const selected = items.find((i) => location.pathname.startsWith(i.key))?.key ?? "/rules";
  const logout = async () => {
    await client.POST("/api/logout").catch(() => {});
    qc.clear();
    navigate("/login");
  };
  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Layout.Header style={{ display: "flex", alignItems: "center", gap: 16, paddingInline: 20 }}>
        <Typography.Text strong style={{ color: "#fff", fontSize: 16 }}>
          {t("product")}
        </Typography.Text>
        <div style={{ flex: 1 }} />
        <Space size="middle">
          <Segmented
            size="small"
            value={lang}
            onChange={(v) => setLang(v as Lang)}
            options={[
              { label: "中文", value: "zh" },
              { label: "English", value: "en" },
            ]}
          />
          <Typography.Text style={{ color: "#fff" }} data-testid="current-user">
            <UserOutlined /> {user.displayName ?? user.username}
          </Typography.Text>
          <Button size="small" icon={<LogoutOutlined />} onClick={logout}>
            {t("logout")}
          </Button>
        </Space>
      </Layout.Header>
      <Layout>
        <Layout.Sider width={180} theme="light">
          <Menu mode="inline" selectedKeys={[selected]} items={items} style={{ height: "100%" }} />
        </Layout.Sider>
        <Layout.Content style={{ padding: "12px 20px" }}>
          <Crumbs />
          {children}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

function Crumbs() {
  const { t } = useLang();
  const location = useLocation();
  const parts = location.pathname.split("/").filter(Boolean);
  const first = parts[0];
  const items: { title: ReactNode }[] = [];
  if (first === "rules") {
    items.push({ title: <Link to="/rules">{t("rules")}</Link> });
    if (parts.length > 1) items.push({ title: parts.slice(1).join("/") });
  } else if (first === "versions") {
    items.push({ title: <Link to="/rules">{t("rules")}</Link> }, { title: `${t("versions")} #${parts[1]}` });
  } else if (first === "review") {
    items.push({ title: t("review") });
  } else if (first === "reviews") {
    items.push({ title: t("manualReviews") });
  } else if (first === "prepayments") {
    items.push({ title: t("prepayments") });
  } else if (first === "simulator") {
    items.push({ title: t("simulator") });
  } else if (first === "desk") {
    items.push({ title: t("desk") });
  } else if (first === "registry") {
    items.push({ title: <Link to="/registry">{t("registry")}</Link> });
    if (parts[1]) items.push({ title: parts[1] });
  }
  return <Breadcrumb items={items} style={{ marginBottom: 12 }} />;
}
