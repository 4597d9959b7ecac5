/** Single sign-on: the tenant's identity providers (OpenID Connect), their claim mappings and
 * what happens to people they sign in who have no account yet. The client secret is write-only;
 * the redirect URI to register at the provider is shown per provider. */
import { App, Button, Drawer, Form, Input, Popconfirm, Select, Space, Switch, Table, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { payloadErrors, useGql, useGqlMutation, type UserErrorShape } from "../app/data";
import { Tag } from "../app/Tag";
import { GatedButton, PageTitle, Problems } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { graphql } from "../gql";
import type { IdentityProviderInput, JitPolicy, TenantIdentityProvidersQuery } from "../gql/graphql";

const ProvidersDocument = graphql(`
  query TenantIdentityProviders($tenantId: ID!) {
    identityProviders(tenantId: $tenantId, first: 100) { edges { node {
      id name issuer discoveryUrl clientId hasClientSecret scopes emailClaim nameClaim groupsClaim
      directRoleClaims jitPolicy allowedDomains enabled redirectUri
      roleMappings { value tenantSlug role }
    } } }
  }
`);

const SaveDocument = graphql(`
  mutation SaveIdentityProvider($tenantId: ID!, $id: ID, $input: IdentityProviderInput!) {
    saveIdentityProvider(tenantId: $tenantId, id: $id, input: $input) {
      identityProvider { id } errors { code message field }
    }
  }
`);

const RemoveDocument = graphql(`
  mutation RemoveIdentityProvider($tenantId: ID!, $id: ID!) {
    removeIdentityProvider(tenantId: $tenantId, id: $id) { removedId errors { code message field } }
  }
`);

type Provider = TenantIdentityProvidersQuery["identityProviders"]["edges"][number]["node"];
const ROLES = ["group_admin", "tenant_admin", "ip_manager", "contributor", "reviewer", "auditor", "viewer"];
const DEFAULTS = { scopes: ["openid", "email", "profile"], emailClaim: "email", nameClaim: "name",
  groupsClaim: "groups", jitPolicy: "REFUSE" as JitPolicy, enabled: true, directRoleClaims: false,
  allowedDomains: [], roleMappings: [] };

function ProviderForm(props: { editing: Provider | null; onDone: () => void }) {
  const { t } = useTranslation();
  const { tenant, tenants } = useWorkspace();
  const { message } = App.useApp();
  const save = useGqlMutation(SaveDocument);
  const [errors, setErrors] = useState<UserErrorShape[]>([]);
  const initial = props.editing ? { ...props.editing, clientSecret: "" } : DEFAULTS;
  async function submit(values: IdentityProviderInput) {
    const input = { ...values, clientSecret: values.clientSecret || null };
    const answer = await save.mutateAsync({ tenantId: tenant.id, id: props.editing?.id ?? null, input });
    setErrors([...payloadErrors(answer.saveIdentityProvider)]);
    if (!answer.saveIdentityProvider.errors.length) {
      void message.success(t("sso.saved"));
      props.onDone();
    }
  }
  return (
    <Form layout="vertical" initialValues={initial} onFinish={submit} requiredMark={false}>
      <Problems errors={errors} error={save.error} />
      <Form.Item name="name" label={t("sso.name")} rules={[{ required: true }]}><Input /></Form.Item>
      <Form.Item name="issuer" label={t("sso.issuer")} rules={[{ required: true }]}><Input placeholder="https://" /></Form.Item>
      <Form.Item name="discoveryUrl" label={t("sso.discoveryUrl")}><Input /></Form.Item>
      <Form.Item name="clientId" label={t("sso.clientId")} rules={[{ required: true }]}><Input /></Form.Item>
      <Form.Item name="clientSecret" label={t("sso.clientSecret")} extra={props.editing ? t("sso.secretKept") : undefined}
        rules={props.editing ? [] : [{ required: true }]}><Input.Password autoComplete="new-password" /></Form.Item>
      <Form.Item name="scopes" label={t("sso.scopes")}><Select mode="tags" /></Form.Item>
      <Space wrap>
        <Form.Item name="emailClaim" label={t("sso.emailClaim")}><Input /></Form.Item>
        <Form.Item name="nameClaim" label={t("sso.nameClaim")}><Input /></Form.Item>
        <Form.Item name="groupsClaim" label={t("sso.groupsClaim")}><Input /></Form.Item>
      </Space>
      <Form.Item name="jitPolicy" label={t("sso.jit")}>
        <Select options={[{ value: "CREATE" as JitPolicy, label: t("sso.jitCreate") }, { value: "REFUSE" as JitPolicy, label: t("sso.jitRefuse") }]} />
      </Form.Item>
      <Form.Item name="allowedDomains" label={t("sso.domains")}><Select mode="tags" /></Form.Item>
      <Typography.Title level={3} style={{ fontSize: 16 }}>{t("sso.mappings")}</Typography.Title>
      <Form.List name="roleMappings">{(fields, { add, remove }) => <>
        {fields.map((f) => <Space key={f.key} wrap align="baseline">
          <Form.Item name={[f.name, "value"]} label={t("sso.mappingValue")} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name={[f.name, "tenantSlug"]} label={t("sso.mappingTenant")} rules={[{ required: true }]}>
            <Select style={{ minWidth: 160 }} options={tenants.map((x) => ({ value: x.slug, label: x.name }))} /></Form.Item>
          <Form.Item name={[f.name, "role"]} label={t("sso.mappingRole")} rules={[{ required: true }]}>
            <Select style={{ minWidth: 140 }} options={ROLES.map((r) => ({ value: r, label: r }))} /></Form.Item>
          <Button onClick={() => remove(f.name)}>{t("sso.remove")}</Button>
        </Space>)}
        <Button onClick={() => add({ value: "", tenantSlug: tenant.slug, role: "viewer" })}>{t("sso.addMapping")}</Button>
      </>}</Form.List>
      <Form.Item name="directRoleClaims" label={t("sso.direct")} valuePropName="checked" style={{ marginTop: 16 }}><Switch /></Form.Item>
      <Form.Item name="enabled" label={t("sso.enabled")} valuePropName="checked"><Switch /></Form.Item>
      <Button type="primary" htmlType="submit" loading={save.isPending}>{t("common.save")}</Button>
    </Form>
  );
}

export function IdentityProviders() {
  const { t } = useTranslation();
  const { tenant, access } = useWorkspace();
  const { message } = App.useApp();
  const query = useGql(ProvidersDocument, { tenantId: tenant.id });
  const remove = useGqlMutation(RemoveDocument);
  const [editing, setEditing] = useState<Provider | null | undefined>(undefined);
  const [errors, setErrors] = useState<UserErrorShape[]>([]);
  const allowed = access.can("ipgov:identity_provider", "manage");
  const rows = (query.data?.identityProviders.edges ?? []).map((e) => e.node);
  async function removeOne(id: string) {
    const answer = await remove.mutateAsync({ tenantId: tenant.id, id });
    setErrors([...payloadErrors(answer.removeIdentityProvider)]);
    if (!answer.removeIdentityProvider.errors.length) void message.success(t("sso.removed"));
  }
  return (
    <>
      <PageTitle extra={<GatedButton type="primary" allowed={allowed} onClick={() => setEditing(null)}>{t("sso.add")}</GatedButton>}>
        {t("sso.title")} · {tenant.name}</PageTitle>
      <Problems error={query.error ?? remove.error} errors={errors} />
      <Table rowKey="id" size="small" loading={query.isPending} dataSource={rows} pagination={false} scroll={{ x: true }}
        columns={[
          { title: t("sso.name"), dataIndex: "name", render: (v: string, p: Provider) => <Space direction="vertical" size={0}>
            <Typography.Text strong>{v}</Typography.Text><Typography.Text type="secondary">{p.issuer}</Typography.Text></Space> },
          { title: t("sso.clientId"), dataIndex: "clientId" },
          { title: t("sso.jit"), render: (_: unknown, p: Provider) => <Space wrap>
            <Tag color={p.enabled ? "green" : undefined}>{p.enabled ? t("sso.enabled") : t("plugins.off")}</Tag>
            <Tag>{p.jitPolicy === "CREATE" as JitPolicy ? t("sso.jitCreate") : t("sso.jitRefuse")}</Tag></Space> },
          { title: t("sso.mappings"), render: (_: unknown, p: Provider) => <Space wrap>
            {p.roleMappings.map((m) => <Tag key={`${m.value}${m.tenantSlug}${m.role}`}>{m.value} → {m.tenantSlug}:{m.role}</Tag>)}</Space> },
          { title: t("sso.redirectUri"), dataIndex: "redirectUri", render: (v: string) => <Typography.Text copyable code>{v}</Typography.Text> },
          { title: t("common.actions"), render: (_: unknown, p: Provider) => <Space>
            <GatedButton size="small" allowed={allowed} onClick={() => setEditing(p)}>{t("sso.edit")}</GatedButton>
            {allowed ? <Popconfirm title={t("sso.removeConfirm")} onConfirm={() => void removeOne(p.id)}>
              <Button size="small" danger>{t("sso.remove")}</Button></Popconfirm>
              : <GatedButton size="small" danger allowed={false}>{t("sso.remove")}</GatedButton>}</Space> },
        ]} />
      <Drawer open={editing !== undefined} width={560} title={editing ? editing.name : t("sso.add")} destroyOnHidden
        onClose={() => setEditing(undefined)}>
        {editing !== undefined ? <ProviderForm editing={editing} onDone={() => { setEditing(undefined); void query.refetch(); }} /> : null}
      </Drawer>
    </>
  );
}
