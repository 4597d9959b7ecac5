/** Single sign-on: the tenant's identity providers (OpenID Connect and SAML 2.0), their claim
 * (attribute) mappings and what happens to people they sign in who have no account yet. The
 * client secret is write-only; the redirect URI (for SAML, the ACS, entity id and metadata URL)
 * to register at the provider is shown per provider; a SAML provider's key can be rotated. */
import { App, Button, Drawer, Form, Input, Popconfirm, Select, Space, Switch, Table, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { payloadErrors, useGql, useGqlMutation, type UserErrorShape } from "../app/data";
import { Tag } from "../app/Tag";
import { GatedButton, PageTitle, Problems } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { graphql } from "../gql";
import type { IdentityProviderInput, JitPolicy, SamlIdentityProviderInput, TenantIdentityProvidersQuery } from "../gql/graphql";

const ProvidersDocument = graphql(`
  query TenantIdentityProviders($tenantId: ID!) {
    identityProviders(tenantId: $tenantId, first: 100) { edges { node {
      id kind name issuer discoveryUrl clientId hasClientSecret scopes emailClaim nameClaim groupsClaim
      directRoleClaims jitPolicy allowedDomains enabled redirectUri
      roleMappings { value tenantSlug role }
      saml { entityId acsUrl metadataUrl requireEncryptedAssertions }
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

const SaveSamlDocument = graphql(`
  mutation SaveSamlIdentityProvider($tenantId: ID!, $id: ID, $input: SamlIdentityProviderInput!) {
    saveSamlIdentityProvider(tenantId: $tenantId, id: $id, input: $input) {
      identityProvider { id } errors { code message field }
    }
  }
`);

const RotateDocument = graphql(`
  mutation RotateSamlServiceProviderKey($tenantId: ID!, $id: ID!) {
    rotateSamlServiceProviderKey(tenantId: $tenantId, id: $id) { identityProvider { id } errors { code message field } }
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
const SAML_DEFAULTS = { emailAttribute: "email", nameAttribute: "name", groupsAttribute: "groups",
  jitPolicy: "REFUSE" as JitPolicy, enabled: true, directRoleClaims: false, allowedDomains: [], roleMappings: [],
  requireEncryptedAssertions: false };

/** The fields both kinds share: claim (attribute) names, policy, domains, mappings, switches. */
function SharedFields(props: { names: [string, string, string]; labels: [string, string, string] }) {
  const { t } = useTranslation();
  const { tenant, tenants } = useWorkspace();
  return <>
    <Space wrap>
      {props.names.map((name, i) => <Form.Item key={name} name={name} label={t(props.labels[i])}><Input /></Form.Item>)}
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
  </>;
}

function ProviderForm(props: { editing: Provider | null; onDone: () => void }) {
  const { t } = useTranslation();
  const { tenant } = useWorkspace();
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
      <SharedFields names={["emailClaim", "nameClaim", "groupsClaim"]} labels={["sso.emailClaim", "sso.nameClaim", "sso.groupsClaim"]} />
      <Button type="primary" htmlType="submit" loading={save.isPending}>{t("common.save")}</Button>
    </Form>
  );
}

/** The IdP metadata as text: pasted, or read from a chosen file (never fetched from a URL). */
function MetadataField(props: { editing: boolean }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  async function load(file: File) {
    form.setFieldValue("idpMetadataXml", await file.text());
  }
  return <Form.Item label={t("sso.idpMetadata")} extra={props.editing ? t("sso.idpMetadataKept") : t("sso.idpMetadataHelp")}>
    <Form.Item name="idpMetadataXml" noStyle>
      <Input.TextArea rows={6} spellCheck={false} style={{ fontFamily: "monospace" }} /></Form.Item>
    <input type="file" accept=".xml,application/xml,text/xml,application/samlmetadata+xml" aria-label={t("sso.loadFile")}
      style={{ marginTop: 8 }} onChange={(e) => { const file = e.target.files?.[0]; if (file) void load(file); }} />
  </Form.Item>;
}

function SamlForm(props: { editing: Provider | null; onDone: () => void }) {
  const { t } = useTranslation();
  const { tenant } = useWorkspace();
  const { message } = App.useApp();
  const save = useGqlMutation(SaveSamlDocument);
  const [errors, setErrors] = useState<UserErrorShape[]>([]);
  const editing = props.editing;
  const initial = editing ? { name: editing.name, emailAttribute: editing.emailClaim, nameAttribute: editing.nameClaim,
    groupsAttribute: editing.groupsClaim, jitPolicy: editing.jitPolicy, enabled: editing.enabled,
    directRoleClaims: editing.directRoleClaims, allowedDomains: editing.allowedDomains, roleMappings: editing.roleMappings,
    requireEncryptedAssertions: editing.saml?.requireEncryptedAssertions ?? false, idpMetadataXml: "" } : SAML_DEFAULTS;
  async function submit(values: SamlIdentityProviderInput) {
    const input = { ...values, idpMetadataXml: values.idpMetadataXml || null, idpMetadataUrl: values.idpMetadataUrl || null };
    const answer = await save.mutateAsync({ tenantId: tenant.id, id: editing?.id ?? null, input });
    setErrors([...payloadErrors(answer.saveSamlIdentityProvider)]);
    if (!answer.saveSamlIdentityProvider.errors.length) {
      void message.success(t("sso.saved"));
      props.onDone();
    }
  }
  return (
    <Form layout="vertical" initialValues={initial} onFinish={submit} requiredMark={false}>
      <Problems errors={errors} error={save.error} />
      {editing?.saml ? <Space direction="vertical" style={{ marginBottom: 16 }}>
        <Typography.Text>{t("sso.spEntityId")}: <Typography.Text copyable code>{editing.saml.entityId}</Typography.Text></Typography.Text>
        <Typography.Text>{t("sso.acsUrl")}: <Typography.Text copyable code>{editing.saml.acsUrl}</Typography.Text></Typography.Text>
        <Typography.Text>{t("sso.spMetadataUrl")}: <Typography.Link href={editing.saml.metadataUrl} target="_blank">{editing.saml.metadataUrl}</Typography.Link></Typography.Text>
      </Space> : null}
      <Form.Item name="name" label={t("sso.name")} rules={[{ required: true }]}><Input /></Form.Item>
      <MetadataField editing={editing !== null} />
      <Form.Item name="idpMetadataUrl" label={t("sso.idpMetadataUrl")} extra={t("sso.idpMetadataUrlHelp")}>
        <Input placeholder="https://" /></Form.Item>
      <SharedFields names={["emailAttribute", "nameAttribute", "groupsAttribute"]} labels={["sso.emailAttribute", "sso.nameAttribute", "sso.groupsAttribute"]} />
      <Form.Item name="requireEncryptedAssertions" label={t("sso.requireEncryption")} valuePropName="checked"><Switch /></Form.Item>
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
  const rotate = useGqlMutation(RotateDocument);
  const [editing, setEditing] = useState<Provider | null | undefined>(undefined);
  const [kind, setKind] = useState<"oidc" | "saml">("oidc");
  const [errors, setErrors] = useState<UserErrorShape[]>([]);
  const allowed = access.can("ipgov:identity_provider", "manage");
  const rows = (query.data?.identityProviders.edges ?? []).map((e) => e.node);
  async function removeOne(id: string) {
    const answer = await remove.mutateAsync({ tenantId: tenant.id, id });
    setErrors([...payloadErrors(answer.removeIdentityProvider)]);
    if (!answer.removeIdentityProvider.errors.length) void message.success(t("sso.removed"));
  }
  async function rotateKey(id: string) {
    const answer = await rotate.mutateAsync({ tenantId: tenant.id, id });
    setErrors([...payloadErrors(answer.rotateSamlServiceProviderKey)]);
    if (!answer.rotateSamlServiceProviderKey.errors.length) void message.success(t("sso.rotated"));
  }
  function open(provider: Provider | null, chosen: "oidc" | "saml") {
    setKind(chosen);
    setEditing(provider);
  }
  const done = () => { setEditing(undefined); void query.refetch(); };
  return (
    <>
      <PageTitle extra={<Space>
        <GatedButton type="primary" allowed={allowed} onClick={() => open(null, "oidc")}>{t("sso.add")}</GatedButton>
        <GatedButton allowed={allowed} onClick={() => open(null, "saml")}>{t("sso.addSaml")}</GatedButton></Space>}>
        {t("sso.title")} · {tenant.name}</PageTitle>
      <Problems error={query.error ?? remove.error ?? rotate.error} errors={errors} />
      <Table rowKey="id" size="small" loading={query.isPending} dataSource={rows} pagination={false} scroll={{ x: true }}
        columns={[
          { title: t("sso.name"), dataIndex: "name", render: (v: string, p: Provider) => <Space direction="vertical" size={0}>
            <Typography.Text strong>{v}</Typography.Text><Typography.Text type="secondary">{p.issuer}</Typography.Text></Space> },
          { title: t("sso.kind"), dataIndex: "kind", render: (v: string) => <Tag>{v === "saml" ? t("sso.kindSaml") : t("sso.kindOidc")}</Tag> },
          { title: t("sso.clientId"), dataIndex: "clientId" },
          { title: t("sso.jit"), render: (_: unknown, p: Provider) => <Space wrap>
            <Tag color={p.enabled ? "green" : undefined}>{p.enabled ? t("sso.enabled") : t("plugins.off")}</Tag>
            <Tag>{p.jitPolicy === "CREATE" as JitPolicy ? t("sso.jitCreate") : t("sso.jitRefuse")}</Tag></Space> },
          { title: t("sso.mappings"), render: (_: unknown, p: Provider) => <Space wrap>
            {p.roleMappings.map((m) => <Tag key={`${m.value}${m.tenantSlug}${m.role}`}>{m.value} → {m.tenantSlug}:{m.role}</Tag>)}</Space> },
          { title: t("sso.redirectUri"), dataIndex: "redirectUri", render: (v: string) => <Typography.Text copyable code>{v}</Typography.Text> },
          { title: t("common.actions"), render: (_: unknown, p: Provider) => <Space>
            <GatedButton size="small" allowed={allowed} onClick={() => open(p, p.kind === "saml" ? "saml" : "oidc")}>{t("sso.edit")}</GatedButton>
            {p.kind === "saml" && allowed ? <Popconfirm title={t("sso.rotateConfirm")} onConfirm={() => void rotateKey(p.id)}>
              <Button size="small">{t("sso.rotateKey")}</Button></Popconfirm> : null}
            {allowed ? <Popconfirm title={t("sso.removeConfirm")} onConfirm={() => void removeOne(p.id)}>
              <Button size="small" danger>{t("sso.remove")}</Button></Popconfirm>
              : <GatedButton size="small" danger allowed={false}>{t("sso.remove")}</GatedButton>}</Space> },
        ]} />
      <Drawer open={editing !== undefined} width={560} destroyOnHidden onClose={() => setEditing(undefined)}
        title={editing ? editing.name : t(kind === "saml" ? "sso.addSaml" : "sso.add")}>
        {editing === undefined ? null : kind === "saml" ? <SamlForm editing={editing} onDone={done} />
          : <ProviderForm editing={editing} onDone={done} />}
      </Drawer>
    </>
  );
}
