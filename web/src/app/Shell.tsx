/**
 * The frame around every screen: navigation gated by the person's permissions, the tenant
 * switcher (the group tree), language, sign-out; the tenant is the `/t/:slug` of the URL.
 */
import { Alert, Button, Drawer, Grid, Layout, Menu, Result, Space, Spin, TreeSelect, Typography } from "antd";
import { Suspense, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, Route, Routes, useLocation, useNavigate, useParams } from "react-router-dom";
import { Bell } from "./Bell";
import { execute, session } from "./client";
import { ExtensionRoute, useExtensions } from "./extensions";
import { applyLanguage, asLanguage } from "./i18n";
import { Jump } from "./Jump";
import { LanguageSwitch } from "./LanguageSwitch";
import { navigation, type NavItem } from "./navigation";
import { SignOutDocument } from "./operations";
import { logoutTarget } from "./sso";
import { Problems } from "./ui";
import { tenantForest, usePermissions, useTenantList, useWorkspace, WorkspaceProvider,
  type TenantNode, type TenantTree } from "./workspace";
import { screens } from "../screens";

interface SwitcherNode { value: string; title: string; children: SwitcherNode[] }

function treeData(nodes: TenantTree[]): SwitcherNode[] {
  return nodes.map((n) => ({ value: n.tenant.slug, title: n.tenant.name, children: treeData(n.children) }));
}

function TenantSwitcher(props: { tenants: TenantNode[]; current: TenantNode }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const forest = useMemo(() => tenantForest(props.tenants), [props.tenants]);
  const rest = location.pathname.split("/").slice(3).join("/");
  return (
    <TreeSelect aria-label={t("shell.tenant")} value={props.current.slug} treeDefaultExpandAll
      style={{ minWidth: 220, maxWidth: "60vw" }} treeData={treeData(forest)} showSearch
      treeNodeFilterProp="title" popupMatchSelectWidth={false}
      onChange={(slug: string) => navigate(`/t/${slug}/${rest.startsWith("x/") ? "" : rest}`)} />
  );
}

function menuItems(items: NavItem[], t: (key: string) => string) {
  const sections = new Map<string, NavItem[]>();
  for (const item of items) sections.set(item.section, [...(sections.get(item.section) ?? []), item]);
  return [...sections.entries()].map(([section, entries]) => ({
    type: "group" as const, key: section, label: t(`shell.nav.sections.${section}`),
    children: entries.map((e) => ({ key: e.path, label: e.label })),
  }));
}

function Frame() {
  const { t } = useTranslation();
  const { tenant, tenants, me, access } = useWorkspace();
  const extensions = useExtensions(tenant.id);
  const navigate = useNavigate();
  const location = useLocation();
  const screensMd = Grid.useBreakpoint().md ?? true;
  const [drawer, setDrawer] = useState(false);
  const items = navigation(t, access, extensions.data ?? []);
  const base = `/t/${tenant.slug}`;
  const here = location.pathname.slice(base.length) || "/";
  const selected = items.filter((i) => i.path === "/" ? here === "/" : here.startsWith(i.path))
    .sort((a, b) => b.path.length - a.path.length)[0]?.path ?? "/";
  const menu = (
    <nav aria-label="ipgov">
      <Menu mode="inline" selectedKeys={[selected]} items={menuItems(items, t)}
        onClick={({ key }) => { setDrawer(false); navigate(`${base}${key === "/" ? "/" : key}`); }} />
    </nav>
  );
  async function signOut() {
    const answer = await execute(SignOutDocument).catch(() => null);
    session.clear();
    // a SAML session: on to the identity provider, which signs the person out there too
    const elsewhere = logoutTarget(answer?.signOut.singleLogoutUrl);
    if (elsewhere) window.location.assign(elsewhere);
  }
  return (
    <Layout style={{ minHeight: "100vh" }}>
      {screensMd ? <Layout.Sider width={232} theme="light" style={{ borderInlineEnd: "1px solid #eee" }}>
        <Typography.Title level={4} style={{ padding: "16px 24px", margin: 0 }}>ipgov</Typography.Title>
        {menu}
      </Layout.Sider> : <Drawer open={drawer} onClose={() => setDrawer(false)} placement="left"
        title="ipgov" size={260}>{menu}</Drawer>}
      <Layout>
        <Layout.Header style={{ background: "#fff", padding: "0 16px", borderBottom: "1px solid #eee",
          display: "flex", alignItems: "center", gap: 12, height: "auto", minHeight: 56, flexWrap: "wrap" }}>
          {screensMd ? null : <Button onClick={() => setDrawer(true)} aria-label={t("shell.menu")}>☰</Button>}
          <TenantSwitcher tenants={tenants} current={tenant} />
          <Jump items={items} tenants={tenants} base={base} />
          <span style={{ flex: 1 }} />
          <Bell />
          <LanguageSwitch />
          <Typography.Text data-testid="me">{me.displayName}</Typography.Text>
          <Button onClick={() => void signOut()}>{t("shell.signOut")}</Button>
        </Layout.Header>
        {/* antd's Layout.Content is the page's one <main> landmark */}
        <Layout.Content style={{ padding: screensMd ? 24 : 12 }}>
            <Suspense fallback={<Spin style={{ margin: 48 }} />}>
            <Routes>
              {screens.map((s) => <Route key={s.path} path={s.path === "/" ? "/" : `${s.path}/*`}
                element={<s.component />} />)}
              <Route path="/x/*" element={<ExtensionRoute extensions={extensions.data ?? []} />} />
              <Route path="*" element={<Result status="404" title={t("shell.notFound")} />} />
            </Routes>
            </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

function TenantScope(props: { tenants: TenantNode[]; me: Parameters<typeof WorkspaceProvider>[0]["me"] }) {
  const { slug } = useParams();
  const tenant = props.tenants.find((t) => t.slug === slug);
  const permissions = usePermissions(tenant?.id);
  const { t } = useTranslation();
  if (!tenant) return <Result status="404" title={t("shell.notFound")} />;
  if (permissions.isPending) return <Spin style={{ margin: 48 }} />;
  if (permissions.error) return <Problems error={permissions.error} />;
  return (
    <WorkspaceProvider me={props.me} tenants={props.tenants} tenant={tenant}
      permissions={permissions.data.myPermissions}>
      <Frame />
    </WorkspaceProvider>
  );
}

/** Where a person lands: their own (non-inherited) membership first, else the first tenant. */
export function homeTenant(me: { memberships: readonly { tenantSlug: string; inherited: boolean }[] },
  tenants: readonly TenantNode[]): string | undefined {
  const own = me.memberships.find((m) => !m.inherited && tenants.some((t) => t.slug === m.tenantSlug));
  return own?.tenantSlug ?? tenants[0]?.slug;
}

export function Shell() {
  const { t } = useTranslation();
  const workspace = useTenantList();
  const locale = workspace.data?.me.locale;
  useEffect(() => {
    const lang = asLanguage(locale);
    if (lang) applyLanguage(lang);
  }, [locale]);
  if (workspace.isPending) return <Spin style={{ margin: 48 }} />;
  if (workspace.error) return <Space direction="vertical" style={{ margin: 24 }}>
    <Problems error={workspace.error} /></Space>;
  const { me, tenants } = workspace.data;
  const home = homeTenant(me, tenants);
  if (!home) return <Alert style={{ margin: 24 }} type="info" title={t("shell.noTenants")} />;
  return (
    <Routes>
      <Route path="/t/:slug/*" element={<TenantScope tenants={tenants} me={me} />} />
      <Route path="*" element={<Navigate to={`/t/${home}/`} replace />} />
    </Routes>
  );
}
